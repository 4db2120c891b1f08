"""Brush and eraser for raster masks. A stroke (press, drag, release) is previewed in the overlay and applied on
release as one undo step, stored as RLE (core Mask).

The brush paints into the selected mask when it has the current label, else it starts a new mask of the current label
(and selects it, so the next strokes add to it). The eraser clears pixels of the selected mask, whatever its label;
erasing a mask to nothing deletes it. [ and ] make the brush smaller and larger (shared by both tools).
"""

from __future__ import annotations

import dataclasses

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
        target = self.target()
        if target is not None:
            assert isinstance(target.shape, Mask)
            pixels = np.array(target.shape.to_array(), dtype=bool)
        elif not self.erase and min(self.host.image_size) > 0:
            width, height = self.host.image_size
            pixels = np.zeros((height, width), dtype=bool)
        else:
            return
        before = pixels.copy()
        paint_stroke(pixels, stroke, self.host.brush_size / 2, not self.erase)
        if np.array_equal(before, pixels):
            return
        if target is None:
            annotation = self.host.new_annotation(Mask.from_array(pixels))
            if annotation is not None:
                self.host.execute(AddAnnotations((annotation,), "Paint mask"))
                self.host.select((annotation.id,))
        elif pixels.any():
            updated = dataclasses.replace(target, shape=Mask.from_array(pixels))
            self.host.execute(UpdateAnnotations((updated,), "Erase" if self.erase else "Brush stroke"))
        else:
            self.host.execute(DeleteAnnotations((target.id,), "Erase mask"))


class EraserTool(BrushTool):
    name = "eraser"
    erase = True
