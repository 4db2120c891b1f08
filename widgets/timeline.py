"""The video timeline: the whole video with a playhead, one row per track with its keyframes and outside ranges.

Drag anywhere to scrub (each new frame under the mouse is asked of the player, whose worker only ever decodes the
newest request), click a keyframe mark to jump to it, click a row to select its track, wheel to zoom around the
mouse, Shift+wheel to scroll the rows. Paint cost follows what is visible: only the rows in view are drawn, and a
row's keyframe marks are first reduced to one per pixel column, so 1,000 tracks of 1,000 keyframes paint in a few
milliseconds (tests/test_video_player.py measures it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets.theme import color

LABEL_W = 120  # the track names' column
MINIMAP_H = 5
RULER_H = 20
ROW_H = 16
MARK_HIT_PX = 4
MIN_TICK_PX = 70
DIAMONDS_MAX = 60  # more keyframe marks than this in a row's view are drawn as bars, in one call


@dataclass
class TimelineRow:
    """What the timeline draws of one track."""

    id: str
    name: str
    color: str
    keyframes: np.ndarray  # frame numbers, ascending
    outside: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges
    start: int = 0  # first keyframe
    end: int = 0  # last frame shown (inclusive)


class Timeline(QWidget):
    scrubbed = Signal(int)  # a frame asked for by click or drag
    track_clicked = Signal(str)  # a row's track id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(RULER_H + MINIMAP_H + 3 * ROW_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the canvas
        self.frames = 1
        self.playhead = 0
        self.rows: list[TimelineRow] = []
        self.selected: frozenset[str] = frozenset()
        self.row_offset = 0  # the first row shown
        self.first = 0.0  # the frame at the left edge of the track area
        self.per_px = 1.0  # frames per pixel
        self._fitted = True
        self._scrubbing = False
        self._last_scrub = -1
        self.paint_ms = 0.0  # the last paint's cost (benchmarks)

    # --- content ----------------------------------------------------------------------------------------------

    def set_length(self, frames: int) -> None:
        self.frames = max(1, frames)
        self.playhead = min(self.playhead, self.frames - 1)
        self.fit()

    def set_rows(self, rows: list[TimelineRow]) -> None:
        self.rows = rows
        self.row_offset = min(self.row_offset, max(0, len(rows) - 1))
        self.update()

    def set_playhead(self, frame: int) -> None:
        if frame != self.playhead:
            old, self.playhead = self.playhead, frame
            if not self._fitted and not self.first <= frame <= self.first + self._track_width() * self.per_px:
                self.first = max(0.0, frame - self._track_width() * self.per_px / 4)  # follow the playhead
                self.update()
                return
            for f in (old, frame):  # only the two columns the playhead leaves and enters
                x = round(self.x_of(f))
                self.update(x - 2, 0, 5, self.height())

    def set_selected(self, ids: frozenset[str]) -> None:
        """Highlight these tracks' rows, scrolling the first of them into view."""
        if ids != self.selected:
            self.selected = ids
            rows = [i for i, row in enumerate(self.rows) if row.id in ids]
            visible = max(1, (self.height() - self.rows_top()) // ROW_H)
            if rows and not self.row_offset <= rows[0] < self.row_offset + visible:
                self.row_offset = max(0, rows[0] - visible // 2)
            self.update()

    # --- geometry and hit tests ---------------------------------------------------------------------------------

    def _track_width(self) -> int:
        return max(1, self.width() - LABEL_W - 4)

    def fit(self) -> None:
        """The whole video across the track area."""
        self.first = 0.0
        self.per_px = self.frames / self._track_width()
        self._fitted = True
        self.update()

    def x_of(self, frame: float) -> float:
        """The x of the middle of a frame's column."""
        return LABEL_W + (frame + 0.5 - self.first) / self.per_px

    def frame_at(self, x: float) -> int:
        frame = int(np.floor(self.first + (x - LABEL_W) * self.per_px))
        return min(max(frame, 0), self.frames - 1)

    def rows_top(self) -> int:
        return MINIMAP_H + RULER_H

    def row_at(self, y: float) -> TimelineRow | None:
        if y < self.rows_top():
            return None
        i = self.row_offset + int((y - self.rows_top()) // ROW_H)
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def keyframe_at(self, x: float, y: float) -> tuple[str, int] | None:
        """The track and frame of the keyframe mark within a few pixels of (x, y), the nearest one."""
        row = self.row_at(y)
        if row is None or not len(row.keyframes) or x < LABEL_W:
            return None
        frame = self.first + (x - LABEL_W) * self.per_px - 0.5
        i = int(np.searchsorted(row.keyframes, frame))
        near = [int(row.keyframes[j]) for j in (i - 1, i) if 0 <= j < len(row.keyframes)]
        best = min(near, key=lambda f: abs(self.x_of(f) - x))
        return (row.id, best) if abs(self.x_of(best) - x) <= MARK_HIT_PX else None

    # --- input ------------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        row = self.row_at(pos.y())
        if row is not None:
            self.track_clicked.emit(row.id)
        mark = self.keyframe_at(pos.x(), pos.y())
        if mark is not None:
            self._scrub_to(mark[1])
            return
        if pos.x() >= LABEL_W:
            self._scrubbing = True
            self._scrub_to(self.frame_at(pos.x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._scrubbing:
            self._scrub_to(self.frame_at(event.position().x()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._scrubbing = False
        self._last_scrub = -1

    def _scrub_to(self, frame: int) -> None:
        if frame != self._last_scrub:  # one request per frame crossed, not per mouse move
            self._last_scrub = frame
            self.scrubbed.emit(frame)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            visible = max(1, (self.height() - self.rows_top()) // ROW_H)
            self.row_offset = int(min(max(self.row_offset - steps * 3, 0), max(0, len(self.rows) - visible)))
        elif steps:
            x = max(float(LABEL_W), event.position().x())
            anchor = self.first + (x - LABEL_W) * self.per_px
            fit = self.frames / self._track_width()
            self.per_px = min(max(self.per_px / 1.25**steps, 1 / 40), fit)
            self._fitted = self.per_px >= fit
            self.first = 0.0 if self._fitted else max(0.0, anchor - (x - LABEL_W) * self.per_px)
        self.update()
        event.accept()

    def resizeEvent(self, event: object) -> None:
        if self._fitted:
            self.fit()

    # --- paint ------------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        started = time.perf_counter()
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, color("track"))  # dark in both themes, like the canvas; the ruler follows the theme
        p.fillRect(0, 0, w, self.rows_top(), color("ruler"))
        self._paint_minimap(p, w)
        self._paint_ruler(p, w)
        top = self.rows_top()
        visible = (h - top) // ROW_H + 1
        p.setClipRect(0, top, w, h - top)
        for i, row in enumerate(self.rows[self.row_offset : self.row_offset + visible]):
            self._paint_row(p, row, top + i * ROW_H, w)
        p.setClipping(False)
        x = self.x_of(self.playhead)
        playhead = color("playhead")
        band = QColor(playhead)
        band.setAlpha(90)
        p.fillRect(QRectF(x - 0.5 - max(0.0, 0.5 / self.per_px - 0.5), MINIMAP_H, max(1.0, 1 / self.per_px), h), band)
        p.setPen(QPen(playhead, 1))
        p.drawLine(QPointF(x, MINIMAP_H), QPointF(x, h))
        p.end()
        self.paint_ms = (time.perf_counter() - started) * 1000

    def _paint_minimap(self, p: QPainter, w: int) -> None:
        p.fillRect(LABEL_W, 0, w - LABEL_W, MINIMAP_H - 1, color("minimap"))
        span = self.frames
        x0 = LABEL_W + self.first / span * self._track_width()
        x1 = LABEL_W + min(span, self.first + self._track_width() * self.per_px) / span * self._track_width()
        p.fillRect(QRectF(x0, 0, max(2.0, x1 - x0), MINIMAP_H - 1), color("minimap_view"))
        px = LABEL_W + self.playhead / span * self._track_width()
        p.fillRect(QRectF(px, 0, 1.5, MINIMAP_H - 1), color("playhead"))

    def _paint_ruler(self, p: QPainter, w: int) -> None:
        top = MINIMAP_H
        p.setPen(color("ruler_text"))
        p.drawText(QRectF(4, top, LABEL_W - 8, RULER_H), Qt.AlignmentFlag.AlignVCenter,
                   f"{self.playhead} / {self.frames - 1}")
        step = _tick_step(MIN_TICK_PX * self.per_px)
        first = int(self.first // step * step)
        last = self.frame_at(w)
        p.setPen(color("ruler_tick"))
        for f in range(first, last + 1, step):
            x = self.x_of(f) - 0.5 / self.per_px
            if x < LABEL_W:
                continue
            p.drawLine(QPointF(x, top + RULER_H - 6), QPointF(x, top + RULER_H))
            p.drawText(QPointF(x + 3, top + RULER_H - 6), str(f))

    def _paint_row(self, p: QPainter, row: TimelineRow, y: int, w: int) -> None:
        selected = row.id in self.selected
        if selected:
            p.fillRect(0, y, w, ROW_H, color("track_selected"))
        label = QColor(row.color)
        p.setPen(label if selected else color("track_text"))
        p.drawText(QRectF(14, y, LABEL_W - 16, ROW_H), Qt.AlignmentFlag.AlignVCenter, row.name)
        p.fillRect(4, y + 4, 7, ROW_H - 8, label)
        left, right = self.frame_at(LABEL_W), self.frame_at(w)
        band = QColor(label)
        band.setAlpha(110 if selected else 70)
        x0, x1 = self._span_px(row.start, row.end, left, right)
        if x1 > x0:
            p.fillRect(QRectF(x0, y + 5, x1 - x0, ROW_H - 10), band)
        for a, b in row.outside:
            x0, x1 = self._span_px(a, b, left, right)
            if x1 > x0:  # outside: the band gives way to grey hatching
                p.fillRect(QRectF(x0, y + 3, x1 - x0, ROW_H - 6), color("track"))
                p.fillRect(QRectF(x0, y + 3, x1 - x0, ROW_H - 6), QBrush(color("hatch"), Qt.BrushStyle.BDiagPattern))
        keys = row.keyframes
        lo, hi = np.searchsorted(keys, [left, right + 1])
        if hi <= lo:
            return
        xs = np.unique(np.round(LABEL_W + (keys[lo:hi] + 0.5 - self.first) / self.per_px).astype(np.int32))
        mark = label.lighter(150)
        if len(xs) > DIAMONDS_MAX:  # dense: one strip image, a 2-pixel bar per marked column, drawn in one call
            strip = np.zeros(w + 1, np.uint32)
            xs = xs[(xs >= 1) & (xs < w)]
            strip[xs] = strip[xs - 1] = np.uint32(mark.rgba())
            image = QImage(strip.data, w + 1, 1, (w + 1) * 4, QImage.Format.Format_ARGB32)
            p.drawImage(QRectF(0, y + 3, w + 1, ROW_H - 6), image)
            return
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(mark)
        mid = y + ROW_H / 2
        for x in xs.tolist():
            p.drawPolygon(QPolygonF([QPointF(x, mid - 4), QPointF(x + 4, mid), QPointF(x, mid + 4),
                                     QPointF(x - 4, mid)]))

    def _span_px(self, a: int, b: int, left: int, right: int) -> tuple[float, float]:
        a, b = max(a, left), min(b, right)
        if b < a:
            return 0.0, 0.0
        return self.x_of(a) - 0.5 / self.per_px, self.x_of(b) + 0.5 / self.per_px


def _tick_step(frames: float) -> int:
    """A round number of frames (1, 2, 5, 10, 20, 50...) at least `frames` long."""
    step = 1
    while step < frames:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if step >= frames:
                return step
    return step
