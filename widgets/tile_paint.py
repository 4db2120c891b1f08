"""What the two tile caches of the canvas (image and batched shapes) share: while a zoom gesture lasts, the tiles of
the zoom before stand in, scaled, so each wheel step costs a blit instead of a render; the canvas settles the zoom
(renders sharp tiles) once the gesture pauses.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage, QPainter, QPixmap, QTransform

TileKey = tuple[int, int]


def draw_rescaled(
    painter: QPainter,
    transform: QTransform,
    old_scale: float,
    tiles: Iterable[tuple[TileKey, QImage | QPixmap | None]],
    tile_size: int,
) -> None:
    """Draw tiles made at `old_scale` (tile (tx, ty) holds device pixels from tx * tile_size of the image scaled
    by old_scale) where they belong at the painter's current scale."""
    ratio = transform.m11() / old_scale
    painter.save()
    painter.setWorldTransform(QTransform(ratio, 0, 0, ratio, round(transform.dx()), round(transform.dy())))
    for (tx, ty), tile in tiles:
        if isinstance(tile, QPixmap):
            painter.drawPixmap(QPoint(tx * tile_size, ty * tile_size), tile)
        elif tile is not None:
            painter.drawImage(QPoint(tx * tile_size, ty * tile_size), tile)
    painter.restore()
