"""Tool-strip icons drawn with QPainter, so the app ships no image files and icons stay sharp at any DPI."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

SIZE = 64
INK = QColor("#37474f")

Glyph = Callable[[QPainter], None]


def _poly(*points: tuple[float, float]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])


def _select(p: QPainter) -> None:
    p.setBrush(INK)
    p.drawPolygon(_poly((16, 8), (16, 52), (27, 41), (35, 58), (42, 55), (34, 38), (50, 38)))


def _box(p: QPainter) -> None:
    p.drawRect(QRectF(10, 14, 44, 36))


def _polygon(p: QPainter) -> None:
    p.drawPolygon(_poly((12, 24), (30, 8), (54, 20), (48, 52), (18, 54)))


def _rotated_box(p: QPainter) -> None:
    p.drawPolygon(_poly((8, 30), (34, 8), (56, 34), (30, 56)))


def _polyline(p: QPainter) -> None:
    p.drawPolyline(_poly((8, 50), (22, 18), (38, 42), (56, 12)))


def _point(p: QPainter) -> None:
    p.setBrush(INK)
    p.drawEllipse(QPointF(32, 32), 9, 9)


def _ellipse(p: QPainter) -> None:
    p.drawEllipse(QPointF(32, 32), 24, 16)


def _keypoints(p: QPainter) -> None:
    joints = [(32, 10), (32, 32), (14, 54), (50, 54), (12, 24), (52, 24)]
    for a, b in ((0, 1), (1, 2), (1, 3), (1, 4), (1, 5)):
        p.drawLine(QPointF(*joints[a]), QPointF(*joints[b]))
    p.setBrush(INK)
    for joint in joints:
        p.drawEllipse(QPointF(*joint), 4.5, 4.5)


def _brush(p: QPainter) -> None:
    p.setPen(QPen(INK, 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawPolyline(_poly((12, 50), (24, 30), (36, 40), (52, 14)))


def _eraser(p: QPainter) -> None:
    p.drawPolygon(_poly((10, 40), (34, 16), (54, 36), (30, 60)))
    p.setBrush(INK)
    p.drawPolygon(_poly((10, 40), (22, 28), (42, 48), (30, 60)))


def _segment(p: QPainter) -> None:
    p.drawPolygon(_poly((10, 34), (18, 14), (40, 10), (54, 26), (48, 50), (24, 54)))
    p.setBrush(QColor("#2ecc40"))
    p.drawEllipse(QPointF(32, 32), 7, 7)


GLYPHS: dict[str, Glyph] = {
    "select": _select, "box": _box, "polygon": _polygon, "rotated_box": _rotated_box, "polyline": _polyline,
    "point": _point, "ellipse": _ellipse, "keypoints": _keypoints, "brush": _brush, "eraser": _eraser,
    "segment": _segment,
}  # fmt: skip


def tool_icon(name: str) -> QIcon:
    """The icon of a tool by its registry name; an empty icon for a tool without a glyph."""
    glyph = GLYPHS.get(name)
    if glyph is None:
        return QIcon()
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(INK, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    glyph(painter)
    painter.end()
    return QIcon(pixmap)
