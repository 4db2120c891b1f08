"""The `annodesk` command line: what a pipeline or a team lead scripts, and the way into the app."""

from __future__ import annotations

import argparse
import functools
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
from desktop.sampling_cli import add_sampling_commands
from farm.cli import add_prelabel_command
from sync.records import PayloadCodec
from sync.server.cli import add_server_commands
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace, WorkspaceError

Command = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A user mistake: printed as one line, exit status 2."""


USER_ERRORS = (CliError, WorkspaceError, SchemaError, FormatError)  # the user's to fix: one line, exit status 2


def cmd_init(args: argparse.Namespace) -> int:
    schema = load_schema(args.schema) if args.schema else LabelSchema()
    with Workspace.create(args.workspace, schema):
        print(f"created workspace {args.workspace} with {len(schema.labels)} labels")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with Workspace.open(args.workspace) as ws:
        report = ws.add_media([Path(p) for p in args.paths], progress=_progress_printer("adding"), kind=args.kind)
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
    with Workspace.open(args.workspace) as ws, _progress_line("importing") as progress:
        report = import_dataset(ws, args.format, Path(args.path), progress=progress)
    for line in report.summary():
        print(line)
    for message in report.messages:
        print(f"  {message}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    messages: list[str] = []
    with Workspace.open(args.workspace, readonly=True) as ws, _progress_line("exporting") as progress:
        paths = export_dataset(ws, args.format, Path(args.out), messages, progress)
    for path in paths:
        print(path)
    for message in messages:
        print(f"  {message}", file=sys.stderr)
    return 0


def cmd_prelabel(args: argparse.Namespace) -> int:
    from inference import ModelError, PrelabelJob, PrelabelOptions, parse_renames  # loads ONNX Runtime
    from inference.audio import AudioModel, open_model
    from inference.models import vad_model_path

    overrides = {key: value for key, value in (("conf", args.conf), ("tier", args.tier),
                 ("min_speech_ms", args.min_speech_ms), ("min_silence_ms", args.min_silence_ms),
                 ("speech_pad_ms", args.pad_ms)) if value is not None}  # fmt: skip
    model_path = args.model or vad_model_path()
    if model_path is None:
        raise CliError("no --model given and the Silero VAD model is not installed: run "
                       "`python packaging/fetch_demo_model.py` (or ./dev install), or give --model")  # fmt: skip
    try:
        renames = parse_renames(args.map)
        model = open_model(model_path, args.card, args.provider, overrides, spin=False)
    except (ModelError, ValueError) as exc:
        raise CliError(str(exc)) from None
    if isinstance(model, AudioModel):
        return _prelabel_audio(model, args, renames)
    predictor, card = model, model.card
    print(f"model {predictor.path.name}: {card.family}, {len(card.classes)} classes; "
          f"provider {predictor.runtime.describe()}")  # fmt: skip
    batch = args.batch or (8 if predictor.runtime.on_gpu else 1)
    if args.link and args.every is None:
        raise CliError("--link needs --every K (the frames of a video to run the model on)")
    if args.every is not None and args.every < 1:
        raise CliError("--every must be 1 or more")
    with Workspace.open(args.workspace) as ws:
        # a synced workspace's schema belongs to the server: classes without a label are skipped, not added
        locked = args.locked_schema or ws.codec is not None
        if args.every is not None:
            report = _prelabel_videos(predictor, ws, args, renames, locked)
        else:
            options = PrelabelOptions(batch=batch, only_new=args.only == "new", renames=renames, locked_schema=locked)
            report = PrelabelJob(predictor, ws, options, _progress_printer("pre-labeling"), _synced_media(ws)).run()
    for line in report.summary():
        print(line)
    return 130 if report.cancelled else 0


def _prelabel_audio(model: Any, args: argparse.Namespace, renames: dict[str, str]) -> int:
    """The audio tasks, with an audio model (Silero VAD): segments stored as predictions on the card's tier; tasks
    of other kinds are left alone, and a workspace with no recording is an error."""
    from inference.audio_prelabel import AudioPrelabelJob, AudioPrelabelOptions

    if args.every is not None or args.link:
        raise CliError(f"--every and --link are for video tasks; {model.path.name} is an audio model "
                       f"({model.card.family})")  # fmt: skip
    print(f"model {model.path.name}: {model.card.family} (audio), segments on tier {model.tier!r}; "
          f"provider {model.runtime.describe()}")  # fmt: skip
    with Workspace.open(args.workspace) as ws:
        options = AudioPrelabelOptions(only_new=args.only == "new", renames=renames,
                                       locked_schema=args.locked_schema or ws.codec is not None)  # fmt: skip
        job = AudioPrelabelJob(model, ws, options, _progress_printer("pre-labeling audio (seconds)"),
                               _synced_audio(ws))  # fmt: skip
        report = job.run()
    if report.tasks == 0:
        left = "".join(f"; {m}" for m in report.messages if m.startswith("left alone"))
        raise CliError(f"{model.path.name} is an audio model ({model.card.family}) and {args.workspace} has no "
                       f"audio tasks to pre-label{left}")  # fmt: skip
    for line in report.summary():
        print(line)
    return 130 if report.cancelled else 0


def _synced_audio(ws: Workspace) -> Callable[[Any], Any] | None:
    """A synced workspace's recordings are decoded from its encrypted media cache (one not downloaded yet fails)."""
    if ws.codec is None:
        return None
    from sync.client.audio import audio_source
    from sync.client.commands import cli_keys

    cache = cli_keys().media_cache(ws)
    return lambda task: audio_source(task, cache)


def _prelabel_videos(predictor: Any, ws: Workspace, args: argparse.Namespace, renames: dict[str, str],
                     locked: bool) -> Any:  # fmt: skip
    """The video tasks: the model on every K-th frame, stored per frame or (--link) linked into tracks."""
    from inference.video_prelabel import VideoPrelabelJob, VideoPrelabelOptions

    options = VideoPrelabelOptions(every=args.every, link=args.link, only_new=args.only == "new", renames=renames,
                                   locked_schema=locked, batch=args.batch or (8 if predictor.runtime.on_gpu else 1))
    progress = _progress_printer("pre-labeling frames")
    return VideoPrelabelJob(predictor, ws, options, progress, _synced_video(ws)).run()


def _synced_video(ws: Workspace) -> Callable[[Any], Any] | None:
    """A synced workspace's videos are decoded from its encrypted media cache (one not downloaded yet fails)."""
    if ws.codec is None:
        return None
    from core.video import VideoDecoder
    from sync.client.commands import cli_keys
    from sync.client.video import video_index, video_source

    cache = cli_keys().media_cache(ws)

    def opener(task: Any) -> Any:
        return VideoDecoder(video_source(task, cache), video_index(ws, task, cache), cache_mb=64)

    return opener


def _synced_media(ws: Workspace) -> Callable[[str], bytes | None] | None:
    """A synced (encrypted) workspace's images are read from its encrypted media cache, with the key that opened it;
    one not downloaded yet fails that task ("run annodesk sync")."""
    if ws.codec is None:
        return None
    from sync.client.commands import cli_keys
    from sync.client.media import cached_media_bytes

    return functools.partial(cached_media_bytes, cli_keys().media_cache(ws))


def cmd_open(args: argparse.Namespace) -> int:
    from desktop.app import run_app  # Qt only when a window is wanted

    if args.frame is not None and args.frame < 0:
        raise CliError("--frame must be 0 or more")
    if args.time is not None and not (math.isfinite(args.time) and args.time >= 0):
        raise CliError("--time must be a number of seconds, 0 or more")
    return run_app(Path(args.workspace), task_id=args.task, screenshot=args.screenshot, frame=args.frame,
                   time=args.time, theme=args.theme, language=args.language)


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.app import default_demo_dir, run_app
    from desktop.demo import make_demo

    directory = Path(args.directory) if args.directory else default_demo_dir()
    workspace_dir = directory / "workspace"
    if not (workspace_dir / "workspace.db").exists():
        make_demo(directory).close()
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

    p = sub.add_parser("prelabel", help="pre-label tasks with an ONNX model (predictions stored as model annotations)")
    p.add_argument("workspace")
    p.add_argument("--model", help="the .onnx file: an image model, or an audio model for the recordings (default: "
                                   "the installed Silero VAD model, on the audio tasks)")  # fmt: skip
    p.add_argument("--card", help="model card (default: a .json/.yaml of the same name beside the model)")
    p.add_argument("--provider", default="auto", choices=["auto", "cpu", "cuda", "tensorrt"])
    p.add_argument("--batch", type=int, help="images per inference call (default: 1 on CPU, 8 on GPU)")
    p.add_argument("--conf", type=float, help="confidence threshold (default: the card's; VAD: speech, 0.5)")
    p.add_argument("--only", choices=["new"], help="only tasks nobody has started")
    p.add_argument("--map", action="append", default=[], metavar="CLASS=LABEL", help="store a class as this label")
    p.add_argument("--locked-schema", action="store_true",
                   help="skip classes without a label instead of adding them (always so for a synced workspace)")
    p.add_argument("--every", type=int, metavar="K",
                   help="video tasks: run the model on every K-th frame (only video tasks are pre-labelled)")
    p.add_argument("--link", action="store_true", help="with --every: link the detections into tracks")
    p.add_argument("--tier", help="audio: the tier the segments go on (default: the card's, speech)")
    p.add_argument("--min-speech-ms", type=float, help="VAD: drop speech not longer than this (default 250)")
    p.add_argument("--min-silence-ms", type=float, help="VAD: end speech after this much silence (default 100)")
    p.add_argument("--pad-ms", type=float, help="VAD: widen each segment by this much a side (default 30)")
    p.set_defaults(func=cmd_prelabel)

    p = sub.add_parser("open", help="open the app on a workspace")
    p.add_argument("workspace")
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


def _progress_printer(what: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr when it is a terminal, silence otherwise."""
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty() and total:
            width = 30
            filled = width * done // total
            print(f"\r{what} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr)
            if done == total:
                print(file=sys.stderr)
    return show


@contextmanager
def _progress_line(what: str) -> Iterator[Callable[[int, int], None]]:
    """`_progress_printer`'s line for a long import or export: redrawn at most ten times a second, and ended when the
    block ends however it ends (an error, Ctrl+C), so what is printed next starts a line of its own."""
    show = _progress_printer(what)
    shown_at, open_line = 0.0, False

    def progress(done: int, total: int) -> None:
        nonlocal shown_at, open_line
        now = time.monotonic()
        if done < total and now - shown_at < 0.1:
            return
        shown_at = now
        show(done, total)
        open_line = sys.stderr.isatty() and total > 0 and done < total

    try:
        yield progress
    finally:
        if open_line:
            print(file=sys.stderr)


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
