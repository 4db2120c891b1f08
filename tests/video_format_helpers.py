"""Shared by the video format tests (tests/test_video_formats_*.py): Datumaro's samples, a schema, numbered clips,
workspaces and the tracks that the exports write."""

from pathlib import Path

import pytest

from core.annotation import Annotation, Source, SourceKind, new_id
from core.formats import get_format
from core.schema import AttributeSpec, Label, LabelSchema
from core.shapes import Box, Keypoints, Polygon, Tag, Visibility
from core.tracks import Keyframe, Track, track_rows, tracks_from_rows
from sync.workspace import Workspace
from tests.video_samples import make_video

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = Path("/work/shared/data/format-samples")
if not SAMPLES.is_dir():
    SAMPLES = ROOT / "shared" / "data" / "format-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="Datumaro format samples not available")
CVAT_VIDEO, MOT = get_format("cvat-video"), get_format("mot")
VISIBLE = Visibility.VISIBLE

SCHEMA = LabelSchema((
    Label("car", "#e69f00", "1", attributes=(
        AttributeSpec("make", "select", ("vw", "fiat"), "vw"),
        AttributeSpec("moving", "checkbox", default=False, mutable=True),
    )),
    Label("person", "#56b4e9", "2", keypoints=("head", "hand", "foot"), skeleton=((0, 1), (0, 2))),
    Label("scene", "#009e73", "3"),
))


def video(path: Path, width: int = 64, height: int = 48, frames: int = 30) -> Path:
    """A numbered H.264 clip; odd sizes go through a 4:4:4 scale (yuv420p needs even sides)."""
    if width % 2 or height % 2:
        return make_video(path, size=(width + width % 2, height + height % 2), frames=frames,
                          after=f"scale={width}:{height},format=yuv444p",
                          encode=("-c:v", "libx264", "-pix_fmt", "yuv444p"))
    return make_video(path, size=(width, height), frames=frames)


CLIPS = {"t.mp4": (25, 20, 20), "clip.mp4": (64, 48, 30), "Test.mp4": (16, 16, 3), "mot_seq.mp4": (16, 16, 3)}


def make_clips(folder: Path, *names: str) -> dict[str, Path]:
    """The named clips of CLIPS (width, height, frames) in `folder`: each test module's `clips` fixture."""
    return {name: video(folder / name, *CLIPS[name]) for name in names}


def workspace(tmp_path: Path, *media: Path, schema: LabelSchema = SCHEMA, name: str = "ws") -> Workspace:
    ws = Workspace.create(tmp_path / name, schema)
    if media:
        ws.add_media(list(media))
    return ws


def stored_tracks(ws: Workspace, task_id: int) -> tuple[list[Track], list[Annotation]]:
    tracks, loose, problems = tracks_from_rows(ws.annotations(task_id), ws.schema.track_attributes)
    assert problems == []
    return sorted(tracks, key=lambda t: (t.label, t.keyframe_frames, str(t.keyframes[0].shape))), loose


def sample_tracks(task_id: int) -> list[Annotation]:
    """A box track that leaves and comes back, a polygon track, a skeleton track, a shape and a tag of one frame."""
    car = Track("t1", "car", (
        Keyframe(2, Box(1, 1, 10, 10), attributes={"moving": True}),
        Keyframe(6, Box(21, 11, 10, 14), occluded=True, attributes={"moving": False}),
        Keyframe(9, Box(21, 11, 10, 14), outside=True, attributes={"moving": False}),
        Keyframe(14, Box(30, 20, 8, 8), attributes={"moving": True}),
    ), {"make": "fiat"})
    shape = Polygon(((5, 5), (20, 5), (12, 18)))
    moved = Polygon(((15, 10), (30, 10), (22, 23)))
    outline = Track("t2", "car", (Keyframe(0, shape, attributes={"moving": False}),
                                  Keyframe(20, moved, attributes={"moving": False}),
                                  Keyframe(25, moved, outside=True, attributes={"moving": False})),
                    {"make": "vw"}, Source(SourceKind.MODEL, 0.9, "yolo"))
    pose = Track("t3", "person", (
        Keyframe(3, Keypoints(((10, 10, VISIBLE), (12, 20, Visibility.OCCLUDED), (0, 0, Visibility.SKIPPED)))),
        Keyframe(7, Keypoints(((14, 10, VISIBLE), (16, 20, VISIBLE), (9, 30, VISIBLE)))),
        Keyframe(12, Keypoints(((15, 10, VISIBLE), (16, 21, VISIBLE), (9, 31, VISIBLE))), outside=True),
    ))
    rows = [row for t in (car, outline, pose) for row in track_rows(task_id, t)]
    rows.append(Annotation(new_id(), task_id, "car", Box(40, 30, 5, 5), {"make": "vw", "moving": False}, frame=4,
                           occluded=True))
    rows.append(Annotation(new_id(), task_id, "scene", Tag(), frame=11))
    return rows
