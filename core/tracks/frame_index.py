"""The tracks of one video and the shapes they show on a frame, fast enough to run on every frame step.

`shapes_at` tests all tracks' spans at once with numpy and interpolates only the tracks alive on the frame, so the
cost follows the shapes shown, not the tracks stored; those tracks' keyframe lookup and interpolation run vectorised
across tracks (core/tracks/frame_batch.py). tests/benchmarks/bench_tracks.py has the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from core.tracks.frame_batch import FrameBatch, TrackPlan
from core.tracks.track import FrameShape, Track


class TrackSet:
    """Tracks by id, in insertion order; edits replace a whole track (tracks are immutable values)."""

    def __init__(self, tracks: Iterable[Track] = ()) -> None:
        self._tracks: dict[str, Track] = {}
        self._order: list[Track] = []
        self._plans: dict[str, TrackPlan] = {}  # kept across edits of other tracks, with the pairs matched so far
        self._batch = FrameBatch([])
        self._first = np.empty(0, dtype=np.int64)
        self._last = np.empty(0, dtype=np.int64)
        self._stale = True
        for track in tracks:
            self.put(track)

    def __len__(self) -> int:
        return len(self._tracks)

    def __iter__(self) -> Iterator[Track]:
        return iter(self._tracks.values())

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._tracks

    def get(self, track_id: str) -> Track | None:
        return self._tracks.get(track_id)

    def put(self, track: Track) -> None:
        """Add a track, or replace the one with its id."""
        self._tracks[track.id] = track
        self._stale = True

    def remove(self, track_id: str) -> Track | None:
        track = self._tracks.pop(track_id, None)
        if track is not None:
            self._stale = True
        return track

    def _index(self) -> None:
        """Span arrays rebuilt lazily, so a run of edits costs one rebuild at the next frame shown."""
        self._order = list(self._tracks.values())
        spans = np.array([t.span for t in self._order], dtype=np.int64).reshape(-1, 2)
        self._first, self._last = spans[:, 0].copy(), spans[:, 1].copy()
        old, self._plans = self._plans, {}
        for track in self._order:
            plan = old.get(track.id)
            self._plans[track.id] = plan if plan is not None and plan.track is track else TrackPlan.of(track)
        self._batch = FrameBatch(list(self._plans.values()))
        self._stale = False

    def _hits(self, frame: int) -> np.ndarray:
        if self._stale:
            self._index()
        return np.flatnonzero((self._first <= frame) & (frame <= self._last))

    def live(self, frame: int) -> list[Track]:
        """Tracks whose span holds `frame` (a few of them may still be outside there)."""
        hits = self._hits(frame)  # first: it may rebuild the order
        order = self._order
        return [order[i] for i in hits.tolist()]

    def shapes_at(self, frame: int) -> list[tuple[Track, FrameShape]]:
        """Every track's shape on `frame` (what its `at` gives), in insertion order; tracks outside or not yet
        started are left out."""
        hits = self._hits(frame)  # first: it may rebuild the batch
        return self._batch.states(hits, frame)
