"""The segment tool: SAM-style clicking. Qt-free, and free of inference imports: the model comes in as a
`PromptSegmenter` that the app sets on the editor (`editor.segmenter`) for the task on show.

Left click adds an include point, right click or Shift+click an exclude point, a left drag gives a box (a new drag
replaces it). After each prompt the segmenter computes the mask, shown as a preview; Enter commits it as a mask (or,
per the segmenter's `as_polygon`, as the largest outline) with the current label, in one undo step; Backspace removes
the last prompt; Esc drops them all. Where the label does not allow the preferred kind, the other one is used.
"""

from __future__ import annotations

from typing import Protocol

from core.document import AddAnnotations
from core.geometry import Point, Rect, distance
from core.shapes import Mask, Polygon, Shape, polygons_from_mask
from tools.base import DRAG_PX, Overlay, Tool, ToolHost
from tools.events import Button, Key, Pointer

INCLUDE, EXCLUDE = 1, 0  # point labels, as in the SAM decoder's prompt


class PromptSegmenter(Protocol):
    """The model behind the tool, bound to one image: a mask for the prompts, or None when it cannot give one (the
    app has said why). It may wait for the image's encoding, which the app started when the task opened."""

    @property
    def as_polygon(self) -> bool: ...

    def segment(self, points: tuple[Point, ...], labels: tuple[int, ...], box: Rect | None) -> Mask | None: ...


class SegmentTool(Tool):
    name = "segment"
    cursor = "crosshair"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._points: list[Point] = []
        self._labels: list[int] = []
        self._box: Rect | None = None
        self._mask: Mask | None = None
        self._press: tuple[Point, int] | None = None  # where the button went down, and the point label it gives
        self._drag: Rect | None = None  # the box being dragged
        self._note = ""

    @property
    def segmenter(self) -> PromptSegmenter | None:
        """Looked up on each use: the app sets it on the editor after the tool may have been made."""
        return getattr(self.host, "segmenter", None)

    def press(self, p: Pointer) -> None:
        if p.button == Button.MIDDLE:
            return
        exclude = p.button == Button.RIGHT or p.shift
        self._press = (self.host.clamp(p.point), EXCLUDE if exclude else INCLUDE)

    def move(self, p: Pointer) -> None:
        if self._press is None or self._press[1] == EXCLUDE:
            return
        q = self.host.clamp(p.point)
        if self._drag is not None or distance(q, self._press[0]) > self.host.screen_px(DRAG_PX):
            self._drag = Rect.from_corners(self._press[0], q)

    def release(self, p: Pointer) -> None:
        if self._press is None:
            return
        (start, label), drag = self._press, self._drag
        self._press = self._drag = None
        if drag is not None:
            self._box = drag
        else:
            self._points.append(start)
            self._labels.append(label)
        self._run()

    def double_click(self, p: Pointer) -> None:
        """A second click at the same place would only repeat the prompt: take it as one click."""

    def key(self, k: Key) -> bool:
        if not self._has_prompts() or k.ctrl or k.alt:
            return False
        if k.name == "Enter":
            self._commit()
            return True
        if k.name == "Backspace":
            if self._points:
                self._points.pop()
                self._labels.pop()
            else:
                self._box = None
            self._run()
            return True
        return False

    def cancel(self) -> bool:
        had = self._has_prompts() or self._drag is not None
        self._clear()
        return had

    def overlay(self) -> Overlay:
        prompts = tuple((x, y, label == INCLUDE) for (x, y), label in zip(self._points, self._labels, strict=True))
        return Overlay(
            drawing=self._mask,
            drawing_label=self.host.current_label,
            rubber_band=self._drag or self._box,
            cursor=self.cursor,
            prompts=prompts,
            hint=self._hint(),
        )

    def _hint(self) -> str:
        if self.segmenter is None:
            return "Segment: choose a segmentation model first (Model → Choose segmentation model…)"
        if self._note:
            return self._note
        if not self._has_prompts():
            return "Segment: click the object (right or Shift+click excludes), or drag a box"
        return "Enter keeps the mask, Backspace removes the last click, Esc drops them"

    def _has_prompts(self) -> bool:
        return bool(self._points) or self._box is not None

    def _clear(self) -> None:
        self._points.clear()
        self._labels.clear()
        self._box = self._mask = self._press = self._drag = None
        self._note = ""

    def _run(self) -> None:
        """Ask the segmenter for the mask of the prompts so far (only the decoder runs: the image is encoded)."""
        segmenter = self.segmenter
        self._mask = None
        if segmenter is not None and self._has_prompts():
            self._mask = segmenter.segment(tuple(self._points), tuple(self._labels), self._box)
        self._note = "" if self._mask is None or self._mask.area() > 0 else "Segment: the mask is empty here"

    def _commit(self) -> None:
        segmenter, mask = self.segmenter, self._mask
        if segmenter is None or mask is None or mask.area() == 0:
            return
        shape = self._shape(mask, segmenter.as_polygon)
        annotation = self.host.new_annotation(shape) if shape is not None else None
        if annotation is None:
            self._note = f"Segment: label {self.host.current_label!r} allows neither masks nor polygons"
            return
        self._clear()
        self.host.execute(AddAnnotations((annotation,), "Segment"))
        self.host.select((annotation.id,))

    def _shape(self, mask: Mask, as_polygon: bool) -> Shape | None:
        label = self.host.schema.get(self.host.current_label)
        kinds = (Polygon.kind, Mask.kind) if as_polygon else (Mask.kind, Polygon.kind)
        for kind in kinds:
            if label is not None and not label.allows(kind):
                continue
            if kind == Mask.kind:
                return mask
            outlines = sorted((Polygon.from_points(p) for p in polygons_from_mask(mask)), key=_area, reverse=True)
            if outlines:
                return outlines[0]
        return None


def _area(polygon: Polygon) -> float:
    return polygon.area()
