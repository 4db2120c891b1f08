"""`annodesk server ...`: run the server, and administer it straight on its database (no running server needed).

desktop/cli.py calls add_server_commands(subparsers); `python -m sync.server.cli server ...` runs them on their own.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core.media import MediaError, iter_media_files
from core.media_kinds import all_extensions, probe_media
from core.names import safe_item_name
from sync.server import db, service
from sync.server.blobs import BlobStore
from sync.server.config import ServerConfig, default_data_dir
from sync.server.errors import ApiError
from sync.server.security import ROLES, Passwords

ACTOR = "cli"


def add_server_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `server` (run it) and its admin subcommands to an argparse subparsers object."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--data", default=argparse.SUPPRESS, help="server data folder (default: user data folder)")
    where.add_argument("--db", default=argparse.SUPPRESS, help="database URL, e.g. postgresql://user@host/annodesk")
    p = subparsers.add_parser("server", help="run the Annodesk server, or administer it", parents=[where])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
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
    s.set_defaults(func=_guarded(cmd_create_project))

    s = sub.add_parser("add-media", help="upload image, video and audio files or folders as tasks of a project",
                       parents=[where])
    s.add_argument("project", help="project name or id")
    s.add_argument("paths", nargs="+")
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
    return p


def config_from(args: argparse.Namespace) -> ServerConfig:
    data = getattr(args, "data", None)
    return ServerConfig(data_dir=Path(data) if data else default_data_dir(), db_url=getattr(args, "db", None))


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app

    config = config_from(args)
    app = create_app(config)
    print(f"Annodesk server on http://{args.host}:{args.port} (data: {config.data_dir})", flush=True)
    gc.collect()
    gc.freeze()  # start-up objects live as long as the process: the collector need not re-scan them every push
    gc.set_threshold(50_000, 20, 10)  # a push allocates ~10^5 short-lived containers: collect far less often
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
    print(f"project {project['name']} created, id {project['id']}, {len(project['schema']['labels'])} labels")
    return 0


def cmd_add_media(args: argparse.Namespace) -> int:
    config = config_from(args)
    store, blobs = _store(config), BlobStore(config.blob_dir)
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
                                info.height, info.kind, info.frames if info.kind != "image" else 1)
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
            ids = list(conn.execute(sa.select(t.c.id).where(t.c.project_id == project_id, t.c.status == "new")
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
