"""The point tool: each click places one point (landmarks, object centres)."""

from __future__ import annotations

from core.document import AddAnnotations
from core.shapes import PointShape
from tools.base import Tool
from tools.events import Button, Pointer


class PointTool(Tool):
    name = "point"
    cursor = "crosshair"

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT:
            return
        annotation = self.host.new_annotation(PointShape(*self.host.clamp(p.point)))
        if annotation is not None:
            self.host.execute(AddAnnotations((annotation,), "Draw point"))
            self.host.select((annotation.id,))

    def double_click(self, p: Pointer) -> None:
        """The second press of a double-click lands on the point just placed: no second point there."""
