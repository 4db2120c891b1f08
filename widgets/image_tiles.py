"""The image as a graphics item drawn from screen-resolution tiles, resampled once per zoom from the pyramid level
nearest that zoom.

A 24 MP photo at fit-to-view is resampled from its 1500x1000 level into 256 x 256 tiles at exactly the view's scale
(about 1 ms a tile, once), and every later frame at that zoom, panning included, blits tiles 1:1 instead of
transforming megapixels. A 200 MP image pages in only the level regions under those tiles. Tiles are kept in an LRU
bounded in bytes, so memory stays bounded however far one pans.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import cv2
import numpy as np
from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QPainter, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from core.pyramid import Pyramid
from widgets.image_layer import array_to_qimage, to_8bit
from widgets.tile_paint import draw_rescaled

TILE = 256  # device pixels
CACHE_BYTES = 192 << 20  # tiles kept for redraws

TileKey = tuple[int, int]


class PyramidItem(QGraphicsItem):
    """Draws a Pyramid at scene scale 1 (one scene unit per full-resolution pixel), from the origin."""

    def __init__(self) -> None:
        super().__init__()
        self.pyramid: Pyramid | None = None
        self.tiles_made = 0  # tests check that repaints and pans reuse tiles
        self.cached_bytes = 0
        self._tiles: OrderedDict[TileKey, QPixmap] = OrderedDict()
        self._scale = 0.0
        self.deferring = False  # set by the canvas during a zoom gesture: scale the last zoom's tiles meanwhile
        self._backdrop: QPixmap | None = None

    def set_pyramid(self, pyramid: Pyramid | None) -> None:
        """Show another pyramid, or a more complete one of the same image (the overview, then every level)."""
        self.prepareGeometryChange()
        self.pyramid = pyramid
        self._backdrop = None
        self._drop_tiles()
        self.update()

    def boundingRect(self) -> QRectF:
        if self.pyramid is None:
            return QRectF()
        return QRectF(0, 0, self.pyramid.width, self.pyramid.height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        transform = painter.worldTransform()
        scale = transform.m11()
        if self.pyramid is None or scale <= 0 or transform.m12() or transform.m21():
            return
        if not math.isclose(scale, self._scale, rel_tol=1e-9):
            if self.deferring and self._tiles:
                self._draw_backdrop(painter)  # under the last zoom's tiles, where zooming out left them short
                draw_rescaled(painter, transform, self._scale, self._tiles.items(), TILE)
                return
            self._drop_tiles()
            self._scale = scale
        inverse, _ = transform.inverted()
        seen = inverse.mapRect(QRectF(painter.viewport())).intersected(self.boundingRect())
        if seen.isEmpty():
            return
        # Tiles holding the first and last device pixel in view (a pixel is in view if any of it is).
        tx0, tx1 = math.floor(seen.left() * scale / TILE), (math.ceil(seen.right() * scale) - 1) // TILE
        ty0, ty1 = math.floor(seen.top() * scale / TILE), (math.ceil(seen.bottom() * scale) - 1) // TILE
        dx, dy = round(transform.dx()), round(transform.dy())
        painter.save()
        painter.setWorldTransform(QTransform())
        for ty in range(ty0, ty1 + 1):
            for tx in range(tx0, tx1 + 1):
                painter.drawPixmap(QPoint(tx * TILE + dx, ty * TILE + dy), self._tile(tx, ty))
        painter.restore()
        while self.cached_bytes > CACHE_BYTES and len(self._tiles) > 1:
            _, dropped = self._tiles.popitem(last=False)
            self.cached_bytes -= _bytes(dropped)

    def _draw_backdrop(self, painter: QPainter) -> None:
        """The whole image from its coarsest level (one tile's worth of pixels), blurry but at once."""
        assert self.pyramid is not None
        if self._backdrop is None:
            k = self.pyramid.available_levels()[-1]
            self._backdrop = QPixmap.fromImage(array_to_qimage(self.pyramid.level(k), self.pyramid.value_range))
        painter.drawPixmap(self.boundingRect(), self._backdrop, QRectF(self._backdrop.rect()))

    def _drop_tiles(self) -> None:
        self._tiles.clear()
        self.cached_bytes = 0

    def _tile(self, tx: int, ty: int) -> QPixmap:
        key = (tx, ty)
        pixmap = self._tiles.get(key)
        if pixmap is None:
            pixmap = QPixmap.fromImage(array_to_qimage(self._resample(tx, ty)))
            self._tiles[key] = pixmap
            self.cached_bytes += _bytes(pixmap)
            self.tiles_made += 1
        else:
            self._tiles.move_to_end(key)
        return pixmap

    def _resample(self, tx: int, ty: int) -> np.ndarray:
        """Device pixels [tx * TILE, ...) of the image at the current scale, from the nearest level.

        Device pixel i shows the image at x = (i + 0.5) / scale; level k pixel u has its centre at (u + 0.5) * 2**k.
        """
        pyramid = self.pyramid
        assert pyramid is not None
        scale = self._scale
        k = pyramid.level_for_scale(scale)
        level = pyramid.level(k)
        per_pixel = 1.0 / (scale * (1 << k))  # level pixels per device pixel
        x0, y0 = tx * TILE, ty * TILE
        width = min(TILE, math.ceil(pyramid.width * scale) - x0)
        height = min(TILE, math.ceil(pyramid.height * scale) - y0)
        u0, v0 = (x0 + 0.5) * per_pixel - 0.5, (y0 + 0.5) * per_pixel - 0.5  # level position of the first pixel
        # Crop the level region the tile reads (plus a margin for interpolation), so a memory-mapped level pages in
        # only that, and 16-bit data is stretched only there.
        cu0, cv0 = max(0, math.floor(u0) - 2), max(0, math.floor(v0) - 2)
        cu1 = min(level.shape[1], math.ceil(u0 + width * per_pixel) + 3)
        cv1 = min(level.shape[0], math.ceil(v0 + height * per_pixel) + 3)
        crop = np.ascontiguousarray(level[cv0:cv1, cu0:cu1])
        if pyramid.value_range is not None:
            crop = to_8bit(crop, pyramid.value_range)
        matrix = np.array([[per_pixel, 0, u0 - cu0], [0, per_pixel, v0 - cv0]])
        # Zoomed past 1:1, show the real pixels; otherwise interpolate (the level is within a factor of 1.4).
        interpolation = cv2.INTER_NEAREST if scale >= 1 else cv2.INTER_LINEAR
        flags = interpolation | cv2.WARP_INVERSE_MAP
        return cv2.warpAffine(crop, matrix, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE)


def _bytes(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4
