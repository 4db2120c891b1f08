"""`annodesk prelabel WS`: pre-labeling a workspace on this machine, images (batched), videos (every K-th frame,
linked into tracks on request) and recordings (an audio model such as Silero VAD), from plain or synced media."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from typing import Any

from desktop.cli_support import CliError, progress_printer
from sync.workspace import Workspace


def add_prelabel_commands(sub: Any) -> None:
    """`annodesk prelabel`: an image, video or audio model over a workspace's tasks."""
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
            report = PrelabelJob(predictor, ws, options, progress_printer("pre-labeling"), _synced_media(ws)).run()
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
        job = AudioPrelabelJob(model, ws, options, progress_printer("pre-labeling audio (seconds)"),
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
    progress = progress_printer("pre-labeling frames")
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
