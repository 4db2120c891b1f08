"""Image pyramids: the image at full size and halved again and again, cut into tiles, so a view at any zoom reads only
the few tiles it shows from the level nearest its scale.

Level k is the image downscaled by 2**k (sizes round up), down to a level that fits in one tile. Levels are numpy
arrays in the image's own dtype and channels (HxW grey, HxWx3 BGR, HxWx4 BGRA; uint8 or uint16): memory-mapped files
for huge images (see core.pyramid_cache), or, for images already in memory, built on first use from the next finer
level with area averaging.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping

import cv2
import numpy as np

TILE = 512  # pixels per tile side, at every level
LOW_PERCENTILE = 0.5  # 16-bit images are shown stretched between these percentiles of their values
HIGH_PERCENTILE = 99.5
_SAMPLE_PIXELS = 1 << 20


class PyramidError(ValueError):
    """Pixels that cannot form a pyramid; the message names the property that is wrong."""


def level_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """(width, height) of each level: halved (rounding up) until the level fits in one tile."""
    sizes = [(width, height)]
    while max(sizes[-1]) > TILE:
        w, h = sizes[-1]
        sizes.append(((w + 1) // 2, (h + 1) // 2))
    return sizes


def display_range(array: np.ndarray) -> tuple[float, float] | None:
    """The value range shown from black to white: None for 8-bit data, percentiles of a sample otherwise."""
    if array.dtype == np.uint8:
        return None
    colour = array[..., :3] if array.ndim == 3 and array.shape[2] == 4 else array  # alpha is not stretched
    flat = colour.reshape(-1)
    step = max(1, flat.size // _SAMPLE_PIXELS)
    lo, hi = (float(v) for v in np.percentile(flat[::step], (LOW_PERCENTILE, HIGH_PERCENTILE)))
    return (lo, hi if hi > lo else lo + 1.0)  # a flat image shows mid-grey rather than dividing by zero


def check_pixels(array: np.ndarray, what: str = "image") -> np.ndarray:
    """The array as a pyramid level 0 (HxW, HxWx3 or HxWx4; uint8 or uint16), or PyramidError naming the problem."""
    if not isinstance(array, np.ndarray):
        raise PyramidError(f"{what}: expected a numpy array, got {type(array).__name__}")
    if array.dtype not in (np.uint8, np.uint16):
        raise PyramidError(f"{what}: expected dtype uint8 or uint16, got {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise PyramidError(f"{what}: expected HxW, HxWx3 or HxWx4, got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise PyramidError(f"{what}: empty array of shape {array.shape}")
    return array


def downscale(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area-averaged resize to (width, height): every source pixel counts, so thin lines do not flicker away."""
    return cv2.resize(array, size, interpolation=cv2.INTER_AREA)


class Pyramid:
    """The levels of one image. Missing levels are built on demand from a finer one when `lazy`, else reported
    missing, so a canvas can show a coarse overview while a background build fills in the rest."""

    def __init__(
        self,
        width: int,
        height: int,
        levels: Mapping[int, np.ndarray],
        *,
        value_range: tuple[float, float] | None = None,
        lazy: bool = False,
        complete: bool = True,
    ) -> None:
        self.width, self.height = width, height
        self.sizes = level_sizes(width, height)
        self.value_range = value_range
        self.complete = complete
        self._levels = dict(levels)
        self._lazy = lazy
        self._building = threading.Lock()  # the canvas reads levels from the UI thread and a prefetch thread
        for k, level in self._levels.items():
            if (level.shape[1], level.shape[0]) != self.sizes[k]:
                raise PyramidError(f"level {k}: expected {self.sizes[k]}, got {level.shape[1]}x{level.shape[0]}")

    @classmethod
    def from_array(cls, array: np.ndarray) -> Pyramid:
        """A pyramid over pixels in memory; coarser levels are computed when first drawn."""
        array = check_pixels(array)
        return cls(array.shape[1], array.shape[0], {0: array}, value_range=display_range(array), lazy=True)

    @property
    def level_count(self) -> int:
        return len(self.sizes)

    def has_level(self, k: int) -> bool:
        return k in self._levels or (self._lazy and 0 <= k < self.level_count)

    def available_levels(self) -> list[int]:
        return [k for k in range(self.level_count) if self.has_level(k)]

    def level_for_scale(self, scale: float) -> int:
        """The available level nearest the view scale (screen pixels per image pixel), finer on a tie."""
        ideal = min(max(round(-math.log2(scale)), 0), self.level_count - 1) if scale > 0 else self.level_count - 1
        return min(self.available_levels(), key=lambda k: (abs(k - ideal), k))

    def level(self, k: int) -> np.ndarray:
        found = self._levels.get(k)
        if found is not None:
            return found
        if not self.has_level(k):
            raise KeyError(f"pyramid level {k} is not built yet")
        with self._building:
            found = self._levels.get(k)  # built by the other thread while this one waited
            if found is None:
                finer = max(i for i in self._levels if i < k)
                found = self._levels[k] = downscale(self._levels[finer], self.sizes[k])
        return found

    def tile_grid(self, k: int) -> tuple[int, int]:
        """Number of tile columns and rows at level k."""
        w, h = self.sizes[k]
        return (w + TILE - 1) // TILE, (h + TILE - 1) // TILE

    def tile(self, k: int, tx: int, ty: int) -> np.ndarray:
        """The pixels of one tile (smaller at the right and bottom edges), copied out of the level."""
        return np.ascontiguousarray(self.level(k)[ty * TILE : (ty + 1) * TILE, tx * TILE : (tx + 1) * TILE])
