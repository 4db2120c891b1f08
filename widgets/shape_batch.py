"""One graphics item that draws thousands of shapes from cached tiles, so a repaint or a pan is mostly a blit.

The shapes are rendered at the current zoom into 256 x 256 device-pixel tiles, kept in an LRU for as long as the
zoom stays. A paint blits the visible tiles and renders only the missing ones (one OpenCV pass over the missing
area: about 10 ms for 10,000 outlines filling the view); an edit drops just the tiles under the changed shapes.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator

import numpy as np
from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QImage, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from core.geometry import Rect
from widgets.shape_raster import ShapeRaster
from widgets.tile_paint import draw_rescaled

TILE = 256  # device pixels
MAX_TILES = 384  # 96 MB of cached tiles at most
DETAIL_LIMIT = 1500  # with at most this many shapes in view when a zoom is first drawn, draw fills and thick lines
LINE_SLACK = 3  # device pixels a shape's outline may reach beyond its bounds

TileKey = tuple[int, int]


class ShapeBatchItem(QGraphicsItem):
    """Draws every shape of a ShapeRaster except the `hidden` ones (those shown by their own items)."""

    def __init__(self, raster: ShapeRaster) -> None:
        super().__init__()
        self.raster = raster
        self.hidden: set[str] = set()
        self.tiles_rendered = 0  # tests and benchmarks check that a repaint renders nothing new
        self._bounds = QRectF()
        self._tiles: OrderedDict[TileKey, Tile] = OrderedDict()
        self._scale = 0.0
        self._detail: bool | None = None
        self.deferring = False  # set by the canvas during a zoom gesture: scale the last zoom's tiles meanwhile

    def boundingRect(self) -> QRectF:
        return self._bounds

    def set_bounds(self, rect: QRectF) -> None:
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = QRectF(rect)
            self.invalidate()

    def invalidate(self, rect: Rect | None = None) -> None:
        """Render the shapes within `rect` (image coordinates) again at the next paint; everything with None."""
        if rect is None:
            self._tiles.clear()
            self._detail = None
            self.update()
            return
        if self._tiles:
            (tx0, ty0), (tx1, ty1) = self._tile_range(rect, LINE_SLACK)
            if (tx1 - tx0 + 1) * (ty1 - ty0 + 1) > len(self._tiles):  # a big shape up close: look at the cache
                keys = [(tx, ty) for tx, ty in self._tiles if tx0 <= tx <= tx1 and ty0 <= ty <= ty1]
            else:
                keys = [(tx, ty) for tx in range(tx0, tx1 + 1) for ty in range(ty0, ty1 + 1)]
            for key in keys:
                self._tiles.pop(key, None)
        self.update(QRectF(rect.x1, rect.y1, rect.width, rect.height).adjusted(-1, -1, 1, 1))

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        transform = painter.worldTransform()
        scale = transform.m11()
        if scale <= 0 or transform.m12() or transform.m21() or len(self.raster) == 0:
            return  # the canvas neither rotates nor shears
        if not math.isclose(scale, self._scale, rel_tol=1e-9):
            if self.deferring and self._tiles:
                draw_rescaled(painter, transform, self._scale, _images(self._tiles.items()), TILE)
                return
            self._tiles.clear()
            self._scale, self._detail = scale, None
        inverse, _ = transform.inverted()
        seen = inverse.mapRect(QRectF(painter.viewport())).intersected(self._bounds)
        if seen.isEmpty():
            return
        visible = Rect(seen.left(), seen.top(), seen.right(), seen.bottom())
        if self._detail is None:
            self._detail = self.raster.count_in(visible) <= DETAIL_LIMIT
        (tx0, ty0), (tx1, ty1) = self._tile_range(visible, 0)
        self._render_missing(tx0, ty0, tx1, ty1)
        dx, dy = round(transform.dx()), round(transform.dy())
        painter.save()
        painter.setWorldTransform(QTransform())
        for ty in range(ty0, ty1 + 1):
            for tx in range(tx0, tx1 + 1):
                key = (tx, ty)
                self._tiles.move_to_end(key)
                tile = self._tiles[key]
                if tile is not None:
                    painter.drawImage(QPoint(tx * TILE + dx, ty * TILE + dy), tile[1])
        painter.restore()
        while len(self._tiles) > MAX_TILES:
            self._tiles.popitem(last=False)

    def _tile_range(self, rect: Rect, slack: int) -> tuple[TileKey, TileKey]:
        s = self._scale
        return (
            (math.floor((rect.x1 * s - slack) / TILE), math.floor((rect.y1 * s - slack) / TILE)),
            (math.floor((rect.x2 * s + slack) / TILE), math.floor((rect.y2 * s + slack) / TILE)),
        )

    def _render_missing(self, tx0: int, ty0: int, tx1: int, ty1: int) -> None:
        """Render the missing tiles of the range: each row's runs of missing tiles in one pass."""
        for ty in range(ty0, ty1 + 1):
            tx = tx0
            while tx <= tx1:
                if (tx, ty) in self._tiles:
                    tx += 1
                    continue
                end = tx
                while end + 1 <= tx1 and (end + 1, ty) not in self._tiles:
                    end += 1
                self._render_run(tx, end, ty)
                tx = end + 1

    def _render_run(self, tx0: int, tx1: int, ty: int) -> None:
        """Render tiles tx0..tx1 of row ty. Image point (x, y) lands on device pixel round(x * scale) + offset."""
        scale = self._scale
        x0, y0 = tx0 * TILE, ty * TILE
        buffer = np.zeros((TILE, (tx1 - tx0 + 1) * TILE, 4), np.uint8)
        pad = LINE_SLACK
        x1, y1 = x0 + buffer.shape[1], y0 + TILE
        area = Rect((x0 - pad) / scale, (y0 - pad) / scale, (x1 + pad) / scale, (y1 + pad) / scale)
        assert self._detail is not None
        self.raster.draw(buffer, (0.0, 0.0), scale, area, hidden=self.hidden, detail=self._detail, shift=(x0, y0))
        for tx in range(tx0, tx1 + 1):
            tile = np.ascontiguousarray(buffer[:, (tx - tx0) * TILE : (tx - tx0 + 1) * TILE])
            self.tiles_rendered += 1
            if not tile[:, :, 3].any():
                self._tiles[(tx, ty)] = None  # nothing to blend: skip it when painting
                continue
            image = QImage(tile.data, TILE, TILE, TILE * 4, QImage.Format.Format_ARGB32_Premultiplied)
            self._tiles[(tx, ty)] = (tile, image)  # the array owns the pixels the image points at


Tile = tuple[np.ndarray, QImage] | None  # the pixels and the image over them; None where no shape is


def _images(tiles: Iterable[tuple[TileKey, Tile]]) -> Iterator[tuple[TileKey, QImage | None]]:
    return ((key, tile[1] if tile is not None else None) for key, tile in tiles)
