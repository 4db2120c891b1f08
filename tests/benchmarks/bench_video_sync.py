"""Benchmark: decoding a synced video from the encrypted media cache (sync/client/media_reader.py: a seekable file
object that decrypts 1 MiB chunks in memory) against decoding the plain file, in the same process.

Run: .venv/bin/python -m tests.benchmarks.bench_video_sync [--quick]

The input is what bench_video.py uses: 1080p30 H.264, 60 s, 5 s GOPs, 3 B-frames, every frame numbered (checked on
every frame taken). Measured, alternating plain and cached so that a noisy machine hits both alike:
- random seek with the frame cache off (a seek and a decode from the keyframe each), median and p95;
- step +1 (one more frame decoded) over runs of 30 frames;
- the index build (one demux pass over the whole file);
- reading the whole file through the reader (decrypt throughput), and the chunks decrypted per random seek.
Target: the cache costs at most 10% over the plain file on random seeks and steps (ratio <= 1.10), and the index
build at most 25% (a demux reads everything). --quick: 720p, 20 s (a smoke run, not figures to report).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.video import VideoDecoder, build_index
from sync.client.at_rest import MediaCache
from sync.server.blobs import file_sha256
from tests.video_samples import X264, make_video, read_number

QUICK = "--quick" in sys.argv
SIZE = (1280, 720) if QUICK else (1920, 1080)
GRID = (480, 480)
FRAMES = 600 if QUICK else 1800
SEEKS = 40 if QUICK else 80
STEPS = 30
ENCODE = ("-preset", "veryfast", *X264)
ROWS: list[tuple[str, str, str, str, str]] = []


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _ms[T](fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1e3


def _row(what: str, cached: float, plain: float, unit: str, target: float | None) -> None:
    ratio = cached / plain if plain else float("nan")
    verdict = "" if target is None else (" ok" if ratio <= target else " MISSED")
    ROWS.append((what, f"{cached:8.1f} {unit}", f"{plain:8.1f} {unit}", f"{ratio:5.2f}",
                 f"<= {target:.2f}{verdict}" if target else "-"))


def bench_seek(path: Path, cache: MediaCache, sha: str, frames: list[int]) -> None:
    index = build_index(path)
    plain_ms: list[float] = []
    cached_ms: list[float] = []
    reader = cache.reader(sha, name=path.name)
    with VideoDecoder(path, index, cache_mb=0) as plain, VideoDecoder(reader, index, cache_mb=0) as cached:
        chunks_before = reader.decrypted
        for i, n in enumerate(frames):
            order = ((plain, plain_ms), (cached, cached_ms)) if i % 2 else ((cached, cached_ms), (plain, plain_ms))
            for decoder, times in order:
                image, ms = _ms(lambda d=decoder, n=n: d.frame(n))
                assert read_number(image, GRID) == n, (n, decoder.name)
                times.append(ms)
        per_seek = (reader.decrypted - chunks_before) / len(frames)
    _row("random seek, median", statistics.median(cached_ms), statistics.median(plain_ms), "ms", 1.10)
    _row("random seek, p95", _p95(cached_ms), _p95(plain_ms), "ms", None)
    print(f"random seek: {per_seek:.1f} chunks (1 MiB) decrypted per seek, LRU of 4")


def bench_steps(path: Path, cache: MediaCache, sha: str, starts: list[int]) -> None:
    index = build_index(path)
    plain_ms: list[float] = []
    cached_ms: list[float] = []
    with VideoDecoder(path, index, cache_mb=0) as plain, \
            VideoDecoder(cache.reader(sha, name=path.name), index, cache_mb=0) as cached:
        for s in starts:
            plain.frame(s)
            cached.frame(s)
            for n in range(s + 1, s + STEPS):
                for decoder, times in ((plain, plain_ms), (cached, cached_ms)):
                    image, ms = _ms(lambda d=decoder, n=n: d.frame(n))
                    assert read_number(image, GRID) == n
                    times.append(ms)
    _row("step +1, median", statistics.median(cached_ms), statistics.median(plain_ms), "ms", 1.10)


def bench_index(path: Path, cache: MediaCache, sha: str, rounds: int = 3) -> None:
    plain_ms: list[float] = []
    cached_ms: list[float] = []
    for _ in range(rounds):
        index, ms = _ms(lambda: build_index(path))
        plain_ms.append(ms)
        reader = cache.reader(sha, name=path.name)
        cached_index, ms = _ms(lambda r=reader: build_index(r))
        cached_ms.append(ms)
        assert cached_index.frames == index.frames == FRAMES
    _row("index build", statistics.median(cached_ms), statistics.median(plain_ms), "ms", 1.25)


def bench_read(path: Path, cache: MediaCache, sha: str) -> None:
    size = path.stat().st_size

    def read_plain() -> int:
        with open(path, "rb") as fh:
            return sum(len(b) for b in iter(lambda: fh.read(32768), b""))

    def read_cached() -> int:
        reader = cache.reader(sha)
        return sum(len(b) for b in iter(lambda: reader.read(32768), b""))

    plain = statistics.median([_ms(read_plain)[1] for _ in range(3)])
    cached = statistics.median([_ms(read_cached)[1] for _ in range(3)])
    _row("read whole file, 32 KiB reads", cached, plain, "ms", None)
    print(f"read through the reader: {size / 1e6 / (cached / 1e3):.0f} MB/s ({size / 1e6:.0f} MB), plain file "
          f"{size / 1e6 / (plain / 1e3):.0f} MB/s (page cache)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        start = time.perf_counter()
        path = make_video(d / "hd.mp4", size=SIZE, frames=FRAMES, grid=GRID, source="testsrc2", encode=ENCODE)
        sha = file_sha256(path)
        cache = MediaCache(d / "media-cache", os.urandom(32))
        cache.put_file(sha, path)
        print(f"made {path.name}: {SIZE[0]}x{SIZE[1]}, {FRAMES} frames, {path.stat().st_size / 1e6:.0f} MB in "
              f"{time.perf_counter() - start:.0f} s; {os.cpu_count()} CPUs")
        rng = random.Random(7)
        bench_seek(path, cache, sha, [rng.randrange(FRAMES) for _ in range(SEEKS)])
        bench_steps(path, cache, sha, [rng.randrange(FRAMES - STEPS) for _ in range(6)])
        bench_index(path, cache, sha)
        bench_read(path, cache, sha)
    widths = [max(len(r[i]) for r in [("what", "cached", "plain file", "ratio", "target"), *ROWS]) for i in range(5)]
    for row in [("what", "cached", "plain file", "ratio", "target"), *ROWS]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
