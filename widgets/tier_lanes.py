"""The tier lanes under the waveform: one row per tier with its segments, what is under the mouse, and the drawing.

Each lane's segments are kept as start and end arrays (rebuilt only when the document changes), so finding the
visible ones is one numpy pass, and a lane holding more segments than pixels is drawn as runs of covered columns
(widgets/waveform_render.coverage), not one rectangle each: 100,000 segments draw in a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen

from core.annotation import Annotation
from tools.audio_editor import AudioEditor, time_span
from widgets.theme import color
from widgets.waveform_render import TimeAxis, coverage, runs

LANE_H = 26
EDGE_PX = 5  # how near a segment's edge a press resizes it
DENSE = 2.0  # below this many pixels per segment a lane is drawn as covered columns
Lane = tuple[list[Annotation], np.ndarray, np.ndarray]  # segments in time order, their starts, their ends


@dataclass
class Preview:
    """A drag in progress, drawn where it would land: a segment moved or resized, or one being drawn on `tier`."""

    tier: str
    span: tuple[float, float]
    annotation_id: str | None = None


class TierLanes:
    def __init__(self, axis: TimeAxis) -> None:
        self.axis = axis
        self.editor: AudioEditor | None = None
        self.top = 0  # the y of the first lane, set by the view's layout
        self._lanes: dict[str, Lane] = {}
        self._tiers: list[str] | None = None

    def reset(self, editor: AudioEditor | None = None, keep_editor: bool = True) -> None:
        """Forget the cached lanes (the document changed); with `keep_editor` False, show another editor."""
        if not keep_editor:
            self.editor = editor
        self._lanes.clear()
        self._tiers = None

    def tiers(self) -> list[str]:
        if self._tiers is None:
            self._tiers = self.editor.tiers() if self.editor is not None else []
        return self._tiers

    @property
    def height(self) -> int:
        return LANE_H * len(self.tiers())

    def lane_at(self, y: float) -> str | None:
        tiers = self.tiers()
        i = int((y - self.top) // LANE_H)
        return tiers[i] if y >= self.top and 0 <= i < len(tiers) else None

    def visible(self, tier: str) -> Lane:
        members, starts, ends = self._lane(tier)
        index = self._in_view(starts, ends)
        return [members[i] for i in index], starts[index], ends[index]

    def _in_view(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        return np.flatnonzero((ends >= self.axis.t0) & (starts <= self.axis.t1))

    def hit(self, x: float, tier: str) -> tuple[Annotation | None, str]:
        """The segment under x on `tier` and which part: "start" or "end" edge, or "body"; the selected one first."""
        members, starts, ends = self.visible(tier)
        found: tuple[Annotation | None, str] = (None, "")
        selected = set(self.editor.selection) if self.editor is not None else set()
        for ann, a, b in zip(members, starts, ends, strict=True):
            xa, xb = self.axis.x(a), self.axis.x(b)
            if abs(x - xa) <= EDGE_PX or abs(x - xb) <= EDGE_PX:
                part = "start" if abs(x - xa) <= abs(x - xb) else "end"
            elif xa <= x <= xb:
                part = "body"
            else:
                continue
            if ann.id in selected:
                return ann, part
            if found[0] is None or part != "body":
                found = (ann, part)
        return found

    def paint(self, p: QPainter, width: int, preview: Preview | None) -> None:
        for i, tier in enumerate(self.tiers()):
            self._paint_lane(p, tier, self.top + i * LANE_H, width, preview)

    def _lane(self, tier: str) -> Lane:
        if tier not in self._lanes and self.editor is not None:
            members = self.editor.on_tier(tier)
            spans = np.array([time_span(a) for a in members], np.float64).reshape(-1, 2)
            self._lanes[tier] = (members, spans[:, 0], spans[:, 1])
        return self._lanes.get(tier, ([], np.zeros(0), np.zeros(0)))

    def _paint_lane(self, p: QPainter, tier: str, y: int, w: int, preview: Preview | None) -> None:
        editor = self.editor
        assert editor is not None
        current = tier == editor.tier
        p.fillRect(0, y, w, LANE_H, color("track_selected" if current else "track"))
        p.setPen(color("ruler_tick"))
        p.drawLine(0, y, w, y)
        every, all_starts, all_ends = self._lane(tier)
        index = self._in_view(all_starts, all_ends)
        if len(index) > w / DENSE:  # the segments themselves are not needed: only which columns they cover
            p.setBrush(QColor("#90a4ae"))
            p.setPen(Qt.PenStyle.NoPen)
            for first, end_x in runs(coverage(all_starts[index], all_ends[index], self.axis)):
                p.drawRect(QRectF(first, y + 3, end_x - first, LANE_H - 6))
        else:
            members, starts, ends = [every[i] for i in index], all_starts[index], all_ends[index]
            metrics = QFontMetrics(p.font())
            selected = set(editor.selection)
            moved = preview.annotation_id if preview is not None else None
            for ann, start, end in zip(members, starts.tolist(), ends.tolist(), strict=True):
                if ann.id == moved and preview is not None:
                    start, end = preview.span
                self._paint_segment(p, ann, start, end, y, ann.id in selected, metrics)
        if preview is not None and preview.annotation_id is None and preview.tier == tier:
            a, b = (self.axis.x(t) for t in preview.span)
            p.setPen(QPen(QColor("white"), 1, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(a, y + 2, b - a, LANE_H - 4))
        p.setPen(color("track_text" if current else "track_muted"))
        p.drawText(QRectF(4, y, 200, LANE_H), Qt.AlignmentFlag.AlignVCenter, tier or "segments")

    def _paint_segment(self, p: QPainter, ann: Annotation, a: float, b: float, y: int, selected: bool,
                       metrics: QFontMetrics) -> None:
        """A segment as a box in its label's colour (a prediction paler, dotted, with its score), an instant as a
        line; the label and transcription inside when there is room."""
        editor = self.editor
        assert editor is not None
        if not editor.is_visible(ann):
            return
        label = editor.schema.get(ann.label)
        color = QColor(label.color if label is not None else "#b0bec5")
        xa, xb = self.axis.x(a), self.axis.x(b)
        predicted = ann.source.is_model
        fill = QColor(color)
        fill.setAlpha(70 if predicted else 150)
        rect = QRectF(xa, y + 3, max(xb - xa, 2.0), LANE_H - 6)
        p.setPen(QPen(QColor("white") if selected else color, 2 if selected else 1,
                      Qt.PenStyle.DotLine if predicted else Qt.PenStyle.SolidLine))
        p.setBrush(QBrush(fill))
        if a == b:  # an instant
            p.drawLine(QPointF(xa, y + 2), QPointF(xa, y + LANE_H - 2))
            rect = QRectF(xa + 3, y + 3, 120, LANE_H - 6)
        else:
            p.drawRect(rect)
        text = ann.label + (f" {ann.source.score:.2f}" if predicted and ann.source.score is not None else "")
        spoken = getattr(ann.shape, "text", "")
        if spoken:
            text = f"{text}: {spoken}"
        if rect.width() > 24:
            p.setPen(QColor("white"))
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter,
                       metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()) - 6))
