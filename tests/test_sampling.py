"""Spot-review sampling: the ISO 2859-1 tables, the switching rules, the reproducible draw and the CLI."""

import hashlib
import json
import random

import pytest
from scipy.stats import chi2

from core.sampling import (
    AQLS,
    LEVELS,
    SEVERITIES,
    SamplingError,
    Switching,
    code_letter,
    draw_sample,
    lot_decision,
    percentage_plan,
    single_plan,
    table_plan,
)
from core.sampling.tables import CODE_LETTERS, MASTER
from desktop.cli import main

# Table I read down each level's column (MIL-STD-105E's Table I as encoded by AQLSchemes), one letter per lot range.
RANGES = [(2, 8), (9, 15), (16, 25), (26, 50), (51, 90), (91, 150), (151, 280), (281, 500), (501, 1200),
          (1201, 3200), (3201, 10_000), (10_001, 35_000), (35_001, 150_000), (150_001, 500_000), (500_001, 10**9)]
LETTERS_BY_LEVEL = {
    "S-1": "AAAABBBBCCCCDDD",
    "S-2": "AAABBBCCCDDDEEE",
    "S-3": "AABBCCDDEEFFGGH",
    "S-4": "AABCCDEEFGGHJJK",
    "I": "AABCCDEFGHJKLMN",
    "II": "ABCDEFGHJKLMNPQ",
    "III": "BCDEFGHJKLMNPQR",
}


@pytest.mark.parametrize("level", LEVELS)
def test_code_letters_at_every_boundary(level):
    for (low, high), letter in zip(RANGES, LETTERS_BY_LEVEL[level], strict=True):
        assert code_letter(low, level) == letter, (low, level)
        assert code_letter(high, level) == letter, (high, level)
    assert code_letter(1, level) == LETTERS_BY_LEVEL[level][0]  # one item: read as the first range


def test_code_letter_refuses_bad_input():
    with pytest.raises(SamplingError, match="level"):
        code_letter(100, "IV")
    with pytest.raises(SamplingError, match="at least one"):
        code_letter(0, "II")


def plan_of(lot, level, aql, severity="normal"):
    p = single_plan(lot, level, aql, severity)
    return p.code_letter, p.plan_letter, p.n, p.ac, p.re


@pytest.mark.parametrize(("args", "expected"), [
    ((500, "II", 1.0), ("H", "H", 50, 1, 2)),  # the example
    ((1000, "II", 1.5), ("J", "J", 80, 3, 4)),  # the Inspector's Rule manual, example 1
    ((20, "I", 1.5), ("B", "D", 8, 0, 1)),  # ... example 2: two arrows down, B to C to D
    ((1000, "S-3", 1.0), ("E", "E", 13, 0, 1)),  # a special level
    ((300, "II", 100), ("H", "E", 13, 21, 22)),  # an arrow up, in the per-100-items columns
    ((300, "III", 250), ("J", "E", 13, 44, 45)),
    ((600_000, "III", 0.010), ("R", "Q", 1250, 0, 1)),  # an arrow up at the tightest AQL
    ((2000, "II", 0.65), ("K", "K", 125, 2, 3)),
    ((2000, "II", 1.0, "tightened"), ("K", "K", 125, 2, 3)),
    ((2000, "II", 1.0, "reduced"), ("K", "K", 50, 2, 3)),  # ISO 1999: 105E has Ac 1, Re 4 here
    ((125, "III", 1.0, "reduced"), ("G", "J", 32, 1, 2)),  # the manual's ISO example; 105E: H, 20, Ac 0, Re 2
    ((600_000, "III", 0.025, "tightened"), ("R", "S", 3150, 1, 2)),  # letter S exists only here
    ((300_000, "III", 0.025, "reduced"), ("Q", "N", 200, 0, 1)),  # the long arrow up over P, Q, R
    ((120, "II", 1.0, "tightened"), ("F", "F", 20, 0, 1)),
    ((120, "II", 1.0, "reduced"), ("F", "E", 5, 0, 1)),
])
def test_known_plans(args, expected):
    assert plan_of(*args) == expected


def test_tightened_code_a_at_aql_10_follows_iso():
    """The one cell where the ISO tightened table (A's own plan) and 105E (an arrow down to D) disagree."""
    assert table_plan("A", 10, "tightened") == ("A", 2, 0)
    assert table_plan("B", 10, "tightened") == ("D", 8, 1)


def test_full_inspection_when_the_sample_is_not_smaller_than_the_lot():
    plan = single_plan(8, "II", 0.65)
    assert (plan.plan_letter, plan.table_n, plan.n, plan.full_inspection, plan.ac) == ("F", 20, 8, True, 0)
    assert single_plan(13, "II", 1.0).full_inspection  # code B, arrow to E: 13 items, the whole lot
    fourteen = single_plan(14, "II", 1.0)
    assert (fourteen.n, fourteen.full_inspection) == (13, False)
    assert single_plan(5, "II", 0.010).n == 5  # Q's 1,250 items for a lot of 5


def test_plan_refuses_values_outside_the_tables():
    with pytest.raises(SamplingError, match=r"AQL 1\.1"):
        single_plan(500, "II", 1.1)
    with pytest.raises(SamplingError, match="severity"):
        single_plan(500, "II", 1.0, "relaxed")
    with pytest.raises(SamplingError, match="code letter"):
        table_plan("S", 1.0, "normal")
    with pytest.raises(SamplingError, match="no plan"):
        table_plan("S", 1.0, "tightened")


def rows(severity):
    return [line.split() for line in MASTER[severity].strip().splitlines()]


@pytest.mark.parametrize("severity", SEVERITIES)
def test_table_structure(severity):
    """What the arrows and the switching score rely on, for every cell of every table."""
    table = rows(severity)
    assert "^" not in table[0] and "v" not in table[-1]  # no arrow leaves the table
    assert all(len(row) == len(AQLS) + 1 for row in table)
    letters = [row[0] for row in table if row[0] != "S"]
    for column, aql in enumerate(AQLS):
        plans = [table_plan(letter, aql, severity) for letter in letters]
        sizes = [n for _, n, _ in plans]
        assert sizes == sorted(sizes), (severity, aql)  # a larger lot never gets a smaller sample
        if column == 0:
            assert all(ac <= 1 for _, _, ac in plans)  # so a plan with Ac >= 2 always has a tighter AQL
    for letter in letters:
        acs = [table_plan(letter, aql, severity)[2] for aql in AQLS]
        assert acs == sorted(acs), (severity, letter)  # a looser AQL never accepts fewer defects


def test_tighter_plan_of_the_switching_score_has_the_same_sample():
    for letter in "ABCDEFGHJKLMNPQR":
        for column, aql in enumerate(AQLS):
            used, n, ac = table_plan(letter, aql, "normal")
            if ac >= 2:
                assert table_plan(used, AQLS[column - 1], "normal")[:2] == (used, n), (letter, aql)


def test_percentage_plan():
    assert percentage_plan(200, 7).n == 14  # not 15: 7 % of 200 is computed exactly
    assert percentage_plan(1000, 10).n == 100
    assert percentage_plan(1001, 10).n == 101  # rounded up
    assert percentage_plan(30, 5, min_n=8).n == 8
    assert percentage_plan(6, 50, min_n=10).n == 6  # never more than the lot
    plan = percentage_plan(50, 100, accept=2)
    assert (plan.n, plan.ac, plan.re, plan.full_inspection, plan.code_letter) == (50, 2, 3, True, None)
    for bad in [{"lot_size": 0, "percent": 5}, {"lot_size": 10, "percent": 0}, {"lot_size": 10, "percent": 101},
                {"lot_size": 10, "percent": 5, "min_n": 0}, {"lot_size": 10, "percent": 5, "accept": -1}]:
        with pytest.raises(SamplingError):
            percentage_plan(**bad)


def test_lot_decision():
    plan = single_plan(2000, "II", 1.0)  # Ac 3, Re 4
    assert [lot_decision(d, plan) for d in (0, 3, 4, 9)] == ["accept", "accept", "reject", "reject"]
    assert lot_decision(30, single_plan(300, "II", 250)) == "accept"  # per 100 items: more than one per item
    with pytest.raises(SamplingError):
        lot_decision(-1, plan)


def feed(state, lots, lot_size=2000, aql=1.0, **flags):
    """Feed lots (defects found) one at a time, each with the plan of the severity then in force; the stored form
    must round-trip at every step, as the server keeps it between lots."""
    for defects in lots:
        state = state.record(defects, single_plan(lot_size, "II", aql, state.severity), **flags)
        assert Switching.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    return state


def test_switching_normal_to_tightened_and_back():
    # Normal K: n 125, Ac 3; one step tighter (AQL 0.65) Ac 2.
    state = feed(Switching(), [0])
    assert (state.severity, state.score) == ("normal", 3)  # accepted at the tighter AQL too: +3
    state = feed(state, [3])
    assert (state.severity, state.score) == ("normal", 0)  # accepted, but not at the tighter AQL: back to 0
    state = feed(state, [4, 0, 0, 0, 0, 5])  # rejections 5 lots apart: never 2 within 5
    assert state.severity == "normal"
    state = feed(state, [6])  # 2 of the last 2 ... 5
    assert state == Switching("tightened")
    # Tightened K: n 125, Ac 2.
    state = feed(state, [0, 0, 0, 0, 3, 0, 0, 0, 0])
    assert (state.severity, state.tightened_rejections) == ("tightened", 1)
    state = feed(state, [2])  # the 5th accepted in a row
    assert state == Switching("normal")


def test_switching_score_to_reduced_and_back():
    # Normal H for a lot of 500: n 50, Ac 1, so each accepted lot adds 2.
    state = feed(Switching(), [1] * 15, lot_size=500)
    assert (state.severity, state.score) == ("normal", 30)  # the authority has not approved reduced inspection
    assert feed(state, [0], lot_size=500, reduced_allowed=True, steady=False).severity == "normal"
    state = feed(state, [0], lot_size=500, reduced_allowed=True)
    assert state == Switching("reduced")
    # Reduced H: n 20, Ac 1 (ISO 1999).
    assert feed(state, [1, 0], lot_size=500).severity == "reduced"
    assert feed(state, [0], lot_size=500, steady=False) == Switching("normal")  # production irregular
    assert feed(state, [2], lot_size=500) == Switching("normal")  # a lot not accepted
    assert feed(Switching(), [1] * 14 + [2], lot_size=500).score == 0  # a rejection resets the score


def test_switching_discontinues_after_five_rejections_on_tightened():
    state = feed(Switching("tightened"), [3, 0, 3, 0, 0, 3, 0, 3])  # never 5 accepted in a row
    assert (state.tightened_rejections, state.discontinued) == (4, False)
    state = feed(state, [9])
    assert state.discontinued
    with pytest.raises(SamplingError, match="discontinued"):
        feed(state, [0])
    assert state.resume() == Switching("tightened")
    with pytest.raises(SamplingError, match="not discontinued"):
        Switching().resume()


def test_switching_refuses_the_wrong_plan_and_bad_stored_states():
    with pytest.raises(SamplingError, match="normal"):
        Switching().record(0, single_plan(500, "II", 1.0, "tightened"))
    with pytest.raises(SamplingError):
        Switching().record(0, percentage_plan(500, 10))
    good = Switching().to_dict()
    for bad in [{}, {**good, "severity": "lax"}, {**good, "score": -1}, {**good, "score": "3"},
                {**good, "recent": [True] * 6}, {**good, "recent": [1]}, {**good, "discontinued": None}]:
        with pytest.raises(SamplingError):
            Switching.from_dict(bad)


def test_draw_is_reproducible_and_order_independent():
    ids = list(range(1, 501))
    sample = draw_sample(ids, 50, seed=2024)
    shuffled = ids[:]
    random.Random(7).shuffle(shuffled)
    assert draw_sample(shuffled, 50, seed=2024) == sample
    assert draw_sample(reversed(ids), 50, seed=2024) == sample
    assert len(set(sample)) == 50 and set(sample) <= set(ids)
    assert draw_sample(ids, 50, seed=2025) != sample
    assert draw_sample(ids, 80, seed=2024)[:50] == sample  # a larger sample contains the smaller one
    assert sorted(draw_sample(ids, 900, seed=1)) == ids
    assert draw_sample(ids, 0, seed=1) == []


def test_draw_can_be_recomputed_from_the_documented_algorithm():
    """What an auditor does with the seed from the audit log: rank the ids by BLAKE2b keyed with the seed."""
    ids = [f"task-{i}" for i in range(40)]
    key = hashlib.blake2b(b"audit-77", digest_size=32, person=b"annodesk-sample").digest()
    ranked = sorted(ids, key=lambda i: hashlib.blake2b(i.encode(), key=key, digest_size=16).digest())
    assert draw_sample(ids, 7, seed="audit-77") == ranked[:7]


def test_draw_refuses_repeated_ids_and_negative_sizes():
    with pytest.raises(SamplingError, match="twice"):
        draw_sample([1, 2, "2"], 1, seed=0)
    with pytest.raises(SamplingError):
        draw_sample([1, 2], -1, seed=0)


def test_draw_is_uniform_over_many_seeds():
    items, n, seeds = 30, 6, 3000
    counts = dict.fromkeys(range(items), 0)
    for seed in range(seeds):
        for item in draw_sample(range(items), n, seed):
            counts[item] += 1
    expected = seeds * n / items
    statistic = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2.sf(statistic, items - 1) > 0.001, counts


def run(capsys, *args):
    code = main(["sampling", *args])
    return code, capsys.readouterr().out


def test_cli_plan(capsys):
    code, out = run(capsys, "plan", "--lot", "500", "--level", "II", "--aql", "1.0")
    assert code == 0
    assert out.splitlines() == [
        "ISO 2859-1 single sampling, normal inspection (Table II-A)",
        "lot of 500 items, inspection level II, AQL 1.0",
        "code letter H: review 50 items, drawn at random",
        "accept the lot with 1 or fewer defects (Ac 1), reject it with 2 or more (Re 2)",
    ]
    out = run(capsys, "plan", "--lot", "20", "--level", "i", "--aql", "1.5")[1]
    assert "code letter B; the table's arrow leads to the plan of letter D: review 8 items" in out
    assert "no defect (Ac 0)" in out
    out = run(capsys, "plan", "--lot", "8", "--aql", "0.65")[1]
    assert "(20 items), not smaller than the lot: review all 8 items (100 % inspection)" in out
    out = run(capsys, "plan", "--lot", "2000", "--aql", "1", "--severity", "reduced")[1]
    assert "reduced inspection (Table II-C)" in out and "review 50 items" in out and "(Ac 2)" in out
    assert "per 100 items" in run(capsys, "plan", "--lot", "300", "--aql", "25")[1]


def test_cli_table(capsys):
    code, out = run(capsys, "table", "--level", "II", "--aql", "1.0")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 + len(CODE_LETTERS)
    assert lines[0] == "ISO 2859-1 single sampling, normal inspection (Table II-A), inspection level II, AQL 1.0"
    assert lines[1].split() == ["lot", "size", "letter", "plan", "sample", "Ac", "Re"]
    assert lines[2].split() == ["2", "to", "8", "A", "E", "13", "0", "1", "100", "%", "inspection"]
    assert lines[3].endswith("100 % inspection for lots of 13 or fewer")
    assert lines[9].split() == ["281", "to", "500", "H", "H", "50", "1", "2"]
    assert lines[-1].split() == ["500,001", "or", "more", "Q", "Q", "1,250", "21", "22"]
    out = run(capsys, "table", "--level", "S-4", "--aql", "4.0", "--severity", "tightened")[1]
    assert "tightened inspection (Table II-B), inspection level S-4, AQL 4.0" in out


@pytest.mark.parametrize(("args", "message"), [
    (["plan", "--lot", "500", "--aql", "1.1"], "not one of the standard's AQLs"),
    (["plan", "--lot", "0", "--aql", "1.0"], "not a number of items"),
    (["plan", "--lot", "500", "--level", "IV", "--aql", "1.0"], "not an inspection level"),
    (["table", "--aql", "1.0", "--severity", "lax"], "invalid choice"),
])
def test_cli_refuses_bad_arguments(capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["sampling", *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
