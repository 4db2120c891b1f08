"""Tool-strip icons drawn with QPainter, so the app ships no image files and icons stay sharp at any DPI.

Each icon is drawn when shown, in the palette's button text colour, so it reads on the light and the dark theme and
follows a theme change with nothing to regenerate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPen, QPixmap, QPolygonF

from widgets.theme import color

SIZE = 64  # the glyphs' design grid, scaled to the size asked for

Glyph = Callable[[QPainter], None]


def _poly(*points: tuple[float, float]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in points])


def _select(p: QPainter) -> None:
    p.setBrush(p.pen().color())
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
    p.setBrush(p.pen().color())
    p.drawEllipse(QPointF(32, 32), 9, 9)


def _ellipse(p: QPainter) -> None:
    p.drawEllipse(QPointF(32, 32), 24, 16)


def _keypoints(p: QPainter) -> None:
    joints = [(32, 10), (32, 32), (14, 54), (50, 54), (12, 24), (52, 24)]
    for a, b in ((0, 1), (1, 2), (1, 3), (1, 4), (1, 5)):
        p.drawLine(QPointF(*joints[a]), QPointF(*joints[b]))
    p.setBrush(p.pen().color())
    for joint in joints:
        p.drawEllipse(QPointF(*joint), 4.5, 4.5)


def _brush(p: QPainter) -> None:
    p.setPen(QPen(p.pen().color(), 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawPolyline(_poly((12, 50), (24, 30), (36, 40), (52, 14)))


def _eraser(p: QPainter) -> None:
    p.drawPolygon(_poly((10, 40), (34, 16), (54, 36), (30, 60)))
    p.setBrush(p.pen().color())
    p.drawPolygon(_poly((10, 40), (22, 28), (42, 48), (30, 60)))


def _segment(p: QPainter) -> None:
    p.drawPolygon(_poly((10, 34), (18, 14), (40, 10), (54, 26), (48, 50), (24, 54)))
    p.setBrush(color("icon_accent"))
    p.drawEllipse(QPointF(32, 32), 7, 7)


GLYPHS: dict[str, Glyph] = {
    "select": _select, "box": _box, "polygon": _polygon, "rotated_box": _rotated_box, "polyline": _polyline,
    "point": _point, "ellipse": _ellipse, "keypoints": _keypoints, "brush": _brush, "eraser": _eraser,
    "segment": _segment,
}  # fmt: skip


class _GlyphEngine(QIconEngine):
    """Paints a glyph in the current palette's ink (the disabled ink for a disabled tool)."""

    def __init__(self, glyph: Glyph) -> None:
        super().__init__()
        self.glyph = glyph

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        ink = QGuiApplication.palette().color(group, QPalette.ColorRole.ButtonText)
        side = min(rect.width(), rect.height())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / SIZE, side / SIZE)
        painter.setPen(QPen(ink, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        self.glyph(painter)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        """Drawn at the screen's own resolution (Qt's default would scale up a 1x pixmap on a HiDPI screen)."""
        pixels = size * scale
        pixmap = QPixmap(pixels)
        pixmap.fill(Qt.GlobalColor.transparent)  # Qt's default leaves the pixels uninitialised
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), pixels), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _GlyphEngine(self.glyph)


def tool_icon(name: str) -> QIcon:
    """The icon of a tool by its registry name; an empty icon for a tool without a glyph."""
    glyph = GLYPHS.get(name)
    return QIcon() if glyph is None else glyph_icon(glyph)


def glyph_icon(glyph: Glyph) -> QIcon:
    """An icon drawn by `glyph` on the 64-unit grid in the palette's ink, like the tools' (the welcome page's)."""
    return QIcon(_GlyphEngine(glyph))
