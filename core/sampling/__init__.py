"""Acceptance sampling for spot reviews: ISO 2859-1 single sampling plans (the tables of MIL-STD-105E, with the
1999 reduced plans), a plain percentage, the switching rules between normal, tightened and reduced inspection, and
the reproducible drawing of a lot's sample. Qt-free and independent of the rest of Annodesk, so the server and the
app compute the same plan. See docs/review.md; the sources of the tables are in tables.py."""

from core.sampling.draw import draw_sample
from core.sampling.plans import (
    SEVERITIES,
    TABLE_NAMES,
    Decision,
    Plan,
    SamplingError,
    Severity,
    aql_index,
    code_letter,
    lot_decision,
    percentage_plan,
    single_plan,
    table_plan,
)
from core.sampling.switching import Switching
from core.sampling.tables import AQL_LABELS, AQLS, CODE_LETTERS, LEVELS

__all__ = [
    "AQLS",
    "AQL_LABELS",
    "CODE_LETTERS",
    "LEVELS",
    "SEVERITIES",
    "TABLE_NAMES",
    "Decision",
    "Plan",
    "SamplingError",
    "Severity",
    "Switching",
    "aql_index",
    "code_letter",
    "draw_sample",
    "lot_decision",
    "percentage_plan",
    "single_plan",
    "table_plan",
]
