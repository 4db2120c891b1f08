"""Benchmark: one object propagated through a 720p H.264 video, and 100 objects linked over 1,000 sampled frames.

Run: .venv/bin/python -m tests.benchmarks.bench_video_tracking [frames]
Propagation: a 1280x720 video (x264, B-frames) with a 120x90 textured object moving over a noisy background;
frames/s of `track_object` with each tracker, next to decoding alone (the decoder's share), and the worst IoU with
the true box. Linking: 100 objects moving at random constant velocities with 2 px detection jitter, 5% missed
detections and 5% low-score ones, linked with `inference.linking.link`; seconds for 1,000 frames, identity switches
(a track whose hits come from more than one object) and tracks per object.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from core.geometry import Rect
from core.shapes import Box
from core.video import VideoDecoder, build_index
from inference.linking import Detection, iou_matrix, link
from inference.tracking import track_object

W, H = 1280, 720
OBJECT = (120, 90)


def truth(n: int) -> Rect:
    x, y = 100 + 3.0 * n, 200 + 80 * np.sin(n / 25)
    return Rect(round(x), round(y), round(x) + OBJECT[0], round(y) + OBJECT[1])


def make_video(path: Path, frames: int) -> None:
    rng = np.random.default_rng(5)
    patch = rng.integers(0, 256, (OBJECT[1], OBJECT[0], 3), dtype=np.uint8)
    background = np.clip(rng.normal(120, 30, (H, W, 3)), 0, 255).astype(np.uint8)
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s",
           f"{W}x{H}", "-r", "30", "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "150",
           "-pix_fmt", "yuv420p", str(path)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for n in range(frames):
        f = background.copy()
        r = truth(n)
        f[int(r.y1):int(r.y2), int(r.x1):int(r.x2)] = patch
        proc.stdin.write(f.tobytes())
    proc.stdin.close()
    proc.wait()


def iou(a: Rect, b: Rect) -> float:
    return float(iou_matrix(np.array([[a.x1, a.y1, a.x2, a.y2]]), np.array([[b.x1, b.y1, b.x2, b.y2]]))[0, 0])


def bench_propagation(frames: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "720p.mp4"
        make_video(path, frames)
        index = build_index(path)
        with VideoDecoder(path, index) as decoder:
            start = time.perf_counter()
            for n in range(frames):
                decoder.frame(n)
            decode = frames / (time.perf_counter() - start)
        print(f"decode only: {decode:.0f} frames/s (1280x720)")
        for tracker in ("template", "mil"):
            with VideoDecoder(path, index) as decoder:  # a fresh decoder: nothing cached
                start = time.perf_counter()
                result = track_object(decoder, Box.from_rect(truth(0)), 0, frames - 1, tracker=tracker)
                seconds = time.perf_counter() - start
            worst = min(iou(k.shape.bounds(), truth(k.frame)) for k in result.track.keyframes)
            print(f"propagate ({tracker}): {(len(result.track.keyframes) - 1) / seconds:.0f} frames/s with decoding, "
                  f"{result.stopped} after {len(result.track.keyframes) - 1} frames, worst IoU {worst:.3f}")


def bench_linking(objects: int = 100, frames: int = 1000) -> None:
    rng = np.random.default_rng(9)
    start_xy = rng.uniform(0, 1800, (objects, 2))
    velocity = rng.uniform(-3, 3, (objects, 2))
    side = rng.uniform(30, 80, objects)
    samples = []
    for n in range(frames):
        detections = []
        for i in range(objects):
            if rng.random() < 0.05:
                continue  # missed
            x, y = start_xy[i] + velocity[i] * n + rng.normal(0, 2, 2)
            score = 0.3 if rng.random() < 0.05 else 0.9
            detections.append(Detection((x, y, x + side[i], y + side[i]), score, f"o{i}", Box(x, y, side[i], side[i])))
        samples.append((n, detections))
    # labels name the objects only to count switches afterwards: link them as one class
    same = [(n, [Detection(d.box, d.score, "object", d.shape) for d in dets]) for n, dets in samples]
    truth_of = {id(s): d.label for (_, dets), (_, sdets) in zip(samples, same, strict=True)
                for d, s in zip(dets, sdets, strict=True)}  # fmt: skip
    start = time.perf_counter()
    tracks = link(same)
    seconds = time.perf_counter() - start
    switches = sum(len({truth_of[id(d)] for _, d in t.hits}) > 1 for t in tracks)
    print(f"link {objects} objects x {frames} frames: {seconds:.2f} s ({frames / seconds:.0f} frames/s), "
          f"{len(tracks)} tracks ({len(tracks) / objects:.2f} per object), {switches} with an identity switch")


if __name__ == "__main__":
    bench_propagation(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
    bench_linking()
