"""TrackSet's vectorised frame states (core/tracks/frame_batch.py) against the reference, `Track.at` one track at a
time: the same shapes bit for bit, on random tracks of every kind, with matching and different vertex counts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.shapes import Box, Ellipse, Keypoints, PointShape, Polygon, Polyline, RotatedBox, Shape, Visibility
from core.tracks import Keyframe, Track, TrackSet


def outline(rng: np.random.Generator, vertices: int) -> tuple[tuple[float, float], ...]:
    """A star-ish outline around a random centre, sometimes drawn from another corner or the other way round."""
    cx, cy, r = rng.uniform(0, 1900), rng.uniform(0, 1060), rng.uniform(5, 120)
    turn, way = rng.uniform(0, 2 * math.pi), rng.choice([-1, 1])
    radii = r * rng.uniform(0.5, 1.0, vertices)
    return tuple((float(cx + q * math.cos(turn + way * 2 * math.pi * i / vertices)),
                  float(cy + q * math.sin(turn + way * 2 * math.pi * i / vertices))) for i, q in enumerate(radii))


def random_shape(rng: np.random.Generator, kind: str, counts: list[int]) -> Shape:
    x, y, w, h = (float(v) for v in rng.uniform([0, 0, 1, 1], [1900, 1060, 300, 300]))
    if kind == "box":
        return Box(x, y, w, h)
    if kind == "point":
        return PointShape(x, y)
    if kind == "ellipse":
        return Ellipse(x, y, w, h, float(rng.uniform(0, 360)))
    if kind == "rotated_box":
        return RotatedBox(x, y, w, h, float(rng.uniform(0, 360)))
    if kind == "keypoints":
        return Keypoints(tuple((float(rng.uniform(0, 1900)), float(rng.uniform(0, 1060)),
                                Visibility(int(rng.integers(0, 3)))) for _ in range(5)))
    vertices = int(rng.choice(counts))
    return Polygon(outline(rng, vertices)) if kind == "polygon" else Polyline(outline(rng, vertices))


def random_track(rng: np.random.Generator, i: int, kind: str, counts: list[int]) -> Track:
    frames = sorted(rng.choice(400, size=int(rng.integers(1, 9)), replace=False).tolist())
    keyframes = [Keyframe(f, random_shape(rng, kind, counts), outside=bool(rng.random() < 0.2),
                          occluded=bool(rng.random() < 0.3), attributes={"n": int(rng.integers(0, 3))})
                 for f in frames]
    return Track(f"t{i}", "car", tuple(keyframes))


def reference(tracks: list[Track], frame: int) -> list:
    return [(t, t.at(frame)) for t in tracks if t.at(frame) is not None]


KINDS = ["box", "point", "polygon", "polyline", "ellipse", "rotated_box", "keypoints"]


@pytest.mark.parametrize("counts", [[7], [3, 5, 8, 13, 40]], ids=["matching counts", "different counts"])
def test_every_frame_matches_the_reference_bit_for_bit(counts):
    rng = np.random.default_rng(len(counts))
    tracks = [random_track(rng, i, KINDS[i % len(KINDS)], counts) for i in range(140)]
    index = TrackSet(tracks)
    moved = 0
    for frame in [*range(0, 420), *rng.integers(0, 420, 200).tolist()]:  # playback, then seeks over cached pairs
        got, want = index.shapes_at(frame), reference(tracks, frame)
        assert got == want, frame
        moved += sum(not state.keyframe and t.keyframes[-1].frame > frame for t, state in got)
    assert moved > 5000  # most of what was compared was interpolated, not a keyframe's own shape


def test_edits_keep_other_tracks_pairs_and_stay_exact():
    rng = np.random.default_rng(9)
    tracks = [random_track(rng, i, "polygon", [4, 9, 16]) for i in range(40)]
    index = TrackSet(tracks)
    for frame in range(0, 400, 7):
        index.shapes_at(frame)
    for step in range(10):  # replace, add and remove tracks between frames, as the video editor does on edits
        tracks[step] = random_track(rng, step, "polyline", [2, 6])
        index.put(tracks[step])
        index.remove(tracks.pop().id)
        for frame in rng.integers(0, 400, 15).tolist():
            assert index.shapes_at(frame) == reference(tracks, frame)
    assert len(index) == len(tracks) == 30


def test_an_empty_set_shows_nothing():
    index = TrackSet()
    assert index.shapes_at(0) == [] and index.live(5) == []
