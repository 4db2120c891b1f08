"""The shapes of many tracks on one frame at once: keyframe lookup and linear interpolation vectorised across tracks.

`Track.at` (with core/tracks/interpolate.py) is the reference, one track at a time. This gives the same values bit
for bit for the kinds whose numbers all move linearly (box, point, polygon, polyline): the same float operations,
`a + (b - a) * t` with `t = (frame - fa) / (fb - fa)`, run by numpy over all tracks' numbers in one go instead of
once per vertex in Python. Outlines of different vertex counts use interpolate.py's correspondence, made once per
keyframe pair and kept for as long as the track is (a few times the track's own vertices); other kinds go through
`interpolate`. tests/test_tracks_batch.py compares both paths on random tracks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from functools import partial
from itertools import repeat
from typing import Any

import numpy as np

from core.geometry import Point
from core.shapes import Box, PointShape, Polygon, Polyline, Shape
from core.tracks.checks import MAX_FRAME
from core.tracks.interpolate import interpolate, matched_outlines
from core.tracks.track import FrameShape, Track

OTHER_GROUP, NOT_MATCHED = -1, -2  # see TrackPlan
# FrameShape(...) runs a Python-level __new__; a thousand states a frame are made by this C-level one instead.
_state = partial(tuple.__new__, FrameShape)


def _made(cls: type, count: int, *columns: Iterable[Any]) -> list[Any]:
    """`count` shapes of `cls` (a frozen slots dataclass without __post_init__) from one iterable per field, in
    field order, without running its generated __init__ (Python code) per shape: object.__new__ and the slots'
    own setters, in C-level loops (1,000 polygons in 0.16 instead of 0.31 ms)."""
    assert not hasattr(cls, "__post_init__"), f"{cls.__name__} checks its values: build it with its __init__"
    shapes: list[Any] = list(map(object.__new__, repeat(cls, count)))
    for field, values in zip(fields(cls), columns, strict=True):
        deque(map(getattr(cls, field.name).__set__, shapes, values), maxlen=0)
    return shapes


def _boxes(values: list[float], _pairs: int) -> list[Shape]:
    return _made(Box, len(values) // 4, values[0::4], values[1::4], values[2::4], values[3::4])


def _points(values: list[float], _pairs: int) -> list[Shape]:
    return _made(PointShape, len(values) // 2, values[0::2], values[1::2])


def _outlines(cls: type) -> Callable[[list[float], int], list[Shape]]:
    def build(values: list[float], pairs: int) -> list[Shape]:
        numbers = iter(values)
        points = zip(*[zip(numbers, numbers, strict=True)] * pairs, strict=True)  # all in C
        return _made(cls, len(values) // (2 * pairs), points)
    return build


@dataclass(frozen=True, slots=True)
class Linear:
    """A kind whose numbers all move linearly: its numbers as (x, y) pairs, shapes back from many shapes' numbers
    one after another (`pairs` pairs each), and for outlines whether they are closed (outlines of different vertex
    counts are resampled; None: the counts never differ)."""

    pairs: Callable[[Any], Sequence[Point]]
    shapes: Callable[[list[float], int], list[Shape]]
    closed: bool | None = None


LINEAR: dict[str, Linear] = {
    Box.kind: Linear(lambda s: ((s.x, s.y), (s.w, s.h)), _boxes),
    PointShape.kind: Linear(lambda s: ((s.x, s.y),), _points),
    Polygon.kind: Linear(lambda s: s.points, _outlines(Polygon), closed=True),
    Polyline.kind: Linear(lambda s: s.points, _outlines(Polyline), closed=False),
}
KINDS = tuple(LINEAR.values())


def _objects(values: Iterable[Any], count: int) -> np.ndarray:
    """An object array (np.fromiter: assigning a list makes numpy probe every item for being an array)."""
    return np.fromiter(values, dtype=object, count=count)


@dataclass(slots=True)
class TrackPlan:
    """One track's keyframes as arrays, made once per track value, so a new FrameBatch after an edit only joins
    arrays. The stretch from each keyframe to the next has the places of its two ends' pairs in `coords` and a group
    (kind and pair count; OTHER_GROUP: interpolated shape by shape; NOT_MATCHED: resampled, its correspondence not
    made yet: `match` adds it to `coords` when the stretch is first shown)."""

    track: Track
    kind: int  # index into KINDS, -1 for the other kinds
    frame: np.ndarray
    outside: np.ndarray
    occluded: np.ndarray
    shapes: np.ndarray  # objects
    attributes: np.ndarray  # objects
    coords: np.ndarray  # every keyframe's (x, y) pairs one after another (none for other kinds), then matched ones
    src: np.ndarray
    dst: np.ndarray
    group: np.ndarray

    @classmethod
    def of(cls, track: Track) -> TrackPlan:
        keyframes, n = track.keyframes, len(track.keyframes)
        linear = LINEAR.get(track.kind)
        pairs = [linear.pairs(k.shape) for k in keyframes] if linear else [()] * n
        counts = np.fromiter(map(len, pairs), dtype=np.int64, count=n)
        src = np.cumsum(counts) - counts
        group = counts * len(KINDS) + (KINDS.index(linear) if linear else 0)
        group[:-1][counts[:-1] != counts[1:]] = NOT_MATCHED
        group[:-1][(counts[:-1] == 0) | (counts[1:] == 0)] = OTHER_GROUP  # no numbers: left to `interpolate`
        group[-1] = OTHER_GROUP  # the last keyframe's state holds: nothing after it moves
        return cls(track, KINDS.index(linear) if linear else -1,
                   np.fromiter((k.frame for k in keyframes), dtype=np.int64, count=n),
                   np.fromiter((k.outside for k in keyframes), dtype=bool, count=n),
                   np.fromiter((k.occluded for k in keyframes), dtype=bool, count=n),
                   _objects((k.shape for k in keyframes), n), _objects((k.attributes for k in keyframes), n),
                   np.array([xy for p in pairs for xy in p], dtype=float).reshape(-1, 2),
                   src, np.append(src[1:], 0), group)

    def match(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Make the correspondence from keyframe i to i + 1 and keep it: every frame between them needs it."""
        a, b = self.track.keyframes[i].shape, self.track.keyframes[i + 1].shape
        closed = KINDS[self.kind].closed
        assert closed is not None
        pa, pb = matched_outlines(a.points, b.points, closed)  # type: ignore[attr-defined]
        at = len(self.coords)
        self.coords = np.concatenate([self.coords, pa, pb])
        self.src[i], self.dst[i], self.group[i] = at, at + len(pa), len(pa) * len(KINDS) + self.kind
        return pa, pb


def _join(plans: list[TrackPlan], name: str, dtype: type | str) -> np.ndarray:
    return np.concatenate([getattr(p, name) for p in plans]) if plans else np.empty(0, dtype=dtype)


class FrameBatch:
    """The keyframes of a list of tracks, laid out so one frame's states for all of them take a few numpy calls and
    C-level loops, with no Python code run per shape for the linear kinds."""

    def __init__(self, plans: list[TrackPlan]) -> None:
        self._plans = plans
        self._tracks = _objects((p.track for p in plans), len(plans))
        self._frame = _join(plans, "frame", np.int64)
        self._outside, self._occluded = _join(plans, "outside", bool), _join(plans, "occluded", bool)
        self._shapes, self._attributes = _join(plans, "shapes", object), _join(plans, "attributes", object)
        self._group = _join(plans, "group", np.int64)
        lengths = np.fromiter((len(p.frame) for p in plans), dtype=np.int64, count=len(plans))
        self._first = np.cumsum(lengths) - lengths
        self._keys = np.repeat(np.arange(len(plans), dtype=np.int64), lengths) * MAX_FRAME + self._frame
        self._next_frame = np.append(self._frame[1:], 0)
        self._last = np.zeros(len(self._frame), dtype=bool)  # the track's last keyframe: its state holds after it
        self._last[self._first + lengths - 1] = True
        sizes = np.fromiter((len(p.coords) for p in plans), dtype=np.int64, count=len(plans))
        shift = np.repeat(np.cumsum(sizes) - sizes, lengths)
        self._src, self._dst = _join(plans, "src", np.int64) + shift, _join(plans, "dst", np.int64) + shift
        self._coords = np.concatenate([p.coords for p in plans]) if plans else np.empty((0, 2))
        self._used = len(self._coords)
        self._work = np.empty((0, 2))  # _lerp's buffers, kept between frames

    def _match(self, positions: list[int], steps: list[int]) -> None:
        """Correspondences for resampled stretches shown for the first time: made (and kept) by their tracks'
        plans, and appended to `_coords`."""
        found = []
        for pos, g in zip(positions, steps, strict=True):
            plan, i = self._plans[pos], g - int(self._first[pos])
            found.append((g, *plan.match(i), int(plan.group[i])))
        need = self._used + 2 * sum(len(a) for _, a, _b, _group in found)
        if need > len(self._coords):  # grown by doubling, so meeting new pairs frame after frame stays cheap
            grown = np.empty((max(need, 2 * len(self._coords)), 2))
            grown[: self._used] = self._coords[: self._used]
            self._coords = grown
        at = self._used
        for g, a, b, group in found:
            n = len(a)
            self._src[g], self._dst[g], self._group[g] = at, at + n, group
            self._coords[at: at + n], self._coords[at + n: at + 2 * n] = a, b
            at += 2 * n
        self._used = at

    def states(self, hits: np.ndarray, frame: int) -> list[tuple[Track, FrameShape]]:
        """What `Track.at(frame)` gives for the tracks at positions `hits` (ascending, each one's span holding
        `frame`, so it has a keyframe at or before it), those outside there left out."""
        g = np.searchsorted(self._keys, hits * MAX_FRAME + frame, side="right") - 1
        shown = ~self._outside[g]
        hits, g = hits[shown], g[shown]
        on_key = self._frame[g] == frame
        rows = np.flatnonzero(~(on_key | self._last[g]))  # between two keyframes: interpolated
        shapes = self._shapes[g]
        if len(rows):
            self._move(shapes, rows, hits[rows], g[rows], frame)
        states = map(_state, zip(shapes.tolist(), self._occluded[g].tolist(), on_key.tolist(),
                                 self._attributes[g].tolist(), repeat(False)))
        return list(zip(self._tracks[hits].tolist(), states, strict=True))

    def _move(self, shapes: np.ndarray, rows: np.ndarray, hits: np.ndarray, step: np.ndarray, frame: int) -> None:
        """Put into `shapes[rows]` the shapes between keyframes `step` and `step + 1`, one group (a kind and a
        number of pairs) at a time."""
        groups = self._group[step]
        missing = groups == NOT_MATCHED
        if missing.any():
            self._match(hits[missing].tolist(), step[missing].tolist())
            groups = self._group[step]
        fa = self._frame[step]
        t = (frame - fa) / (self._next_frame[step] - fa)
        src, dst = self._src[step], self._dst[step]
        low, high = groups.min(), groups.max()
        for key in [int(low)] if low == high else np.unique(groups).tolist():
            sel = np.arange(len(step)) if low == high else np.flatnonzero(groups == key)
            if key == OTHER_GROUP:
                for i, at in zip(sel.tolist(), t[sel].tolist(), strict=True):
                    shapes[rows[i]] = interpolate(self._shapes[step[i]], self._shapes[step[i] + 1], at)
                continue
            pairs, kind = divmod(key, len(KINDS))
            values = self._lerp(src[sel], dst[sel], pairs, t[sel])
            shapes[rows[sel]] = _objects(KINDS[kind].shapes(values, pairs), len(sel))

    def _lerp(self, src: np.ndarray, dst: np.ndarray, pairs: int, t: np.ndarray) -> list[float]:
        """`a + (b - a) * t`, Track.at's arithmetic, for `pairs` pairs from each of `src` to `dst`, in place in two
        buffers kept between frames (fresh temporaries of this size cost several times the arithmetic)."""
        size = len(src) * pairs
        if len(self._work) < 2 * size:
            self._work = np.empty((2 * size, 2))
        a, b = self._work[:size].reshape(-1, pairs, 2), self._work[size: 2 * size].reshape(-1, pairs, 2)
        within = np.arange(pairs)
        self._coords.take(src[:, None] + within, axis=0, out=a)  # take: several times faster than a[index]
        self._coords.take(dst[:, None] + within, axis=0, out=b)
        np.subtract(b, a, out=b)
        np.multiply(b, t[:, None, None], out=b)
        np.add(a, b, out=b)
        return b.ravel().tolist()
