"""Graphics items for the shape kinds beyond box and polygon: rotated box, ellipse, polyline, point, keypoints (with
skeleton edges; occluded points hollow), mask (a translucent image of its RLE) and tag (no item: tags are shown in a
panel). `register_items(SHAPE_ITEMS)` adds them to the canvas's table.

They follow `widgets.shape_items`' item protocol: built with no arguments, `set_shape(shape)` to show a value, and
`setPen` / `setBrush` for the label colour and selection style. Points and keypoints keep a constant screen size at
every zoom (their markers ignore the view's transformations), like the selection handles.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGradient, QImage, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
)

from core.shapes import Ellipse, Keypoints, Mask, PointShape, Polyline, RotatedBox, Shape, Visibility
from widgets.shape_items import path_through, points_to_polygon

BrushLike = QBrush | Qt.BrushStyle | Qt.GlobalColor | QColor | QGradient | QImage | QPixmap
PenLike = QPen | Qt.PenStyle | QColor
MARKER_PX = 8.0  # screen pixels across a point or keypoint marker


class RotatedBoxItem(QGraphicsPolygonItem):
    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, RotatedBox)
        self.setPolygon(points_to_polygon(shape.vertices()))


class EllipseItem(QGraphicsEllipseItem):
    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, Ellipse)
        self.setRect(QRectF(shape.cx - shape.rx, shape.cy - shape.ry, 2 * shape.rx, 2 * shape.ry))
        self.setTransformOriginPoint(QPointF(shape.cx, shape.cy))
        self.setRotation(shape.angle)  # clockwise on screen, as the shape's angle


class PolylineItem(QGraphicsPathItem):
    """An open path: outlined only, since filling would close it."""

    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, Polyline)
        self.setPath(path_through(shape.points, closed=False))

    def setBrush(self, brush: BrushLike) -> None:
        super().setBrush(QBrush(Qt.BrushStyle.NoBrush))


class _Marker(QGraphicsEllipseItem):
    """A dot of MARKER_PX screen pixels at a point of its parent."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(QRectF(-MARKER_PX / 2, -MARKER_PX / 2, MARKER_PX, MARKER_PX), parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)


def _cosmetic(color: QColor | str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCosmetic(True)
    return pen


class PointItem(QGraphicsPathItem):
    """A point: a marker of constant screen size, filled with the label colour."""

    def __init__(self) -> None:
        super().__init__()
        self._marker = _Marker(self)
        self._color = QColor("white")

    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, PointShape)
        self._marker.setPos(shape.x, shape.y)

    def setPen(self, pen: PenLike) -> None:
        pen = QPen(pen)
        self._color = pen.color()
        self._marker.setPen(_cosmetic("#202020" if pen.widthF() <= 2 else "white", 1))  # white ring: selected
        self._marker.setBrush(QBrush(self._color))

    def setBrush(self, brush: BrushLike) -> None:
        """The marker is filled with the opaque label colour, whatever the area fill."""


class KeypointsItem(QGraphicsPathItem):
    """Keypoints: skeleton edges between labeled points, visible points filled, occluded points hollow.

    The edges come from the label's template: the canvas calls `set_skeleton(label.skeleton)` after building it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._markers: list[_Marker] = []
        self._skeleton: tuple[tuple[int, int], ...] = ()
        self._shape: Keypoints | None = None
        self._pen = QPen(QColor("white"))

    def set_skeleton(self, edges: Sequence[tuple[int, int]]) -> None:
        self._skeleton = tuple((int(a), int(b)) for a, b in edges)
        if self._shape is not None:
            self.set_shape(self._shape)

    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, Keypoints)
        self._shape = shape
        points = shape.points
        path = QPainterPath()
        for a, b in self._skeleton:
            if a < len(points) and b < len(points) and points[a][2] and points[b][2]:
                path.moveTo(points[a][0], points[a][1])
                path.lineTo(points[b][0], points[b][1])
        self.setPath(path)
        while len(self._markers) < len(points):
            self._markers.append(_Marker(self))
        for marker, (x, y, v) in zip(self._markers, points, strict=False):
            marker.setVisible(v is not Visibility.SKIPPED)
            marker.setPos(x, y)
        for marker in self._markers[len(points) :]:
            marker.setVisible(False)
        self._style_markers()

    def occluded(self, index: int) -> bool:
        return self._shape is not None and self._shape.points[index][2] is Visibility.OCCLUDED

    def setPen(self, pen: PenLike) -> None:
        self._pen = QPen(pen)
        super().setPen(self._pen)
        self._style_markers()

    def setBrush(self, brush: BrushLike) -> None:
        super().setBrush(QBrush(Qt.BrushStyle.NoBrush))  # edges are lines, never an area

    def _style_markers(self) -> None:
        color = self._pen.color()
        for i, marker in enumerate(self._markers):
            if self._shape is not None and i < len(self._shape.points) and self.occluded(i):
                marker.setPen(_cosmetic(color, 2))
                marker.setBrush(QBrush(Qt.BrushStyle.NoBrush))
            else:
                marker.setPen(_cosmetic("#202020", 1))
                marker.setBrush(QBrush(color))


def mask_crop(mask: Mask) -> tuple[int, int, np.ndarray]:
    """The mask's pixels within its bounds, decoded from the RLE without a full-image array: (x0, y0, rows x cols)."""
    bits, x0, y0 = mask.crop()
    return x0, y0, bits


class MaskItem(QGraphicsRectItem):
    """A mask as a translucent image of the label colour over its bounds; pixels are decoded once per shape and
    coloured once per style, so restyling (hover, selection) costs no RLE decode."""

    def __init__(self) -> None:
        super().__init__()
        self._image = QGraphicsPixmapItem(self)
        self._image.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self._pixels = np.zeros((0, 0), dtype=bool)
        self._fill = QColor(0, 0, 0, 0)

    def set_shape(self, shape: Shape) -> None:
        assert isinstance(shape, Mask)
        x0, y0, self._pixels = mask_crop(shape)
        self.setRect(QRectF(x0, y0, self._pixels.shape[1], self._pixels.shape[0]))
        self._image.setPos(x0, y0)
        self._paint()

    def setPen(self, pen: PenLike) -> None:
        super().setPen(QPen(Qt.PenStyle.NoPen))  # a rectangle around a mask would read as a box

    def setBrush(self, brush: BrushLike) -> None:
        fill = QBrush(brush).color()
        fill.setAlpha(min(255, fill.alpha() * 2))  # a mask has no outline: a stronger fill keeps it readable
        if fill != self._fill:
            self._fill = fill
            self._paint()

    def pixmap(self) -> QPixmap:
        return self._image.pixmap()

    def _paint(self) -> None:
        height, width = self._pixels.shape
        if height == 0 or width == 0:
            self._image.setPixmap(QPixmap())
            return
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[self._pixels] = self._fill.red(), self._fill.green(), self._fill.blue(), self._fill.alpha()
        image = QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888)
        self._image.setPixmap(QPixmap.fromImage(image.copy()))  # copy: the QImage must not outlive `rgba`


class NoItem(QGraphicsPathItem):
    """Whole-image tags have no place on the canvas (the app lists them in a panel): an item that stays hidden."""

    def __init__(self) -> None:
        super().__init__()
        self.setVisible(False)

    def set_shape(self, shape: Shape) -> None:
        """Nothing to draw."""


ITEMS: dict[str, type[QGraphicsItem]] = {
    "rotated_box": RotatedBoxItem,
    "ellipse": EllipseItem,
    "polyline": PolylineItem,
    "point": PointItem,
    "keypoints": KeypointsItem,
    "mask": MaskItem,
    "tag": NoItem,
}


def register_items(table: MutableMapping[str, Any]) -> None:
    """Add the item classes of these shape kinds to a kind -> item class table (the canvas's SHAPE_ITEMS)."""
    table.update(ITEMS)
