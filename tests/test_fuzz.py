"""Every importer and `add` over generated malformed input (tests/fuzz): no crash, no hang, bounded memory, and a
refused import leaves the workspace as it was. This is the CI size; `python -m tests.fuzz --cases 2000 --kind all` is
the deep run (ANNODESK_FUZZ_CASES sizes this one)."""

import os

import pytest

import sync.transfer
from core.formats import FORMATS, FormatError
from tests.fuzz import corpus, runner

CASES = int(os.environ.get("ANNODESK_FUZZ_CASES", "300"))
ADD_CASES = 10
TIME_LIMIT = 10.0  # seconds per case; the largest valid cases here take well under one


def test_the_corpus_seeds_every_registered_format_and_holds_every_known_crash_class():
    assert {corpus.family(name) for name in FORMATS} == set(corpus.FAMILIES)
    generated = list(corpus.cases(0, CASES))
    for klass, families in corpus.SPECIAL_CLASSES.items():
        assert {corpus.family(c.format) for c in generated if c.klass == klass} >= set(families), klass
    mutated = [c for c in generated if c.klass.startswith("mutate:")]
    assert {corpus.family(c.format) for c in mutated} == set(corpus.FAMILIES)


def test_no_generated_dataset_or_damaged_media_crashes_hangs_or_changes_the_workspace():
    results = runner.run("import", 0, CASES, workers=2, time_limit=TIME_LIMIT)
    results += runner.run("add", 0, ADD_CASES, workers=2, time_limit=TIME_LIMIT)
    assert len(results) == CASES + ADD_CASES
    failed = [r for r in results if r.failed]
    if failed:
        pytest.fail(f"{len(failed)} of {len(results)} fuzz cases failed (rerun one: python -m tests.fuzz --seed 0 "
                    f"--kind KIND --only INDEX --list; --write INDEX DIR writes its files):\n"
                    f"{runner.failure_report(failed)}\n\n{runner.summary(results)}", pytrace=False)


def _refuse(ws, path):
    raise FormatError(f"{path}: not a dataset")


def _refuse_naming_nothing(ws, path):
    raise FormatError("not a dataset")


def _refuse_after_writing(ws, path):
    ws.add_media([path])
    raise FormatError(f"{path}: not a dataset after all")


def _crash(ws, path):
    raise KeyError("shapes")


def _run_out_of_memory(ws, path):
    raise MemoryError


@pytest.mark.parametrize(("importer", "outcome"), [
    (_refuse, "refused"), (_refuse_naming_nothing, "crash"), (_refuse_after_writing, "changed"), (_crash, "crash"),
    (_run_out_of_memory, "memory"), (lambda ws, path: None, "ok"),
])
def test_the_runner_tells_refusals_from_crashes_memory_failures_and_changed_workspaces(tmp_path, monkeypatch,
                                                                                      importer, outcome):
    monkeypatch.setattr(sync.transfer, "import_dataset", lambda ws, fmt, path: importer(ws, path))
    template = runner._template(tmp_path / "template")
    result = runner._run_case("import", 0, 0, tmp_path / "work", template)
    assert result.outcome == outcome, result
    if outcome == "crash" and importer is _crash:
        assert result.error == "KeyError: 'shapes'" and result.frame.startswith("tests/test_fuzz.py:")


def test_a_case_past_its_time_limit_is_a_hang_and_the_next_case_gets_a_fresh_worker():
    results = runner.run("import", 0, 2, workers=1, time_limit=0.001)
    assert [r.outcome for r in results] == ["hang", "hang"]
