"""Benchmark: exact frame access to a 1080p30 H.264 video (5 s GOP, 3 B-frames, 60 s), against OpenCV.

Run: .venv/bin/python -m tests.benchmarks.bench_video [--no-long]

Every frame carries its number (tests/video_samples.py), so "exact" is checked on every frame shown, for core.video
and for the baseline: cv2.VideoCapture with CAP_PROP_POS_FRAMES, the usual way to seek, in the same run.
- Random seek: SEEKS frames in random order, the cache off (each one is a seek and a decode from its keyframe).
- Step +1 (no prefetch: one more frame decoded and converted) and with the prefetcher ahead (a cache hit).
- Step -1: the first step back decodes the GOP up to it; the steps after it are cache hits.
- Index build of the 60 s file; reopen with the stored index to the first frame, and to a frame in the middle.
- Unless --no-long: the same for a 2-hour 1080p file (a low-bitrate minute, concatenated 120 times).
Targets: seek median <= 120 ms, p95 <= 250 ms, 100% exact; step +1 <= 5 ms; step -1 <= 10 ms; index of 2 hours
<= 10 s; reopen <= 300 ms to the first frame, <= 1 s to any frame. The machine may be shared: figures vary.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import cv2

from core.video import FrameIndex, Prefetcher, VideoDecoder, build_index
from tests.video_samples import X264, ffmpeg, make_video, read_number

SIZE = (1920, 1080)
GRID = (480, 480)  # the frame number is drawn at the top left; the rest is ffmpeg's moving test pattern
FRAMES = 1800
SEEKS = 100
STEPS = 30
LONG_COPIES = 120  # x 60 s = 2 hours
ENCODE = ("-preset", "veryfast", *X264)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _spread(ms: list[float]) -> str:
    return f"median {statistics.median(ms):6.1f} ms  p95 {_percentile(ms, 0.95):6.1f} ms"


def _timed[T](fn: Callable[..., T], *args: object) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, (time.perf_counter() - start) * 1e3


def bench_seek(path: Path, index: FrameIndex, frames: list[int]) -> None:
    times, wrong = [], 0
    with VideoDecoder(path, index, cache_mb=0) as decoder:
        for n in frames:
            image, ms = _timed(decoder.frame, n)
            times.append(ms)
            wrong += read_number(image, GRID) != n
    print(f"random seek, core.video:   {_spread(times)}  exact {100 * (1 - wrong / len(frames)):.0f}%")
    cap = cv2.VideoCapture(str(path))
    times, wrong = [], 0
    for n in frames:
        start = time.perf_counter()
        cap.set(cv2.CAP_PROP_POS_FRAMES, n)
        ok, image = cap.read()
        times.append((time.perf_counter() - start) * 1e3)
        wrong += not ok or read_number(image, GRID) != n
    cap.release()
    print(f"random seek, cv2 baseline: {_spread(times)}  wrong frame {wrong}/{len(frames)}")


def bench_steps(path: Path, index: FrameIndex, starts: list[int], gops: list[int]) -> None:
    forward, ahead, back_first, back = [], [], [], []
    with VideoDecoder(path, index, cache_mb=1024) as decoder:
        for s in starts:
            decoder.frame(s)
            for n in range(s + 1, s + STEPS):
                image, ms = _timed(decoder.frame, n)
                assert read_number(image, GRID) == n
                forward.append(ms)
        prefetcher = Prefetcher(decoder, ahead=STEPS)
        try:
            for s in starts:
                decoder.frame(s)
                for n in range(s + 1, s + STEPS):
                    prefetcher.update(n - 1, +1)
                    time.sleep(1 / 30)  # playback: the frame before stays on screen for 1/30 s
                    image, ms = _timed(decoder.frame, n)
                    assert read_number(image, GRID) == n
                    ahead.append(ms)
        finally:
            prefetcher.close()
        for gop in gops:
            s = 150 * gop + 140  # so that the steps back stay in one GOP
            decoder.frame(s)
            image, ms = _timed(decoder.frame, s - 1)
            back_first.append(ms)
            for n in range(s - 2, s - STEPS, -1):
                image, ms = _timed(decoder.frame, n)
                assert read_number(image, GRID) == n
                back.append(ms)
    print(f"step +1: {statistics.median(forward):5.1f} ms median (decode), {statistics.median(ahead):5.1f} ms with the "
          f"prefetcher playing ahead")
    print(f"step -1: first step back {statistics.median(back_first):6.1f} ms median, then {_spread(back)}")


def bench_open(path: Path, label: str) -> None:
    index, build_ms = _timed(build_index, path)
    stored = index.to_bytes()
    print(f"{label}: index of {index.frames} frames built in {build_ms / 1e3:.2f} s, stored in {len(stored)} bytes")
    start = time.perf_counter()
    decoder = VideoDecoder(path, FrameIndex.from_bytes(stored))
    first = decoder.frame(0)
    first_ms = (time.perf_counter() - start) * 1e3
    decoder.close()
    assert read_number(first, GRID) == 0
    middle = index.frames // 2 + 37
    start = time.perf_counter()
    decoder = VideoDecoder(path, FrameIndex.from_bytes(stored))
    image = decoder.frame(middle)
    middle_ms = (time.perf_counter() - start) * 1e3
    decoder.close()
    assert read_number(image, GRID) == middle % FRAMES
    print(f"{label}: reopen with the stored index to frame 0 in {first_ms:.0f} ms, to frame {middle} in "
          f"{middle_ms:.0f} ms")


def make_long(d: Path) -> Path:
    minute = make_video(d / "minute.mp4", size=SIZE, frames=FRAMES, grid=GRID, source="testsrc2",
                        encode=("-crf", "38", *ENCODE))
    listing = d / "list.txt"
    listing.write_text("".join(f"file '{minute}'\n" for _ in range(LONG_COPIES)))
    long = d / "two_hours.mp4"
    ffmpeg("-f", "concat", "-safe", "0", "-i", listing, "-c", "copy", long)
    return long


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        start = time.perf_counter()
        path = make_video(d / "hd.mp4", size=SIZE, frames=FRAMES, grid=GRID, source="testsrc2", encode=ENCODE)
        print(f"made {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - start:.0f} s")
        index = build_index(path)
        rng = random.Random(7)
        bench_seek(path, index, [rng.randrange(FRAMES) for _ in range(SEEKS)])
        bench_steps(path, index, [rng.randrange(FRAMES - STEPS) for _ in range(8)], rng.sample(range(FRAMES // 150), 8))
        bench_open(path, "60 s")
        if "--no-long" not in sys.argv:
            start = time.perf_counter()
            long = make_long(d)
            print(f"made {long.name}: {long.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - start:.0f} s")
            bench_open(long, "2 h")


if __name__ == "__main__":
    main()
