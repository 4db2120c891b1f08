"""Benchmark: the app's video player on a 1080p30 H.264 file (5 s GOP, 3 B-frames): playback at 1x and 4x, and
memory while scrubbing.

Run: .venv/bin/python -m tests.benchmarks.bench_video_app [--scrub-seconds 300] [--cache-mb 512]

Every frame shown is checked against the number drawn in it (tests/video_samples.py). The player runs as in the app:
its worker decodes the newest request only, the prefetcher reads ahead, the Qt event loop delivers the frames.
- Playback for PLAY_SECONDS at 1x (frames shown of those due: target 0 dropped) and at 4x (frames shown per second:
  target >= 100).
- Scrubbing: a drag back and forth over random spans for --scrub-seconds (the issue asks 5 minutes), a request per
  frame crossed as the timeline sends them; resident memory growth against the frame-cache setting (target: growth
  <= cache + 100 MB).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication

from core.video import build_index
from tests.video_samples import X264, make_video, read_number
from widgets.video_player import VideoPlayer

SIZE = (1920, 1080)
GRID = (480, 480)
FRAMES = 1800
PLAY_SECONDS = 10.0


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pump(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def play(player: VideoPlayer, speed: float, shown: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    """(frames shown, frames due, frames skipped, wrong frames) over PLAY_SECONDS at `speed` from frame 0 (on screen
    before the clock starts). Skipped: the frames never shown between frame 1 and the last one shown; "due" also
    counts a last frame whose time came in the few ms between its tick and the pause."""
    player.seek(0)
    player.wait_shown(10)
    shown.clear()
    player.set_speed(speed)
    player.play()
    start = time.perf_counter()
    pump(PLAY_SECONDS)
    player.pause()
    elapsed = time.perf_counter() - start
    due = min(FRAMES, int(elapsed * player.fps * speed))
    frames = {n for n, _number in shown}
    skipped = max(frames, default=0) - len(frames)
    return len(shown), due, skipped, sum(n != number for n, number in shown)


def scrub(player: VideoPlayer, seconds: float, shown: list[tuple[int, int]]) -> tuple[int, int, float]:
    """(requests, frames shown, peak RSS MB) over `seconds` of dragging over random spans."""
    rng = random.Random(7)
    requests, peak, end = 0, rss_mb(), time.perf_counter() + seconds
    shown.clear()
    position = 0
    while time.perf_counter() < end:
        target = rng.randrange(FRAMES)
        step = 1 if target > position else -1
        for n in range(position, target, step * rng.choice([1, 2, 3, 5])):  # a drag: one request per frame crossed
            player.seek(n)
            requests += 1
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 2)
        position = target
        peak = max(peak, rss_mb())
    player.wait_shown(10)
    return requests, len(shown), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scrub-seconds", type=float, default=60.0)
    parser.add_argument("--cache-mb", type=float, default=512.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        video = make_video(Path(tmp) / "long_gop.mp4", size=SIZE, frames=FRAMES, grid=GRID,
                           source="testsrc2", encode=("-preset", "veryfast", *X264))
        index = build_index(str(video))
        player = VideoPlayer(cache_mb=args.cache_mb)
        shown: list[tuple[int, int]] = []
        player.frame_shown.connect(lambda n, image: shown.append((n, read_number(image, GRID))))
        player.open(str(video), index)
        player.wait_shown(10)
        print(f"1080p30 H.264, {FRAMES} frames, GOP 150, 3 B-frames; cache {args.cache_mb:.0f} MB")
        for speed in (1.0, 4.0):
            count, due, skipped, wrong = play(player, speed, shown)
            print(f"play {speed:g}x for {PLAY_SECONDS:g} s: {count} frames shown of {due} due "
                  f"({count / PLAY_SECONDS:.0f} frames/s shown, {skipped} skipped), {wrong} wrong")
        base = rss_mb()
        requests, count, peak = scrub(player, args.scrub_seconds, shown)
        wrong = sum(n != number for n, number in shown)
        print(f"scrub {args.scrub_seconds:g} s: {requests} requests, {count} frames shown, {wrong} wrong; "
              f"RSS {base:.0f} MB before, peak {peak:.0f} MB: growth {peak - base:.0f} MB "
              f"(target <= {args.cache_mb:.0f} + 100 MB)")
        player.close()
    app.quit()


if __name__ == "__main__":
    main()
