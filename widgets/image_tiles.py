"""The image as a graphics item drawn from screen-resolution tiles, resampled once per zoom from the pyramid level
nearest that zoom.

A 24 MP photo at fit-to-view is resampled from its 1500x1000 level into 256 x 256 tiles at exactly the view's scale
(about 1 ms a tile, once), and every later frame at that zoom, panning included, blits tiles 1:1 instead of
transforming megapixels. A 200 MP image pages in only the level regions under those tiles.

After each view change a worker thread (widgets.tile_prefetch) renders, ahead of need, the tiles one zoom step in and
one step out (for any wheel anchor in the view) and a ring around the view at the current zoom, so a zoom step after
a pause paints tiles already in memory. During a wheel gesture a zoom whose tiles are not ready yet shows the last
zoom's tiles scaled, and the sharp tiles as the worker delivers them; a zoom by command, or the end of the gesture,
renders what is still missing at once. Tiles of every zoom share one LRU bounded in bytes.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable

import cv2
import numpy as np
from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QImage, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from core.pyramid import Pyramid
from widgets.image_layer import array_to_qimage, to_8bit
from widgets.tile_paint import draw_rescaled
from widgets.tile_prefetch import TileKey, TilePrefetcher

TILE = 256  # device pixels
TILE_BYTES = TILE * TILE * 4
CACHE_BYTES = 192 << 20  # tiles kept for redraws and prefetched
RING = 1  # tiles prefetched around the view at the current zoom, for panning
_SCALES_KEPT = 32


class PyramidItem(QGraphicsObject):
    """Draws a Pyramid at scene scale 1 (one scene unit per full-resolution pixel), from the origin.

    `zoom_step` is the canvas's wheel step: tiles for one step either way are prefetched. A QObject, so a tile
    delivered after the canvas is gone goes nowhere (Qt drops the connection with the item).
    """

    def __init__(self, zoom_step: float = 1.25) -> None:
        super().__init__()
        self.pyramid: Pyramid | None = None
        self.tiles_made = 0  # tiles rendered on the UI thread, in paint (tests check repaints and pans reuse tiles)
        self.cached_bytes = 0
        self.sharp = False  # whether the last paint drew every visible tile at its own zoom (tests, benchmarks)
        self.deferring = False  # set by the canvas during a zoom gesture: missing tiles may wait for the worker
        self.prefetch = True  # off: tiles are made only when shown, as before the prefetch (benchmarks compare)
        self.prefetcher = TilePrefetcher(render_tile)
        self.prefetcher.delivered.connect(self._take_prefetched)
        self._zoom_step = zoom_step
        self._tiles: OrderedDict[TileKey, QImage | QPixmap] = OrderedDict()  # QImage until first painted
        self._scales: list[float] = []  # zooms with tiles, so a scale computed twice maps to one key
        self._scale = 0.0  # the zoom last drawn sharp
        self._painted_scale = 0.0  # the zoom last drawn, sharp or not
        self._zooming_in = True  # which way the last zoom went
        self._planned: tuple[TileKey, TileKey] | None = None  # the view the current prefetch plan is for
        self._shown: set[TileKey] = set()  # the tiles the last frame drew
        self._waiting: list[TileKey] = []  # the tiles the last frame lacked (it showed stand-ins)
        self._backdrop: QPixmap | None = None

    def set_pyramid(self, pyramid: Pyramid | None) -> None:
        """Show another pyramid, or a more complete one of the same image (the overview, then every level)."""
        self.prepareGeometryChange()
        self.prefetcher.reset()
        self.pyramid = pyramid
        self._backdrop = None
        self._tiles.clear()
        self._scales.clear()
        self.cached_bytes = 0
        self._scale = self._painted_scale = 0.0
        self._planned = None
        self._shown.clear()
        self._waiting = []
        self.update()

    def boundingRect(self) -> QRectF:
        if self.pyramid is None:
            return QRectF()
        return QRectF(0, 0, self.pyramid.width, self.pyramid.height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        transform = painter.worldTransform()
        pyramid = self.pyramid
        if pyramid is None or transform.m11() <= 0 or transform.m12() or transform.m21():
            return
        self._take_prefetched()
        scale = self._canonical(transform.m11())
        inverse, _ = transform.inverted()
        seen = inverse.mapRect(QRectF(painter.viewport())).intersected(self.boundingRect())
        if seen.isEmpty():
            return
        if scale != self._painted_scale:
            self._zooming_in, self._painted_scale = scale > self._painted_scale, scale
        keys = self._keys(seen, scale)
        missing = [key for key in keys if key not in self._tiles]
        stand_in = bool(missing) and self.deferring and scale != self._scale and self._scale > 0
        self._shown = set(keys)
        if stand_in:
            old = self._keys(seen, self._scale)
            if not all(key in self._tiles for key in old):
                self._draw_backdrop(painter)  # under the last zoom's tiles, where they do not cover the view
            self._shown.update(old)
            draw_rescaled(painter, transform, self._scale, ((key[1:], self._tiles.get(key)) for key in old), TILE)
        else:
            for key in missing:
                self._add(key, render_tile(pyramid, key))
                self.tiles_made += 1
            self._scale = scale
        self._draw(painter, transform, keys)
        self.sharp = not stand_in
        self._waiting = missing if stand_in else []
        self._evict()
        self._prefetch(seen, scale, keys, missing if stand_in else [])

    def _draw(self, painter: QPainter, transform: QTransform, keys: Iterable[TileKey]) -> None:
        """Blit the tiles of `keys` that are in memory, 1:1; a tile becomes a QPixmap when first drawn."""
        dx, dy = round(transform.dx()), round(transform.dy())
        painter.save()
        painter.setWorldTransform(QTransform())
        for key in keys:
            tile = self._tiles.get(key)
            if tile is None:
                continue
            if isinstance(tile, QImage):
                tile = self._tiles[key] = QPixmap.fromImage(tile)
            self._tiles.move_to_end(key)
            painter.drawPixmap(QPoint(key[1] * TILE + dx, key[2] * TILE + dy), tile)
        painter.restore()

    def _prefetch(self, seen: QRectF, scale: float, keys: list[TileKey], missing: list[TileKey]) -> None:
        """Plan the worker's next tiles: the missing visible ones, then one zoom step in (the view's area) and out
        (the view grown by the step on every side: the area a step out can show, wherever the mouse is), the way the
        last zoom went first (a gesture goes on the way it started), then a ring around the view. Only as many as fit
        in the cache beside the visible tiles."""
        view = (keys[0], keys[-1])
        if not self.prefetch or (view == self._planned and not missing):
            return
        self._planned = view
        step = self._zoom_step
        grow_x, grow_y = seen.width() * (step - 1), seen.height() * (step - 1)
        wider = seen.adjusted(-grow_x, -grow_y, grow_x, grow_y).intersected(self.boundingRect())
        (_, tx0, ty0), (_, tx1, ty1) = view
        zoom_in = self._keys(seen, self._canonical(scale * step))
        zoom_out = self._keys(wider, self._canonical(scale / step))
        plan = [
            *missing,
            *(zoom_in + zoom_out if self._zooming_in else zoom_out + zoom_in),
            *self._clipped(scale, range(tx0 - RING, tx1 + RING + 1), range(ty0 - RING, ty1 + RING + 1)),
        ]
        room = max(0, (CACHE_BYTES - len(keys) * TILE_BYTES) // TILE_BYTES)
        assert self.pyramid is not None
        self.prefetcher.submit(self.pyramid, [key for key in dict.fromkeys(plan) if key not in self._tiles][:room])

    def _take_prefetched(self) -> None:
        """Move the worker's finished tiles into the LRU; repaint once every tile the last frame lacked is here (one
        sharp frame, rather than a stand-in frame per delivery)."""
        for key, image in self.prefetcher.take():
            if key not in self._tiles:
                self._add(key, image)
        self._evict()
        if self._waiting and all(key in self._tiles for key in self._waiting):
            self._waiting = []
            self.update()

    def _add(self, key: TileKey, image: QImage) -> None:
        self._tiles[key] = image
        self.cached_bytes += image.width() * image.height() * 4

    def _evict(self) -> None:
        """Drop the least recently used tiles beyond CACHE_BYTES: those the last frame did not show first, so a
        prefetched tile never pushes out one on screen (unless the screen alone needs more than the bound)."""
        for spare_shown in (True, False):
            for key in list(self._tiles):
                if self.cached_bytes <= CACHE_BYTES or len(self._tiles) == 1:
                    return
                if not (spare_shown and key in self._shown):
                    dropped = self._tiles.pop(key)
                    self.cached_bytes -= dropped.width() * dropped.height() * 4

    def _keys(self, rect: QRectF, scale: float) -> list[TileKey]:
        """Tiles holding the first and last device pixel of `rect` at `scale` (a pixel is in if any of it is)."""
        tx0, tx1 = math.floor(rect.left() * scale / TILE), (math.ceil(rect.right() * scale) - 1) // TILE
        ty0, ty1 = math.floor(rect.top() * scale / TILE), (math.ceil(rect.bottom() * scale) - 1) // TILE
        return self._clipped(scale, range(tx0, tx1 + 1), range(ty0, ty1 + 1))

    def _clipped(self, scale: float, columns: range, rows: range) -> list[TileKey]:
        assert self.pyramid is not None
        width, height = math.ceil(self.pyramid.width * scale), math.ceil(self.pyramid.height * scale)
        columns = range(max(columns.start, 0), min(columns.stop, (width + TILE - 1) // TILE))
        rows = range(max(rows.start, 0), min(rows.stop, (height + TILE - 1) // TILE))
        return [(scale, tx, ty) for ty in rows for tx in columns]

    def _canonical(self, scale: float) -> float:
        """The known zoom equal to `scale` but for rounding (a zoom step computed two ways), else `scale` itself."""
        for known in self._scales:
            if math.isclose(known, scale, rel_tol=1e-9):
                return known
        self._scales.append(scale)
        del self._scales[:-_SCALES_KEPT]
        return scale

    def _draw_backdrop(self, painter: QPainter) -> None:
        """The whole image from its coarsest level (one tile's worth of pixels), blurry but at once."""
        assert self.pyramid is not None
        if self._backdrop is None:
            k = self.pyramid.available_levels()[-1]
            self._backdrop = QPixmap.fromImage(array_to_qimage(self.pyramid.level(k), self.pyramid.value_range))
        painter.drawPixmap(self.boundingRect(), self._backdrop, QRectF(self._backdrop.rect()))


def render_tile(pyramid: Pyramid, key: TileKey) -> QImage:
    """Tile (tx, ty) of the image drawn at `scale`, as a 32-bit QImage (the screen's format, so turning it into a
    QPixmap is a copy). Safe on any thread."""
    pixels = resample(pyramid, *key)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        image = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0], QImage.Format.Format_ARGB32)
        return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    code = cv2.COLOR_GRAY2BGRA if pixels.ndim == 2 else cv2.COLOR_BGR2BGRA
    bgra = cv2.cvtColor(pixels, code)
    return QImage(bgra.data, bgra.shape[1], bgra.shape[0], bgra.strides[0], QImage.Format.Format_RGB32).copy()


def resample(pyramid: Pyramid, scale: float, tx: int, ty: int) -> np.ndarray:
    """Device pixels [tx * TILE, ...) of the image at `scale` (8-bit), from the nearest level.

    Device pixel i shows the image at x = (i + 0.5) / scale; level k pixel u has its centre at (u + 0.5) * 2**k.
    """
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
