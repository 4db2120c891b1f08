"""Raster masks stored compactly as COCO run-length encoding, and polygon <-> mask conversion.

Runs are over the whole image in column-major order, starting with a run of background (COCO's layout), so a mask
round-trips to COCO and pycocotools without conversion. The JSON payload uses COCO's compressed counts string.
A mask is built from, and read back as, the crop of its bounding box (`from_crop`, `crop`) in time and memory of
the crop and the runs, so a mask on a gigapixel image never needs an image-sized array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np

from core.geometry import Point, Rect
from core.shapes.base import ShapeError, register_shape

# The box of a mask that a file gives as pixels (CVAT's RLE, labelme's PNG) is unpacked into a boolean array of the
# box: 256 MP (a mask covering a third of a 900 MP slide) is 256 MB; a box past this is refused before any allocation.
MAX_MASK_BOX_PIXELS = 1 << 28


def rle_encode(mask: np.ndarray) -> tuple[int, ...]:
    """Run lengths of a 2-D boolean mask, column-major, background first."""
    flat = np.asarray(mask, dtype=bool).ravel(order="F")
    if flat.size == 0:
        return ()
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    counts = np.diff(np.concatenate(([0], changes, [flat.size])))
    if flat[0]:
        counts = np.concatenate(([0], counts))
    return tuple(int(c) for c in counts)


def rle_decode(counts: Sequence[int], height: int, width: int) -> np.ndarray:
    values = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    return values.reshape((width, height)).T


def counts_to_string(counts: Sequence[int]) -> str:
    """COCO's compressed counts (maskApi.c rleToString): deltas in 5-bit groups, offset by 48."""
    out = []
    for i, count in enumerate(counts):
        x = count - counts[i - 2] if i > 2 else count
        more = True
        while more:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def counts_from_string(text: str) -> tuple[int, ...]:
    counts: list[int] = []
    p = 0
    while p < len(text):
        x, k, more = 0, 0, True
        while more:
            if p >= len(text):
                raise ShapeError("mask: truncated RLE counts string")
            c = ord(text[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return tuple(counts)


@register_shape
@dataclass(frozen=True, slots=True)
class Mask:
    width: int
    height: int
    counts: tuple[int, ...]
    kind: ClassVar[str] = "mask"

    @classmethod
    def from_array(cls, mask: np.ndarray) -> Mask:
        height, width = mask.shape[:2]
        return cls(width, height, rle_encode(mask))

    @classmethod
    def from_crop(cls, bits: np.ndarray, left: int, top: int, width: int, height: int) -> Mask:
        """The mask of a `width` x `height` image whose pixels are `bits` (rows x columns) placed at (left, top)
        and clear elsewhere; what falls outside the image is cut off. Never allocates the whole image."""
        bits = np.asarray(bits, dtype=bool)
        x0, y0 = max(0, left), max(0, top)
        x1, y1 = min(width, left + bits.shape[1]), min(height, top + bits.shape[0])
        total = width * height
        if x1 <= x0 or y1 <= y0:
            return cls(width, height, (total,) if total else ())
        crop = bits[y0 - top : y1 - top, x0 - left : x1 - left]
        rows = y1 - y0
        gap = int(rows < height)  # one clear row below each column stands for the rest of the image's column
        flat = np.zeros((rows + gap, x1 - x0), dtype=bool)
        flat[:rows] = crop
        flat = flat.ravel(order="F")
        changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
        edges = (x0 + changes // (rows + gap)) * height + y0 + changes % (rows + gap)  # as whole-image indices
        if flat[0]:
            edges = np.concatenate(([x0 * height + y0], edges))
        if flat[-1]:  # only without the gap row: the crop reaches the image's bottom right through full columns
            edges = np.concatenate((edges, [x1 * height]))
        counts = np.diff(np.concatenate(([0], edges, [total])))
        if len(counts) > 1 and counts[-1] == 0:
            counts = counts[:-1]
        return cls(width, height, tuple(int(c) for c in counts))

    @classmethod
    def from_json(cls, data: Any) -> Mask:
        """From {"size": [h, w], "counts": str | list[int]} (COCO RLE, compressed or not)."""
        if not isinstance(data, dict) or not isinstance(data.get("size"), list) or len(data["size"]) != 2:
            raise ShapeError('mask: expected {"size": [height, width], "counts": ...}')
        height, width = data["size"]
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (height, width)):
            raise ShapeError("mask: size must be two non-negative integers")
        raw = data.get("counts")
        if isinstance(raw, str):
            counts = counts_from_string(raw)
        elif isinstance(raw, list) and all(isinstance(c, int) and not isinstance(c, bool) for c in raw):
            counts = tuple(raw)
        else:
            raise ShapeError("mask: counts must be a COCO RLE string or a list of integers")
        if any(c < 0 for c in counts) or sum(counts) != height * width:
            raise ShapeError(f"mask: run lengths add up to {sum(counts)}, not {height} x {width} pixels")
        return cls(width, height, counts)

    def to_array(self) -> np.ndarray:
        """The whole image as a boolean array: `crop` is what a huge image can afford."""
        return rle_decode(self.counts, self.height, self.width)

    def crop(self) -> tuple[np.ndarray, int, int]:
        """The pixels within `bounds()` (rows x columns) and their left and top; an empty mask gives a 0 x 0 crop."""
        b = self.bounds()
        x0, y0, x1, y1 = int(b.x1), int(b.y1), int(b.x2), int(b.y2)
        if x1 <= x0 or y1 <= y0:
            return np.zeros((0, 0), dtype=bool), 0, 0
        rows, h = y1 - y0, self.height
        ends = np.cumsum(np.asarray(self.counts, dtype=np.int64))
        # each run end as a count of the crop's pixels before it (the crop in column-major order), so the runs
        # repeat straight into the crop
        column, row = ends // h, ends % h
        inside = (column >= x0) & (column < x1)
        before = np.clip(column - x0, 0, x1 - x0) * rows + np.where(inside, np.clip(row - y0, 0, rows), 0)
        lengths = np.diff(before, prepend=0)
        flat = np.repeat(np.arange(len(self.counts)) % 2 == 1, lengths)
        return flat.reshape(x1 - x0, rows).T, x0, y0

    def _runs(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end (exclusive) of each foreground run, as flat column-major indices."""
        ends = np.cumsum(np.asarray(self.counts, dtype=np.int64))
        starts = ends - np.asarray(self.counts, dtype=np.int64)
        fg = (np.arange(len(self.counts)) % 2 == 1) & (np.asarray(self.counts) > 0)
        return starts[fg], ends[fg]

    def bounds(self) -> Rect:
        starts, ends = self._runs()
        if starts.size == 0:
            return Rect(0, 0, 0, 0)
        h = self.height
        first_col, last_col = starts // h, (ends - 1) // h
        one_col = first_col == last_col
        rows_min = np.where(one_col, starts % h, 0).min()
        rows_max = np.where(one_col, (ends - 1) % h, h - 1).max()
        return Rect(float(first_col.min()), float(rows_min), float(last_col.max() + 1), float(rows_max + 1))

    def area(self) -> float:
        return float(sum(self.counts[1::2]))

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        x, y = int(p[0]), int(p[1])
        if not (0 <= x < self.width and 0 <= y < self.height):
            return False
        run = int(np.searchsorted(np.cumsum(self.counts), x * self.height + y, side="right"))
        return run % 2 == 1

    def translated(self, dx: float, dy: float) -> Mask:
        bits, left, top = self.crop()
        return Mask.from_crop(bits, left + round(dx), top + round(dy), self.width, self.height)

    def vertices(self) -> tuple[Point, ...]:
        return ()

    def with_vertex(self, index: int, p: Point) -> Mask:
        raise ShapeError("mask: has no vertices; edit it with the brush")

    def to_json(self) -> dict[str, Any]:
        return {"size": [self.height, self.width], "counts": counts_to_string(self.counts)}


def mask_from_polygons(polygons: Sequence[Sequence[Point]], width: int, height: int) -> Mask:
    """Rasterise polygons: a pixel is set when its centre lies inside a polygon or on its outline.

    With `polygons_from_mask` tracing outlines through the centres of the border pixels, a mask survives the round
    trip to polygons and back pixel for pixel, and a box on pixel edges covers exactly the pixels inside it.
    """
    shapes = [np.asarray(polygon, dtype=np.float64) for polygon in polygons if len(polygon) >= 3]
    if not shapes:
        return Mask.from_crop(np.zeros((0, 0), dtype=bool), 0, 0, width, height)
    corners = np.concatenate(shapes)
    left, top = (max(0, int(np.floor(v))) for v in corners.min(axis=0))
    right = min(width, int(np.ceil(corners[:, 0].max())) + 1)
    bottom = min(height, int(np.ceil(corners[:, 1].max())) + 1)
    canvas = np.zeros((max(0, bottom - top), max(0, right - left)), dtype=bool)  # the polygons' box, not the image
    for pts in shapes:
        _fill(canvas, pts - (left, top))
    return Mask.from_crop(canvas, left, top, width, height)


def _fill(canvas: np.ndarray, pts: np.ndarray, eps: float = 1e-6) -> None:
    """Even-odd scanline fill at pixel centres; probing just above and below each centre keeps outlines inclusive."""
    height, width = canvas.shape
    x0, y0 = pts[:, 0], pts[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    top = max(0, int(np.floor(y0.min() - 0.5)))
    bottom = min(height - 1, int(np.ceil(y0.max() - 0.5)))
    if top > bottom:
        return
    centres = np.arange(top, bottom + 1, dtype=np.float64)[:, None] + 0.5
    for probe in (centres + eps, centres - eps):
        crossing = (y0 <= probe) != (y1 <= probe)
        with np.errstate(divide="ignore", invalid="ignore"):
            xs = np.where(crossing, x0 + (probe - y0) * (x1 - x0) / (y1 - y0), np.inf)
        xs.sort(axis=1)
        counts = crossing.sum(axis=1)
        for r in np.flatnonzero(counts >= 2):
            row = xs[r, : counts[r]]
            for a, b in zip(row[0::2], row[1::2], strict=False):
                lo, hi = max(0, int(np.ceil(a - 0.5 - eps))), min(width - 1, int(np.floor(b - 0.5 + eps)))
                if lo <= hi:
                    canvas[top + r, lo : hi + 1] = True


def polygons_from_mask(mask: Mask | np.ndarray, tolerance: float = 0.7, min_area: float = 1.0) -> list[list[Point]]:
    """Outer contours of a mask as polygons, simplified to within `tolerance` pixels; tiny specks dropped."""
    array, left, top = mask.crop() if isinstance(mask, Mask) else (np.asarray(mask, dtype=bool), 0, 0)
    if array.size == 0:
        return []
    contours, _ = cv2.findContours(array.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE,
                                   offset=(left, top))
    polygons = []
    for contour in contours:
        if cv2.contourArea(contour) < min_area:
            continue
        simple = cv2.approxPolyDP(contour, tolerance, True) if tolerance > 0 else contour
        if len(simple) >= 3:
            # Contours run through pixel centres; +0.5 puts them on the pixel grid of the image coordinates.
            polygons.append([(float(x) + 0.5, float(y) + 0.5) for x, y in simple.reshape(-1, 2)])
    return polygons
