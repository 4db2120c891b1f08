"""Numbered markers for review comments on the canvas, one small item per pinned comment.

A pin stands at an image point (scene coordinates are image pixels): the comment's point, or the top-left corner of
the annotation it is about. It ignores the view's zoom, so it stays readable at any scale, and takes no mouse input,
so drawing and selecting under it work as usual. A task has a handful of comments, so the set is simply rebuilt.
Its colours are theme roles (widgets/theme.py), read when it paints.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

from widgets.overlay_items import OVERLAY_Z
from widgets.theme import color

PIN_Z = OVERLAY_Z + 10  # above every annotation and the tools' overlay
RADIUS = 10.0  # screen pixels
OFFSET = 14.0  # the badge sits up and left of its point, with a tail down to it, so it does not hide a box corner
OPEN_COLOR = "pin_open"  # the role of the comments of a rejected task: the app's error red
CLOSED_COLOR = "pin_closed"  # of other comments: informative, not alarming


class CommentPin(QGraphicsItem):
    """A round numbered badge with a tail to its point (the item's origin)."""

    def __init__(self, number: int, role: str, tooltip: str = "") -> None:
        super().__init__()
        self.number = number
        self.role = role
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(PIN_Z)
        self.setToolTip(tooltip)
        center = QPointF(-OFFSET, -OFFSET)
        self._badge = QRectF(center.x() - RADIUS, center.y() - RADIUS, 2 * RADIUS, 2 * RADIUS)
        self._shape = QPainterPath()
        self._shape.addEllipse(self._badge)
        tail = QPainterPath(QPointF(0, 0))
        tail.lineTo(center + QPointF(RADIUS * 0.2, RADIUS * 0.9))
        tail.lineTo(center + QPointF(RADIUS * 0.9, RADIUS * 0.2))
        tail.closeSubpath()
        self._shape = self._shape.united(tail)

    def boundingRect(self) -> QRectF:
        return self._shape.boundingRect().adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = color("pin_text")
        painter.setPen(QPen(ink, 1.5))
        painter.setBrush(QBrush(color(self.role)))
        painter.drawPath(self._shape)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(11 if self.number < 100 else 9)
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(self._badge, Qt.AlignmentFlag.AlignCenter, str(self.number))


class CommentPins:
    """The pins of the task on show in one scene; hidden or shown as a whole."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.items: list[CommentPin] = []
        self.visible = True

    def show(self, pins: Sequence[tuple[int, float, float, str]], role: str = CLOSED_COLOR) -> None:
        """Replace the pins: (number, x, y, tooltip) each, x and y in image pixels; `role` is their colour's."""
        self.clear()
        for number, x, y, tooltip in pins:
            item = CommentPin(number, role, tooltip)
            item.setPos(x, y)
            item.setVisible(self.visible)
            self.scene.addItem(item)
            self.items.append(item)

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        for item in self.items:
            item.setVisible(visible)

    def clear(self) -> None:
        for item in self.items:
            self.scene.removeItem(item)
        self.items = []
