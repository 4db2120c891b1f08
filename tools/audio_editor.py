"""An audio task's editor: segments and instants on tiers, edited by time. Qt-free.

The waveform view (widgets/waveform.py) turns drags and keys into these commands; each is one undo step, handed to
`on_commit` at once like any image edit, so a recording's segments are stored, synced and merged like shapes.
Deleting, relabelling (digits), attributes, copy and the prediction commands are the plain Editor's. An edit that
breaks a tier's rules (core.schema.Tier: the labels it takes, whether its segments may overlap, points or intervals)
is refused with no change and the reason in `refusal`, which the app shows.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable
from typing import Any

from core.annotation import HUMAN, Annotation, new_id
from core.document import AddAnnotations, AnnotationDoc, Batch, DeleteAnnotations, UpdateAnnotations
from core.schema import LabelSchema
from core.shapes import Instant, Segment
from tools.editor import Editor

MIN_SEGMENT_S = 0.01  # a drag shorter than this is a click, not a segment


def time_span(annotation: Annotation) -> tuple[float, float]:
    """(start, end) of a segment, (t, t) of an instant."""
    shape = annotation.shape
    if isinstance(shape, Segment):
        return shape.start, shape.end
    assert isinstance(shape, Instant)
    return shape.time, shape.time


def is_timed(annotation: Annotation) -> bool:
    return isinstance(annotation.shape, Segment | Instant)


class AudioEditor(Editor):
    """An Editor over a recording's time annotations; see the module docstring."""

    def __init__(self, doc: AnnotationDoc, schema: LabelSchema, *, duration_s: float, **kwargs: Any) -> None:
        super().__init__(doc, schema, **kwargs)
        self.duration_s = max(0.0, duration_s)
        self.refusal = ""  # why the last edit was refused
        self.mark_start: float | None = None  # the first press of "mark at playhead", waiting for the second
        self.time_selection: tuple[float, float] | None = None  # the range dragged on the waveform (view state)
        self.tier = self.tiers()[0]
        self._fit_label()

    @classmethod
    def from_editor(cls, editor: Editor, duration_s: float) -> AudioEditor:
        """The same task's editor turned audio: the app's session builds plain editors (desktop/session.py)."""
        audio = cls(editor.doc, editor.schema, duration_s=duration_s, author=editor.author,
                    on_commit=editor._on_commit, clipboard=editor.clipboard)
        if editor.current_label and editor.schema.get(editor.current_label):
            audio.current_label = editor.current_label
            audio._fit_label()
        audio.hidden_labels, audio.locked_labels = editor.hidden_labels, editor.locked_labels
        audio.score_threshold = editor.score_threshold
        return audio

    # --- what the view draws --------------------------------------------------------------------------------------

    def tiers(self) -> list[str]:
        """The schema's tiers in their order, then tiers only the annotations name (imported files), else one
        unnamed tier so there is always a lane to draw on."""
        names = [t.name for t in self.schema.tiers]
        seen = set(names)
        for ann in self.doc:
            tier = getattr(ann.shape, "tier", None)
            if tier is not None and tier not in seen:
                seen.add(tier)
                names.append(tier)
        return names or [""]

    def on_tier(self, tier: str) -> list[Annotation]:
        """The tier's segments and instants in time order."""
        return sorted((a for a in self.doc if getattr(a.shape, "tier", None) == tier), key=time_span)

    def set_tier(self, tier: str) -> None:
        if tier != self.tier:
            self.tier = tier
            self.mark_start = None
            self._notify("tool")
            self._fit_label()

    def step_tier(self, step: int) -> None:
        names = self.tiers()
        index = names.index(self.tier) if self.tier in names else 0
        self.set_tier(names[(index + step) % len(names)])

    def neighbour(self, t: float, step: int, tier: str | None = None) -> Annotation | None:
        """The first segment starting after `t` (step 1) or the last starting before it (step -1), on `tier`
        (the current one by default)."""
        members = self.on_tier(self.tier if tier is None else tier)
        starts = [time_span(a)[0] for a in members]
        if step > 0:
            i = bisect.bisect_right(starts, t + 1e-6)
            return members[i] if i < len(members) else None
        i = bisect.bisect_left(starts, t - 1e-6) - 1
        return members[i] if i >= 0 else None

    # --- commands -------------------------------------------------------------------------------------------------

    def add_segment(self, start: float, end: float, label: str | None = None, tier: str | None = None,
                    text: str = "") -> Annotation | None:
        """A new segment (an instant on a point tier: at `start`) with `label` or the current one, selected;
        None, with `refusal` set, when the tier's rules forbid it."""
        tier = self.tier if tier is None else tier
        start, end = sorted((self._clamp(start), self._clamp(end)))
        spec = self.schema.tier(tier)
        points = spec is not None and spec.points
        if not points and end - start < MIN_SEGMENT_S:
            return self._refuse(f"a segment must last at least {MIN_SEGMENT_S * 1000:.0f} ms")
        shape = Instant(start, tier, text) if points else Segment(start, end, tier, text)
        label = label or self.current_label
        spec_label = self.schema.get(label)
        if spec_label is None and self.schema.labels:
            return self._refuse(f"there is no label {label!r}")
        if spec_label is not None and not spec_label.allows(shape.kind):
            return self._refuse(f"label {label!r} does not take {shape.kind}s")
        attributes = spec_label.initial_attributes() if spec_label is not None else {}
        ann = Annotation(new_id(), self.doc.task_id, label, shape, attributes, self.author, HUMAN)
        if not self._allowed([ann]):
            return None
        self.execute(AddAnnotations((ann,), f"Add {shape.kind}"))
        self.select((ann.id,))
        return ann

    def retime(self, annotation_id: str, start: float, end: float) -> bool:
        """Move or resize one segment (or move an instant to `start`); False, with `refusal`, when refused."""
        ann = self.doc.get(annotation_id)
        if ann.locked or ann.label in self.locked_labels:
            return bool(self._refuse("the segment is locked (L unlocks it)"))
        start, end = sorted((self._clamp(start), self._clamp(end)))
        shape = ann.shape
        if isinstance(shape, Segment):
            if end - start < MIN_SEGMENT_S:
                return bool(self._refuse(f"a segment must last at least {MIN_SEGMENT_S * 1000:.0f} ms"))
            moved = dataclasses.replace(ann, shape=Segment(start, end, shape.tier, shape.text))
        elif isinstance(shape, Instant):
            moved = dataclasses.replace(ann, shape=Instant(start, shape.tier, shape.text))
        else:
            return False
        if moved.shape == shape or not self._allowed([moved]):
            return False
        self.execute(UpdateAnnotations((moved,), "Move segment"))
        return True

    def split(self, annotation_id: str, t: float) -> Annotation | None:
        """Cut a segment at `t` in two (the text stays with the first part; the second is a new annotation with the
        same label and attributes), selecting the second; None when `t` is not inside it."""
        ann = self.doc.get(annotation_id)
        shape = ann.shape
        if not isinstance(shape, Segment) or not shape.start + MIN_SEGMENT_S <= t <= shape.end - MIN_SEGMENT_S:
            return self._refuse("split: put the playhead inside the segment, away from its edges")
        first = dataclasses.replace(ann, shape=Segment(shape.start, t, shape.tier, shape.text))
        second = dataclasses.replace(ann, id=new_id(), shape=Segment(t, shape.end, shape.tier, ""), revision=0,
                                     author=self.author)
        self.execute(Batch((UpdateAnnotations((first,)), AddAnnotations((second,))), "Split segment"))
        self.select((second.id,))
        return second

    def merge(self, ids: Iterable[str] | None = None) -> Annotation | None:
        """Join segments of one tier (the selection by default) into the first: it spans them all and takes
        their texts joined in time order; None, with `refusal`, unless two or more segments of one tier."""
        members = sorted((self.doc.get(i) for i in (self.selection if ids is None else ids)), key=time_span)
        segments = [a for a in members if isinstance(a.shape, Segment)]
        if len(segments) < 2 or len(segments) != len(members):
            return self._refuse("merge: select two or more segments (Ctrl+click)")
        tiers = {a.shape.tier for a in segments}  # type: ignore[attr-defined]
        if len(tiers) > 1:
            return self._refuse("merge: the segments are on different tiers")
        first = segments[0]
        assert isinstance(first.shape, Segment)
        text = " ".join(t for t in (a.shape.text.strip() for a in segments) if t)  # type: ignore[attr-defined]
        end = max(a.shape.end for a in segments)  # type: ignore[attr-defined]
        joined = dataclasses.replace(first, shape=Segment(first.shape.start, end, first.shape.tier, text))
        rest = tuple(a.id for a in segments[1:])
        if not self._allowed([joined], ignore=rest):
            return None
        self.execute(Batch((DeleteAnnotations(rest), UpdateAnnotations((joined,))), "Merge segments"))
        self.select((first.id,))
        return joined

    def set_text(self, annotation_id: str, text: str) -> None:
        """The transcription of one segment; typing into one segment in a row is one undo step."""
        ann = self.doc.get(annotation_id)
        shape = ann.shape
        if not isinstance(shape, Segment | Instant) or shape.text == text:
            return
        updated = dataclasses.replace(ann, shape=dataclasses.replace(shape, text=text))
        self.execute(UpdateAnnotations((updated,), "Edit transcription"), merge_key=("text", annotation_id))

    def use_label(self, name: str) -> bool:
        """A label key: with a time range selected and no segment, a segment of that label over the range (drag,
        then a digit); else the plain editor's (pick the label, relabel the selected segments)."""
        span = self.time_selection
        if span is not None and not self.selection and self.schema.get(name) is not None:
            self.current_label = name
            self._notify("label")
            if self.add_segment(*span, label=name) is None:
                return False
            self.time_selection = None
            return True
        return super().use_label(name)

    def segment_from_selection(self) -> Annotation | None:
        """The time range selected on the waveform as a segment of the current label (Ctrl+B)."""
        if self.time_selection is None:
            return self._refuse("select a time range first (drag on the waveform)")
        added = self.add_segment(*self.time_selection)
        if added is not None:
            self.time_selection = None
        return added

    def mark(self, t: float) -> Annotation | None:
        """Press at the start, press again at the end (while listening): the second press adds the segment."""
        if self.mark_start is None:
            self.mark_start = self._clamp(t)
            self._notify("overlay")
            return None
        start, self.mark_start = self.mark_start, None
        self._notify("overlay")
        return self.add_segment(start, t)

    # --- internals ------------------------------------------------------------------------------------------------

    def _fit_label(self) -> None:
        """Keep a current label the tier takes (on a recording opened after an image, "car" is no speaker)."""
        spec = self.schema.tier(self.tier)
        kind = "instant" if spec is not None and spec.points else "segment"
        fits = [label.name for label in self.schema.labels
                if label.allows(kind) and (spec is None or spec.allows(label.name))]
        if fits and self.current_label not in fits:
            self.current_label = fits[0]
            self._notify("label")

    def _clamp(self, t: float) -> float:
        t = max(0.0, t)
        return min(t, self.duration_s) if self.duration_s > 0 else t

    def _refuse(self, why: str) -> Any:
        """Record why an edit was refused; None, so a command can `return self._refuse(...)`."""
        self.refusal = why
        self._notify("refused")
        return None

    def _allowed(self, candidates: list[Annotation], ignore: Iterable[str] = ()) -> bool:
        """The tier rules hold for `candidates` against the rest of their tiers (less `ignore`)."""
        skip = {a.id for a in candidates} | set(ignore)
        for ann in candidates:
            shape = ann.shape
            spec = self.schema.tier(shape.tier)  # type: ignore[attr-defined]
            if spec is None:
                continue
            if not spec.allows(ann.label):
                return bool(self._refuse(f"tier {spec.name!r} does not take label {ann.label!r}"))
            if spec.points != isinstance(shape, Instant):
                return bool(self._refuse(f"tier {spec.name!r} holds {'instants' if spec.points else 'segments'}"))
            if spec.overlap or not isinstance(shape, Segment):
                continue
            for other in self.doc:
                other_shape = other.shape
                if (other.id not in skip and isinstance(other_shape, Segment) and other_shape.tier == spec.name
                        and other_shape.overlaps(shape)):
                    return bool(self._refuse(f"tier {spec.name!r} forbids overlaps: {other.label} "
                                             f"{other_shape.start:.2f}-{other_shape.end:.2f} s is in the way"))
        self.refusal = ""
        return True

