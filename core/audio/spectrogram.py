"""Spectrogram tiles: a Hann-window STFT per pixel column, in dB over a chosen range, on a linear or mel scale,
coloured by a perceptual map.

A tile is TILE_COLUMNS columns at one zoom level (2**level seconds a column), starting at a multiple of its span,
so scrolling reuses tiles and a view draws the level just finer than its own zoom, scaled. Two ways to make one:
- read (`render_tile`): column j of tile i is the STFT frame centred on its time, (i * TILE_COLUMNS + j + 0.5) *
  2**level, from the samples around it alone, so neighbouring tiles join without a seam, each reading half a window
  past its edges. Zoomed in, the window shrinks (time resolution). Zoomed out, `WindowReader` decodes only the
  windows the columns need (seek, preroll, window), not the whole span: a sketch, one window a column.
- from the overview (`Overview.tile`): one pass over the whole recording keeps the mean power of every
  2**OVERVIEW_LEVEL-second cell (0.5 dB codes, ~30 MB an hour of stereo); a tile at that level or coarser averages
  its cells: every sample counts, and it costs no decoding. An MP3 decodes at ~13 us a frame here, so a read tile
  of a minute or more costs over 30 ms however it is read (all its 2,300 frames, or a seek and ~4.5 frames for each
  of 512 columns); from the overview it costs a few.

Qt-free; run it on a worker thread with its own WindowReader: it keeps the file open, because the first seek after
an open scans an MP3 up to its target (~30 ms half an hour in) and later seeks reuse what that scan indexed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import av.error
import numpy as np
from av.audio.frame import AudioFrame
from numpy.lib.stride_tricks import sliding_window_view

from core.audio.source import Source, frame_array, open_audio, source_name, translated

TILE_COLUMNS = 512
MIN_LEVEL, MAX_LEVEL = -16, 4  # 15 us to 16 s a column
MIN_FFT, MAX_FFT = 128, 1024
MIX = -1  # the channel index of the channels' mean power
OVERVIEW_LEVEL = -3  # overview cells of 0.125 s, unless the recording is too long for OVERVIEW_BYTES
OVERVIEW_BYTES = 64 << 20
_POWER = (10.0 ** ((np.arange(256) / 2 - 120) / 10)).astype(np.float32)  # an overview code's power: 0.5 dB steps


@dataclass(frozen=True)
class SpectrogramSettings:
    """What a tile shows; a tile cache keys on it. dB are relative to full scale: a full-scale sine is 0 dB."""

    scale: Literal["linear", "mel"] = "linear"
    floor_db: float = -80.0
    top_db: float = 0.0
    max_hz: float | None = None  # None: the Nyquist frequency
    n_mels: int = 128

    def __post_init__(self) -> None:
        if self.scale not in ("linear", "mel"):
            raise ValueError(f"scale: expected 'linear' or 'mel', got {self.scale!r}")
        if not self.floor_db < self.top_db:
            raise ValueError(f"dB range: expected floor < top, got {self.floor_db}, {self.top_db}")
        if not 1 <= self.n_mels <= 1024:
            raise ValueError(f"n_mels: expected 1 to 1024, got {self.n_mels}")
        if self.max_hz is not None and not self.max_hz > 0:
            raise ValueError(f"max_hz: expected a frequency > 0 or None, got {self.max_hz}")


def level_for(seconds_per_pixel: float) -> int:
    """The level whose columns are at most one pixel wide: tiles are drawn at 1x to 2x downscaling, never blurred."""
    if not seconds_per_pixel > 0:
        return MIN_LEVEL
    return min(MAX_LEVEL, max(MIN_LEVEL, math.floor(math.log2(seconds_per_pixel))))


def tile_span(level: int) -> float:
    """Seconds a tile covers at `level`."""
    return TILE_COLUMNS * 2.0**level


def tiles_for(level: int, t0: float, t1: float) -> range:
    """Indexes of the tiles at `level` that cover [t0, t1) (from time 0 on)."""
    span = tile_span(level)
    return range(max(0, math.floor(t0 / span)), max(0, math.ceil(t1 / span)))


def column_times(level: int, index: int, columns: int = TILE_COLUMNS) -> np.ndarray:
    """Centre times (s) of the columns of tile `index`; more than TILE_COLUMNS reach into the next tiles."""
    return (index * TILE_COLUMNS + np.arange(columns) + 0.5) * 2.0**level


def fft_size(rate: int, level: int) -> int:
    """A window about four columns long (a power of two), within [MIN_FFT, MAX_FFT]: zoomed in, time resolution."""
    hop = 2.0**level * rate
    return int(min(MAX_FFT, max(MIN_FFT, 2 ** math.ceil(math.log2(max(4 * hop, 1))))))


@lru_cache(maxsize=32)
def hann(n_fft: int) -> np.ndarray:
    """The periodic Hann window (exact for spectral analysis: its shifted copies at n/2 sum to a constant)."""
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    window.flags.writeable = False
    return window


@lru_cache(maxsize=32)
def mel_filterbank(rate: int, n_fft: int, n_mels: int, max_hz: float) -> np.ndarray:
    """float32 (n_mels, n_fft // 2 + 1): triangles evenly spaced on the HTK mel scale from 0 Hz to max_hz, peak 1
    (a tone at a band's centre keeps its power). A band narrower than a bin takes its nearest bin, so no row is
    empty at small windows."""
    mel_top = 2595.0 * math.log10(1 + max_hz / 700.0)
    edges = 700.0 * (10 ** (np.linspace(0, mel_top, n_mels + 2) / 2595.0) - 1)
    freqs = np.arange(n_fft // 2 + 1) * rate / n_fft
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - low) / np.maximum(centre - low, 1e-9)
    falling = (high - freqs) / np.maximum(high - centre, 1e-9)
    bank = np.clip(np.minimum(rising, falling), 0, 1).astype(np.float32)
    empty = bank.sum(axis=1) == 0
    bank[empty, np.rint(edges[1:-1][empty] * n_fft / rate).astype(int).clip(0, n_fft // 2)] = 1.0
    bank.flags.writeable = False
    return bank


def frequency_at(fraction: float, rate: int, settings: SpectrogramSettings) -> float:
    """The frequency (Hz) drawn at `fraction` of a tile's height from its bottom, to within a row: a view's axis."""
    max_hz = min(settings.max_hz or rate / 2, rate / 2)
    if settings.scale == "linear":
        return fraction * max_hz
    return 700.0 * (10 ** (fraction * math.log10(1 + max_hz / 700.0)) - 1)


def frames_from_samples(samples: np.ndarray, first: int, centres: np.ndarray, n_fft: int) -> np.ndarray:
    """float32 (channels, columns, n_fft): the window centred on each sample index of `centres`, from `samples`
    (channels, n) whose column 0 is sample `first`; zeros outside it."""
    n = samples.shape[1]
    starts = np.asarray(centres, dtype=np.int64) - n_fft // 2 - first
    lo, hi = int(min(starts.min(), 0)), int(max(starts.max() + n_fft, n))
    padded = samples if (lo, hi) == (0, n) else np.pad(samples, ((0, 0), (-lo, hi - n)))
    return sliding_window_view(padded, n_fft, axis=1)[:, starts - lo]


def power_spectra(frames: np.ndarray) -> np.ndarray:
    """float32 (..., n_fft // 2 + 1): Hann-windowed power, scaled so a full-scale sine on a bin gives 1."""
    import scipy.fft  # here, not at the top: it costs ~0.2 s to import, and `import core.audio` should not pay it

    window = hann(frames.shape[-1])
    spectrum = scipy.fft.rfft(frames * (window * np.float32(2.0 / window.sum())), axis=-1)
    return spectrum.real**2 + spectrum.imag**2


def to_db(power: np.ndarray, rate: int, settings: SpectrogramSettings) -> np.ndarray:
    """float32 (rows, columns) from power (columns, bins): the rows of the frequency scale (linear bins up to
    max_hz, or mel bands), low to high, in dB clipped to [floor_db, top_db]."""
    n_fft = (power.shape[-1] - 1) * 2
    max_hz = min(settings.max_hz or rate / 2, rate / 2)
    if settings.scale == "mel":
        rows = mel_filterbank(rate, n_fft, settings.n_mels, float(max_hz)) @ power.T
    else:
        rows = power[:, : math.floor(max_hz * n_fft / rate) + 1].T
    db = 10.0 * np.log10(np.maximum(rows, 1e-20, dtype=np.float32))
    return np.clip(db, settings.floor_db, settings.top_db)


def _colour_map() -> np.ndarray:
    """uint8 (256, 3): lightness rising evenly (OKLab) from near black through purple, red and orange to pale
    yellow, like magma: equal steps in dB look like equal steps, and it reads in grey too."""
    x = np.linspace(0, 1, 256)
    lightness = 0.13 + 0.84 * x
    chroma = 0.16 * np.sin(np.pi * x) ** 0.7 + 0.02  # within the sRGB gamut all the way: no clipped kinks
    hue = np.radians(290 + 170 * x)  # purple (290) through red (390 = 30) to yellow (460 = 100)
    lab = np.stack([lightness, chroma * np.cos(hue), chroma * np.sin(hue)], axis=-1)
    lms = lab @ np.array([[1, 1, 1], [0.3963377774, -0.1055613458, -0.0894841775],
                          [0.2158037573, -0.0638541728, -1.2914855480]])
    linear = lms**3 @ np.array([[4.0767416621, -1.2684380046, -0.0041960863],
                                [-3.3077115913, 2.6097574011, -0.7034186147],
                                [0.2309699292, -0.3413193965, 1.7076147010]])
    linear = np.clip(linear, 0, 1)  # rounding only
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    table = np.rint(srgb * 255).astype(np.uint8)
    table.flags.writeable = False
    return table


COLOURS = _colour_map()


def colourize(db: np.ndarray, floor_db: float, top_db: float) -> np.ndarray:
    """uint8 (rows, columns, 3) RGB from dB (rows low to high frequency): the top row is the highest frequency."""
    scaled = (db[::-1] - floor_db) * np.float32(255.0 / (top_db - floor_db))
    return np.take(COLOURS, np.clip(np.rint(scaled), 0, 255).astype(np.uint8), axis=0)


def images(power: np.ndarray, channels: Sequence[int], rate: int,
           settings: SpectrogramSettings) -> dict[int, np.ndarray]:
    """uint8 RGB (rows, columns, 3) per channel (MIX: the mean of all) from power (channels, columns, bins)."""
    return {c: colourize(to_db(power.mean(axis=0) if c == MIX else power[c], rate, settings),
                         settings.floor_db, settings.top_db) for c in channels}


def _per_channel(data: np.ndarray, to_power: Callable[[np.ndarray], np.ndarray], channels: Sequence[int],
                 rate: int, settings: SpectrogramSettings) -> dict[int, np.ndarray]:
    """Images of the requested channels from per-channel `data` (windows, overview codes): the power of only the
    channels shown, or of all for MIX."""
    wanted = list(dict.fromkeys(channels))
    if any(not MIX <= c < len(data) for c in wanted):
        raise ValueError(f"channels {wanted}: the recording has {len(data)} (MIX = -1 for their mean)")
    if MIX in wanted or sorted(wanted) == list(range(len(data))):
        return images(to_power(data), wanted, rate, settings)
    made = images(to_power(data[wanted]), range(len(wanted)), rate, settings)
    return {c: made[k] for k, c in enumerate(wanted)}


def spectrogram(reader: WindowReader, times: np.ndarray, n_fft: int, channels: Sequence[int],
                settings: SpectrogramSettings) -> dict[int, np.ndarray]:
    """uint8 RGB images (rows, len(times), 3), one per requested channel (MIX: the mean power of all), of the
    windows centred on `times` (s); the samples are read once for every channel."""
    frames = reader.windows(np.rint(np.asarray(times) * reader.rate).astype(np.int64), n_fft)
    return _per_channel(frames, power_spectra, channels, reader.rate, settings)


def render_tile(reader: WindowReader, level: int, index: int, channels: Sequence[int],
                settings: SpectrogramSettings) -> dict[int, np.ndarray]:
    """Tile `index` at `level` read from the recording, one image per requested channel (see spectrogram)."""
    return spectrogram(reader, column_times(level, index), fft_size(reader.rate, level), channels, settings)


def overview_level(duration_s: float, channels: int) -> int:
    """The finest level whose cells for the whole recording fit in OVERVIEW_BYTES (0.125 s up to ~2 h of stereo)."""
    level = OVERVIEW_LEVEL
    while (duration_s / 2.0**level + 1) * (MAX_FFT // 2 + 1) * channels > OVERVIEW_BYTES and level < MAX_LEVEL:
        level += 1
    return level


class Overview:
    """The mean power of every cell (2**level seconds) of a recording, per channel and bin of a MAX_FFT-point STFT
    (hop half a window: with Hann, every sample weighs the same), as 0.5 dB codes from -120 dB; filled in order by
    `feed` (a decode pass: core.audio.iter_chunks), complete after `finish`. Tiles at `level` or coarser that it
    covers come from it (`tile`). Written and read by one worker thread; `covered_s` may be read from any."""

    def __init__(self, rate: int, channels: int, duration_s: float) -> None:
        self.rate, self.channels = rate, channels
        self.level = level = overview_level(duration_s, channels)
        self.codes = np.zeros((channels, math.ceil(duration_s / 2.0**level) + 1, MAX_FFT // 2 + 1), np.uint8)
        self.cells_done = 0
        self.complete = False
        self._cell = 2.0**level * rate  # samples a cell (rarely whole)
        self._hop = MAX_FFT // 2
        self._start = -MAX_FFT // 2  # the sample at _held[:, 0]; window m is centred on sample m * hop
        self._held = np.zeros((channels, MAX_FFT // 2), np.float32)  # silence before the start
        self._window = 0
        self._open: tuple[int, np.ndarray, int] | None = None  # the cell being summed: index, power sum, windows

    @property
    def covered_s(self) -> float:
        """Seconds from the start whose cells are final."""
        return float("inf") if self.complete else self.cells_done * 2.0**self.level

    def covers(self, level: int, index: int) -> bool:
        return level >= self.level and (index + 1) * tile_span(level) <= self.covered_s

    def feed(self, chunk: np.ndarray) -> None:
        """The next samples, float32 (channels, n), in order from the start."""
        held = np.concatenate([self._held, chunk], axis=1)
        last = (self._start + held.shape[1] - MAX_FFT // 2) // self._hop  # the last window wholly held
        if last >= self._window:
            centres = np.arange(self._window, last + 1) * self._hop
            frames = sliding_window_view(held, MAX_FFT, axis=1)[:, centres - MAX_FFT // 2 - self._start]
            self._add((centres // self._cell).astype(np.int64), power_spectra(frames))
            self._window = last + 1
        keep = self._window * self._hop - MAX_FFT // 2 - self._start
        self._held, self._start = held[:, keep:], self._start + keep

    def finish(self) -> None:
        """The end of the recording: the windows over its last samples, and every cell final."""
        self.feed(np.zeros((self.channels, MAX_FFT // 2), np.float32))
        if self._open is not None:
            self._close(*self._open)
        self.complete = True

    def tile(self, level: int, index: int, channels: Sequence[int],
             settings: SpectrogramSettings) -> dict[int, np.ndarray]:
        """Tile `index` at `level` (>= self.level): each column the mean power of its cells (see spectrogram)."""
        factor = 1 << (level - self.level)
        first = index * TILE_COLUMNS * factor
        codes = self.codes[:, first : first + TILE_COLUMNS * factor]
        if codes.shape[1] < TILE_COLUMNS * factor:  # past the end: silence
            codes = np.pad(codes, ((0, 0), (0, TILE_COLUMNS * factor - codes.shape[1]), (0, 0)))

        def power(codes: np.ndarray) -> np.ndarray:  # a column's cells summed one at a time: small arrays, fast
            cells = codes.reshape(len(codes), TILE_COLUMNS, factor, -1)
            total = np.take(_POWER, cells[:, :, 0])
            for k in range(1, factor):
                total += np.take(_POWER, cells[:, :, k])
            return total if factor == 1 else total * np.float32(1 / factor)

        return _per_channel(codes, power, channels, self.rate, settings)

    def _add(self, cells: np.ndarray, power: np.ndarray) -> None:
        """Sum the windows' power into their cells; every cell but the last one touched is final."""
        starts = np.flatnonzero(np.diff(cells, prepend=-1))
        sums = np.add.reduceat(power, starts, axis=1)
        counts = np.diff(np.append(starts, len(cells)))
        for k, cell in enumerate(cells[starts]):
            total, count = sums[:, k], int(counts[k])
            if self._open is not None and self._open[0] == cell:
                total, count = total + self._open[1], count + self._open[2]
            elif self._open is not None:
                self._close(*self._open)
            self._open = (int(cell), total, count)

    def _close(self, cell: int, total: np.ndarray, count: int) -> None:
        if cell < self.codes.shape[1]:
            db = 10.0 * np.log10(np.maximum(total / count, 1e-20))
            self.codes[:, cell] = np.clip(np.rint((db + 120.0) * 2), 0, 255)
        self.cells_done = cell + 1
        self._open = None


class WindowReader:
    """Reads sample windows from one open container, for one worker thread: a run of close windows in one read,
    windows far apart one by one (seek a little early for the decoder's preroll, decode only that)."""

    def __init__(self, source: Source) -> None:
        self._source = source
        self.name = source_name(source)
        self._container, self._stream = open_audio(source)
        self.rate: int = self._stream.rate
        self.channels: int = self._stream.channels
        ctx = self._stream.codec_context
        frame = ctx.frame_size if ctx is not None else 0
        lossless = ctx is not None and ctx.codec.lossless
        # MP3 needs three frames after a seek to decode exactly (bit reservoir, overlap); PCM and FLAC none.
        self._preroll = 0 if lossless else 3 * frame if frame else round(0.1 * self.rate)
        self._frame = frame or 1024
        tb = self._stream.time_base
        assert tb is not None
        self._tick = float(tb)  # seconds a time-stamp unit; a float: Fraction arithmetic costs ~10 us a window
        self._origin = self._stream.start_time or 0

    def close(self) -> None:
        self._container.close()

    def windows(self, centres: np.ndarray, n_fft: int) -> np.ndarray:
        """float32 (channels, len(centres), n_fft): the window centred on each sample index (ascending)."""
        # Far apart, the samples between windows cost more to decode than a seek and a preroll per window.
        if len(centres) > 1 and np.diff(centres).min() - n_fft > self._preroll + 2 * self._frame:
            out = np.empty((self.channels, len(centres), n_fft), np.float32)
            for k, centre in enumerate(centres):
                out[:, k] = self.read(int(centre) - n_fft // 2, n_fft)
            return out
        first = int(centres[0]) - n_fft // 2
        block = self.read(first, int(centres[-1]) - int(centres[0]) + n_fft)
        return frames_from_samples(block, first, centres, n_fft)

    def read(self, first: int, count: int) -> np.ndarray:
        """float32 (channels, count) from sample `first` on; zeros before 0 and past the end. AudioError on
        damage (a damaged packet alone is skipped, as players do)."""
        out = np.zeros((self.channels, count), np.float32)
        lo, end_wanted = max(first, 0), first + count
        stream, origin = self._stream, self._origin
        with translated(self.name):
            target = max(lo - self._preroll, 0) / self.rate
            try:
                self._container.seek(round(target / self._tick) + origin, stream=stream, backward=True)
            except av.error.FFmpegError:  # a demuxer that refuses this seek: decode from the start
                self._container.close()
                self._container, self._stream = open_audio(self._source)
                stream = self._stream
            position: int | None = None
            for packet in self._container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    continue
                for frame in frames:
                    if position is None:  # the first frame places the run, then samples are counted (read_range)
                        pts = frame.pts
                        position = round((pts - origin) * self._tick * self.rate) if pts is not None else 0
                    _place(frame, position - first, out, lo - first)
                    position += frame.samples
                if position is not None and position >= end_wanted:
                    break
        return out


def _place(frame: AudioFrame, at: int, out: np.ndarray, lo: int) -> None:
    """Copy the frame's samples to out[:, at:], those from column `lo` on that fit."""
    a, b = max(lo, at), min(out.shape[1], at + frame.samples)
    if b <= a:
        return
    if frame.format.name == "fltp":  # what the lossy decoders give: read the planes, 4x faster than to_ndarray
        for channel, plane in enumerate(frame.planes[: len(out)]):
            out[channel, a:b] = np.frombuffer(plane, np.float32, frame.samples)[a - at : b - at]
    else:
        out[:, a:b] = frame_array(frame, len(out))[:, a - at : b - at]
