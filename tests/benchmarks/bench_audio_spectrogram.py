"""Benchmark: spectrogram tiles of a 1-hour 44.1 kHz stereo MP3, from 4-second to 17-minute tiles.

Run: .venv/bin/python -m tests.benchmarks.bench_audio_spectrogram [--minutes 60] [--tiles 15] [--mp3 FILE]

The recording is bench_audio's (ffmpeg: a 440 Hz tone swelling every few seconds on the left, pink noise on the
right, 128 kb/s CBR). A tile is 512 columns, 1,024-point FFT (less when zoomed in), read, STFT, dB and colours:
- read: one WindowReader for the run, as the layer's worker keeps one (its first tile pays the demuxer's scan up to
  the tile: reported apart); `--tiles` tiles at random places per zoom level, one channel, then both from one read;
- overview: the decode pass that fills core.audio.spectrogram.Overview, then tiles at its levels drawn from it;
- the layer: a 1,600-pixel view of both channels, from the paint that asks for its tiles to the last one in, right
  after opening (tiles read) and once the layer's own overview pass is done.
Target (issue 11): a tile <= 30 ms, including reading.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_audio import make_mp3  # noqa: E402

LEVELS = (-7, -5, -4, -3, -2, -1, 0, 1)  # tiles of 4 s, 16 s, 32 s, 64 s, 2.1 min, 4.3 min, 8.5 min, 17 min


def p95(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def ms(seconds: float, width: int = 10) -> str:
    return f"{seconds * 1e3:.1f} ms".rjust(width)


def timed(make: Callable[[int], object], last: int, count: int, rng: random.Random) -> list[float]:
    times = []
    for _ in range(count):
        index = rng.randrange(last)
        start = time.perf_counter()
        make(index)
        times.append(time.perf_counter() - start)
    return times


def tiles(path: Path, duration: float, count: int) -> None:
    import scipy.fft  # noqa: F401  (imported on the first tile otherwise: ~0.2 s, not the tile's)

    from core.audio import iter_chunks
    from core.audio.spectrogram import Overview, SpectrogramSettings, WindowReader, fft_size, render_tile, tile_span

    settings = SpectrogramSettings()
    rng = random.Random(1)
    start = time.perf_counter()
    reader = WindowReader(path)
    index = max(0, int(duration * 0.4 / tile_span(0)))
    render_tile(reader, 0, index, [0], settings)  # cold: the open and the demuxer's first scan up to the tile
    print(f"open + first tile (8.5 min, {index * tile_span(0) / 60:.0f} min in): "
          f"{(time.perf_counter() - start) * 1e3:.0f} ms", flush=True)
    start, cpu = time.perf_counter(), time.process_time()
    overview: Overview | None = None
    for rate, channels, chunk in iter_chunks(path):
        overview = overview or Overview(rate, channels, duration)
        overview.feed(chunk)
    assert overview is not None
    overview.finish()
    print(f"overview pass: {time.perf_counter() - start:.2f} s ({time.process_time() - cpu:.2f} s CPU), "
          f"{overview.codes.nbytes / 2**20:.0f} MB, cells of {2.0 ** overview.level} s", flush=True)
    print(f"\n{'':17} {'read (to 32 s a block, wider a window a column)':>32}   {'from the overview':>24}")
    print(f"{'tile span':>10} {'n_fft':>6} {'median':>10} {'p95':>10} {'2 ch':>10}   {'median':>10} {'p95':>10} "
          f"{'2 ch':>8}  target <= 30 ms")
    for level in LEVELS:
        span = tile_span(level)
        last = max(1, int(duration / span) - 1)
        read = timed(lambda i, lv=level: render_tile(reader, lv, i, [0], settings), last, count, rng)
        both = timed(lambda i, lv=level: render_tile(reader, lv, i, [0, 1], settings), last, count, rng)
        row = (f"{span:>8.0f} s" if span < 120 else f"{span / 60:>6.1f} min") + f" {fft_size(reader.rate, level):>6}"
        row += f" {ms(statistics.median(read))} {ms(p95(read))} {ms(statistics.median(both))}"
        if level >= overview.level:
            fast = timed(lambda i, lv=level: overview.tile(lv, i, [0], settings), last, count, rng)
            fast2 = timed(lambda i, lv=level: overview.tile(lv, i, [0, 1], settings), last, count, rng)
            row += f"   {ms(statistics.median(fast))} {ms(p95(fast))} {ms(statistics.median(fast2), 8)}"
        print(row, flush=True)
    reader.close()


def view(path: Path, duration: float) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter

    from core.audio.spectrogram import SpectrogramSettings, level_for, tiles_for
    from widgets.spectrogram_layer import SpectrogramLayer

    app = QGuiApplication.instance() or QGuiApplication(["bench"])
    layer = SpectrogramLayer(lambda: path, 44100, 2, duration)
    image = QImage(1600, 400, QImage.Format.Format_RGB32)

    def fill(t0: float, seconds: float) -> tuple[float, int]:
        """Paint, then again on every `changed` until every tile of the view is in (sketches count); ms and tiles
        made."""
        level = level_for(seconds / 1600)
        keys = [(layer.settings, level, i, c) for i in tiles_for(level, t0, t0 + seconds) for c in (0, 1)]
        made, start = layer.rendered, time.perf_counter()
        while True:
            painter = QPainter(image)
            for channel, top in ((0, 0), (1, 200)):
                layer.paint(painter, QRectF(0, top, 1600, 200), t0, t0 + seconds, channel)
            painter.end()
            if all(layer.cached(k) for k in keys):
                return (time.perf_counter() - start) * 1e3, layer.rendered - made
            app.processEvents()
            time.sleep(0.001)

    print(f"\n{'1,600 px view, both channels':>30} {'just opened':>22} {'overview done':>22}")
    first = [(seconds, fill(duration / 3, seconds)) for seconds in (20.0, 300.0, 1800.0)]
    start = time.perf_counter()
    while not layer.idle():  # the rest of the overview pass
        app.processEvents()
        time.sleep(0.01)
    print(f"{'overview pass in the layer':>30} {time.perf_counter() - start:>12.1f} s more")
    layer.set_settings(SpectrogramSettings(floor_db=-90.0))  # new tiles everywhere, the same work
    for seconds, (first_ms, first_tiles) in first:
        later_ms, later_tiles = fill(duration / 3, seconds)
        print(f"{seconds:>28.0f} s {first_ms:>12.0f} ms ({first_tiles:>2} tiles) {later_ms:>12.0f} ms "
              f"({later_tiles:>2} tiles)", flush=True)
    layer.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--tiles", type=int, default=15)
    parser.add_argument("--mp3", type=Path, help="an MP3 made by an earlier run, of --minutes (skips making one)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        mp3 = args.mp3 or Path(tmp) / "hour.mp3"
        if args.mp3 is None:
            start = time.perf_counter()
            make_mp3(mp3, args.minutes)
            print(f"made {mp3.stat().st_size / 2**20:.0f} MB MP3 of {args.minutes} min in "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} at the start; {os.cpu_count()} cores", flush=True)
        tiles(mp3, args.minutes * 60.0, args.tiles)
        view(mp3, args.minutes * 60.0)
        print(f"(load average {os.getloadavg()[0]:.1f} at the end)")
