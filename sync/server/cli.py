"""`annodesk server ...`: run the server, and administer it straight on its database (no running server needed).

desktop/cli.py calls add_server_commands(subparsers); `python -m sync.server.cli server ...` runs them on their own.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core.collector import collect_less
from core.media import MediaError, iter_media_files
from core.media_kinds import all_extensions, probe_media
from core.names import safe_item_name
from sync.server import cli_quality, dashboard_cli, db, lots, replicas, service
from sync.server.config import ServerConfig, default_data_dir
from sync.server.errors import ApiError
from sync.server.media_store import media_for
from sync.server.security import ROLES, Passwords

ACTOR = "cli"


def add_server_commands(subparsers: Any, extra: Sequence[Callable[..., None]] = ()) -> argparse.ArgumentParser:
    """Add `server` (run it) and its admin subcommands to an argparse subparsers object; each of `extra` is called
    as extra(subcommands, common_parser, guarded) to add a command from a higher layer (farm/cli.py's prelabel)."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--data", default=argparse.SUPPRESS, help="server data folder (default: user data folder)")
    where.add_argument("--db", default=argparse.SUPPRESS, help="database URL, e.g. postgresql://user@host/annodesk")
    where.add_argument("--media", default=argparse.SUPPRESS, metavar="s3://BUCKET/PREFIX",
                       help="media in S3-compatible storage (default: $ANNODESK_MEDIA, else the data folder's blobs/)")
    where.add_argument("--s3-endpoint", default=argparse.SUPPRESS, metavar="URL",
                       help="S3 endpoint for MinIO, Ceph RGW... (default: $ANNODESK_S3_ENDPOINT, else AWS)")
    where.add_argument("--seal-media", action="store_true", default=argparse.SUPPRESS,
                       help="encrypt media at rest in the bucket with a key the server keeps (docs/deploy.md)")
    p = subparsers.add_parser("server", help="run the Annodesk server, or administer it", parents=[where])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--media-download", choices=("server", "presigned"), default=argparse.SUPPRESS,
                   help="with --media: stream media through the server (default), or redirect to presigned URLs")
    p.add_argument("--presign-ttl", dest="presign_ttl_s", type=int, default=argparse.SUPPRESS, metavar="SECONDS",
                   help="how long a presigned URL is valid (default 300)")
    p.set_defaults(func=_guarded(cmd_run))
    sub = p.add_subparsers(dest="server_command")

    s = sub.add_parser("add-user", help="create a user", parents=[where])
    s.add_argument("name")
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument("--password-stdin", action="store_true", help="read the password from stdin (for scripts)")
    s.set_defaults(func=_guarded(cmd_add_user))

    s = sub.add_parser("create-project", help="create a project with a label schema", parents=[where])
    s.add_argument("name")
    s.add_argument("--schema", required=True, help="label schema JSON file")
    s.add_argument("--lead", action="append", default=[], metavar="USER",
                   help="a lead of the project (repeat for several); a lead sees and manages only the projects "
                        "they lead")
    s.set_defaults(func=_guarded(cmd_create_project))

    s = sub.add_parser("lead", help="make a lead a lead of a project, or (--remove) no longer", parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("user")
    s.add_argument("--remove", action="store_true")
    s.set_defaults(func=_guarded(cmd_lead))

    s = sub.add_parser("add-media", help="upload image, video and audio files or folders as tasks of a project",
                       parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("paths", nargs="+")
    s.add_argument("--batch", metavar="NAME", help="the batch these tasks come in (for lots per batch)")
    s.set_defaults(func=_guarded(cmd_add_media))

    s = sub.add_parser("assign", help="assign tasks of a project to a user", parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("--user", required=True)
    group = s.add_mutually_exclusive_group(required=True)
    group.add_argument("--tasks", type=int, nargs="+", help="task ids")
    group.add_argument("--count", type=int, help="this many tasks not yet assigned, in id order")
    s.set_defaults(func=_guarded(cmd_assign))

    s = sub.add_parser("revoke-device", help="revoke a device: its key and tokens stop working", parents=[where])
    s.add_argument("device_id", type=int)
    s.set_defaults(func=_guarded(cmd_revoke_device))

    s = sub.add_parser("audit", help="a project's audit trail (the project and its tasks), oldest first",
                       parents=[where])
    s.add_argument("--project", required=True, help="project name or id")
    s.add_argument("--after", type=int, default=0, help="only rows after this audit id (the last one seen)")
    s.add_argument("--limit", type=int, default=100, help="at most this many rows (default 100)")
    s.add_argument("--json", action="store_true", help='print {"items": [...], "next_after": N} like the API')
    s.set_defaults(func=_guarded(cmd_audit))
    s = sub.add_parser("guidelines", help="a project's guidelines: show them (JSON) or save a new version",
                       parents=[where])
    s.add_argument("project", help="project name or id")
    action = s.add_mutually_exclusive_group(required=True)
    action.add_argument("--set", metavar="FILE.json", help='save a new version from a file like --show prints; an '
                        'example may name an image "file" (relative to FILE.json) instead of its "sha256"')
    action.add_argument("--show", action="store_true", help="print the current version (or --version N) as JSON")
    s.add_argument("--version", type=int, metavar="N", help="with --show: this saved version")
    s.set_defaults(func=_guarded(cmd_guidelines))
    _add_lot_commands(sub, where)
    dashboard_cli.add_command(sub, where, _guarded)
    cli_quality.add_quality_commands(sub, where, _guarded)  # consensus, gold, quality
    for add in extra:
        add(sub, where, _guarded)
    return p


def _add_lot_commands(sub: Any, where: argparse.ArgumentParser) -> None:
    s = sub.add_parser("qa", help="a project's spot-review settings (lots, sampling plan); no options: print them",
                       parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("--lots", choices=("annotator-day", "batch"), help="lots per annotator per day, or per batch")
    plan = s.add_mutually_exclusive_group()
    plan.add_argument("--iso", metavar="LEVEL:AQL", help="ISO 2859-1 single sampling, e.g. II:1.0")
    plan.add_argument("--percent", metavar="P[:MIN[:ACCEPT]]", help="review P %% of each lot, at least MIN tasks; "
                      "accept it with ACCEPT or fewer defects (default 1 and 0)")
    plan.add_argument("--off", action="store_true", help="no sampling: the lead reviews every submitted task")
    s.add_argument("--on-reject", choices=("return", "inspect-all"),
                   help="a rejected lot goes back to its annotator, or is reviewed in full")
    s.add_argument("--reduced-allowed", action=argparse.BooleanOptionalAction, default=None,
                   help="allow reduced inspection (ISO 2859-1's switching score)")
    s.add_argument("--utc-offset", metavar="[+-]HH:MM", help="where an annotator's day ends (default +00:00)")
    s.add_argument("--resume", metavar="SOURCE", help="sample a discontinued source again (at tightened)")
    s.add_argument("--json", action="store_true", help="print the settings as the API does")
    s.set_defaults(func=_guarded(cmd_qa))

    s = sub.add_parser("lots", help="a project's spot-review lots, one line each (lots whose day ended close first)",
                       parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("--close", type=int, metavar="LOT_ID", help="close this open lot now and draw its sample")
    s.add_argument("--json", action="store_true", help="print the lots as the API does")
    s.set_defaults(func=_guarded(cmd_lots))


def config_from(args: argparse.Namespace) -> ServerConfig:
    data = getattr(args, "data", None)
    media = {name: getattr(args, name) for name in ("media", "s3_endpoint", "seal_media", "media_download",
                                                     "presign_ttl_s") if hasattr(args, name)}
    return ServerConfig(data_dir=Path(data) if data else default_data_dir(), db_url=getattr(args, "db", None),
                        **media)


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app

    config = config_from(args)
    app = create_app(config)
    print(f"Annodesk server on http://{args.host}:{args.port} (data: {config.data_dir}; media: "
          f"{app.state.ctx.blobs.describe()})", flush=True)
    collect_less()  # a push allocates ~10^5 short-lived containers: collect far less often
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=True,
                access_log=False)  # a line per request costs more than a push's HTTP handling; the audit log has who
    return 0


def cmd_add_user(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise ApiError(422, "mismatch", "the passwords differ")
    config = config_from(args)
    with _store(config).write() as conn:
        user = service.create_user(conn, Passwords(config), ACTOR, args.name, args.role, password)
    print(f"user {user['name']} ({user['role']}) created, id {user['id']}")
    return 0


def cmd_create_project(args: argparse.Namespace) -> int:
    try:
        schema = json.loads(Path(args.schema).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApiError(422, "bad_schema", f"{args.schema}: {exc}") from exc
    with _store(config_from(args)).write() as conn:
        project = service.create_project(conn, ACTOR, args.name, schema)
        leads = [service.set_lead(conn, ACTOR, project["id"], user, True) for user in args.lead][-1:]
    print(f"project {project['name']} created, id {project['id']}, {len(project['schema']['labels'])} labels"
          + (f"; leads: {', '.join(leads[0])}" if leads else ""))
    return 0


def cmd_lead(args: argparse.Namespace) -> int:
    with _store(config_from(args)).write() as conn:
        project_id = _project_id(conn, args.project)
        leads = service.set_lead(conn, ACTOR, project_id, args.user, not args.remove)
    print(f"project {args.project}: leads {', '.join(leads) or 'none (admins only)'}")
    return 0


def cmd_add_media(args: argparse.Namespace) -> int:
    config = config_from(args)
    store = _store(config)
    blobs = media_for(config, store)
    with store.read() as conn:
        project_id = _project_id(conn, args.project)
    added = failed = 0
    for path in iter_media_files(args.paths, all_extensions()):
        try:
            info = probe_media(path)  # a video indexed, a recording decoded, once here to count frames or samples
        except MediaError as exc:
            print(f"  skipped {path}: {exc.reason}", file=sys.stderr)
            failed += 1
            continue
        sha, size = blobs.put_file(path)
        with store.write() as conn:
            service.register_media(conn, None, sha, size)
            service.create_task(conn, ACTOR, project_id, sha, safe_item_name(path.name), info.width,
                                info.height, info.kind, info.frames if info.kind != "image" else 1, args.batch)
            if info.frame_index is not None:
                service.keep_frame_index(conn, sha, info.frame_index)
        added += 1
    print(f"added {added} tasks to project {args.project}, {failed} files skipped")
    return 0 if added or not failed else 2


def cmd_assign(args: argparse.Namespace) -> int:
    with _store(config_from(args)).write() as conn:
        project_id = _project_id(conn, args.project)
        t = db.tasks
        if args.tasks:
            ids = list(args.tasks)
            found = set(conn.execute(sa.select(t.c.id).where(t.c.project_id == project_id, t.c.id.in_(ids)))
                        .scalars())
            if missing := sorted(set(ids) - found):
                raise ApiError(404, "not_found", f"tasks {missing} are not in project {args.project}")
        else:
            ids = list(conn.execute(sa.select(t.c.id).where(t.c.project_id == project_id, t.c.status == "new",
                                                            ~replicas.outside_lots(t.c.id))  # not a consensus origin
                                    .order_by(t.c.id).limit(args.count)).scalars())
        for task_id in ids:
            service.assign(conn, ACTOR, task_id, args.user)
    print(f"assigned {len(ids)} tasks to {args.user}")
    return 0


def cmd_revoke_device(args: argparse.Namespace) -> int:
    with _store(config_from(args)).write() as conn:
        device = service.revoke_device(conn, ACTOR, args.device_id)
    print(f"device {device['id']} ({device['key_id']}) revoked")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from sync.server.routes_audit import project_audit  # like cmd_run: FastAPI only for the commands that use it

    if args.limit < 1 or args.after < 0:
        raise ApiError(422, "bad_range", "--limit must be at least 1 and --after at least 0")
    with _store(config_from(args)).read() as conn:
        rows = project_audit(conn, _project_id(conn, args.project), args.after, args.limit)
    if args.json:
        print(json.dumps({"items": rows, "next_after": rows[-1]["id"] if rows else args.after}))
        return 0
    for r in rows:
        at = datetime.fromtimestamp(r["at"], UTC).isoformat(timespec="seconds")
        detail = " ".join(f"{k}={_plain(v)}" for k, v in r["detail"].items())
        print(f"{r['id']}  {at}  {r['user'] or '-'}  {r['action']}  {r['target']}  {detail}".rstrip())
    if len(rows) == args.limit:
        print(f"(more: --after {rows[-1]['id']})", file=sys.stderr)
    return 0


def cmd_guidelines(args: argparse.Namespace) -> int:
    from sync.server import guidelines

    config = config_from(args)
    if args.show:
        with _store(config).read() as conn:
            project_id = _project_id(conn, args.project)
            shown = (guidelines.current(conn, project_id) if args.version is None
                     else guidelines.version(conn, project_id, args.version))
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    if args.version is not None:
        raise ApiError(422, "bad_arguments", "--version goes with --show (a save always makes the next version)")
    path = Path(args.set)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApiError(422, "bad_guidelines", f"{path}: {exc}") from exc
    store = _store(config)
    media = media_for(config, store)  # before the write: with --seal-media it writes the key on first use
    with store.write() as conn:
        project_id = _project_id(conn, args.project)
        body = guidelines.with_files(conn, media, body, path.parent)
        saved = guidelines.save(conn, ACTOR, project_id, body)
    images = {e["sha256"] for guide in (saved, *saved["labels"].values()) for e in guide["examples"]}
    print(f"project {args.project}: guidelines version {saved['version']} saved ({len(saved['labels'])} labels with "
          f"guidelines, {len(images)} example images)")
    return 0


def _plain(value: Any) -> str:
    """A value as is when it is one printable word, else as JSON (quoted, escaped): one row stays one line."""
    if isinstance(value, str) and value and value.isprintable() and " " not in value:
        return value
    return json.dumps(value, ensure_ascii=False)


def cmd_qa(args: argparse.Namespace) -> int:
    from sync.server.qa_settings import describe

    changes: dict[str, Any] = {}
    if args.lots:
        changes["lots"] = args.lots.replace("-", "_")
    if args.iso:
        level, _, aql = args.iso.partition(":")
        changes["plan"] = {"kind": "iso", "level": level, "aql": _number(aql, "--iso LEVEL:AQL")}
    if args.percent:
        parts = args.percent.split(":")
        if len(parts) > 3:
            raise ApiError(422, "bad_qa", "--percent is P, P:MIN or P:MIN:ACCEPT")
        changes["plan"] = {"kind": "percent", "percent": _number(parts[0], "--percent P")}
        for name, part in zip(("min", "accept"), parts[1:], strict=False):
            changes["plan"][name] = int(_number(part, f"--percent {name.upper()}"))
    if args.on_reject:
        changes["on_reject"] = args.on_reject.replace("-", "_")
    if args.reduced_allowed is not None:
        changes["reduced_allowed"] = args.reduced_allowed
    if args.utc_offset is not None:
        changes["utc_offset_minutes"] = _offset(args.utc_offset)
    with _store(config_from(args)).write() as conn:
        project_id = _project_id(conn, args.project)
        if args.resume:
            lots.resume(conn, ACTOR, project_id, args.resume)
        if args.off:
            lots.set_settings(conn, ACTOR, project_id, None)
        elif changes:
            lots.set_settings(conn, ACTOR, project_id, {**(lots.project_settings(conn, project_id) or {}), **changes})
        info = lots.settings_json(conn, project_id)
    if args.json:
        print(json.dumps(info))
        return 0
    print(f"project {args.project}: {describe(info['qa'])}")
    for source in info["sources"]:
        state = source["switching"]
        rejected = state["recent"].count(False)
        line = (f"  {source['source']}: {state['severity']} inspection, switching score {state['score']}, "
                f"{rejected} of the last {len(state['recent'])} lots rejected")
        if state["discontinued"]:
            line += f"; discontinued (after corrective action: --resume {source['source']})"
        print(line)
    return 0


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ApiError(422, "bad_qa", f"{what}: {text!r} is not a number") from None
    return int(value) if value.is_integer() and "." not in text else value


def _offset(text: str) -> int:
    """Minutes east of UTC from "+07:00", "-05:30" or a number of minutes."""
    sign, hours, _, minutes = text[:1], *text[1:].partition(":")
    if sign in "+-" and sign and hours.isdigit() and (minutes.isdigit() or not minutes):
        return (1 if sign == "+" else -1) * (int(hours) * 60 + int(minutes or 0))
    if text.lstrip("-").isdigit():
        return int(text)
    raise ApiError(422, "bad_qa", f"--utc-offset is [+-]HH:MM, such as +07:00 (not {text!r})")


def cmd_lots(args: argparse.Namespace) -> int:
    with _store(config_from(args)).write() as conn:
        project_id = _project_id(conn, args.project)
        if args.close is not None:
            lots.close_lot(conn, ACTOR, lots.get_lot(conn, project_id, args.close)["id"])
        items, after = [], 0
        while page := lots.list_lots(conn, project_id, after=after, limit=1000)["items"]:
            items += page
            after = page[-1]["id"]
    if args.json:
        print(json.dumps({"items": items}))
        return 0
    width = max([len(lot["key"]) for lot in items] + [3])
    print(f"{'id':>5}  {'key':<{width}}  {'status':<10}  {'size':>6}  {'plan':<34}  {'reviewed':>8}  {'defects':>7}")
    for lot in items:
        print(f"{lot['id']:>5}  {lot['key']:<{width}}  {lot['status']:<10}  {lot['size']:>6}  {_plan_text(lot):<34}  "
              f"{lot['reviewed']:>8}  {lot['defects']:>7}{'  resubmitted' if lot['resubmitted'] else ''}")
    return 0


def _plan_text(lot: dict[str, Any]) -> str:
    """E normal: n 13, Ac 0, Re 1 (with the plan's own letter when an arrow moved it, and 100 %)."""
    plan = lot["plan"]
    if plan is None:
        return "not drawn yet"
    numbers = f"n {plan['n']}, Ac {plan['ac']}, Re {plan['re']}"
    if plan["code_letter"] is None:
        head = "percentage"
    else:
        moved = f" (plan {plan['plan_letter']})" if plan["plan_letter"] != plan["code_letter"] else ""
        head = f"{plan['code_letter']}{moved} {plan['severity']}"
    return f"{head}: {numbers}{', 100 %' if plan['full_inspection'] else ''}"


def _store(config: ServerConfig) -> db.Store:
    return db.Store(config)  # creates the data folder and tables on first use


def _project_id(conn: sa.Connection, ref: str) -> int:
    p = db.projects
    cond = p.c.id == int(ref) if ref.isdigit() else p.c.name == ref
    row = conn.execute(sa.select(p.c.id).where(cond)).first()
    if row is None:
        raise ApiError(404, "not_found", f"no project {ref!r}")
    return int(row.id)


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Server errors become one line on stderr and exit status 2, like the rest of the CLI."""
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except ApiError as exc:
            print(f"annodesk: error: {exc.detail}", file=sys.stderr)
            return 2
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="annodesk")
    add_server_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # python -m sync.server.cli server ...
    sys.exit(main())
