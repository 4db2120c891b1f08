"""Benchmark: video tasks through `annodesk server prelabel --every K` (Ray Data, farm/media_tasks.py) against desktop
`annodesk prelabel --every K` (VideoPrelabelJob) in the same run: the bench_prelabel detector (calibrated), 1280 x 720
H.264 videos of numbered frames (a keyframe every 60), every 5th frame, with 1 and 2 inference actors on a local Ray
of all cores.

Run: .venv/bin/python -m tests.benchmarks.bench_prelabel_ray_video [--quick]
Rows: desktop frames/s (the job over the workspace's videos, one after another, reading ahead on a thread); Ray
frames/s from the first video stored to the last (Ray start excluded, actor start-up and each video's index pass
included); target: Ray with 2 workers >= 0.8 of the desktop.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import cv2

from core.schema import LabelSchema
from inference import Predictor
from inference.providers import cpu_threads
from inference.video_prelabel import VideoPrelabelJob, VideoPrelabelOptions
from sync.server.cli import main as server_cli
from sync.workspace import Workspace
from tests.benchmarks.bench_prelabel import calibrated_detector, row
from tests.benchmarks.bench_prelabel_ray import SCHEMA, ray_report
from tests.video_samples import X264, make_video

EVERY = 5
CAMERA = (*X264, "-g", "60", "-preset", "veryfast")  # a keyframe every 2 s, as cameras write (the later -g wins)


def desktop_rate(root: Path, videos: Path, predictor: Predictor) -> tuple[int, float]:
    with Workspace.create(root / "ws", LabelSchema.from_json(SCHEMA)) as ws:
        ws.add_media([videos])
        report = VideoPrelabelJob(predictor, ws, VideoPrelabelOptions(every=EVERY)).run()
    assert not report.failures, report.summary()
    return report.frames, report.seconds


def ray_rate(data: Path, project: str, model: Path, workers: int) -> tuple[int, float]:
    report = ray_report(data, project, model, workers, EVERY)
    return report.frames, report.media_seconds


def main() -> int:
    quick = "--quick" in sys.argv
    count, frames = (2, 60) if quick else (4, 300)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        videos = root / "videos"
        videos.mkdir()
        for i in range(count):
            make_video(videos / f"street{i}.mp4", size=(1280, 720), frames=frames, source="color=c=0x3a5f7b",
                       after="noise=alls=12:allf=t", encode=CAMERA)  # fmt: skip
        sample = root / "frame.jpg"
        capture = cv2.VideoCapture(str(videos / "street0.mp4"))
        ok, image = capture.read()
        capture.release()
        assert ok and cv2.imwrite(str(sample), image)
        model, ms = calibrated_detector(root, sample)
        predictor = Predictor.load(model, provider="cpu", spin=False)
        data = root / "server"
        (root / "schema.json").write_text(json.dumps(SCHEMA))
        for workers in (1, 2):
            assert server_cli(["server", "create-project", f"v{workers}", "--schema", str(root / "schema.json"),
                               "--data", str(data)]) == 0  # fmt: skip
            assert server_cli(["server", "add-media", f"v{workers}", str(videos), "--data", str(data)]) == 0
        print(f"\ndetector {ms:.0f} ms per frame alone; {count} videos of {frames} frames 1280x720, every {EVERY}th; "
              f"{cpu_threads()} cores\n")  # fmt: skip
        row("measured", "figure", "target")
        n, seconds = desktop_rate(root, videos, predictor)
        desktop = n / seconds
        row(f"desktop `annodesk prelabel --every {EVERY}`, {n} frames", f"{desktop:.1f} frames/s", "baseline")
        rates = {}
        for workers in (1, 2):
            n, seconds = ray_rate(data, f"v{workers}", model, workers)
            rates[workers] = n / seconds
            row(f"Ray, {workers} CPU worker(s), {n} frames", f"{rates[workers]:.1f} frames/s", "")
        ratio = rates[2] / desktop
        row("  ratio Ray (2 workers) / desktop", f"{ratio:.2f}", ">= 0.8", ratio >= 0.8)
        row("  scaling 2 workers / 1 worker", f"{rates[2] / rates[1]:.2f}", "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
