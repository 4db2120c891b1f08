"""Benchmark: the shapes of one video frame from 1,000 tracks over 10,000 frames, 20 keyframes each (TrackSet).

Run: .venv/bin/python -m tests.benchmarks.bench_tracks [tracks] [frames] [keyframes]
Layouts: "lifespans" gives each track a random stretch of 200 to 3,000 frames (objects come and go, as in a street
video), ending with an outside keyframe; "all alive" keeps every track on every frame (the worst case: every shape
interpolated on every frame). Polygon tracks have 8 vertices on every keyframe (vertex by vertex), or 8 and 10 on
alternate keyframes ("polygon*": every gap resampled; its correspondence is made the first time a frame of that
keyframe pair is shown and kept, so "cold seek" times the first 30 seeks of a fresh TrackSet). Frames are read in
playback order (2,000 frames one after another from the middle of the video) and in random order (300 seeks);
figures are the median and 95th percentile of one `shapes_at` call, after a warm-up pass. The baseline, in the same
run on the same frames, is the reference path: `Track.at` on each track alive there, one track at a time (what
`shapes_at` did before it was vectorised across tracks). Both run with the app's garbage collector settings
(core/collector.py, set by desktop/app.py). "gc A/B" then times the fast path again with those settings and with
Python's own (a collection every 700 new containers), each twice, alternating: the mean of their medians.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from core.collector import THRESHOLDS
from core.shapes import Box, Polygon, Shape
from core.tracks import Keyframe, Track, TrackSet

TARGET_MS = 2.0
DEFAULT_GC = (700, 10, 10)  # Python's own thresholds


def box(rng: random.Random) -> Shape:
    return Box(rng.uniform(0, 1900), rng.uniform(0, 1060), rng.uniform(10, 200), rng.uniform(10, 200))


def polygon(rng: random.Random, vertices: int) -> Shape:
    cx, cy, r = rng.uniform(0, 1900), rng.uniform(0, 1060), rng.uniform(10, 100)
    return Polygon(tuple((cx + r * math.cos(2 * math.pi * i / vertices), cy + r * math.sin(2 * math.pi * i / vertices))
                         for i in range(vertices)))


def make_tracks(count: int, frames: int, keyframes: int, all_alive: bool,
                shape: Callable[[random.Random, int], Shape]) -> list[Track]:
    rng = random.Random(7)
    tracks = []
    for i in range(count):
        length = frames if all_alive else rng.randint(200, min(3000, frames))
        start = rng.randint(0, frames - length)
        at = sorted(rng.sample(range(start, start + length), keyframes))
        made = [Keyframe(f, shape(rng, k)) for k, f in enumerate(at)]
        if not all_alive:
            made[-1] = Keyframe(at[-1], made[-1].shape, outside=True)
        tracks.append(Track(f"t{i}", "car", tuple(made)))
    return tracks


def one_by_one(index: TrackSet, frame: int) -> list:
    """The reference: each live track's own `at`."""
    return [(t, s) for t in index.live(frame) if (s := t.at(frame)) is not None]


def prepared(tracks: list[Track], index: TrackSet, cold: bool) -> TrackSet:
    """The warm TrackSet, or a fresh one for a cold run (which pays for what it makes itself)."""
    return TrackSet(tracks) if cold else index


@contextmanager
def collector(thresholds: tuple[int, int, int]) -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def timed(shapes_at: Callable[[int], list], order: list[int], warm: int = 100) -> tuple[float, float, float]:
    """Median and p95 of one call in ms, and the mean number of shapes per frame."""
    for frame in order[:warm]:
        shapes_at(frame)
    times, shown = [], 0
    for frame in order:
        t0 = time.perf_counter()
        shown += len(shapes_at(frame))
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))], shown / len(order)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    keyframes = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    print(f"{count:,} tracks over {frames:,} frames, {keyframes} keyframes each; target <= {TARGET_MS} ms a frame")
    kinds: dict[str, Callable[[random.Random, int], Shape]] = {
        "box": lambda rng, _k: box(rng),
        "polygon": lambda rng, _k: polygon(rng, 8),
        "polygon*": lambda rng, k: polygon(rng, 8 if k % 2 else 10),
    }
    print(f"{'kind':<9}{'layout':<12}{'order':<11}{'shapes/frame':>13}{'median ms':>11}{'p95 ms':>9}"
          f"{'baseline median / p95':>24}{'ratio':>7}{'gc A/B: app / default':>24}")
    rng = random.Random(11)
    playback = list(range(frames // 2 - 1000, frames // 2 + 1000)) if frames > 2000 else list(range(frames))
    seeks = rng.sample(range(frames), min(frames, 300))
    for kind, shape in kinds.items():
        for layout in ("lifespans", "all alive"):
            t0 = time.perf_counter()
            tracks = make_tracks(count, frames, keyframes, layout == "all alive", shape)
            index = TrackSet(tracks)
            index.shapes_at(0)
            built = time.perf_counter() - t0
            runs = [("playback", playback, 100), ("seek", seeks, 100)]
            if kind == "polygon*":
                runs.append(("cold seek", seeks[:30], 0))
            for name, order, warm in runs:
                with collector(THRESHOLDS):
                    fast = timed(prepared(tracks, index, warm == 0).shapes_at, order, warm)
                    reference = prepared(tracks, index, warm == 0)
                    base = timed(lambda f, i=reference: one_by_one(i, f), order, warm)  # type: ignore[misc]
                # the collector's settings A/B: each twice, alternating, warm now (or fresh again when cold)
                medians: dict[tuple[int, int, int], list[float]] = {THRESHOLDS: [], DEFAULT_GC: []}
                for _ in range(2):
                    for setting, got in medians.items():
                        with collector(setting):
                            got.append(timed(prepared(tracks, index, warm == 0).shapes_at, order, warm)[0])
                app, default = (statistics.mean(m) for m in medians.values())
                print(f"{kind:<9}{layout:<12}{name:<11}{fast[2]:>13.0f}{fast[0]:>11.3f}{fast[1]:>9.3f}"
                      f"{f'{base[0]:.3f} / {base[1]:.3f}':>24}{base[0] / fast[0]:>6.1f}x"
                      f"{f'{app:.3f} / {default:.3f}':>24}"
                      f"{'' if fast[0] <= TARGET_MS else '  over target'}", flush=True)
            print(f"{'':<9}(tracks built and indexed in {built:.2f} s)")


if __name__ == "__main__":
    main()
