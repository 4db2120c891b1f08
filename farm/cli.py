"""`annodesk server prelabel`: a project's tasks through a Ray cluster (farm/prelabel.py); Ray loads on use."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync.server.cli import config_from

Command = Callable[[argparse.Namespace], int]


def add_prelabel_command(sub: Any, where: argparse.ArgumentParser, guarded: Callable[[Command], Command]) -> None:
    s = sub.add_parser("prelabel", parents=[where],
                       help="pre-label a project's images, videos (--every K) or recordings (an audio model) on a Ray "
                            "cluster (a small local one without --ray); "
                            "annotators get the predictions on their next sync")  # fmt: skip
    s.add_argument("--project", required=True, help="project name or id")
    s.add_argument("--model", required=True, type=Path,
                   help="the .onnx model: an image model (the images; the videos with --every) or an audio model "
                        "such as Silero VAD (the recordings)")  # fmt: skip
    s.add_argument("--card", type=Path, help="model card (default: the .json beside the model)")
    s.add_argument("--ray", metavar="ADDR", help="a running Ray cluster (ray://host:10001, or auto); default: "
                                                 "start a local one for this command")  # fmt: skip
    s.add_argument("--batch", type=int, default=0,
                   help="images or video frames per session run (default 8 on GPUs, else 1)")
    s.add_argument("--every", type=int, metavar="K",
                   help="video tasks too: run an image model on every K-th frame (default: videos are left alone)")
    s.add_argument("--link", action="store_true", help="with --every: link each video's detections into tracks")
    s.add_argument("--workers", type=int, default=0,
                   help="inference actors, one ONNX Runtime session each (default: one per GPU, else cores / 2)")
    s.add_argument("--provider", default="auto", help="ONNX Runtime provider: auto, cuda, tensorrt, cpu")
    s.add_argument("--cpus", type=int, help="CPUs of the local Ray (default: all)")
    s.add_argument("--object-store-mb", type=int, default=512, help="object store of the local Ray (MiB)")
    s.set_defaults(func=guarded(cmd_prelabel))


def cmd_prelabel(args: argparse.Namespace) -> int:
    from farm.prelabel import FarmOptions, run_prelabel

    options = FarmOptions(project=args.project, model=args.model, card=args.card, ray_address=args.ray,
                          batch=args.batch, every=args.every, link=args.link, workers=args.workers,
                          provider=args.provider, cpus=args.cpus, object_store_mb=args.object_store_mb)  # fmt: skip
    report = run_prelabel(config_from(args), options, print)
    for line in report.summary():
        print(line)
    return 0
