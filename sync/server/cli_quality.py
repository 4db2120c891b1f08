"""`annodesk server consensus`, `server gold`, `server quality` and `server stages`: consensus and gold tasks,
per-annotator quality and the review stages, straight on the server's database like the other admin commands
(sync/server/cli.py adds them)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from sync.server import consensus_tasks, gold_tasks, quality_report, replicas, service
from sync.server.errors import ApiError
from sync.server.qa_settings import describe_quality

Command = Callable[[argparse.Namespace], int]


def add_quality_commands(sub: Any, where: argparse.ArgumentParser, guarded: Callable[[Command], Command]) -> None:
    s = sub.add_parser("consensus", parents=[where],
                       help="consensus tasks: draw a share of new tasks for N annotators each; no options: the state")
    s.add_argument("project", help="project name or id")
    s.add_argument("--annotators", metavar="A,B,C", help="draw now, and give each drawn task to N of these")
    s.add_argument("--share", type=float, help="the share of new tasks to draw (default: the project's setting)")
    s.add_argument("--seed", help="the seed of the draw (default: a fresh random one; either way in the audit log)")
    s.add_argument("--settings", metavar="JSON|off", help='store the project\'s consensus settings, e.g. '
                   '\'{"share": 0.1, "annotators": 3, "quorum": 2, "min_agreement": 0.6, "threshold": 0.5}\'')
    s.add_argument("--json", action="store_true", help="print what the API answers")
    s.set_defaults(func=guarded(cmd_consensus))

    s = sub.add_parser("gold", parents=[where], help="gold tasks: mark known answers, mix them into queues, report")
    s.add_argument("project", help="project name or id")
    action = s.add_mutually_exclusive_group()
    action.add_argument("--mark", type=int, nargs="+", metavar="TASK_ID", help="accepted tasks whose answers are gold")
    action.add_argument("--mix", type=float, nargs="?", const=-1.0, metavar="RATE",
                        help="give --annotators gold replicas, RATE per real task (default: the project's setting)")
    action.add_argument("--report", action="store_true", help="per-annotator accuracy against gold")
    s.add_argument("--annotators", metavar="A,B", help="with --mix: who gets gold replicas")
    s.add_argument("--assign", type=int, default=0, metavar="N",
                   help="with --mix: also assign N new tasks to each, the gold placed among them")
    s.add_argument("--seed", help="with --mix: the seed of the draw (default: a fresh random one)")
    s.add_argument("--settings", metavar="JSON|off", help='store the gold settings, e.g. \'{"rate": 0.05}\'')
    s.add_argument("--csv", action="store_true", help="with --report: CSV with a header line")
    s.add_argument("--json", action="store_true", help="print what the API answers")
    s.set_defaults(func=guarded(cmd_gold))

    s = sub.add_parser("quality", parents=[where], help="per annotator: consensus agreement, gold accuracy, reviews")
    s.add_argument("--project", required=True, help="project name or id")
    s.add_argument("--csv", action="store_true", help="CSV with a header line")
    s.add_argument("--json", action="store_true", help="print what the API answers")
    s.set_defaults(func=guarded(cmd_quality))

    s = sub.add_parser("stages", parents=[where], help="a project's review stages in order; no options: print them")
    s.add_argument("--project", required=True, help="project name or id")
    change = s.add_mutually_exclusive_group()
    change.add_argument("--set", action="append", metavar="NAME:WHO[,WHO...]", help="a stage and who decides at it "
                        "(roles lead, admin and user names), e.g. review:lead then acceptance:admin,maria; "
                        "repeat it for each stage, in order")
    change.add_argument("--clear", action="store_true", help="back to one review by the project's leads and admins")
    s.add_argument("--json", action="store_true", help="print the stages as the API does")
    s.set_defaults(func=guarded(cmd_stages))


def _names(text: str | None, option: str) -> list[str]:
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if not names:
        raise ApiError(422, "bad_annotators", f"{option} names the annotators, separated by commas")
    return names


def _store_section(conn: Any, project_id: int, section: str, text: str) -> None:
    if text == "off":
        value = None
    else:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ApiError(422, "bad_quality", f"--settings: not JSON ({exc})") from None
    current = replicas.quality_settings(conn, project_id)
    replicas.set_quality_settings(conn, "cli", project_id, {**current, section: value})


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def cmd_consensus(args: argparse.Namespace) -> int:
    from sync.server import cli

    with cli._store(cli.config_from(args)).write() as conn:
        project_id = cli._project_id(conn, args.project)
        if args.settings is not None:
            _store_section(conn, project_id, "consensus", args.settings)
        if args.annotators is not None:
            done = consensus_tasks.assign(conn, cli.ACTOR, project_id, _names(args.annotators, "--annotators"),
                                          args.share, args.seed)
            if args.json:
                print(json.dumps(done))
                return 0
            replicas_made = sum(len(o["replicas"]) for o in done["origins"])
            print(f"project {args.project}: {len(done['origins'])} of {done['pool']} new tasks drawn for consensus "
                  f"(share {done['rules']['share']:g}, seed {done['seed']}); {replicas_made} replicas, "
                  f"{done['rules']['annotators']} per task")
            for o in done["origins"]:
                given = ", ".join(f"{r['task_id']} {r['annotator']}" for r in o["replicas"])
                print(f"  task {o['task_id']}: replicas {given}")
            return 0
        settings = replicas.quality_settings(conn, project_id)
        counts = consensus_tasks.counts(conn, project_id)
        flagged = consensus_tasks.list_origins(conn, project_id, "merged", True, limit=1000)["items"]
    if args.json:
        print(json.dumps({"project_id": project_id, **settings, "counts": counts, "needs_lead": flagged}))
        return 0
    print(f"project {args.project}: {describe_quality(settings)}")
    print(f"origins: {counts['open']} open, {counts['merged']} merged, {counts['needs_lead']} below the least "
          "agreement (to a lead first)")
    for item in flagged:
        print(f"  task {item['task_id']}: agreement {_fmt(item['agreement'])}")
    return 0


def cmd_gold(args: argparse.Namespace) -> int:
    from sync.server import cli

    with cli._store(cli.config_from(args)).write() as conn:
        project_id = cli._project_id(conn, args.project)
        if args.settings is not None:
            _store_section(conn, project_id, "gold", args.settings)
        if args.mark:
            out: Any = {"items": gold_tasks.mark(conn, cli.ACTOR, project_id, args.mark)}
            text = [f"task {g['task_id']}: gold answer version {g['version']} ({g['shapes']} shapes)"
                    for g in out["items"]]
        elif args.mix is not None:
            rate = None if args.mix == -1.0 else args.mix
            out = gold_tasks.mix(conn, cli.ACTOR, project_id, _names(args.annotators, "--annotators"), rate,
                                 args.seed, args.assign)
            text = [f"gold mixed at {out['rate']:g} per real task (seed {out['seed']})"]
            for a in out["annotators"]:
                short = f"; {a['short']} short: not enough gold tasks new to them" if a["short"] else ""
                made = len(a["replicas"])
                text.append(f"  {a['annotator']}: {made} gold {'replica' if made == 1 else 'replicas'} for "
                            f"{a['real_tasks']} real tasks ({a['gold_before']} before{short})")
        elif args.report:
            out = {"items": gold_tasks.report(conn, project_id)}
            text = _gold_table(out["items"], args.csv)
        else:
            out = {"items": gold_tasks.gold_tasks(conn, project_id)}
            text = [f"task {g['task_id']}: version {g['version']}, {g['shapes']} shapes, {g['replicas']} replicas "
                    f"({g['scored']} scored)" for g in out["items"]] or ["no gold tasks"]
    print(json.dumps(out) if args.json else "\n".join(text))
    return 0


def _gold_table(items: list[dict[str, Any]], as_csv: bool) -> list[str]:
    columns = ("annotator", "gold_tasks", "accuracy", "precision", "recall", "f1", "confusions")
    rows = [{**i, "confusions": "; ".join(f"{c['reference']} -> {c['other']}: {c['count']}"
                                          for c in i["confusions"])} for i in items]
    if as_csv:
        return [quality_report.to_csv(rows, columns).rstrip("\n")]
    width = max([len(r["annotator"]) for r in rows] + [9])
    lines = [f"{'annotator':<{width}}  {'gold':>5}  {'accuracy':>8}  {'precision':>9}  {'recall':>6}  {'F1':>5}  "
             "confusions (answer -> theirs)"]
    lines += [f"{r['annotator']:<{width}}  {r['gold_tasks']:>5}  {r['accuracy']:8.3f}  {r['precision']:9.3f}  "
              f"{r['recall']:6.3f}  {r['f1']:5.3f}  {r['confusions']}".rstrip() for r in rows]
    return lines


def cmd_quality(args: argparse.Namespace) -> int:
    from sync.server import cli

    with cli._store(cli.config_from(args)).read() as conn:
        items = quality_report.rows(conn, cli._project_id(conn, args.project))
    if args.json:
        print(json.dumps({"columns": list(quality_report.COLUMNS), "items": items}))
    elif args.csv:
        print(quality_report.to_csv(items), end="")
    else:
        width = max([len(i["annotator"]) for i in items] + [9])
        print(f"{'annotator':<{width}}  {'consensus':>9}  {'agreement':>9}  {'gold':>5}  {'accuracy':>8}  "
              f"{'reviewed':>8}  {'accepted':>8}  {'rejected':>8}  {'fixed':>5}")
        for i in items:
            print(f"{i['annotator']:<{width}}  {i['consensus_tasks']:>9}  {_fmt(i['consensus_agreement']):>9}  "
                  f"{i['gold_tasks']:>5}  {_fmt(i['gold_accuracy']):>8}  {i['reviewed']:>8}  {i['accepted']:>8}  "
                  f"{i['rejected']:>8}  {i['fixed']:>5}")
    return 0


def parse_stage_options(options: list[str]) -> list[dict[str, Any]]:
    """--set NAME:WHO[,WHO...] options as PUT /projects/{id}/qa takes its stages (service.set_stages checks them)."""
    stages = []
    for option in options:
        name, colon, who = option.partition(":")
        if not colon or not name.strip() or not who.strip():
            raise ApiError(422, "bad_stages", f"--set {option!r:.80} is NAME:WHO[,WHO...], e.g. review:lead or "
                           "acceptance:admin,maria")
        stages.append({"name": name.strip(), "who": [w.strip() for w in who.split(",") if w.strip()]})
    return stages


def _set_stages(conn: Any, project_id: int, options: list[str]) -> None:
    """The stages of the options; an error names the option it is about (stages[i] is the i-th --set)."""
    from sync.server import cli

    try:
        service.set_stages(conn, cli.ACTOR, project_id, parse_stage_options(options))
    except ApiError as exc:
        field = str(exc.extra.get("field", ""))
        if field.startswith("stages["):
            index = int(field[len("stages["):field.index("]")])
            exc.detail = f"--set {options[index]!r:.80}: {exc.detail}"
        raise


def cmd_stages(args: argparse.Namespace) -> int:
    from sync.server import cli

    with cli._store(cli.config_from(args)).write() as conn:
        project_id = cli._project_id(conn, args.project)
        if args.clear:
            service.set_stages(conn, cli.ACTOR, project_id, None)
        elif args.set:
            _set_stages(conn, project_id, args.set)
        stages = service.project_stages(conn, project_id)
    if args.json:
        print(json.dumps({"project_id": project_id, "stages": stages}))
        return 0
    print(f"project {args.project}: {len(stages)} review {'stage' if len(stages) == 1 else 'stages'}")
    for i, stage in enumerate(stages, 1):
        print(f"  {i}. {stage['name']}: {', '.join(stage['who'])}")
    return 0
