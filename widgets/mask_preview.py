"""The segment tool's preview: the mask the decoder gave for the clicks so far, and the clicks themselves (green
include, red exclude), drawn above the annotations until Enter commits it or Esc drops it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from core.shapes import Mask
from widgets.overlay_items import OVERLAY_Z

FILL_ALPHA = 120
DOT_PX = 5.0  # screen pixels: radius of a click's dot
_INCLUDE, _EXCLUDE = QColor("#2ecc40"), QColor("#ff4136")


class MaskPreviewItem(QGraphicsItem):
    """One reused item: `show_preview` replaces what it draws; `show_preview(None, ...)` hides it."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(OVERLAY_Z - 1)
        self._image = QImage()
        self._origin = QPointF()
        self._prompts: tuple[tuple[float, float, bool], ...] = ()
        self._rect = QRectF()
        self.setVisible(False)

    def show_preview(self, mask: Mask | None, color: str, prompts: tuple[tuple[float, float, bool], ...]) -> None:
        self.prepareGeometryChange()
        self._prompts = prompts
        self._image, self._origin, self._rect = QImage(), QPointF(), QRectF()
        if mask is not None and mask.area() > 0:
            crop, x1, y1 = mask.crop()
            rgba = np.zeros((*crop.shape, 4), np.uint8)
            c = QColor(color)
            rgba[crop] = (c.red(), c.green(), c.blue(), FILL_ALPHA)
            height, width = crop.shape
            self._image = QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
            self._origin = QPointF(x1, y1)
            self._rect = QRectF(x1, y1, width, height)
        for x, y, _ in prompts:
            self._rect = self._rect.united(QRectF(x - 1, y - 1, 2, 2))
        self.setVisible(not self._image.isNull() or bool(prompts))
        self.update()

    def boundingRect(self) -> QRectF:
        pad = 64.0  # the dots keep their screen size, so they reach beyond the clicked pixel when zoomed out
        return self._rect.adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._image.isNull():
            painter.drawImage(self._origin, self._image)
        scale = painter.worldTransform().m11() or 1.0
        radius = DOT_PX / scale
        pen = QPen(QColor("white"), 1.5)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for x, y, include in self._prompts:
            painter.setBrush(QBrush(_INCLUDE if include else _EXCLUDE, Qt.BrushStyle.SolidPattern))
            painter.drawEllipse(QPointF(x, y), radius, radius)
