"""The keypoints tool: places the points of the current label's skeleton template in template order.

Click places the next point (visible); Shift+click places it occluded; S skips it (not labeled); Q turns the last
placed point occluded or back visible; Backspace takes the last one back; Enter or N finishes early (the rest are
skipped). After the last point of the template the shape is added, as one undo step.
"""

from __future__ import annotations

from core.document import AddAnnotations
from core.geometry import Point
from core.shapes import Keypoints, Visibility
from core.shapes.keypoints import Keypoint
from tools.base import Overlay, Tool, ToolHost
from tools.events import Button, Key, Pointer


def toggled(visibility: Visibility) -> Visibility:
    """Q: visible <-> occluded; a skipped point stays skipped (it has no place to show)."""
    swap = {Visibility.VISIBLE: Visibility.OCCLUDED, Visibility.OCCLUDED: Visibility.VISIBLE}
    return swap.get(visibility, visibility)


class KeypointsTool(Tool):
    name = "keypoints"
    cursor = "crosshair"

    def __init__(self, host: ToolHost) -> None:
        super().__init__(host)
        self._points: list[Keypoint] = []
        self._cursor: Point | None = None

    def template(self) -> tuple[str, ...]:
        """Point names of the current label, or () when it has none or does not allow keypoints."""
        label = self.host.schema.get(self.host.current_label)
        return label.keypoints if label is not None and label.allows(Keypoints.kind) else ()

    def press(self, p: Pointer) -> None:
        if p.button != Button.LEFT or not self.template():
            return
        x, y = self._cursor = self.host.clamp(p.point)
        self._place((x, y, Visibility.OCCLUDED if p.shift else Visibility.VISIBLE))

    def double_click(self, p: Pointer) -> None:
        """The second press of a double-click lands on the point just placed: it places nothing."""

    def move(self, p: Pointer) -> None:
        self._cursor = self.host.clamp(p.point)

    def key(self, k: Key) -> bool:
        if (k.ctrl and k.name != "z") or not self.template():
            return False
        if k.name == "s" and not k.shift:
            self._place((0.0, 0.0, Visibility.SKIPPED))
            return True
        if not self._points:
            return False
        if k.name == "q":
            x, y, v = self._points[-1]
            self._points[-1] = (x, y, toggled(v))
            return True
        if k.name == "Backspace" or (k.name == "z" and k.ctrl and not k.shift):
            self._points.pop()
            return True
        if k.name in ("Enter", "n"):
            self._finish()
            return True
        return False

    def cancel(self) -> bool:
        was_drawing = bool(self._points)
        self._points.clear()
        return was_drawing

    def overlay(self) -> Overlay:
        names = self.template()
        if not names:
            return Overlay(cursor="arrow", hint=f"label {self.host.current_label!r} has no keypoint template")
        index = min(len(self._points), len(names) - 1)
        hint = f"{names[index]} ({index + 1}/{len(names)}): click to place, Shift+click occluded, S to skip" + (
            ", Q toggles occluded, Backspace takes back, Enter finishes" if self._points else ""
        )
        drawing = self._shape(len(names)) if self._points else None
        return Overlay(
            drawing=drawing,
            drawing_label=self.host.current_label if drawing else None,
            cursor=self.cursor,
            keypoint_next=names[index],
            hint=hint,
        )

    def _shape(self, count: int) -> Keypoints:
        """The points so far, padded with skipped ones to the template's length."""
        missing = max(0, count - len(self._points))
        return Keypoints(tuple(self._points[:count]) + Keypoints.empty(missing).points)

    def _place(self, point: Keypoint) -> None:
        self._points.append(point)
        if len(self._points) >= len(self.template()):
            self._finish()

    def _finish(self) -> None:
        """Add the keypoints (the rest skipped); all skipped is no shape at all."""
        shape = self._shape(len(self.template()))
        self._points.clear()
        if shape.count_labeled() == 0:
            return
        annotation = self.host.new_annotation(shape)
        if annotation is not None:
            self.host.execute(AddAnnotations((annotation,), "Draw keypoints"))
            self.host.select((annotation.id,))
