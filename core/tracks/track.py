"""A track: one object followed through the frames of a video by keyframes, as CVAT's tracks are.

The shape between two keyframes is interpolated (core/tracks/interpolate.py); after the last keyframe its state holds,
as in CVAT. A keyframe with `outside` set ends the object's presence until the next keyframe. A shape on one frame only
is a plain `Annotation`; a track is what moves. Values are immutable: every edit returns a new track.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core import annotation
from core.annotation import HUMAN, Source
from core.shapes import SHAPE_KINDS, Shape, ShapeError, shape_from_json
from core.tracks.checks import (
    MAX_FRAME,
    TrackError,
    as_attributes,
    as_bool,
    as_dict,
    as_frame,
    as_group,
    as_list,
    as_source,
    as_text,
    as_track_id,
    required,
    source_to_json,
)
from core.tracks.interpolate import interpolate

FLAGS = ("outside", "occluded", "auto")


@dataclass(frozen=True, slots=True)
class Keyframe:
    """The state a person (or, with `auto`, a tracker or detector) set on one frame.

    `attributes` are the per-frame (CVAT "mutable") attribute values; they hold until the next keyframe.
    """

    frame: int
    shape: Shape
    outside: bool = False
    occluded: bool = False
    auto: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"frame": self.frame, "shape": self.shape.to_json(), "outside": self.outside,
                "occluded": self.occluded, "auto": self.auto, "attributes": dict(self.attributes)}


class FrameShape(NamedTuple):
    """What a track shows on one frame (a tuple: thousands are made per frame shown)."""

    shape: Shape
    occluded: bool
    keyframe: bool  # the frame has a keyframe, so this state was set, not interpolated
    attributes: dict[str, Any]  # per-frame values of the keyframe at or before the frame
    outside: bool = False  # only from `Track.at(frame, with_outside=True)`


def _state(frame: int, state: FrameShape, outside: bool = False) -> Keyframe:
    return Keyframe(frame, state.shape, outside=outside, occluded=state.occluded, attributes=state.attributes)


@dataclass(frozen=True, slots=True)
class Track:
    """Keyframes sorted by frame, one per frame, all of one shape kind; `attributes` are per-track (immutable)."""

    id: str
    label: str
    keyframes: tuple[Keyframe, ...]
    attributes: dict[str, Any] = field(default_factory=dict)
    source: Source = HUMAN
    group: int | None = None  # ties tracks and shapes of one object together (CVAT group id)
    _frames: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keyframes = tuple(sorted(self.keyframes, key=lambda k: k.frame))
        if not keyframes:
            raise TrackError(f"track {self.id}: needs at least one keyframe")
        frames = tuple(k.frame for k in keyframes)
        if frames[0] < 0 or frames[-1] >= MAX_FRAME:
            raise TrackError(f"track {self.id}: frame numbers must be 0 <= frame < 2**31")
        if len(set(frames)) != len(frames):
            raise TrackError(f"track {self.id}: two keyframes on one frame")
        kinds = {k.shape.kind for k in keyframes}
        if len(kinds) > 1:
            raise TrackError(f"track {self.id}: keyframes of different kinds ({', '.join(sorted(kinds))})")
        object.__setattr__(self, "keyframes", keyframes)
        object.__setattr__(self, "_frames", frames)

    @property
    def kind(self) -> str:
        return self.keyframes[0].shape.kind

    @property
    def keyframe_frames(self) -> tuple[int, ...]:
        return self._frames

    @property
    def span(self) -> tuple[int, int]:
        """First and last frame that can show a shape; MAX_FRAME - 1 when the last state holds on."""
        last = self.keyframes[-1]
        return self._frames[0], last.frame - 1 if last.outside else MAX_FRAME - 1

    def at(self, frame: int, *, with_outside: bool = False) -> FrameShape | None:
        """The track's state on `frame`: None before the first keyframe and while outside (unless `with_outside`,
        which gives the outside keyframe's shape held, flagged `outside`, as CVAT's exporters and timelines need)."""
        frames = self._frames
        i = bisect_right(frames, frame) - 1
        if i < 0:
            return None
        k = self.keyframes[i]
        if k.outside:
            return FrameShape(k.shape, k.occluded, k.frame == frame, k.attributes, True) if with_outside else None
        if k.frame == frame:
            return FrameShape(k.shape, k.occluded, True, k.attributes)
        if i + 1 == len(frames):
            return FrameShape(k.shape, k.occluded, False, k.attributes)
        after = self.keyframes[i + 1]
        shape = interpolate(k.shape, after.shape, (frame - k.frame) / (after.frame - k.frame))
        return FrameShape(shape, k.occluded, False, k.attributes)

    def keyframe_at(self, frame: int) -> Keyframe | None:
        i = bisect_left(self._frames, frame)
        return self.keyframes[i] if i < len(self._frames) and self._frames[i] == frame else None

    def next_keyframe(self, frame: int) -> Keyframe | None:
        """The first keyframe after `frame` (for "go to next keyframe")."""
        i = bisect_right(self._frames, frame)
        return self.keyframes[i] if i < len(self._frames) else None

    def previous_keyframe(self, frame: int) -> Keyframe | None:
        """The last keyframe before `frame`."""
        i = bisect_left(self._frames, frame)
        return self.keyframes[i - 1] if i else None

    def outside_ranges(self, last_frame: int) -> list[tuple[int, int]]:
        """Inclusive frame ranges, up to `last_frame`, that outside keyframes hide (before the first keyframe the
        object is not yet there, which is not counted); adjacent ranges are joined."""
        ranges: list[tuple[int, int]] = []
        for i, k in enumerate(self.keyframes):
            if not k.outside or k.frame > last_frame:
                continue
            end = min(last_frame, self._frames[i + 1] - 1 if i + 1 < len(self._frames) else last_frame)
            if ranges and ranges[-1][1] + 1 == k.frame:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((k.frame, end))
        return ranges

    def _with(self, keyframes: dict[int, Keyframe], **changes: Any) -> Track:
        return dataclasses.replace(self, keyframes=tuple(keyframes[f] for f in sorted(keyframes)), **changes)

    def _by_frame(self) -> dict[int, Keyframe]:
        return dict(zip(self._frames, self.keyframes, strict=True))

    def _state_at(self, frame: int) -> FrameShape:
        state = self.at(frame)
        if state is None:
            raise TrackError(f"track {self.id}: has no shape on frame {frame}")
        return state

    def with_keyframe(self, keyframe: Keyframe) -> Track:
        """The track with `keyframe` added, or replacing the keyframe on its frame."""
        if keyframe.shape.kind != self.kind:
            raise TrackError(f"track {self.id}: a {keyframe.shape.kind} keyframe on a {self.kind} track")
        keyframes = self._by_frame()
        keyframes[keyframe.frame] = keyframe
        return self._with(keyframes)

    def without_keyframe(self, frame: int) -> Track:
        """The track without the keyframe on `frame` (unchanged when there is none); the last one cannot go."""
        if self.keyframe_at(frame) is None:
            return self
        if len(self.keyframes) == 1:
            raise TrackError(f"track {self.id}: cannot remove its only keyframe; delete the track instead")
        keyframes = self._by_frame()
        del keyframes[frame]
        return self._with(keyframes)

    def split(self, frame: int, new_id: str | None = None) -> tuple[Track, Track]:
        """Two tracks: this one up to `frame` (where it goes outside) and a new one from `frame` on."""
        state = self._state_at(frame)
        if frame <= self._frames[0]:
            raise TrackError(f"track {self.id}: cannot split at or before its first keyframe ({self._frames[0]})")
        keyframes = self._by_frame()
        head = {f: k for f, k in keyframes.items() if f < frame}
        head[frame] = _state(frame, state, outside=True)
        tail = {f: k for f, k in keyframes.items() if f > frame}
        tail[frame] = keyframes.get(frame) or _state(frame, state)
        return self._with(head), self._with(tail, id=new_id or annotation.new_id())

    def merge(self, other: Track) -> Track:
        """This track with `other`'s keyframes joined in; on a frame where both have one, this track's wins."""
        if other.label != self.label:
            raise TrackError(f"cannot merge a {other.label!r} track into a {self.label!r} track")
        if other.kind != self.kind:
            raise TrackError(f"cannot merge a {other.kind} track into a {self.kind} track")
        keyframes = other._by_frame() | self._by_frame()
        return self._with(keyframes, attributes=other.attributes | self.attributes)

    def deleted_range(self, first: int, last: int) -> Track:
        """The track with no shape on frames first..last (inclusive): keyframes there are removed, an outside
        keyframe starts the gap and, where the track went on after `last`, its state there becomes a keyframe.
        Raises TrackError when nothing of the track would be left."""
        if not 0 <= first <= last:
            raise TrackError(f"track {self.id}: bad frame range {first}..{last}")
        keyframes = {f: k for f, k in self._by_frame().items() if not first <= f <= last}
        before = [k for f, k in keyframes.items() if f < first]
        if before and not before[-1].outside:
            held = self.at(first, with_outside=True)
            assert held is not None  # a keyframe before `first` gives every later frame a state
            keyframes[first] = _state(first, held, outside=True)
        after = self.at(last + 1) if last + 1 < MAX_FRAME else None
        if after is not None and last + 1 not in keyframes:
            keyframes[last + 1] = _state(last + 1, after)
        if not keyframes:
            raise TrackError(f"track {self.id}: deleting frames {first}..{last} leaves nothing; delete the track")
        return self._with(keyframes)

    def propagated(self, frame: int, count: int, step: int = 1) -> Track:
        """The shape on `frame` copied as keyframes onto the next `count` frames, `step` apart ("propagate");
        `frame` itself becomes a keyframe, so the copies do not change what it shows."""
        if count < 0 or step < 1:
            raise TrackError(f"track {self.id}: propagate needs count >= 0 and step >= 1")
        if frame + count * step >= MAX_FRAME:
            raise TrackError(f"track {self.id}: propagating past frame 2**31 - 1")
        state = self._state_at(frame)
        keyframes = self._by_frame()
        keyframes.setdefault(frame, _state(frame, state))
        for i in range(1, count + 1):
            keyframes[frame + i * step] = _state(frame + i * step, state)
        return self._with(keyframes)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "kind": self.kind, "attributes": dict(self.attributes),
                "source": source_to_json(self.source), "group": self.group,
                "keyframes": [k.to_json() for k in self.keyframes]}

    @classmethod
    def from_json(cls, data: Any) -> Track:
        """Rebuild a track from `to_json`'s payload; raises TrackError, naming the field, on bad input."""
        data = as_dict(data, "track")
        kind = as_text(required(data, "kind", "track"), "track.kind")
        if kind not in SHAPE_KINDS:
            raise TrackError(f"track.kind: unknown shape type {kind!r:.40}; known: {', '.join(sorted(SHAPE_KINDS))}")
        raw = as_list(required(data, "keyframes", "track"), "track.keyframes")
        if not raw:
            raise TrackError("track.keyframes: needs at least one keyframe")
        keyframes, seen = [], set()
        for i, item in enumerate(raw):
            where = f"track.keyframes[{i}]"
            item = as_dict(item, where)
            frame = as_frame(required(item, "frame", where), f"{where}.frame")
            if frame in seen:
                raise TrackError(f"{where}.frame: a second keyframe on frame {frame}")
            seen.add(frame)
            try:
                shape = shape_from_json(kind, required(item, "shape", where))
            except ShapeError as e:
                raise TrackError(f"{where}.shape: {e}") from None
            flags = {name: as_bool(item.get(name, False), f"{where}.{name}") for name in FLAGS}
            attributes = as_attributes(item.get("attributes", {}), f"{where}.attributes")
            keyframes.append(Keyframe(frame, shape, attributes=attributes, **flags))
        return cls(
            id=as_track_id(required(data, "id", "track"), "track.id"),
            label=as_text(required(data, "label", "track"), "track.label"),
            keyframes=tuple(keyframes),
            attributes=as_attributes(data.get("attributes", {}), "track.attributes"),
            source=as_source(data.get("source"), "track.source"),
            group=as_group(data.get("group"), "track.group"),
        )
