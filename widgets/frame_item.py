"""A video frame as a graphics item: drawn straight from the decoded array, resampled once per frame and zoom.

The image canvas's tile pyramid pays off for a picture looked at for minutes; a video frame is on screen for 1/30 s,
so this item wraps the BGR array in a QImage without copying and, when zoomed out, draws a copy resized by OpenCV to
the screen size (about a millisecond for a 1080p frame) instead of letting the painter transform megapixels.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget


def bgr_qimage(array: np.ndarray) -> QImage:
    """A QImage over a contiguous HxWx3 BGR uint8 array (no copy: keep the array alive while the image is used)."""
    height, width = array.shape[:2]
    return QImage(array.data, width, height, array.strides[0], QImage.Format.Format_BGR888)


class FrameItem(QGraphicsItem):
    """Draws one HxWx3 BGR frame at scene scale 1 from the origin."""

    def __init__(self) -> None:
        super().__init__()
        self.array: np.ndarray | None = None
        self._image = QImage()
        self._scaled: tuple[float, np.ndarray, QImage] | None = None  # (scale, pixels, image) of the last paint

    def set_frame(self, array: np.ndarray | None) -> None:
        if array is not None:
            array = np.ascontiguousarray(array)
        size_changed = (array is None) != (self.array is None) or (
            array is not None and self.array is not None and array.shape != self.array.shape)
        if size_changed:
            self.prepareGeometryChange()
        self.array = array
        self._image = bgr_qimage(array) if array is not None else QImage()
        self._scaled = None
        self.update()

    def boundingRect(self) -> QRectF:
        if self.array is None:
            return QRectF()
        return QRectF(0, 0, self.array.shape[1], self.array.shape[0])

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.array is None:
            return
        transform = painter.worldTransform()
        scale = transform.m11()
        if 0 < scale < 0.95 and transform.m12() == 0 and transform.m21() == 0:
            if self._scaled is None or abs(self._scaled[0] - scale) > 1e-6:
                h, w = self.array.shape[:2]
                size = (max(1, round(w * scale)), max(1, round(h * scale)))
                interpolation = cv2.INTER_AREA if scale < 0.5 else cv2.INTER_LINEAR
                pixels = np.ascontiguousarray(cv2.resize(self.array, size, interpolation=interpolation))
                self._scaled = (scale, pixels, bgr_qimage(pixels))
            origin = transform.map(QPointF(0, 0))
            painter.save()
            painter.resetTransform()
            painter.drawImage(QPointF(round(origin.x()), round(origin.y())), self._scaled[2])
            painter.restore()
            return
        painter.drawImage(QPointF(0, 0), self._image)
