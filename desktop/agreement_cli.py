"""`annodesk agreement` and `annodesk consensus`: annotators' workspaces (their clones or exports) compared task by
task, and merged by quorum into a new workspace. desktop/cli.py calls add_agreement_commands(subparsers).

Tasks are the same media when their content hashes are equal, else when their file names are (a name that one task
has). An annotator has answered a task when it holds their shapes or they started it (status past new); tasks left
new and empty, and error tasks, are not theirs to compare. The first workspace is the reference for per-label
precision and recall (the lead's, for a gold check); with more, every pair is compared, the earlier as reference.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from core.agreement import (
    Comparison,
    Consensus,
    Item,
    Merged,
    Tally,
    consensus,
    items_from_annotations,
    match,
    task_agreement,
)
from core.annotation import HUMAN, Annotation, Task, TaskStatus, new_id
from core.schema import LabelSchema
from core.tracks import track_rows
from sync.workspace import Workspace

AUTHOR = "consensus"
PAGE = 1000
TOP_CONFUSIONS = 10


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text}")
    return value


def add_agreement_commands(subparsers: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threshold", type=_fraction, default=0.5,
                        help="the least similarity (IoU, OKS, temporal IoU...) of one object (default 0.5)")
    common.add_argument("--min-agreement", type=_fraction, default=0.6,
                        help="tasks whose agreement is below this go to a lead (default 0.6)")
    common.add_argument("--json", action="store_true")

    p = subparsers.add_parser("agreement", parents=[common],
                              help="agreement of annotators' workspaces: per task, per label (F1), label confusions")
    p.add_argument("first", metavar="WS_A", help="the reference workspace")
    p.add_argument("others", metavar="WS_B", nargs="+", help="the workspaces compared with it (and each other)")
    p.add_argument("--per-label", action="store_true",
                   help="match shapes only within a label (default: across labels, counting label confusions)")
    p.set_defaults(func=cmd_agreement)

    p = subparsers.add_parser("consensus", parents=[common],
                              help="merge annotators' workspaces by quorum into a new workspace")
    p.add_argument("workspaces", metavar="WS", nargs="+")
    p.add_argument("--quorum", type=int, help="annotators who must have a shape for it to be kept (default: most)")
    p.add_argument("--into", required=True, help="the new workspace for the merged result")
    p.set_defaults(func=cmd_consensus, fail=p.error)


def _all_tasks(ws: Workspace) -> Iterator[Task]:
    offset = 0
    while page := ws.tasks(offset, PAGE):
        yield from page
        offset += len(page)


def shared_tasks(workspaces: Sequence[Workspace]) -> list[list[Task | None]]:
    """One row per media item: its task in each workspace (None where absent)."""
    rows: list[list[Task | None]] = []
    by_hash: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    for k, ws in enumerate(workspaces):
        for task in _all_tasks(ws):
            free = [r for r in by_hash.get(task.content_hash, []) if rows[r][k] is None] if task.content_hash else []
            named = [r for r in by_name.get(task.name, []) if rows[r][k] is None]
            row = free[0] if free else named[0] if len(named) == 1 else None
            if row is None:
                row = len(rows)
                rows.append([None] * len(workspaces))
                by_name[task.name].append(row)
            if task.content_hash and row not in by_hash[task.content_hash]:
                by_hash[task.content_hash].append(row)
            rows[row][k] = task
    return rows


def _answer(ws: Workspace, task: Task | None) -> list[Item] | None:
    """An annotator's items on a task, or None when they have not answered it."""
    if task is None or task.status is TaskStatus.ERROR:
        return None
    items = items_from_annotations(ws.annotations(task.id), task.frames, ws.schema.track_attributes)
    return None if not items and task.status is TaskStatus.NEW else items


def _answers(workspaces: Sequence[Workspace], row: list[Task | None]) -> list[tuple[int, list[Item]]]:
    found = ((k, _answer(ws, task)) for k, (ws, task) in enumerate(zip(workspaces, row, strict=True)))
    return [(k, items) for k, items in found if items is not None]


def _name(row: list[Task | None]) -> str:
    return next(t.name for t in row if t is not None)


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


def _tally_json(tally: Tally) -> dict[str, Any]:
    labels = {name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                     "tp": s.tp, "fp": s.fp, "fn": s.fn} for name, s in sorted(tally.labels.items())}  # fmt: skip
    return {"labels": labels,
            "confusions": [{"reference": a, "other": b, "count": n} for (a, b), n in tally.confusions()],
            "attributes": {name: {"equal": e, "compared": c} for name, (e, c) in sorted(tally.attributes.items())},
            "transcription_similarity": tally.text_similarity}  # fmt: skip


def _print_tally(tally: Tally, reference: str) -> None:
    if tally.labels:
        print(f"per label (reference: {reference}):")
        print(f"  {'label':<24} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}")
        for name, s in sorted(tally.labels.items()):
            print(f"  {name:<24} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f} {s.tp:6} {s.fp:6} {s.fn:6}")
    confusions = tally.confusions(TOP_CONFUSIONS)
    if confusions:
        print("label confusions (reference -> other):")
        for (a, b), n in confusions:
            print(f"  {a} -> {b}: {n}")
    for name, (equal, compared) in sorted(tally.attributes.items()):
        print(f"attribute {name}: {equal / compared:.3f} equal ({equal} of {compared} pairs)")
    if tally.text_similarity is not None:
        print(f"transcriptions: 1 - CER {tally.text_similarity:.3f} ({tally.text[1]} pairs)")


def cmd_agreement(args: argparse.Namespace) -> int:
    paths = [args.first, *args.others]
    tasks: list[dict[str, Any]] = []
    tally = Tally()
    with ExitStack() as stack:
        workspaces = [stack.enter_context(Workspace.open(p, readonly=True)) for p in paths]
        for row in shared_tasks(workspaces):
            answers = _answers(workspaces, row)
            if len(answers) < 2:
                continue
            comparisons: list[Comparison] = [match(a, b, args.threshold, args.per_label)
                                             for (_, a), (_, b) in itertools.combinations(answers, 2)]  # fmt: skip
            agreement, to_lead = task_agreement(comparisons, args.min_agreement)
            tally = sum((c.tally() for c in comparisons), tally)
            tasks.append({"name": _name(row), "workspaces": [k for k, _ in answers], "agreement": round(agreement, 4),
                          "matched": sum(len(c.pairs) for c in comparisons),
                          "unmatched": sum(len(c.only_a) + len(c.only_b) for c in comparisons), "to_lead": to_lead})
    mean = sum(t["agreement"] for t in tasks) / len(tasks) if tasks else None
    flagged = [t["name"] for t in tasks if t["to_lead"]]
    if args.json:
        overall = {"tasks": len(tasks), "agreement": mean, "to_lead": flagged, **_tally_json(tally)}
        print(json.dumps({"workspaces": paths, "tasks": tasks, "overall": overall}, indent=2))
        return 0
    for t in tasks:
        print(f"{t['name']}: agreement {t['agreement']:.3f} ({len(t['workspaces'])} annotators, {t['matched']} "
              f"matched, {t['unmatched']} unmatched){'  -> to a lead' if t['to_lead'] else ''}")  # fmt: skip
    if mean is None:
        print("no task was answered in two of the workspaces: nothing to compare")
        return 0
    print(f"{_tasks(len(tasks))} compared; mean agreement {mean:.3f}; to a lead (agreement below "
          f"{args.min_agreement:g}): {len(flagged)}")  # fmt: skip
    _print_tally(tally, paths[0] if len(paths) == 2 else "the earlier of each pair")
    return 0


def _joined_schema(schemas: Sequence[LabelSchema]) -> LabelSchema:
    """The first schema with the labels and tiers only the others have."""
    labels = {label.name: label for schema in reversed(schemas) for label in schema.labels}
    tiers = {tier.name: tier for schema in reversed(schemas) for tier in schema.tiers}
    first = schemas[0]
    return LabelSchema((*first.labels, *(v for k, v in labels.items() if first.get(k) is None)),
                       (*first.tiers, *(v for k, v in tiers.items() if first.tier(k) is None)))  # fmt: skip


def _media(row: list[Task | None]) -> Task:
    """The row's task whose file is here (a clone's media may live elsewhere), else its first."""
    present = [t for t in row if t is not None]
    return next((t for t in present if Path(t.media_path).is_file()), present[0])


def _rows(task_id: int, merged: Merged) -> list[Annotation]:
    item = merged.item
    if item.track is not None:
        track = dataclasses.replace(item.track.track, id=new_id(), label=item.label,
                                    attributes=dict(item.attributes), source=HUMAN)  # fmt: skip
        return track_rows(task_id, track, AUTHOR)
    assert item.shape is not None
    return [Annotation(new_id(), task_id, item.label, item.shape, dict(item.attributes), author=AUTHOR,
                       frame=item.frame)]  # fmt: skip


def cmd_consensus(args: argparse.Namespace) -> int:
    quorum = args.quorum if args.quorum is not None else len(args.workspaces) // 2 + 1
    if len(args.workspaces) < 2:
        args.fail("consensus needs two workspaces or more")
    if not 1 <= quorum <= len(args.workspaces):
        args.fail(f"--quorum must be from 1 to the {len(args.workspaces)} workspaces given, not {quorum}")
    results: list[tuple[Task, Consensus]] = []
    short = 0
    with ExitStack() as stack:
        workspaces = [stack.enter_context(Workspace.open(p, readonly=True)) for p in args.workspaces]
        out = stack.enter_context(Workspace.create(args.into, _joined_schema([ws.schema for ws in workspaces])))
        for row in shared_tasks(workspaces):
            answers = _answers(workspaces, row)
            if len(answers) < max(2, quorum):
                short += bool(answers)
                continue
            result = consensus([a for _, a in answers], quorum, args.threshold, args.min_agreement)
            results.append((_media(row), result))
        by_kind: dict[str, list[str]] = defaultdict(list)
        for task, _ in results:
            by_kind[task.kind].append(task.media_path)
        for kind, paths in by_kind.items():
            out.add_media(paths, kind=kind)
        placed = [(found, result) for task, result in results if (found := out.find_task(task.media_path))]
        out.insert_annotations(a for task, result in placed for m in result.merged for a in _rows(task.id, m))
    kept = sum(len(r.merged) for _, r in placed)
    dropped = sum(len(r.dropped) for _, r in placed)
    flagged = [(task.name, r.agreement) for task, r in placed if r.to_lead]
    if args.json:
        print(json.dumps({"into": args.into, "quorum": quorum, "tasks": len(placed), "kept": kept, "dropped": dropped,
                          "to_lead": [{"name": n, "agreement": round(a, 4)} for n, a in flagged]}, indent=2))
        return 0
    print(f"consensus of {len(workspaces)} workspaces (quorum {quorum}) in {args.into}: {_tasks(len(placed))}, {kept} "
          f"shapes kept, {dropped} dropped (fewer than {quorum} annotators)"
          + (f"; {_tasks(short)} answered by too few annotators left out" if short else ""))  # fmt: skip
    if flagged:
        print(f"to a lead (agreement below {args.min_agreement:g}): {_tasks(len(flagged))}")
        for name, agreement in flagged:
            print(f"  {name}: {agreement:.3f}")
    return 0
