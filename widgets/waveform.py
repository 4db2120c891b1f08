"""The audio view: a time ruler, the waveform (one band per channel) and/or the spectrogram, one lane per tier with
its segments, and a minimap of the whole recording.

Wheel zooms around the mouse (from the whole file down to single samples), Shift+wheel or a horizontal wheel
scrolls, the minimap jumps. On the signal: click seeks, drag selects a time range. On a lane: drag on empty space
draws a segment on that tier, drag a segment to move it, drag its edge to resize it, click selects (Ctrl+click adds),
double-click asks for its transcription. Every edit goes through the AudioEditor (tools/audio_editor.py) on
release, so a drag is one undo step. A frame's cost follows the pixels, not the recording (widgets/waveform_render).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.annotation import Annotation
from core.audio import PeaksPyramid
from tools.audio_editor import AudioEditor, time_span
from widgets.sample_reader import SampleReader
from widgets.spectrogram_layer import SpectrogramLayer
from widgets.theme import color
from widgets.tier_lanes import LANE_H, Preview, TierLanes
from widgets.waveform_render import TimeAxis, clock, envelope, level_envelope, wave_image

RULER_H = 18
MINIMAP_H = 14
DRAG_PX = 3
SMOOTH_POINTS = 300  # antialiased sample lines below this many points (more cost 8 ms a channel, and look the same)
ZOOM_STEP = 1.25  # per wheel notch
WAVE = QColor("#4fc3f7")
SELECTION = QColor(255, 255, 255, 40)
DISPLAYS = ("waveform", "spectrogram", "both")
MAX_BANDS = 4  # a spectrogram of its own per channel up to this many; the channels' mean past it


@dataclass
class _Drag:
    kind: str  # "select" | "create" | "move" | "start" | "end" | "minimap"
    x: float
    t: float
    tier: str = ""
    ann: Annotation | None = None
    moved: bool = False
    preview: tuple[float, float] | None = None


class WaveformView(QWidget):
    seek_requested = Signal(float)
    selection_changed = Signal()
    text_requested = Signal(str)  # an annotation id whose transcription to edit
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(RULER_H + MINIMAP_H + LANE_H + 60)
        self.axis = TimeAxis()
        self.editor: AudioEditor | None = None
        self.pyramid: PeaksPyramid | None = None
        self.samples: SampleReader | None = None
        self.spectrogram: SpectrogramLayer | None = None
        self.display = "waveform"
        self.playhead = 0.0
        self.message = ""
        self._drag: _Drag | None = None
        self.lanes = TierLanes(self.axis)

    # --- what it shows --------------------------------------------------------------------------------------------

    def set_recording(self, duration: float, pyramid: PeaksPyramid | None, samples: SampleReader | None) -> None:
        self.axis.duration = duration
        self.pyramid, self.samples = pyramid, samples
        if samples is not None:
            samples.ready.connect(self.update)
        self.playhead, self.message = 0.0, ""
        self.axis.width = max(self.width(), 1)
        self.axis.fit()
        self.update()

    def set_pyramid(self, pyramid: PeaksPyramid) -> None:
        """A newer pyramid (a snapshot while decoding goes on, then the complete one)."""
        self.pyramid = pyramid
        self.update()

    def set_editor(self, editor: AudioEditor | None) -> None:
        self.editor = editor
        if editor is not None:
            editor.subscribe(self._editor_changed)
        self.lanes.reset(editor, keep_editor=False)
        self.update()

    def set_display(self, display: str) -> None:
        if display not in DISPLAYS:
            raise ValueError(f"display must be one of {', '.join(DISPLAYS)}, got {display!r}")
        self.display = display
        self.update()

    def set_playhead(self, t: float, follow: bool = False) -> None:
        self.playhead = t
        if follow:
            self.axis.follow(t)
        self.update()

    @property
    def selection(self) -> tuple[float, float] | None:
        """The time range dragged on the signal, kept by the editor (a digit or Ctrl+B turns it into a segment)."""
        return self.editor.time_selection if self.editor is not None else None

    @selection.setter
    def selection(self, span: tuple[float, float] | None) -> None:
        if self.editor is not None:
            self.editor.time_selection = span

    def show_message(self, text: str) -> None:
        self.message = text
        self.update()

    def fit(self) -> None:
        self.axis.fit()
        self.update()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        self.axis.zoom(factor, self.axis.x(self.playhead) if anchor_x is None else anchor_x)
        self.update()

    def _editor_changed(self, topic: str) -> None:
        if topic == "doc":
            self.lanes.reset()
        if topic == "refused" and self.editor is not None:
            self.refused.emit(self.editor.refusal)
        self.update()

    def tiers(self) -> list[str]:
        return self.lanes.tiers()

    def lanes_top(self) -> int:
        return self.height() - MINIMAP_H - self.lanes.height

    # --- mouse ----------------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.axis.duration <= 0:
            return
        x, y = event.position().x(), event.position().y()
        t = self.axis.t(x)
        if y >= self.height() - MINIMAP_H:
            self._drag = _Drag("minimap", x, t)
            self._minimap_to(x)
            return
        self.lanes.top = self.lanes_top()
        tier = self.lanes.lane_at(y)
        if tier is None or self.editor is None:
            self._drag = _Drag("select", x, t)
            return
        self.editor.set_tier(tier)
        ann, part = self.lanes.hit(x, tier)
        if ann is None:
            self._drag = _Drag("create", x, t, tier)
            return
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl:
            chosen = set(self.editor.selection) ^ {ann.id}
            self.editor.select(i for i in self.editor.doc.ids() if i in chosen)
        elif ann.id not in self.editor.selection:
            self.editor.select((ann.id,))
        self._drag = _Drag("move" if part == "body" else part, x, t, tier, ann)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            return
        x = event.position().x()
        t = min(max(self.axis.t(x), 0.0), self.axis.duration)
        drag.moved = drag.moved or abs(x - drag.x) > DRAG_PX
        if drag.kind == "minimap":
            self._minimap_to(x)
        elif not drag.moved:
            return
        elif drag.kind in ("select", "create"):
            drag.preview = (min(drag.t, t), max(drag.t, t))
            if drag.kind == "select":
                self.selection = drag.preview
                self.selection_changed.emit()
        elif drag.ann is not None:
            a, b = time_span(drag.ann)
            if drag.kind == "move":
                shift = min(max(t - drag.t, -a), self.axis.duration - b)
                drag.preview = (a + shift, b + shift)
            else:
                drag.preview = (t, b) if drag.kind == "start" else (a, t)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or (self.editor is None and drag.kind not in ("select", "minimap")):
            return
        if not drag.moved:
            if drag.kind in ("select", "create"):
                if drag.kind == "create" and self.editor is not None:
                    self.editor.select(())
                self.selection = None
                self.selection_changed.emit()
                self.seek_requested.emit(min(max(drag.t, 0.0), self.axis.duration))
        elif drag.kind == "create" and drag.preview is not None and self.editor is not None:
            self.editor.add_segment(*drag.preview, tier=drag.tier)
        elif drag.ann is not None and drag.preview is not None and self.editor is not None:
            self.editor.retime(drag.ann.id, *drag.preview)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.lanes.top = self.lanes_top()
        tier = self.lanes.lane_at(event.position().y())
        if tier is not None:
            ann, _ = self.lanes.hit(event.position().x(), tier)
            if ann is not None:
                self.text_requested.emit(ann.id)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        horizontal = delta.x() if delta.x() else delta.y() if event.modifiers() & Qt.KeyboardModifier.ShiftModifier \
            else 0
        if horizontal:
            self.axis.scroll(-horizontal / 120 * self.width() / 10)
        elif delta.y():
            self.axis.zoom(ZOOM_STEP ** (delta.y() / 120), event.position().x())
        self.update()

    def resizeEvent(self, event: object) -> None:
        fitted = self.axis.spp * self.axis.width >= self.axis.duration - 1e-9
        self.axis.width = max(self.width(), 1)
        if fitted:
            self.axis.fit()
        self.axis.clamp()

    def _minimap_to(self, x: float) -> None:
        span = self.axis.t1 - self.axis.t0
        self.axis.t0 = x / max(self.width(), 1) * self.axis.duration - span / 2
        self.axis.clamp()
        self.update()

    # --- painting -------------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        w, h = self.width(), self.height()
        p.fillRect(0, 0, w, h, color("track"))
        if self.axis.duration <= 0:
            p.setPen(color("track_text"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message or "No recording")
            return
        self.axis.width = max(w, 1)
        top, bottom = RULER_H, self.lanes_top()
        self._paint_ruler(p, w)
        signal = QRectF(0, top, w, max(bottom - top, 1))
        if self.display == "both":
            half = signal.height() / 2
            self._paint_wave(p, QRectF(0, top, w, half))
            self._paint_spectrogram(p, QRectF(0, top + half, w, half))
        elif self.display == "spectrogram":
            self._paint_spectrogram(p, signal)
        else:
            self._paint_wave(p, signal)
        if self.selection is not None:
            a, b = self.axis.x(self.selection[0]), self.axis.x(self.selection[1])
            p.fillRect(QRectF(a, top, max(b - a, 1), h - MINIMAP_H - top), SELECTION)
        self.lanes.top = bottom
        self.lanes.paint(p, w, self._preview())
        self._paint_minimap(p, w, h)
        self._paint_marks(p, top, h - MINIMAP_H)
        if self.message:
            p.setPen(color("warning"))
            p.drawText(QRectF(8, top + 4, w - 16, 20), Qt.AlignmentFlag.AlignRight, self.message)

    def _paint_ruler(self, p: QPainter, w: int) -> None:
        p.fillRect(0, 0, w, RULER_H, color("ruler"))
        p.setPen(color("ruler_text"))
        step, ticks = self.axis.ticks()
        for t in ticks:
            x = self.axis.x(t)
            p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
            p.drawText(QPointF(x + 3, RULER_H - 5), clock(t, step))

    def _paint_wave(self, p: QPainter, rect: QRectF) -> None:
        pyramid, axis = self.pyramid, self.axis
        if pyramid is None:
            p.setPen(color("track_muted"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Reading the recording…")
            return
        channels = range(pyramid.channels)
        columns = [level_envelope(pyramid, c, axis) for c in channels]
        if any(c is None for c in columns):
            samples = self.samples
            if samples is None or not samples.covers(axis.t0, min(axis.t1, axis.duration)):
                if samples is not None:
                    samples.request(axis.t0, axis.t1)
                columns = [level_envelope(pyramid, c, axis, stretch=True) for c in channels]
            elif axis.spp * samples.rate < 1.0:
                self._paint_samples(p, rect, samples)
                return
            else:
                shifted = TimeAxis(axis.duration, axis.width, axis.t0 - samples.start, axis.spp)
                columns = [envelope(row, row, 1.0 / samples.rate, shifted) for row in samples.samples]
        height = max(int(rect.height()), 1)
        image = wave_image([c for c in columns if c is not None], height, WAVE.rgba(), color("ruler_tick").rgba())
        qimage = QImage(image.data, image.shape[1], image.shape[0], image.shape[1] * 4, QImage.Format.Format_ARGB32)
        p.drawImage(QPointF(rect.left(), rect.top()), qimage)

    def _paint_samples(self, p: QPainter, rect: QRectF, samples: SampleReader) -> None:
        """Past one sample a pixel: a line through the samples, with dots once they are far apart."""
        assert samples.samples is not None
        axis, data = self.axis, samples.samples
        first = max(int((axis.t0 - samples.start) * samples.rate) - 1, 0)
        last = min(int((axis.t1 - samples.start) * samples.rate) + 2, data.shape[1])
        band = rect.height() / len(data)
        xs = [axis.x(samples.start + i / samples.rate) for i in range(first, last)]
        p.setRenderHint(QPainter.RenderHint.Antialiasing, len(xs) < SMOOTH_POINTS)
        for c, row in enumerate(data):
            mid, half = rect.top() + c * band + band / 2, band / 2 - 2
            p.setPen(QPen(color("ruler_tick"), 1))
            p.drawLine(QPointF(0, mid), QPointF(rect.width(), mid))
            points = [QPointF(x, mid - float(v) * half) for x, v in zip(xs, row[first:last], strict=True)]
            p.setPen(QPen(WAVE, 1.5))
            p.drawPolyline(QPolygonF(points))
            if len(points) > 1 and xs[1] - xs[0] > 6:
                p.setBrush(WAVE)
                for point in points:
                    p.drawEllipse(point, 2.5, 2.5)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_spectrogram(self, p: QPainter, rect: QRectF) -> None:
        if self.spectrogram is None:
            p.setPen(color("track_muted"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No spectrogram")
            return
        channels = self.spectrogram.channels
        if self.display == "both" or not 1 < channels <= MAX_BANDS:
            self.spectrogram.paint(p, rect, self.axis.t0, self.axis.t1)  # the channels' mean
            return
        band = rect.height() / channels
        for c in range(channels):
            self.spectrogram.paint(p, QRectF(rect.left(), rect.top() + c * band, rect.width(), band - 1),
                                   self.axis.t0, self.axis.t1, c)

    def _preview(self) -> Preview | None:
        drag = self._drag
        if drag is None or drag.preview is None or drag.kind in ("select", "minimap"):
            return None
        return Preview(drag.tier, drag.preview, drag.ann.id if drag.ann is not None else None)

    def _paint_minimap(self, p: QPainter, w: int, h: int) -> None:
        y = h - MINIMAP_H
        p.fillRect(0, y, w, MINIMAP_H, color("minimap"))
        duration = self.axis.duration
        a, b = self.axis.t0 / duration * w, self.axis.t1 / duration * w
        p.setPen(color("minimap_view"))
        p.setBrush(QColor(144, 202, 249, 60))
        p.drawRect(QRectF(a, y + 1, max(b - a, 3), MINIMAP_H - 2))
        p.setPen(color("playhead"))
        x = self.playhead / duration * w
        p.drawLine(QPointF(x, y), QPointF(x, h))

    def _paint_marks(self, p: QPainter, top: int, bottom: int) -> None:
        x = self.axis.x(self.playhead)
        p.setPen(QPen(color("playhead"), 1.5))
        p.drawLine(QPointF(x, 0), QPointF(x, bottom))
        if self.editor is not None and self.editor.mark_start is not None:
            xm = self.axis.x(self.editor.mark_start)
            p.setPen(QPen(QColor("#ffd54f"), 1.5, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(xm, top), QPointF(xm, bottom))

