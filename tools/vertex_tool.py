"""What the click-to-add-vertices tools share (polygon, polyline): click adds a vertex; Enter, N or a double-click
finishes; Backspace (or Ctrl+Z while drawing) removes the last vertex; Esc drops the shape."""

from __future__ import annotations

from typing import ClassVar

from core.document import AddAnnotations
from core.geometry import Point
from core.shapes import Shape
from tools.base import Overlay, Tool, ToolHost
from tools.events import Button, Key, Pointer


class VertexClickTool(Tool):
    """Base of the tools that build a shape from clicked vertices; subclasses say how to make and check it."""

    cursor = "crosshair"
    min_vertices: ClassVar[int] = 2

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._points: list[Point] = []
        self._cursor: Point | None = None

    def make(self, points: tuple[Point, ...]) -> Shape:
        """The shape through these vertices."""
        raise NotImplementedError

    def degenerate(self, shape: Shape) -> bool:
        """True for a finished shape too small to keep (a slip of the hand)."""
        return False

    def closes_at(self, q: Point) -> bool:
        """True when a click at q finishes the shape instead of adding a vertex."""
        return False

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        q = self.host.clamp(p.point)
        if self.closes_at(q):
            self._finish()
        elif not self._points or q != self._points[-1]:
            self._points.append(q)
        self._cursor = q

    def move(self, p: Pointer) -> None:
        self._cursor = self.host.clamp(p.point)

    def double_click(self, p: Pointer) -> None:
        """Finish; a double-click is sent instead of a second press, so it adds a vertex when it cannot finish."""
        if len(self._points) >= self.min_vertices:
            self._finish()
        else:
            self.press(p)

    def key(self, k: Key) -> bool:
        if not self._points:
            return False
        if k.name in ("Enter", "n") and not k.ctrl:
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
        cursor = "pointing" if self._cursor is not None and self.closes_at(self._cursor) else self.cursor
        return Overlay(
            drawing=self.make(tuple(self._points + tail)),
            drawing_label=self.host.current_label,
            cursor=cursor,
            hint=f"{len(self._points)} vertices: click to add, Enter or double-click to finish, Backspace to undo one",
        )

    def _finish(self) -> None:
        """Add the shape; with too few vertices keep drawing, a degenerate one is dropped."""
        if len(self._points) < self.min_vertices:
            return
        shape = self.make(tuple(self._points))
        self._points.clear()
        if self.degenerate(shape):
            return
        annotation = self.host.new_annotation(shape)
        if annotation is not None:
            self.host.execute(AddAnnotations((annotation,), f"Draw {self.name}"))
            self.host.select((annotation.id,))
