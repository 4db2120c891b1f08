"""Brush and eraser for raster masks. A stroke (press, drag, release) is previewed in the overlay and applied on
release as one undo step, stored as RLE (core Mask).

The brush paints into the selected mask when it has the current label, else it starts a new mask of the current label
(and selects it, so the next strokes add to it). The eraser clears pixels of the selected mask, whatever its label;
erasing a mask to nothing deletes it. [ and ] make the brush smaller and larger (shared by both tools).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from core.annotation import Annotation
from core.document import AddAnnotations, DeleteAnnotations, UpdateAnnotations
from core.geometry import Point
from core.shapes import Mask
from tools.base import BrushOverlay, Overlay, Tool, ToolHost
from tools.events import Button, Key, Pointer
from tools.raster import paint_stroke

MIN_BRUSH, MAX_BRUSH = 1.0, 512.0  # brush diameter in image pixels


def resized_brush(size: float, grow: bool) -> float:
    """The next brush size up or down: steps of about 20%, at least one pixel, within [MIN_BRUSH, MAX_BRUSH]."""
    step = max(1.0, round(size * 0.2))
    return min(MAX_BRUSH, max(MIN_BRUSH, size + step if grow else size - step))


class BrushTool(Tool):
    name = "brush"
    cursor = "crosshair"
    erase = False

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._stroke: list[Point] = []
        self._at: Point | None = None

    def press(self, p: Pointer) -> None:
        if p.button == Button.LEFT:
            self._stroke = [p.point]
            self._at = p.point

    def move(self, p: Pointer) -> None:
        self._at = p.point
        if self._stroke and p.point != self._stroke[-1]:
            self._stroke.append(p.point)

    def release(self, p: Pointer) -> None:
        if p.button != Button.LEFT or not self._stroke:
            return
        self.move(p)
        stroke, self._stroke = self._stroke, []
        self._apply(stroke)

    def double_click(self, p: Pointer) -> None:
        self.press(p)

    def key(self, k: Key) -> bool:
        if k.name in ("[", "]") and not (k.ctrl or k.alt):
            self.host.set_brush_size(resized_brush(self.host.brush_size, k.name == "]"))
            return True
        return False

    def cancel(self) -> bool:
        was_painting = bool(self._stroke)
        self._stroke = []
        return was_painting

    def overlay(self) -> Overlay:
        brush = BrushOverlay(self.host.brush_size / 2, self.erase, self._at, tuple(self._stroke))
        return Overlay(drawing_label=self.host.current_label, cursor=self.cursor, brush=brush)

    def target(self) -> Annotation | None:
        """The mask a stroke goes into: the single selected mask (of the current label, for the brush)."""
        selection = self.host.selection
        if len(selection) != 1:
            return None
        a = self.host.doc.get(selection[0])
        if not isinstance(a.shape, Mask) or not self.host.pickable(a):
            return None
        return a if self.erase or a.label == self.host.current_label else None

    def _apply(self, stroke: list[Point]) -> None:
        target, current = self.target(), None
        if target is not None:
            assert isinstance(target.shape, Mask)
            current = target.shape
            width, height = current.width, current.height
        elif not self.erase and min(self.host.image_size) > 0:
            width, height = self.host.image_size
        else:
            return
        mask = stroked_mask(current, stroke, self.host.brush_size / 2, not self.erase, width, height)
        if mask is None:
            return
        if target is None:
            annotation = self.host.new_annotation(mask)
            if annotation is not None:
                self.host.execute(AddAnnotations((annotation,), "Paint mask"))
                self.host.select((annotation.id,))
        elif mask.area() > 0:
            updated = dataclasses.replace(target, shape=mask)
            self.host.execute(UpdateAnnotations((updated,), "Erase" if self.erase else "Brush stroke"))
        else:
            self.host.execute(DeleteAnnotations((target.id,), "Erase mask"))


def stroked_mask(mask: Mask | None, stroke: list[Point], radius: float, value: bool, width: int,
             height: int) -> Mask | None:
    """The mask with the stroke painted (or erased), or None when no pixel changed. Only the box around the mask
    and the stroke is decoded and painted, never the whole image (a gigapixel image has no room for that)."""
    if not stroke:
        return None
    crop, left, top = mask.crop() if mask is not None else (np.zeros((0, 0), dtype=bool), 0, 0)
    xs, ys = [x for x, _ in stroke], [y for _, y in stroke]
    x0 = max(0, math.floor(min(xs) - radius - 0.5))
    y0 = max(0, math.floor(min(ys) - radius - 0.5))
    x1 = min(width, math.ceil(max(xs) + radius - 0.5) + 1)
    y1 = min(height, math.ceil(max(ys) + radius - 0.5) + 1)
    if crop.size:
        x0, y0 = min(x0, left), min(y0, top)
        x1, y1 = max(x1, left + crop.shape[1]), max(y1, top + crop.shape[0])
    if x1 <= x0 or y1 <= y0:
        return None
    pixels = np.zeros((y1 - y0, x1 - x0), dtype=bool)
    pixels[top - y0 : top - y0 + crop.shape[0], left - x0 : left - x0 + crop.shape[1]] = crop
    paint_stroke(pixels, [(x - x0, y - y0) for x, y in stroke], radius, value)
    painted = Mask.from_crop(pixels, x0, y0, width, height)
    unchanged = painted == mask if mask is not None else painted.area() == 0
    return None if unchanged else painted


class EraserTool(BrushTool):
    name = "eraser"
    erase = True
