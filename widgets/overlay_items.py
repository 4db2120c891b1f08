"""What the canvas draws above the annotations: selection handles, the shape being drawn, the rubber band, the
vertex-insert point and the drawing crosshair. Each is one reused item, so a mouse move costs O(1) item updates.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
)

from core.geometry import Point, Rect
from core.shapes import Shape
from widgets.shape_items import path_through

OVERLAY_Z = 1e13  # above the items of any annotation z level (widgets.annotation_layer.Z_BAND apart)
HANDLE_SIZE = 8.0  # screen pixels; the editor's handle tolerance is 6 px around the vertex
HOT_HANDLE_SIZE = 12.0
MAX_HANDLES = 2000  # beyond this many selected vertices, handles are noise and cost memory


def _pen(color: QColor | str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(color), width, style)
    pen.setCosmetic(True)
    return pen


class HandleItem(QGraphicsRectItem):
    """A square vertex handle of constant screen size."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(OVERLAY_Z + 2)
        self.setPen(_pen("#202020"))
        self.set_hot(False)

    def set_hot(self, hot: bool) -> None:
        size = HOT_HANDLE_SIZE if hot else HANDLE_SIZE
        self.setRect(QRectF(-size / 2, -size / 2, size, size))
        self.setBrush(QBrush(QColor("#ffd400") if hot else QColor("white")))


class OverlayLayer:
    """Owns the overlay items of one scene and updates them from the editor's state."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self._scene = scene
        self.handles: list[HandleItem] = []
        self._hot_handle: int | None = None
        self.drawing = QGraphicsPathItem()
        self.rubber_band = QGraphicsRectItem()
        self.rubber_band.setPen(_pen("#3daee9", 1, Qt.PenStyle.DashLine))
        self.rubber_band.setBrush(QBrush(QColor(61, 174, 233, 40)))
        self.insert_point = QGraphicsEllipseItem(QRectF(-4, -4, 8, 8))
        self.insert_point.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.insert_point.setPen(_pen("#202020"))
        self.insert_point.setBrush(QBrush(QColor("#ffd400")))
        self.cross_h = QGraphicsLineItem()
        self.cross_v = QGraphicsLineItem()
        for line in (self.cross_h, self.cross_v):
            line.setPen(_pen(QColor(255, 255, 255, 160), 1, Qt.PenStyle.DashLine))
        for z, item in enumerate((self.cross_h, self.cross_v, self.rubber_band, self.drawing, self.insert_point)):
            item.setZValue(OVERLAY_Z + z / 10)
            item.setVisible(False)
            scene.addItem(item)

    def set_handles(self, points: Sequence[Point]) -> None:
        """Show one handle per vertex of the selected shapes (or of the drag preview)."""
        points = points[:MAX_HANDLES]
        while len(self.handles) < len(points):
            handle = HandleItem()
            self._scene.addItem(handle)
            self.handles.append(handle)
        for handle, (x, y) in zip(self.handles, points, strict=False):
            handle.setPos(x, y)
            handle.setVisible(True)
        for handle in self.handles[len(points) :]:
            handle.setVisible(False)
        self._hot_handle = None
        for handle in self.handles:
            handle.set_hot(False)

    def set_hot_handle(self, index: int | None) -> None:
        if index == self._hot_handle:
            return
        for i in (self._hot_handle, index):
            if i is not None and 0 <= i < len(self.handles):
                self.handles[i].set_hot(i == index)
        self._hot_handle = index

    def set_drawing(self, shape: Shape | None, color: str) -> None:
        """The shape being drawn: a box as drawn so far, a polygon open (its last point follows the cursor)."""
        if shape is None:
            self.drawing.setVisible(False)
            return
        self.drawing.setPath(path_through(shape.vertices(), closed=shape.kind != "polygon"))
        self.drawing.setPen(_pen(color, 2))
        fill = QColor(color)
        fill.setAlpha(40)
        self.drawing.setBrush(QBrush(fill) if shape.kind != "polygon" else QBrush(Qt.BrushStyle.NoBrush))
        self.drawing.setVisible(True)

    def set_rubber_band(self, rect: Rect | None) -> None:
        self.rubber_band.setVisible(rect is not None)
        if rect is not None:
            self.rubber_band.setRect(QRectF(rect.x1, rect.y1, rect.width, rect.height))

    def set_insert_point(self, point: Point | None) -> None:
        self.insert_point.setVisible(point is not None)
        if point is not None:
            self.insert_point.setPos(*point)

    def set_crosshair(self, point: Point | None, bounds: QRectF) -> None:
        """Full-image guide lines through the cursor, shown while drawing boxes."""
        visible = point is not None and not bounds.isEmpty()
        self.cross_h.setVisible(visible)
        self.cross_v.setVisible(visible)
        if point is not None and visible:
            x, y = point
            self.cross_h.setLine(QLineF(bounds.left(), y, bounds.right(), y))
            self.cross_v.setLine(QLineF(x, bounds.top(), x, bounds.bottom()))
