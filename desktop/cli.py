"""The `annodesk` command line: what a pipeline or a team lead scripts, and the way into the app."""

from __future__ import annotations

import argparse
import getpass
import json
import math
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.formats import FORMATS, FormatError
from core.media_kinds import MEDIA_KINDS
from core.schema import LabelSchema, SchemaError, load_schema
from desktop.agreement_cli import add_agreement_commands
from desktop.cli_support import CliError, progress_line, progress_printer
from desktop.prelabel_cli import add_prelabel_commands
from desktop.sampling_cli import add_sampling_commands
from farm.cli import add_prelabel_command
from sync.records import PayloadCodec
from sync.server.cli import add_server_commands
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace, WorkspaceError

Command = Callable[[argparse.Namespace], int]


USER_ERRORS = (CliError, WorkspaceError, SchemaError, FormatError)  # the user's to fix: one line, exit status 2


def cmd_init(args: argparse.Namespace) -> int:
    schema = load_schema(args.schema) if args.schema else LabelSchema()
    with Workspace.create(args.workspace, schema):
        print(f"created workspace {args.workspace} with {len(schema.labels)} labels")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with Workspace.open(args.workspace) as ws:
        report = ws.add_media([Path(p) for p in args.paths], progress=progress_printer("adding"), kind=args.kind)
    print(f"added {report.added} tasks, skipped {report.skipped} already present, {len(report.errors)} errors")
    for path, reason in report.errors:
        print(f"  error: {path}: {reason}", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with Workspace.open(args.workspace, readonly=True) as ws:
        stats = ws.stats()
    if args.json:
        print(json.dumps(stats, indent=2, sort_keys=True))
        return 0
    tasks, anns = stats["tasks"], stats["annotations"]
    print(f"tasks: {tasks['total']}  " + "  ".join(f"{k}: {v}" for k, v in tasks.items() if k != "total"))
    for kind, media in sorted(stats["media"].items()):
        if kind == "audio":
            length = time.strftime("%H:%M:%S", time.gmtime(media["seconds"])) if media["seconds"] < 86400 else ""
            print(f"audio: {media['tasks']} tasks, {media['hours']:.2f} hours {length}, {media['segments']} segments")
        else:
            print(f"{kind}: {media['tasks']} tasks" + (f", {media['frames']} frames" if kind != "image" else ""))
    if stats["tracks"]["tracks"]:
        print(f"tracks: {stats['tracks']['tracks']}, {stats['tracks']['keyframes']} keyframes")
    print(f"annotations: {anns['total']}")
    for label, count in sorted(anns["by_label"].items()):
        print(f"  {label}: {count}")
    print("  " + "  ".join(f"{k}: {v}" for k, v in sorted(anns["by_source"].items())))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with Workspace.open(args.workspace) as ws, progress_line("importing") as progress:
        report = import_dataset(ws, args.format, Path(args.path), progress=progress)
    for line in report.summary():
        print(line)
    for message in report.messages:
        print(f"  {message}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    messages: list[str] = []
    with Workspace.open(args.workspace, readonly=True) as ws, progress_line("exporting") as progress:
        paths = export_dataset(ws, args.format, Path(args.out), messages, progress)
    for path in paths:
        print(path)
    for message in messages:
        print(f"  {message}", file=sys.stderr)
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from desktop.app import run_app  # Qt only when a window is wanted

    if args.frame is not None and args.frame < 0:
        raise CliError("--frame must be 0 or more")
    if args.time is not None and not (math.isfinite(args.time) and args.time >= 0):
        raise CliError("--time must be a number of seconds, 0 or more")
    return run_app(Path(args.workspace) if args.workspace else None, task_id=args.task, screenshot=args.screenshot,
                   frame=args.frame, time=args.time, theme=args.theme, language=args.language)


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.app import run_app
    from desktop.demo import default_demo_dir, ensure_demo

    workspace_dir, made = ensure_demo(Path(args.directory) if args.directory else default_demo_dir())
    if made:
        print(f"demo workspace created in {workspace_dir}")
    if args.no_open:
        return 0
    return run_app(workspace_dir, screenshot=args.screenshot)


def cmd_login(args: argparse.Namespace) -> int:
    from sync.client import commands

    prompt = f"Password for {args.user}: "
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(prompt)
    answer = _sync_call(commands.login, args.url, args.user, password, commands.cli_keys().credentials)
    print(f"logged in to {args.url} as {args.user} ({answer['user']['role']}), until {answer['expires_at']}")
    return 0


def cmd_clone(args: argparse.Namespace) -> int:
    from sync.client import commands

    keys = commands.cli_keys()
    state = _sync_call(commands.clone, args.url, args.project, Path(args.workspace), keys.credentials, keys, args.user)
    print(f"workspace {args.workspace}: {state.text()}")
    return 0 if state.phase in ("up_to_date", "waiting") else 1


def cmd_sync(args: argparse.Namespace) -> int:
    from sync.client import commands

    keys = commands.cli_keys()
    with Workspace.open(args.workspace) as ws, _sync_progress(ws):
        state = _sync_call(commands.sync, ws, keys.credentials, keys, args.server)
    print(state.text())
    return 0 if state.phase in ("up_to_date", "waiting") else 1


def _sync_call(fn: Callable[..., Any], *args: Any) -> Any:
    """Sync and credential errors are the user's to fix (log in, unlock, reach the server): one line, status 2."""
    from sync.client.credentials import CredentialsError
    from sync.client.http import SyncError

    try:
        return fn(*args)
    except (SyncError, CredentialsError) as exc:
        raise CliError(str(exc)) from None


def _passphrase_source(args: argparse.Namespace) -> None:
    """Where this process's vault passphrase comes from where no OS keyring works: --passphrase-fd, --passphrase-file,
    $ANNODESK_PASSPHRASE_FILE, else the terminal (docs/sync.md, scripted use)."""
    from sync.client.commands import cli_keys
    from sync.client.credentials import cli_passphrase

    fd = getattr(args, "passphrase_fd", None)
    if fd == 0 and getattr(args, "password_stdin", False):
        raise CliError("--password-stdin and --passphrase-fd 0 would both read stdin: give the passphrase on another "
                       "descriptor (--passphrase-fd 3 3<FILE) or in a file (--passphrase-file)")
    cli_keys().credentials.use_passphrase(cli_passphrase(getattr(args, "passphrase_file", None), fd))


def _unlock(path: Path, workspace_id: str, encryption: str) -> PayloadCodec:
    """Encrypted (synced) workspaces open with their key from the keyring, loaded on first use."""
    from sync.client.commands import cli_keys

    return cli_keys().codec(path, workspace_id, encryption)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="annodesk", description="Annodesk: fast offline annotation.")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of an error (also accepted after the command)")
    sub = parser.add_subparsers(dest="command", required=True)
    add_server_commands(sub, [add_prelabel_command])  # `server prelabel`: farm/ (Ray)
    add_sampling_commands(sub)
    add_agreement_commands(sub)
    formats = sorted(FORMATS)
    vault = argparse.ArgumentParser(add_help=False)  # for scripts on machines without an OS keyring (docs/sync.md)
    passphrase = vault.add_mutually_exclusive_group()
    passphrase.add_argument("--passphrase-file", type=Path, metavar="PATH",
                            help="where no OS keyring works: the vault passphrase is the first line of PATH, a file "
                                 "only you can read (chmod 600); ANNODESK_PASSPHRASE_FILE=PATH does the same")
    passphrase.add_argument("--passphrase-fd", type=int, metavar="N",
                            help="the vault passphrase is the first line read from open file descriptor N "
                                 "(3 with 3<FILE)")

    p = sub.add_parser("demo", help="make a demo workspace (generated images, labels, annotations) and open it")
    p.add_argument("directory", nargs="?", help="where to put it (default: the user data folder)")
    p.add_argument("--no-open", action="store_true", help="only create it")
    p.add_argument("--screenshot", help="save a PNG of the window and exit")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("init", help="create an empty workspace")
    p.add_argument("workspace")
    p.add_argument("--schema", help="label schema JSON file")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("add", help="add media files and folders (recursive) as tasks")
    p.add_argument("workspace")
    p.add_argument("paths", nargs="+")
    p.add_argument("--as", dest="kind", choices=sorted(MEDIA_KINDS),
                   help="add every file as this kind: --as audio takes the sound track of videos as recordings")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("stats", help="tasks by status, annotations by label and source")
    p.add_argument("workspace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    add_prelabel_commands(sub)

    p = sub.add_parser("open", help="open the app on a workspace (none: the last one, else the welcome page)")
    p.add_argument("workspace", nargs="?")
    p.add_argument("--task", type=int, help="task id to show")
    p.add_argument("--frame", type=int, help="a video task's frame to show (0 is the first)")
    p.add_argument("--time", type=float, help="a recording's time to show, in seconds (12.5)")
    p.add_argument("--screenshot", help="render the window with the task shown, save a PNG and exit")
    p.add_argument("--theme", choices=["system", "light", "dark"],
                   help="the theme for this run (default: the setting, View → Theme; system at first)")
    p.add_argument("--language", choices=["system", "en", "vi"],
                   help="the language for this run (default: the setting, View → Language; system at first)")
    p.set_defaults(func=cmd_open)

    p = sub.add_parser("import", help="import annotations")
    p.add_argument("workspace")
    p.add_argument("--format", required=True, choices=formats)
    p.add_argument("path")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export annotations")
    p.add_argument("workspace")
    p.add_argument("--format", required=True, choices=formats)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("login", help="log in to a server; token and device key go to the OS keyring", parents=[vault])
    p.add_argument("url")
    p.add_argument("--user", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(func=cmd_login)

    p = sub.add_parser("clone", help="make an encrypted workspace for a server project and sync it", parents=[vault])
    p.add_argument("url")
    p.add_argument("--project", required=True)
    p.add_argument("--user", help="default: the last user logged in to that server")
    p.add_argument("workspace")
    p.set_defaults(func=cmd_clone)

    p = sub.add_parser("sync", help="one sync round: push local edits, pull the server's, fetch media",
                       parents=[vault])
    p.add_argument("workspace")
    p.add_argument("--server", help="the server's new address (same server)")
    p.set_defaults(func=cmd_sync)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A user mistake is one line and status 2; any other error is one line naming its type and
    status 1 (its traceback only with --debug), so a script gets a short reason instead of a stack dump."""
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 (Linux allows it) must not stop a report
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)  # --debug after the command is one of the subparser's extras
    args.debug = args.debug or "--debug" in extra
    if extra := [a for a in extra if a != "--debug"]:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    Workspace.codec_provider = Workspace.codec_provider or _unlock
    try:
        _passphrase_source(args)
        return int(args.func(args))
    except KeyboardInterrupt:
        print("annodesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(f"annodesk: error: {error_line(exc, args.debug)}", file=sys.stderr)
        return 2 if isinstance(exc, USER_ERRORS) else 1


def error_line(exc: BaseException, debug: bool = False) -> str:
    """An error as one line: a user mistake's own message; anything else with its type and where to find more."""
    if isinstance(exc, USER_ERRORS):
        return str(exc)
    line = f"{' '.join(str(exc).split()) or 'unexpected error'} ({type(exc).__name__})"
    return line if debug else f"{line}; run with --debug for the traceback"


@contextmanager
def _sync_progress(ws: Workspace) -> Iterator[None]:
    """On a terminal, while a round runs longer than half a second: how many of the changes waiting at its start
    were sent, and the seconds. The round reports nothing itself; the outbox it empties is its progress (pulling and
    media show as time)."""
    if not sys.stderr.isatty():
        yield
        return
    total, start, stop = ws.pending_changes(), time.monotonic(), threading.Event()
    shown = False

    def line() -> None:
        nonlocal shown
        shown = True
        sent = min(max(total - ws.pending_changes(), 0), total)
        filled = 30 * sent // total if total else 0
        counts = f" [{'#' * filled}{'.' * (30 - filled)}] {sent}/{total} changes sent" if total else ""
        print(f"\rsyncing{counts} · {time.monotonic() - start:.0f} s", end="", file=sys.stderr)

    def tick() -> None:
        while not stop.wait(0.5):
            line()

    ticker = threading.Thread(target=tick, name="sync progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        stop.set()
        ticker.join()
        if shown:
            line()
            print(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
