"""The polygon tool: click adds vertices; Enter, double-click or a click on the first vertex closes the shape."""

from __future__ import annotations

from core.document import AddAnnotations
from core.geometry import Point, distance
from core.shapes import Polygon
from tools.base import HANDLE_PX, Overlay, Tool, ToolHost
from tools.events import Button, Key, Pointer

MIN_AREA = 1.0  # square image pixels: a polygon this thin (e.g. collinear clicks) is discarded


class PolygonTool(Tool):
    name = "polygon"
    cursor = "crosshair"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._points: list[Point] = []
        self._cursor: Point | None = None

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        q = self.host.clamp(p.point)
        if self._near_first(q):
            self._finish()
        elif not self._points or q != self._points[-1]:
            self._points.append(q)
        self._cursor = q

    def move(self, p: Pointer) -> None:
        self._cursor = self.host.clamp(p.point)

    def double_click(self, p: Pointer) -> None:
        """Close the shape; a double-click is sent instead of a second press, so it adds a vertex when it cannot."""
        if len(self._points) >= Polygon.min_vertices:
            self._finish()
        else:
            self.press(p)

    def key(self, k: Key) -> bool:
        if not self._points:
            return False
        if k.name == "Enter":
            self._finish()
            return True
        if k.name == "Backspace" or (k.name == "z" and k.ctrl and not k.shift):
            self._points.pop()
            return True
        return False

    def cancel(self) -> bool:
        was_drawing = bool(self._points)
        self._points.clear()
        return was_drawing

    def overlay(self) -> Overlay:
        if not self._points:
            return Overlay(cursor=self.cursor)
        tail = [self._cursor] if self._cursor is not None and self._cursor != self._points[-1] else []
        cursor = "pointing" if self._cursor is not None and self._near_first(self._cursor) else self.cursor
        return Overlay(
            drawing=Polygon(tuple(self._points + tail)), drawing_label=self.host.current_label, cursor=cursor
        )

    def _near_first(self, q: Point) -> bool:
        return len(self._points) >= Polygon.min_vertices and distance(q, self._points[0]) <= self.host.screen_px(
            HANDLE_PX
        )

    def _finish(self) -> None:
        """Close and add the polygon; with too few vertices keep drawing, a degenerate one is dropped."""
        if len(self._points) < Polygon.min_vertices:
            return
        polygon = Polygon.from_points(self._points)
        self._points.clear()
        if polygon.area() < MIN_AREA:
            return
        annotation = self.host.new_annotation(polygon)
        if annotation is not None:
            self.host.execute(AddAnnotations((annotation,), "Draw polygon"))
            self.host.select((annotation.id,))
