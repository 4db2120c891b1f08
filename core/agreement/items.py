"""What is compared: one annotator's answer on a task as items (shapes and video tracks), and their similarity.

An annotator's answer is what they drew or accepted: predictions still awaiting review (source `model`) are left
out, a tracker's keyframes on a person's track stay in. A video's rows become tracks (core.tracks); a shape on one
frame matches only shapes on that frame. Two tracks score the mean, over the union of the frames either shows, of
their shapes' similarity on each frame (interpolated between keyframes; 0 where only one is shown), so a track
that starts late or stops early loses the frames it missed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.agreement.areas import box_iou_matrix
from core.agreement.measures import similarity, similarity_matrix
from core.annotation import Annotation
from core.shapes import Shape
from core.tracks import Track, tracks_from_rows
from core.tracks.rows import TrackAttributes


@dataclass(frozen=True, slots=True)
class TrackSamples:
    """A track with the shape it shows on each frame of the video (outside frames left out)."""

    track: Track
    frames: np.ndarray  # sorted frame numbers
    shapes: tuple[Shape, ...]

    @classmethod
    def of(cls, track: Track, frame_count: int) -> TrackSamples:
        first, last = track.span
        last = min(last, max(frame_count - 1, track.keyframe_frames[-1]))
        shown = [(f, state.shape) for f in range(first, last + 1) if (state := track.at(f)) is not None]
        return cls(track, np.array([f for f, _ in shown], dtype=np.int64), tuple(s for _, s in shown))


@dataclass(frozen=True, slots=True)
class Item:
    """One shape or track of one annotator, with what a comparison looks at besides its geometry."""

    id: str
    label: str
    shape: Shape | None = None  # None for a track
    track: TrackSamples | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    frame: int | None = None  # the frame of a one-frame shape on a video

    @property
    def kind(self) -> str:
        if self.track is not None:
            return "track:" + self.track.track.kind
        assert self.shape is not None
        return self.shape.kind

    @property
    def text(self) -> str:
        """A time shape's transcription ("" for other shapes)."""
        return str(getattr(self.shape, "text", ""))


def _none_per_track(label: str) -> frozenset[str]:
    return frozenset()


def items_from_annotations(annotations: Iterable[Annotation], frame_count: int = 1,
                           per_track: TrackAttributes = _none_per_track) -> list[Item]:  # fmt: skip
    """A task's stored rows as items (`per_track`: the schema's per-track attribute names, as core.tracks takes
    them); tracks that cannot be read (clashing keyframes) are left out."""
    tracks, loose, _unreadable = tracks_from_rows(annotations, per_track)
    items = [Item(a.id, a.label, a.shape, attributes=a.attributes, frame=a.frame)
             for a in loose if not a.source.is_model]  # fmt: skip
    items += [Item(t.id, t.label, track=TrackSamples.of(t, frame_count), attributes=t.attributes)
              for t in tracks if not t.source.is_model]  # fmt: skip
    return items


def track_similarity(a: TrackSamples, b: TrackSamples) -> float:
    """Mean similarity over the union of the frames the two tracks show."""
    union = len(np.union1d(a.frames, b.frames))
    if union == 0:
        return 0.0
    _, ia, ib = np.intersect1d(a.frames, b.frames, assume_unique=True, return_indices=True)
    if not len(ia):
        return 0.0
    if a.track.kind == b.track.kind == "box":
        scores = np.diagonal(box_iou_matrix([a.shapes[i] for i in ia], [b.shapes[j] for j in ib]))
        return float(scores.sum()) / union
    return sum(similarity(a.shapes[i], b.shapes[j]) for i, j in zip(ia, ib, strict=True)) / union


def _track_block(a: Sequence[Item], b: Sequence[Item]) -> np.ndarray:
    out = np.zeros((len(a), len(b)))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            tx, ty = x.track, y.track
            assert tx is not None and ty is not None
            if len(tx.frames) and len(ty.frames) and tx.frames[0] <= ty.frames[-1] and ty.frames[0] <= tx.frames[-1]:
                out[i, j] = track_similarity(tx, ty)
    return out


def _shape(item: Item) -> Shape:
    assert item.shape is not None
    return item.shape


def item_matrix(a: Sequence[Item], b: Sequence[Item]) -> np.ndarray:
    """Similarity of every item of `a` with every item of `b`: tracks with tracks, shapes with shapes of their frame."""
    groups_a: dict[Any, list[int]] = defaultdict(list)
    groups_b: dict[Any, list[int]] = defaultdict(list)
    for groups, items in ((groups_a, a), (groups_b, b)):
        for i, item in enumerate(items):
            groups[("track",) if item.track is not None else ("frame", item.frame)].append(i)
    out = np.zeros((len(a), len(b)))
    for key, ia in groups_a.items():
        ib = groups_b.get(key)
        if not ib:
            continue
        xa, xb = [a[i] for i in ia], [b[j] for j in ib]
        if key == ("track",):
            block = _track_block(xa, xb)
        else:
            block = similarity_matrix([_shape(x) for x in xa], [_shape(y) for y in xb])
        out[np.ix_(ia, ib)] = block
    return out
