"""A peaks pyramid: min and max per block of samples at several zoom levels, per channel, as int16.

Level k holds one (min, max) pair per BASE_BLOCK * FACTOR**k samples, so a view of any width draws from the level
nearest its samples-per-pixel without touching the audio; below BASE_BLOCK samples a pixel the view reads samples
(core.audio.read_range). A 1-hour 44.1 kHz stereo file takes about 6.6 MB (5 MB of it the finest level), stored in
the workspace by content hash. `PeaksBuilder` grows the pyramid while audio is decoded; its `snapshot` covers what
has been decoded so far, so a first view can be drawn long before the file is done.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

BASE_BLOCK = 256
FACTOR = 4
LEVELS = 6  # 256 ... 262,144 samples a block: an hour at 44.1 kHz is 606 blocks at the coarsest level
_MAGIC = b"ADPK"
_VERSION = 1
_HEADER = struct.Struct("<4sHHIQIHH")  # magic, version, channels, rate, samples, base block, factor, levels
_COUNT = struct.Struct("<Q")
_FULL = 32767.0


@dataclass(frozen=True)
class PeaksPyramid:
    """Levels of int16 arrays shaped (channels, blocks, 2): [..., 0] the minimum, [..., 1] the maximum of a block.

    `samples` is how many samples per channel the levels cover; `complete` is False for a snapshot taken while
    decoding goes on (the levels then cover the start of the recording only).
    """

    sample_rate: int
    channels: int
    samples: int
    levels: tuple[np.ndarray, ...]
    complete: bool = True
    base_block: int = BASE_BLOCK
    factor: int = FACTOR

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    def block(self, level: int) -> int:
        """Samples per block at `level`."""
        return self.base_block * self.factor**level

    def level_for(self, samples_per_pixel: float) -> int | None:
        """The coarsest level whose blocks are no wider than a pixel; None below the finest (read samples then)."""
        if samples_per_pixel < self.base_block:
            return None
        best = 0
        for k in range(len(self.levels)):
            if self.block(k) <= samples_per_pixel:
                best = k
        return best

    def window(self, level: int, start_s: float, end_s: float) -> np.ndarray:
        """The blocks of `level` covering the time range, as (channels, blocks, 2) int16 (a view, not a copy)."""
        block = self.block(level)
        first = max(0, int(start_s * self.sample_rate) // block)
        last = max(first, -(-int(np.ceil(end_s * self.sample_rate)) // block))
        return self.levels[level][:, first:last]

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(_MAGIC, _VERSION, self.channels, self.sample_rate, self.samples, self.base_block,
                              self.factor, len(self.levels))
        counts = b"".join(_COUNT.pack(level.shape[1]) for level in self.levels)
        return header + counts + b"".join(np.ascontiguousarray(level, dtype="<i2").tobytes() for level in self.levels)

    @classmethod
    def from_bytes(cls, data: bytes) -> PeaksPyramid:
        """The pyramid `to_bytes` wrote; the arrays are read-only views of `data` (no copy). ValueError if damaged."""
        if len(data) < _HEADER.size:
            raise ValueError("peaks: too short for a header")
        magic, version, channels, rate, samples, base, factor, count = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != _VERSION:
            raise ValueError(f"peaks: not a version-{_VERSION} peaks pyramid")
        if not (1 <= channels <= 64 and base >= 1 and factor >= 2 and count <= 32):
            raise ValueError("peaks: damaged header")
        offset = _HEADER.size + count * _COUNT.size
        if len(data) < offset:
            raise ValueError("peaks: truncated block counts")
        levels = []
        for k in range(count):
            (blocks,) = _COUNT.unpack_from(data, _HEADER.size + k * _COUNT.size)
            size = channels * blocks * 2
            if offset + size * 2 > len(data):
                raise ValueError(f"peaks: level {k} runs past the end of the data")
            array = np.frombuffer(data, dtype="<i2", count=size, offset=offset).reshape(channels, blocks, 2)
            levels.append(array)
            offset += size * 2
        if offset != len(data):
            raise ValueError("peaks: trailing bytes after the last level")
        return cls(rate, channels, samples, tuple(levels), True, base, factor)


class _Grow:
    """An append-only (channels, n, 2) int16 buffer whose filled part can be viewed while it grows."""

    def __init__(self, channels: int) -> None:
        self.buf = np.empty((channels, 1024, 2), dtype=np.int16)
        self.n = 0

    def append(self, blocks: np.ndarray) -> None:
        need = self.n + blocks.shape[1]
        if need > self.buf.shape[1]:
            bigger = np.empty((self.buf.shape[0], max(need, 2 * self.buf.shape[1]), 2), dtype=np.int16)
            bigger[:, : self.n] = self.buf[:, : self.n]
            self.buf = bigger  # views handed out before still see the old buffer, whose filled part never changes
        self.buf[:, self.n : need] = blocks
        self.n = need

    def view(self) -> np.ndarray:
        return self.buf[:, : self.n]


def _reduce(blocks: np.ndarray, group: int) -> np.ndarray:
    """(channels, n * group, 2) min/max pairs -> (channels, n, 2), combining `group` neighbours."""
    c, n = blocks.shape[0], blocks.shape[1] // group
    r = blocks[:, : n * group].reshape(c, n, group, 2)
    return np.stack((r[..., 0].min(axis=2), r[..., 1].max(axis=2)), axis=-1)


class PeaksBuilder:
    """Feed it decoded float32 (channels, samples) chunks in order; it keeps every level current."""

    def __init__(self, sample_rate: int, channels: int, levels: int = LEVELS) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self.samples = 0
        self._carry = np.zeros((channels, 0), dtype=np.float32)  # samples of the unfinished finest block
        self._levels = [_Grow(channels) for _ in range(levels)]
        self._pending: list[np.ndarray] = [np.zeros((channels, 0, 2), np.int16) for _ in range(levels)]

    def feed(self, chunk: np.ndarray) -> None:
        if chunk.shape[0] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {chunk.shape[0]}")
        self.samples += chunk.shape[1]
        data = np.concatenate((self._carry, chunk), axis=1) if self._carry.shape[1] else chunk
        full = data.shape[1] // BASE_BLOCK * BASE_BLOCK
        self._carry = np.array(data[:, full:], dtype=np.float32)
        if full:
            r = data[:, :full].reshape(self.channels, -1, BASE_BLOCK)
            self._push(0, _quantize(np.stack((r.min(axis=2), r.max(axis=2)), axis=-1)))

    def _push(self, level: int, blocks: np.ndarray) -> None:
        self._levels[level].append(blocks)
        if level + 1 == len(self._levels):
            return
        pending = np.concatenate((self._pending[level], blocks), axis=1)
        whole = pending.shape[1] // FACTOR * FACTOR
        self._pending[level] = pending[:, whole:]
        if whole:
            self._push(level + 1, _reduce(pending[:, :whole], FACTOR))

    def snapshot(self) -> PeaksPyramid:
        """What is built so far (each level's whole blocks), without copying; marked incomplete."""
        return PeaksPyramid(self.sample_rate, self.channels, self.samples, tuple(g.view() for g in self._levels),
                            complete=False)

    def finish(self) -> PeaksPyramid:
        """The complete pyramid: the last, partial block of each level is closed."""
        if self._carry.shape[1]:
            c = self._carry
            self._carry = np.zeros((self.channels, 0), dtype=np.float32)
            self._push(0, _quantize(np.stack((c.min(axis=1), c.max(axis=1)), axis=-1)[:, None, :]))
        for level in range(len(self._levels) - 1):
            rest = self._pending[level]
            if rest.shape[1]:
                self._pending[level] = rest[:, :0]
                self._push(level + 1, _reduce(rest, rest.shape[1]))
        levels = tuple(np.ascontiguousarray(g.view()) for g in self._levels)
        return PeaksPyramid(self.sample_rate, self.channels, self.samples, levels, complete=True)


def _quantize(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values * _FULL), -32768, 32767).astype(np.int16)
