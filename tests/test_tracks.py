"""Tracks: keyframes, outside ranges, split/merge/delete/propagate, the frame index and the JSON form (core/tracks)."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.annotation import Source, SourceKind
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Visibility
from core.tracks import MAX_FRAME, FrameShape, Keyframe, Track, TrackError, TrackSet


def box_track(*frames, outside=(), track_id="t1", label="car"):
    """A box track with a keyframe on each frame, the box at x = frame, so interpolated states are easy to read."""
    keyframes = tuple(Keyframe(f, Box(float(f), 0, 10, 10), outside=f in outside) for f in frames)
    return Track(track_id, label, keyframes)


def x_at(track, frame):
    state = track.at(frame)
    return None if state is None else state.shape.x


def test_at_before_between_on_and_after_keyframes():
    track = box_track(10, 20)
    assert track.at(9) is None
    assert track.at(10) == FrameShape(Box(10, 0, 10, 10), False, True, {})
    assert track.at(15) == FrameShape(Box(15, 0, 10, 10), False, False, {})
    assert track.at(1000) == FrameShape(Box(20, 0, 10, 10), False, False, {})  # the last state holds, as in CVAT


def test_outside_keyframes_hide_the_track_until_the_next_keyframe():
    track = box_track(0, 10, 20, 30, outside=(10,))
    assert [x_at(track, f) for f in (9, 10, 15, 19, 20, 25)] == [9, None, None, None, 20, 25]
    held = track.at(15, with_outside=True)
    assert held is not None and held.outside and held.shape == Box(10, 0, 10, 10) and not held.keyframe
    assert box_track(0, 10, outside=(10,)).at(500) is None
    assert track.outside_ranges(100) == [(10, 19)]
    assert box_track(0, 10, 12, 20, outside=(10, 12)).outside_ranges(15) == [(10, 15)]  # joined, clipped


def test_occluded_and_per_frame_attributes_come_from_the_keyframe_at_or_before():
    track = Track("t", "car", (
        Keyframe(0, Box(0, 0, 1, 1), occluded=True, attributes={"speed": "slow"}),
        Keyframe(10, Box(10, 0, 1, 1), attributes={"speed": "fast"}),
    ))
    assert track.at(5).occluded and track.at(5).attributes == {"speed": "slow"}
    assert not track.at(10).occluded and track.at(12).attributes == {"speed": "fast"}


def test_every_image_kind_can_be_a_track():
    kinds = [Box(0, 0, 1, 1), RotatedBox(0, 0, 1, 1, 5), Polygon(((0, 0), (1, 0), (0, 1))),
             Polyline(((0, 0), (1, 1))), PointShape(0, 0), Ellipse(0, 0, 1, 2, 0),
             Keypoints(((0, 0, Visibility.VISIBLE),)), Mask.from_array(np.eye(3, dtype=bool))]
    for shape in kinds:
        track = Track("t", "x", (Keyframe(0, shape), Keyframe(10, shape.translated(5, 0))))
        assert track.kind == shape.kind and track.at(5).shape.kind == shape.kind
    assert Track("t", "x", (Keyframe(0, kinds[-1]), Keyframe(9, kinds[-1]))).at(4).shape is kinds[-1]


def test_a_track_refuses_no_keyframes_duplicates_mixed_kinds_and_bad_frames():
    with pytest.raises(TrackError):
        Track("t", "car", ())
    with pytest.raises(TrackError, match="two keyframes"):
        box_track(3, 3)
    with pytest.raises(TrackError, match="different kinds"):
        Track("t", "car", (Keyframe(0, Box(0, 0, 1, 1)), Keyframe(1, PointShape(0, 0))))
    with pytest.raises(TrackError):
        box_track(-1)
    with pytest.raises(TrackError):
        box_track(MAX_FRAME)
    with pytest.raises(TrackError, match="point keyframe on a box track"):
        box_track(0).with_keyframe(Keyframe(1, PointShape(0, 0)))


def test_keyframes_are_sorted_and_navigable():
    track = Track("t", "car", tuple(Keyframe(f, Box(f, 0, 1, 1)) for f in (30, 10, 20)))
    assert track.keyframe_frames == (10, 20, 30)
    assert track.next_keyframe(10).frame == 20 and track.next_keyframe(15).frame == 20
    assert track.next_keyframe(30) is None
    assert track.previous_keyframe(20).frame == 10 and track.previous_keyframe(10) is None
    assert track.keyframe_at(20).frame == 20 and track.keyframe_at(21) is None


def test_with_and_without_keyframe():
    track = box_track(0, 10)
    moved = track.with_keyframe(Keyframe(10, Box(50, 0, 10, 10)))
    assert moved.keyframe_frames == (0, 10) and x_at(moved, 5) == 25
    assert track.with_keyframe(Keyframe(5, Box(0, 0, 10, 10))).keyframe_frames == (0, 5, 10)
    assert track.without_keyframe(10).keyframe_frames == (0,)
    assert track.without_keyframe(7) is track
    with pytest.raises(TrackError, match="only keyframe"):
        box_track(0).without_keyframe(0)


def test_split_keeps_every_frame_and_ends_the_first_part():
    track = box_track(0, 10, 20)
    head, tail = track.split(15, new_id="t2")
    assert (head.id, tail.id) == ("t1", "t2")
    assert head.keyframe_frames == (0, 10, 15) and head.keyframes[-1].outside
    assert tail.keyframe_frames == (15, 20) and tail.keyframes[0] == Keyframe(15, Box(15, 0, 10, 10))
    for f in range(0, 40):
        shown = head.at(f) if f < 15 else tail.at(f)
        assert shown.shape.x == pytest.approx(x_at(track, f))
        assert (head.at(f) is None) == (f >= 15) and (tail.at(f) is None) == (f < 15)
    assert track.split(10)[1].id != track.id  # an id is made when none is given
    with pytest.raises(TrackError):
        track.split(0)
    with pytest.raises(TrackError, match="no shape"):
        box_track(0, 10, 20, outside=(10,)).split(12)


def test_merge_joins_keyframes_and_prefers_its_own():
    a = box_track(0, 10, outside=(10,))
    b = Track("t2", "car", (Keyframe(10, Box(99, 0, 1, 1)), Keyframe(20, Box(20, 0, 1, 1))),
              attributes={"color": "red", "make": "vw"})
    a = Track(a.id, a.label, a.keyframes, attributes={"color": "blue"})
    merged = a.merge(b)
    assert merged.id == "t1" and merged.keyframe_frames == (0, 10, 20)
    assert merged.keyframes[1].outside and merged.attributes == {"color": "blue", "make": "vw"}
    with pytest.raises(TrackError, match="'person' track into a 'car'"):
        a.merge(box_track(30, label="person"))
    with pytest.raises(TrackError, match="point track into a box"):
        a.merge(Track("p", "car", (Keyframe(30, PointShape(0, 0)),)))


def test_deleted_range_hides_the_range_and_keeps_the_rest():
    track = box_track(0, 10, 20, 30)
    cut = track.deleted_range(12, 24)
    assert cut.keyframe_frames == (0, 10, 12, 25, 30)
    for f in range(0, 40):
        if 12 <= f <= 24:
            assert cut.at(f) is None
        else:
            assert x_at(cut, f) == pytest.approx(x_at(track, f))
    assert cut.outside_ranges(40) == [(12, 24)]


@pytest.mark.parametrize(("first", "last", "frames"), [
    (0, 4, (5, 10)),  # the start is cut off: the track begins after the range
    (15, 30, (0, 10, 15, 31)),  # past the last keyframe the held state resumes after the range
    (100, 200, (0, 10, 100, 201)),
    (40, 50, (0, 10)),  # nothing shown there already: unchanged
])
def test_deleted_range_edges(first, last, frames):
    track = box_track(0, 10) if first != 40 else box_track(0, 10, outside=(10,))
    assert track.deleted_range(first, last).keyframe_frames == frames


def test_deleting_everything_is_refused():
    with pytest.raises(TrackError, match="leaves nothing"):
        box_track(5, 10, outside=(10,)).deleted_range(0, 20)
    with pytest.raises(TrackError):
        box_track(0).deleted_range(5, 4)


def test_propagate_copies_the_shape_forward_without_changing_the_frame_itself():
    track = box_track(0, 10)
    out = track.propagated(4, 3)
    assert out.keyframe_frames == (0, 4, 5, 6, 7, 10)
    assert [x_at(out, f) for f in (3, 4, 5, 6, 7, 8)] == [3, 4, 4, 4, 4, pytest.approx(6)]
    assert out.keyframe_at(4).shape == track.at(4).shape
    assert track.propagated(0, 2, step=5).keyframe_frames == (0, 5, 10)
    assert track.propagated(3, 0) == track.with_keyframe(Keyframe(3, Box(3, 0, 10, 10)))
    with pytest.raises(TrackError, match="no shape"):
        track.propagated(-5, 2)
    with pytest.raises(TrackError, match="2\\*\\*31"):
        track.propagated(8, MAX_FRAME)
    with pytest.raises(TrackError, match="step"):
        track.propagated(8, 2, step=0)


frames = st.lists(st.integers(0, 500), min_size=1, max_size=12, unique=True)


@st.composite
def tracks(draw):
    keyframes = tuple(Keyframe(f, Box(draw(st.floats(-100, 100)), 0, draw(st.floats(0, 50)), 5),
                               outside=draw(st.booleans()), occluded=draw(st.booleans())) for f in draw(frames))
    return Track("t", "car", keyframes)


@settings(max_examples=150, deadline=None)
@given(tracks(), st.integers(0, 600))
def test_keyframes_show_exactly_their_shape_and_edits_keep_invariants(track, frame):
    for k in track.keyframes:
        state = track.at(k.frame)
        assert (state is None) if k.outside else (state.shape is k.shape and state.keyframe)
    assert Track.from_json(json.loads(json.dumps(track.to_json()))) == track
    ranges = track.outside_ranges(600)
    hidden = any(a <= frame <= b for a, b in ranges)
    assert hidden == (track.at(frame) is None and frame >= track.keyframe_frames[0])
    if track.at(frame) is not None and frame > track.keyframe_frames[0]:
        head, tail = track.split(frame, "t2")
        for f in range(0, 620):
            before, after = x_at(track, f), x_at(head if f < frame else tail, f)
            assert before == after or before == pytest.approx(after, abs=1e-9)
            assert (head if f >= frame else tail).at(f) is None
    try:
        cut = track.deleted_range(frame, frame + 7)
    except TrackError:
        return
    assert all(cut.at(f) is None for f in range(frame, frame + 8))
    for f in [*range(0, frame), *range(frame + 8, 620)]:  # elsewhere the same, to rounding (new keyframes)
        before, after = x_at(track, f), x_at(cut, f)
        assert before == after or before == pytest.approx(after, abs=1e-9)


def test_json_round_trip_of_every_field():
    track = Track(
        "a1", "person",
        (Keyframe(0, Polygon(((0, 0), (4, 0), (0, 3))), occluded=True, auto=True, attributes={"pose": "standing"}),
         Keyframe(7, Polygon(((1, 0), (5, 0), (1, 3))), outside=True)),
        attributes={"age": 30, "adult": True, "height": 1.8, "note": None},
        source=Source(SourceKind.MODEL, 0.75, "yolo"), group=4,
    )
    data = json.loads(json.dumps(track.to_json()))
    assert data["kind"] == "polygon" and data["keyframes"][0]["shape"] == [0, 0, 4, 0, 0, 3]
    assert Track.from_json(data) == track


def valid():
    return {"id": "t", "label": "car", "kind": "box",
            "keyframes": [{"frame": 0, "shape": [0, 0, 1, 1]}, {"frame": 5, "shape": [1, 1, 1, 1], "outside": True}]}


def test_json_defaults_fill_optional_fields():
    track = Track.from_json(valid())
    assert track.source == Source() and track.group is None and track.attributes == {}
    assert track.keyframes[1].outside and not track.keyframes[0].auto


def broken(path, value):
    data = valid()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(("path", "value", "field"), [
    (["id"], KeyError, "track.id"),
    (["id"], 7, "track.id"),
    (["label"], "", "track.label"),
    (["label"], "x" * 5000, "track.label"),
    (["kind"], "cube", "track.kind"),
    (["kind"], None, "track.kind"),
    (["keyframes"], [], "track.keyframes"),
    (["keyframes"], {"0": {}}, "track.keyframes"),
    (["keyframes", 0], "frame 0", "track.keyframes[0]"),
    (["keyframes", 0, "frame"], -1, "track.keyframes[0].frame"),
    (["keyframes", 0, "frame"], 2**31, "track.keyframes[0].frame"),
    (["keyframes", 0, "frame"], 10**400, "track.keyframes[0].frame"),
    (["keyframes", 0, "frame"], 1.0, "track.keyframes[0].frame"),
    (["keyframes", 0, "frame"], True, "track.keyframes[0].frame"),
    (["keyframes", 0, "frame"], KeyError, "track.keyframes[0].frame"),
    (["keyframes", 1, "frame"], 0, "track.keyframes[1].frame"),
    (["keyframes", 0, "shape"], [0, 0, 1], "track.keyframes[0].shape"),
    (["keyframes", 0, "shape"], [0, 0, float("nan"), 1], "track.keyframes[0].shape"),
    (["keyframes", 0, "shape"], [0, 0, float("inf"), 1], "track.keyframes[0].shape"),
    (["keyframes", 0, "shape"], "0 0 1 1", "track.keyframes[0].shape"),
    (["keyframes", 0, "outside"], "yes", "track.keyframes[0].outside"),
    (["keyframes", 0, "occluded"], 1, "track.keyframes[0].occluded"),
    (["keyframes", 0, "attributes"], {"a": {"nested": 1}}, "track.keyframes[0].attributes.a"),
    (["keyframes", 0, "attributes"], {"a": float("nan")}, "track.keyframes[0].attributes.a"),
    (["keyframes", 0, "attributes"], [1, 2], "track.keyframes[0].attributes"),
    (["attributes"], {"n": 2**64}, "track.attributes.n"),
    (["attributes"], {"n": [1]}, "track.attributes.n"),
    (["source"], {"kind": "robot"}, "track.source.kind"),
    (["source"], {"kind": "model", "score": 2}, "track.source.score"),
    (["source"], {"kind": "model", "model_id": 5}, "track.source.model_id"),
    (["source"], "model", "track.source"),
    (["group"], "4", "track.group"),
])
def test_json_refusals_name_the_field(path, value, field):
    with pytest.raises(TrackError) as caught:
        Track.from_json(broken(path, value))
    assert str(caught.value).startswith(field)


@pytest.mark.parametrize("data", [None, [], "track", 5])
def test_json_that_is_not_an_object_is_refused(data):
    with pytest.raises(TrackError, match=r"^track: expected an object"):
        Track.from_json(data)


def test_json_of_hostile_size_is_refused_without_work():
    data = valid()
    data["keyframes"][0]["frame"] = int("9" * 4000)
    with pytest.raises(TrackError, match="frame"):
        Track.from_json(data)


def test_track_set_answers_what_each_track_answers():
    rng = np.random.default_rng(3)
    tracks = []
    for i in range(60):
        frames = sorted(rng.choice(300, size=int(rng.integers(1, 8)), replace=False).tolist())
        outside = {f for f in frames if rng.random() < 0.3}
        tracks.append(box_track(*frames, outside=outside, track_id=f"t{i}"))
    index = TrackSet(tracks)
    for frame in range(0, 320, 3):
        expected = [(t, t.at(frame)) for t in tracks if t.at(frame) is not None]
        assert index.shapes_at(frame) == expected
    assert len(index) == 60 and "t5" in index and index.get("t5") is tracks[5]
    index.put(box_track(0, track_id="t5"))
    assert (index.get("t5"), index.get("t5").at(310)) in index.shapes_at(310)
    assert index.remove("t5") is not None and index.remove("t5") is None
    assert all(t.id != "t5" for t, _ in index.shapes_at(310)) and len(index) == 59
    assert [t.id for t in index][:5] == ["t0", "t1", "t2", "t3", "t4"]
