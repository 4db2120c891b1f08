"""`annodesk sampling ...`: the ISO 2859-1 plan for a lot, and the table of plans by lot size, for a lead who wants
to know what a spot review will ask before a lot comes back. desktop/cli.py calls add_sampling_commands(subparsers).
"""

from __future__ import annotations

import argparse
from typing import Any

from core.sampling import (
    AQL_LABELS,
    AQLS,
    CODE_LETTERS,
    LEVELS,
    SEVERITIES,
    TABLE_NAMES,
    Severity,
    aql_index,
    code_letter,
    single_plan,
    table_plan,
)


def add_sampling_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `sampling plan` and `sampling table` to an argparse subparsers object."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--level", type=_level, default="II",
                        help=f"inspection level: {', '.join(LEVELS)} (default II, the standard's usual level)")
    common.add_argument("--aql", type=_aql, required=True,
                        help="acceptance quality limit, one of the standard's values (e.g. 0.65, 1.0, 2.5, 4.0)")
    common.add_argument("--severity", choices=SEVERITIES, default="normal",
                        help="inspection severity the switching rules have reached (default normal)")
    p = subparsers.add_parser("sampling", help="acceptance-sampling plans for spot reviews (ISO 2859-1)")
    sub = p.add_subparsers(dest="sampling_command", required=True)
    s = sub.add_parser("plan", help="the sample size and accept/reject numbers for one lot", parents=[common])
    s.add_argument("--lot", type=_lot, required=True, help="the number of items (tasks) in the lot")
    s.set_defaults(func=cmd_plan)
    s = sub.add_parser("table", help="the plans for every range of lot sizes", parents=[common])
    s.set_defaults(func=cmd_table)
    return p


def cmd_plan(args: argparse.Namespace) -> int:
    plan = single_plan(args.lot, args.level, args.aql, args.severity)
    print(_title(args.severity))
    print(f"lot of {plan.lot_size:,} items, inspection level {args.level}, AQL {_label(args.aql)}")
    letter = f"code letter {plan.code_letter}"
    if plan.plan_letter != plan.code_letter:
        letter += f"; the table's arrow leads to the plan of letter {plan.plan_letter}"
    if plan.full_inspection:
        print(f"{letter} ({plan.table_n:,} items), not smaller than the lot: "
              f"review all {plan.n:,} items (100 % inspection)")
    else:
        print(f"{letter}: review {plan.n:,} items, drawn at random")
    if plan.ac == 0:
        print("accept the lot if the review finds no defect (Ac 0), reject it with 1 or more (Re 1)")
    else:
        print(f"accept the lot with {plan.ac} or fewer defects (Ac {plan.ac}), "
              f"reject it with {plan.re} or more (Re {plan.re})")
    if args.aql > 10:
        print("an AQL above 10 counts defects per 100 items: one item may have several, and all of them count")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    header = ("lot size", "letter", "plan", "sample", "Ac", "Re")
    rows, notes = [header], [""]
    lower = 2
    for upper, _ in CODE_LETTERS:
        letter = code_letter(lower, args.level)
        used, n, ac = table_plan(letter, args.aql, args.severity)
        sizes = f"{lower:,} to {upper:,}" if upper else f"{lower:,} or more"
        rows.append((sizes, letter, used, f"{n:,}", str(ac), str(ac + 1)))
        if upper is not None and n >= upper:
            notes.append("100 % inspection")
        else:
            notes.append(f"100 % inspection for lots of {n:,} or fewer" if n >= lower else "")
        lower = (upper or lower) + 1
    print(f"{_title(args.severity)}, inspection level {args.level}, AQL {_label(args.aql)}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row, note in zip(rows, notes, strict=True):
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=True)), note]).rstrip())
    return 0


def _label(aql: float) -> str:
    return AQL_LABELS[aql_index(aql)]


def _title(severity: Severity) -> str:
    return f"ISO 2859-1 single sampling, {severity} inspection (Table {TABLE_NAMES[severity]})"


def _lot(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of items (a whole number, 1 or more)")
    return value


def _level(text: str) -> str:
    if text.upper() not in LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r} is not an inspection level: use one of {', '.join(LEVELS)}")
    return text.upper()


def _aql(text: str) -> float:
    try:
        return AQLS[aql_index(float(text))]
    except ValueError:  # not a number, or (SamplingError) not in the series
        raise argparse.ArgumentTypeError(
            f"{text!r} is not one of the standard's AQLs: {', '.join(AQL_LABELS)}") from None
