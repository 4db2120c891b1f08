"""Sampling plans for a lot: ISO 2859-1 single sampling (Table I, then the master table of the inspection's
severity, following its arrows) and a plain random percentage; and the decision a plan makes on the defects found."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from core.sampling.tables import AQL_LABELS, AQLS, CODE_LETTERS, LEVELS, MASTER, SAMPLE_SIZES

Severity = Literal["normal", "tightened", "reduced"]
Decision = Literal["accept", "reject"]
SEVERITIES: tuple[Severity, ...] = ("normal", "tightened", "reduced")
TABLE_NAMES: dict[Severity, str] = {"normal": "II-A", "tightened": "II-B", "reduced": "II-C"}


class SamplingError(ValueError):
    """A request the tables cannot answer (unknown level, an AQL outside the preferred series, a bad lot size)."""


@dataclass(frozen=True)
class Plan:
    """What to review in one lot and how the count decides it.

    `code_letter` is Table I's letter for the lot; `plan_letter` the row whose plan the table's arrows lead to (its
    sample size, `table_n`, is the one used). `n` is the number of items to review: that sample size, or the whole lot
    when it is not smaller (`full_inspection`, the standard's 100 % inspection, judged with the same Ac and Re). A
    percentage plan has no letters, severity, AQL or table sample size.
    """

    lot_size: int
    n: int
    ac: int
    re: int
    code_letter: str | None = None
    plan_letter: str | None = None
    severity: Severity | None = None
    aql: float | None = None
    table_n: int | None = None
    full_inspection: bool = False


def _parse(text: str) -> dict[str, tuple[int | str, ...]]:
    rows = {}
    for line in text.strip().splitlines():
        letter, *cells = line.split()
        rows[letter] = tuple(int(c) if c.isdigit() else c for c in cells)
    return rows


_MASTER = {severity: _parse(text) for severity, text in MASTER.items()}


def aql_index(aql: float) -> int:
    """The column of a preferred AQL (the tables have no plans for other values)."""
    for i, value in enumerate(AQLS):
        if math.isclose(aql, value, rel_tol=1e-9):
            return i
    raise SamplingError(f"AQL {aql:g} is not one of the standard's values: {', '.join(AQL_LABELS)}")


def code_letter(lot_size: int, level: str) -> str:
    """Table I: the sample size code letter of a lot at an inspection level (general I, II, III; special S-1 to S-4).
    A lot of one item is read as the first range (2 to 8)."""
    if level not in LEVELS:
        raise SamplingError(f"unknown inspection level {level!r}: use one of {', '.join(LEVELS)}")
    if lot_size < 1:
        raise SamplingError("the lot must hold at least one item")
    column = LEVELS.index(level)
    return next(letters[column] for upper, letters in CODE_LETTERS if upper is None or lot_size <= upper)


def table_plan(letter: str, aql: float, severity: Severity) -> tuple[str, int, int]:
    """The master table's plan for a code letter and AQL, arrows followed: (the letter whose plan it is, n, Ac)."""
    if severity not in _MASTER:
        raise SamplingError(f"unknown severity {severity!r}: use one of {', '.join(SEVERITIES)}")
    rows = _MASTER[severity]
    if letter not in rows:
        raise SamplingError(f"Table {TABLE_NAMES[severity]} has no code letter {letter!r}")
    order = list(rows)
    column = aql_index(aql)
    i = order.index(letter)
    cell = rows[letter][column]
    while not isinstance(cell, int):
        if cell == ".":
            raise SamplingError(f"Table {TABLE_NAMES[severity]} has no plan for letter {letter} at AQL {aql:g}")
        i += 1 if cell == "v" else -1
        cell = rows[order[i]][column]
    return order[i], SAMPLE_SIZES[severity][order[i]], cell


def single_plan(lot_size: int, level: str, aql: float, severity: Severity = "normal") -> Plan:
    """The ISO 2859-1 single sampling plan for a lot; 100 % inspection when the sample would not be smaller."""
    letter = code_letter(lot_size, level)
    used, n, ac = table_plan(letter, aql, severity)
    return Plan(lot_size=lot_size, n=min(n, lot_size), ac=ac, re=ac + 1, code_letter=letter, plan_letter=used,
                severity=severity, aql=AQLS[aql_index(aql)], table_n=n, full_inspection=n >= lot_size)


def percentage_plan(lot_size: int, percent: float, min_n: int = 1, accept: int = 0) -> Plan:
    """Review a plain percentage of the lot (rounded up, at least `min_n`, at most the lot); the lot is accepted with
    at most `accept` defects (zero by default, the usual rule for a spot check with no statistical basis)."""
    if lot_size < 1:
        raise SamplingError("the lot must hold at least one item")
    if not 0 < percent <= 100:
        raise SamplingError("the percentage must be more than 0 and at most 100")
    if min_n < 1 or accept < 0:
        raise SamplingError("the minimum sample must be at least 1 and the accepted defects at least 0")
    share = math.ceil(lot_size * Fraction(str(percent)) / 100)  # a Fraction: 7 % of 200 is 14, not 14.000000000000002
    n = min(lot_size, max(min_n, share))
    return Plan(lot_size=lot_size, n=n, ac=accept, re=accept + 1, full_inspection=n == lot_size)


def lot_decision(defects: int, plan: Plan) -> Decision:
    """Accept the lot when the defects found in its sample are at most Ac, reject it from Re on. For AQLs above 10
    the count is nonconformities (several per item are possible), so it may exceed the sample size."""
    if defects < 0:
        raise SamplingError("the number of defects cannot be negative")
    return "accept" if defects <= plan.ac else "reject"
