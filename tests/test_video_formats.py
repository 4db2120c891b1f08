"""Video formats: CVAT for video 1.1 and MOT 1.1, read from Datumaro's samples, imported onto video tasks through the
CLI, round-tripped through a workspace, and fed bad input."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from core.annotation import Annotation, Source, SourceKind, new_id
from core.formats import Dataset, DatasetAnnotation, DatasetItem, FormatError, get_format, read_dataset
from core.schema import AttributeSpec, Label, LabelSchema
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polygon, Polyline, RotatedBox, Tag, Visibility
from core.tracks import Keyframe, Track, track_rows, tracks_from_rows
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace
from tests.video_samples import make_video, read_number

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


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {"t.mp4": video(folder / "t.mp4", 25, 20, 20), "clip.mp4": video(folder / "clip.mp4"),
            "Test.mp4": video(folder / "Test.mp4", 16, 16, 3), "mot_seq.mp4": video(folder / "mot_seq.mp4", 16, 16, 3)}


def workspace(tmp_path: Path, *media: Path, schema: LabelSchema = SCHEMA, name: str = "ws") -> Workspace:
    ws = Workspace.create(tmp_path / name, schema)
    if media:
        ws.add_media(list(media))
    return ws


def annodesk(*args):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def stored_tracks(ws: Workspace, task_id: int) -> tuple[list[Track], list[Annotation]]:
    tracks, loose, problems = tracks_from_rows(ws.annotations(task_id), ws.schema.track_attributes)
    assert problems == []
    return sorted(tracks, key=lambda t: (t.label, t.keyframe_frames, str(t.keyframes[0].shape))), loose


def comparable(track: Track) -> tuple:
    return track.label, track.keyframes, track.attributes, track.source.kind, track.group


# -- CVAT for video: the sample another tool wrote --------------------------------------------------------------


@needs_samples
def test_the_cvat_video_sample_reads_as_tracks_of_its_video():
    dataset = read_dataset("cvat-video", SAMPLES / "cvat_video")
    assert dataset.issues == []
    (item,) = dataset.items
    assert (item.file_name, item.kind, item.width, item.height, item.frames) == ("t.mp4", "video", 25, 20, 20)
    assert dataset.labels == ["klhg", "z U k", "II"]
    assert dataset.label_defs["klhg"].attributes == (AttributeSpec("hgl", "select", ("jk", "hgkf"), "jk",
                                                                   mutable=True),)
    box, *points, line = sorted(item.tracks, key=lambda t: t.id)
    assert box.label == "II" and box.keyframe_frames == (10, 13, 16)
    assert [(k.outside, k.occluded) for k in box.keyframes] == [(False, True), (True, False), (True, False)]
    assert box.keyframes[0].shape == Box(3, 4, 7, 1)
    # a points track of three points: three point tracks of one group, the mutable value per keyframe
    assert len(points) == 3 and {t.group for t in points} == {1_000_001}
    assert points[1].keyframes[1].shape == PointShape(9.55, 15.09)
    assert [k.attributes for k in points[0].keyframes] == [{"hgl": "hgkf"}, {"hgl": "jk"}]
    assert line.kind == "polyline" and line.keyframe_frames == (13, 16) and line.keyframes[1].outside


@needs_samples
def test_annodesk_add_then_import_puts_the_sample_on_its_video_task(tmp_path, clips):
    ws_path = tmp_path / "ws"
    annodesk("init", ws_path)
    annodesk("add", ws_path, clips["t.mp4"])
    out = annodesk("import", ws_path, "--format", "cvat-video", SAMPLES / "cvat_video" / "annotations.xml")
    assert "imported 11 annotations on 1 of 1" in out.stdout, out.stdout + out.stderr
    with Workspace.open(ws_path) as ws:
        (task,) = ws.tasks()
        tracks, loose = stored_tracks(ws, task.id)
        assert loose == [] and len(tracks) == 5
        box = next(t for t in tracks if t.kind == "box")
        assert box.at(11) is not None and box.at(11).occluded and box.at(14) is None
        assert ws.schema.get("klhg").attributes[0].mutable
        # a second import finds every track already there
        again = import_dataset(ws, "cvat-video", SAMPLES / "cvat_video")
        assert (again.annotations_added, again.duplicates) == (0, 11)


@needs_samples
def test_the_cvat_video_file_brings_its_video_along_when_it_lies_beside(tmp_path, clips):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "annotations.xml").write_bytes((SAMPLES / "cvat_video" / "annotations.xml").read_bytes())
    (folder / "t.mp4").write_bytes(clips["t.mp4"].read_bytes())
    with workspace(tmp_path) as ws:
        report = import_dataset(ws, "cvat-video", folder)
        assert (report.media_added, report.tasks_matched, report.annotations_added) == (1, 1, 11)


# -- CVAT for video: round trip ------------------------------------------------------------------------------------


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


def test_cvat_video_export_writes_every_frame_as_cvat_and_a_reimport_gives_the_same_tracks(tmp_path, clips):
    with workspace(tmp_path, clips["clip.mp4"]) as ws:
        (task,) = ws.tasks()
        ws.insert_annotations(sample_tracks(task.id))
        messages: list[str] = []
        (path,) = export_dataset(ws, "cvat-video", tmp_path / "out", messages)
        before = stored_tracks(ws, task.id)
    assert messages == []
    root = ET.parse(path).getroot()
    assert root.findtext("meta/source") == "clip.mp4" and root.findtext("meta/task/stop_frame") == "29"
    mutable = {a.findtext("name"): a.findtext("mutable") for a in root.iter("attribute") if a.find("name") is not None}
    assert mutable == {"make": "False", "moving": "True"}
    car = next(t for t in root.findall("track") if t.find("box") is not None and len(t.findall("box")) > 2)
    frames = {int(b.get("frame")): (b.get("keyframe"), b.get("outside"), b.get("occluded")) for b in car}
    assert frames[2] == ("1", "0", "0") and frames[3] == ("0", "0", "0") and frames[6] == ("1", "0", "1")
    assert frames[9] == ("1", "1", "0") and 10 not in frames and 13 not in frames  # hidden frames are not written
    assert frames[14] == ("1", "0", "0") and frames[29] == ("0", "0", "0")  # held to the end of the video, as CVAT
    box7 = car.find("box[@frame='7']")
    assert {a.get("name"): a.text for a in box7.findall("attribute")} == {"make": "fiat", "moving": "false"}
    one = [t for t in root.findall("track") if len(t) == 2 and t[0].get("frame") == "4"]
    assert len(one) == 1 and one[0][1].get("outside") == "1"  # a shape of one frame, as CVAT writes it
    assert root.find("tag").attrib == {"frame": "11", "label": "scene", "source": "manual"}
    skeleton = root.find("track/skeleton")
    assert skeleton is not None and [p.get("outside") for p in skeleton.findall("points")] == ["0", "0", "1"]

    with workspace(tmp_path, clips["clip.mp4"], name="again") as ws:
        report = import_dataset(ws, "cvat-video", path)
        assert report.skipped == 0, report.messages
        (task,) = ws.tasks()
        after = stored_tracks(ws, task.id)
    assert [comparable(t) for t in after[0]] == [comparable(t) for t in before[0]]
    strip = [(a.label, a.shape, a.frame, a.occluded, a.attributes) for a in before[1]]
    assert sorted([(a.label, a.shape, a.frame, a.occluded, a.attributes) for a in after[1]], key=str) == \
        sorted(strip, key=str)


def test_each_video_gets_its_own_file_and_image_tasks_are_left_out(tmp_path, clips):
    image = tmp_path / "still.png"
    cv2.imwrite(str(image), np.zeros((8, 8, 3), np.uint8))
    with workspace(tmp_path, clips["clip.mp4"], clips["Test.mp4"], image) as ws:
        messages: list[str] = []
        paths = export_dataset(ws, "cvat-video", tmp_path / "out", messages)
        assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in paths) == \
            ["Test/annotations.xml", "clip/annotations.xml"]
        assert messages == ["cvat-video: 1 image tasks left out (cvat-video holds video tasks)"]
        messages = []
        export_dataset(ws, "coco", tmp_path / "coco", messages)
        assert messages == ["coco: 2 video tasks left out (coco holds image tasks)"]


# -- MOT ---------------------------------------------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize("sequence, name", [("mot_seq", "mot_seq"), ("mot_seq_with_seqinfo", "Test")])
def test_the_mot_samples_read_with_and_without_seqinfo(sequence, name):
    dataset = read_dataset("mot", SAMPLES / "mot" / sequence)
    assert dataset.issues == []
    (item,) = dataset.items
    assert (item.file_name, item.kind, item.width, item.height) == (name, "video", 16, 16)
    assert item.frames == (1 if name == "Test" else None)
    assert dataset.labels[:3] == ["label_0", "label_1", "label_2"]
    # track id -1 is a detection of one frame (Datumaro); class 3 is the third label; frame 1 is frame 0
    assert item.tracks == [] and item.annotations == [
        DatasetAnnotation("label_2", Box(0, 4, 4, 8), {"visibility": 1.0, "ignored": False}, frame=0)]


@needs_samples
def test_a_folder_of_mot_sequences_imports_each_onto_the_video_of_its_name(tmp_path, clips):
    with workspace(tmp_path, clips["Test.mp4"], clips["mot_seq.mp4"]) as ws:
        report = import_dataset(ws, "mot", SAMPLES / "mot")
        assert (report.items, report.tasks_matched, report.annotations_added) == (2, 2, 2), report.messages
        for task in ws.tasks():
            (ann,) = ws.annotations(task.id)
            assert (ann.label, ann.shape, ann.frame, ann.track) == ("label_2", Box(0, 4, 4, 8), 0, None)
            assert ann.attributes == {"visibility": 1.0, "ignored": False}


def test_mot_rows_become_box_tracks_that_end_where_the_rows_stop(tmp_path):
    seq = tmp_path / "seq"
    (seq / "gt").mkdir(parents=True)
    (seq / "gt" / "gt.txt").write_text(
        "1,7,10,10,20,20,1,1,1\n2,7,12,10,20,20,1,1,0.4\n3,7,14,10,20,20,0,1,0\n"  # frames 1-3
        "6,7,20,10,20,20,1,1,1\n"  # back on frame 6 alone
        "2,8,0,0,5,5,1,2,1\n")
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=seq\nseqLength=10\nimWidth=64\nimHeight=48\n")
    (item,) = MOT.read(seq).items
    (walker, other) = item.tracks
    assert walker.label == "pedestrian" and other.label == "person_on_vehicle"  # MOT16 classes without labels.txt
    assert [(k.frame, k.outside) for k in walker.keyframes] == [(0, False), (1, False), (2, False), (3, True),
                                                               (5, False), (6, True)]
    assert [k.occluded for k in walker.keyframes[:3]] == [False, False, True]  # only visibility 0 is occluded
    assert walker.keyframes[2].attributes == {"visibility": 0.0, "ignored": True}
    assert walker.at(4) is None and walker.at(5).shape == Box(20, 10, 20, 20)


def test_mot_export_and_reimport_show_the_same_boxes_on_every_frame(tmp_path, clips):
    with workspace(tmp_path, clips["clip.mp4"]) as ws:
        (task,) = ws.tasks()
        ws.insert_annotations(sample_tracks(task.id))
        messages: list[str] = []
        paths = export_dataset(ws, "mot", tmp_path / "out", messages)
        before, _ = stored_tracks(ws, task.id)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in paths) == \
        ["gt/gt.txt", "gt/labels.txt", "seqinfo.ini"]
    assert "mot: polygon shapes written as their bounding boxes (MOT holds boxes) (25 shapes)" in messages
    assert "mot: tag shapes left out (MOT holds boxes) (1 annotations)" in messages
    lines = (tmp_path / "out" / "gt" / "gt.txt").read_text().splitlines()
    assert lines[0].startswith("1,") and "3,1,1,1,10,10,1,1,1" in lines  # frame 2 (0-based) is line frame 3
    assert "5,-1,40,30,5,5,1,1,0" in lines  # the one-frame box, occluded: visibility 0
    assert "seqLength=30" in (tmp_path / "out" / "seqinfo.ini").read_text()
    with workspace(tmp_path, clips["clip.mp4"], name="again") as ws:
        report = import_dataset(ws, "mot", tmp_path / "out")
        assert report.tasks_matched == 1, report.messages
        (task,) = ws.tasks()
        after, _ = stored_tracks(ws, task.id)
    car = next(t for t in before if t.kind == "box")
    again = next(t for t in after if t.keyframes[0].shape == car.keyframes[0].shape)
    for frame in range(30):
        shown, back = car.at(frame), again.at(frame)
        assert (shown is None) == (back is None), frame
        if shown is not None:
            assert _close(back.shape, shown.shape), frame


def _close(a: Box, b: Box) -> bool:
    return all(abs(x - y) < 1e-3 for x, y in zip((a.x, a.y, a.w, a.h), (b.x, b.y, b.w, b.h), strict=True))


# -- bad input -------------------------------------------------------------------------------------------------


CVAT_HEAD = """<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task><name>clip</name>
<stop_frame>29</stop_frame><labels><label><name>car</name><attributes/></label></labels>
<original_size><width>64</width><height>48</height></original_size></task><source>clip.mp4</source></meta>"""


def test_bad_cvat_video_elements_are_reported_by_track_and_element_and_the_rest_is_read(tmp_path):
    (tmp_path / "annotations.xml").write_text(CVAT_HEAD + """
<track id="0" label="car">
  <box frame="1" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/>
  <box frame="x" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/>
  <box frame="2" outside="0" occluded="0" keyframe="1" xtl="nan" ytl="1" xbr="5" ybr="5"/>
  <box frame="1" outside="0" occluded="0" keyframe="1" xtl="2" ytl="1" xbr="5" ybr="5"/>
  <polygon frame="3" outside="0" occluded="0" keyframe="1" points="1,1;5,1;3,4"/>
  <box frame="40" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/>
  <box frame="5" outside="0" occluded="0" keyframe="0" xtl="9" ytl="9" xbr="15" ybr="15"/>
  <box frame="6" outside="1" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="500" ybr="5"/>
</track>
<track id="1"><box frame="1" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/></track>
<track id="2" label="car"><box frame="-3" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/></track>
<track id="3" label="car"><cuboid frame="1" keyframe="1"/></track>
</annotations>""")
    dataset = read_dataset("cvat-video", tmp_path)
    (track,) = dataset.items[0].tracks
    assert track.keyframe_frames == (1, 6) and track.keyframes[1].shape == Box(1, 1, 63, 4)  # clipped
    text = "\n".join(map(str, dataset.issues))
    for expected in ["track[0] ('0', 'car'): <box>[1]: frame 'x' is not a frame number 0 <= frame < 30",
                     "track[0] ('0', 'car'): <box>[2]: xtl 'nan' is not a number; skipped",
                     "<box>[3]: a second shape on frame 1; skipped",
                     "<polygon>[4]: a <polygon> in a track of <box> shapes; skipped",
                     "<box>[5]: frame '40' is not a frame number",
                     "track[1]: no label; the track is skipped",
                     "track[2] ('2', 'car'): no keyframe could be read; the track is skipped",
                     "<cuboid>[0]: <cuboid> is not a track shape; skipped"]:
        assert expected in text, text
    assert all(str(i).startswith("annotations.xml: ") for i in dataset.issues)


@pytest.mark.parametrize("text, message", [
    ("<annotations><meta><task><labels/></task></meta></annotations>", "neither <source> nor a task <name>"),
    ("<video/>", "not a CVAT for video file"),
    ("<annotations><meta><project><name>p</name></project></meta></annotations>", "a CVAT project export"),
    ("<annotations", "not well-formed XML"),
])
def test_a_file_that_is_no_cvat_video_file_is_refused_naming_it(tmp_path, text, message):
    (tmp_path / "annotations.xml").write_text(text)
    with pytest.raises(FormatError, match=message) as error:
        CVAT_VIDEO.read(tmp_path)
    assert "annotations.xml" in str(error.value)


def test_bad_mot_lines_are_reported_by_line_and_the_rest_is_imported(tmp_path, clips):
    seq = tmp_path / "clip"
    (seq / "gt").mkdir(parents=True)
    (seq / "gt" / "gt.txt").write_text(
        "1,1,10,10,20,20,1,1,1\n"
        "oops\n"
        "0,1,10,10,20,20,1,1,1\n"  # frame 0: MOT frames are 1-based
        "2,1,10,10,x,20,1,1,1\n"
        "3,1,10,10,0,20,1,1,1\n"  # no area
        "4,1,10,10,20,20,1,99,1\n"  # a class the labels lack
        "2.5,2,1,1,3,3,1,1,1\n"
        "1,3,100,100,20,20,1,1,1\n")  # wholly outside the 64x48 frame
    (seq / "gt" / "labels.txt").write_text("car\nperson\n")
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=clip\nseqLength=30\nimWidth=64\nimHeight=48\n")
    with workspace(tmp_path, clips["clip.mp4"]) as ws:
        report = import_dataset(ws, "mot", seq)
        text = "\n".join(report.messages)
        for expected in ["gt/gt.txt:2: 'oops': needs at least 6 comma-separated numbers",
                         "gt/gt.txt:3: frame '0' is not a frame 1..30; skipped",
                         "gt/gt.txt:4: '2,1,10,10,x,20,1,1,1': needs at least 6",
                         "gt/gt.txt:5: box [10.0, 10.0, 0.0, 20.0] has no area; skipped",
                         "gt/gt.txt:6: class 99 is not in the labels; read as 'class_99'",
                         "gt/gt.txt:7: frame '2.5' is not a frame",
                         "gt/gt.txt:8: box [100.0, 100.0, 20.0, 20.0] lies outside the 64x48 image; skipped",
                         "gt/gt.txt: track 1: frame 4: class 'class_99' on a 'car' track; read as 'car'"]:
            assert expected in text, (expected, text)
        assert report.tasks_matched == 1
        tracks, loose = stored_tracks(ws, ws.tasks()[0].id)
        assert [t.label for t in tracks] == ["car"] and loose == []
        assert tracks[0].keyframe_frames == (0, 1, 3, 4)  # frames 1 and 4 of the file, each ended by an outside


def test_a_mot_folder_without_gt_is_refused(tmp_path):
    (tmp_path / "seq").mkdir()
    with pytest.raises(FormatError, match="not a MOT sequence"):
        MOT.read(tmp_path / "seq")
    (tmp_path / "seq" / "gt").mkdir()
    (tmp_path / "seq" / "gt" / "gt.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(FormatError, match="not UTF-8"):
        MOT.read(tmp_path / "seq")


def test_a_video_file_does_not_land_on_an_image_task_of_the_same_name(tmp_path):
    cv2.imwrite(str(tmp_path / "clip.png"), np.zeros((48, 64, 3), np.uint8))
    (tmp_path / "annotations.xml").write_text(CVAT_HEAD.replace("clip.mp4", "clip.png") + """
<track id="0" label="car"><box frame="1" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/></track></annotations>""")
    with workspace(tmp_path, tmp_path / "clip.png") as ws:
        report = import_dataset(ws, "cvat-video", tmp_path)
        assert report.annotations_added == 0
        assert any("the file describes a video but" in m and "is an image" in m for m in report.messages)


def test_video_writers_keep_hostile_names_inside_their_folder(tmp_path):
    names = ["../../escape.mp4", "/abs/olute.mp4", "a\\..\\..\\b.mp4", "x" * 300 + ".mp4"]
    for fmt in (CVAT_VIDEO, MOT):
        items = [DatasetItem(n, 64, 48, [DatasetAnnotation("car", Box(1, 2, 10, 10), frame=0)], kind="video",
                             frames=3) for n in names]
        out = tmp_path / fmt.name
        written = fmt.write(Dataset(items, ["car"]), out)
        assert len(written) >= len(names) and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert not (tmp_path.parent / "escape.mp4").exists()


def test_a_cvat_skeleton_whose_points_all_go_outside_ends_its_track(tmp_path):
    (tmp_path / "annotations.xml").write_text(CVAT_HEAD.replace(
        "<label><name>car</name><attributes/></label>",
        "<label><name>person</name><type>skeleton</type><svg></svg></label>"
        "<label><name>nose</name><type>points</type><parent>person</parent></label>"
        "<label><name>neck</name><type>points</type><parent>person</parent></label>") + """
<track id="0" label="person" source="manual">
  <skeleton frame="2" keyframe="1" z_order="0"><points label="nose" outside="0" occluded="0" keyframe="1"
    points="10,10"/><points label="neck" outside="0" occluded="1" keyframe="1" points="10,20"/></skeleton>
  <skeleton frame="3" keyframe="0" z_order="0"><points label="nose" outside="0" occluded="0" keyframe="0"
    points="11,10"/><points label="neck" outside="0" occluded="1" keyframe="0" points="10,20"/></skeleton>
  <skeleton frame="5" keyframe="1" z_order="0"><points label="nose" outside="1" occluded="0" keyframe="1"
    points="12,10"/><points label="neck" outside="1" occluded="0" keyframe="1" points="10,20"/></skeleton>
</track></annotations>""")
    dataset = read_dataset("cvat-video", tmp_path)
    assert dataset.issues == []
    (track,) = dataset.items[0].tracks
    assert dataset.label_defs["person"].keypoints == ("nose", "neck")
    assert [(k.frame, k.outside) for k in track.keyframes] == [(2, False), (5, True)]
    assert track.keyframes[0].shape == Keypoints(((10, 10, VISIBLE), (10, 20, Visibility.OCCLUDED)))
    assert track.at(6) is None


def test_coco_frames_writes_an_image_entry_per_frame_with_the_tracks_shapes_on_it(tmp_path, clips):
    with workspace(tmp_path, clips["clip.mp4"]) as ws:
        (task,) = ws.tasks()
        ws.insert_annotations(sample_tracks(task.id))
        messages: list[str] = []
        (path,) = export_dataset(ws, "coco-frames", tmp_path / "json", messages)
        written = export_dataset(ws, "coco-frames-images", tmp_path / "full", messages)
    document = json.loads(path.read_text())
    images = {image["id"]: image for image in document["images"]}
    assert len(images) == 30 and images[1]["file_name"] == "clip/frame_000000.jpg"
    by_frame: dict[int, list[dict]] = {}
    for ann in document["annotations"]:
        by_frame.setdefault(int(images[ann["image_id"]]["file_name"][-10:-4]), []).append(ann)
    boxes = {f: [a for a in anns if a["attributes"].get("make") == "fiat"] for f, anns in by_frame.items()}
    assert [b["bbox"] for b in boxes[4]] == [[11, 6, 10, 12]]  # halfway from frame 2 to frame 6
    assert boxes[4][0]["attributes"] == {"make": "fiat", "moving": True, "occluded": False, "track_id": 1,
                                         "keyframe": False}
    assert not boxes.get(10) and boxes[14][0]["attributes"]["keyframe"] is True  # outside on 9..13
    assert not (tmp_path / "json" / "images").exists()
    frames = sorted(p for p in written if p.suffix == ".jpg")
    assert len(frames) == 30 and frames[0].relative_to(tmp_path / "full").as_posix() == "images/clip/frame_000000.jpg"
    assert [read_number(cv2.imread(str(frames[i]))) for i in (0, 7, 29)] == [0, 7, 29]


def test_yolo_frames_writes_a_label_file_per_frame_that_the_yolo_reader_reads_back(tmp_path, clips):
    """What Ultralytics trains on: images/<video>/frame_N.jpg beside labels/<video>/frame_N.txt and data.yaml;
    the frames themselves only with -images; the yolo reader takes the folder back as images."""
    with workspace(tmp_path, clips["clip.mp4"]) as ws:
        (task,) = ws.tasks()
        ws.insert_annotations(sample_tracks(task.id))
        messages: list[str] = []
        labels_only = export_dataset(ws, "yolo-frames-detect", tmp_path / "labels", messages)
        written = export_dataset(ws, "yolo-frames-detect-images", tmp_path / "full", messages)
    names = sorted(p.relative_to(tmp_path / "labels").as_posix() for p in labels_only)
    assert names[0] == "data.yaml" and len(names) == 31 and names[1] == "labels/clip/frame_000000.txt"
    assert not (tmp_path / "labels" / "images").exists()
    config = yaml.safe_load((tmp_path / "full" / "data.yaml").read_text())
    assert config["path"] == str((tmp_path / "full").resolve()) and config["task"] == "detect"
    frames = sorted(p for p in written if p.suffix == ".jpg")
    assert len(frames) == 30 and frames[4].relative_to(tmp_path / "full").as_posix() == "images/clip/frame_000004.jpg"
    assert read_number(cv2.imread(str(frames[4]))) == 4
    back = get_format("yolo").read(tmp_path / "full")
    by_name = {item.file_name: item for item in back.items}
    fiat = [a for a in by_name["images/clip/frame_000004.jpg"].annotations
            if a.shape.kind == "box" and a.shape.bounds().x1 == pytest.approx(11, abs=0.01)]
    assert len(fiat) == 1 and fiat[0].shape.bounds().width == pytest.approx(10, abs=0.01)  # halfway, as in COCO
    assert not [a for a in by_name["images/clip/frame_000010.jpg"].annotations
                if a.shape.bounds().x1 == pytest.approx(11, abs=0.01)]  # outside on 9..13


def test_a_mot_detection_file_reads_as_scored_predictions_and_imdir_stays_inside(tmp_path):
    seq = tmp_path / "seq"
    (seq / "det").mkdir(parents=True)
    (seq / "det" / "det.txt").write_text("1,-1,10,10,20,20,0.75,-1,-1\n2,-1,12,10,20,20,0.5,-1,-1,1,2,3\n")
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=seq\nimDir=../../outside\n")
    dataset = MOT.read(seq / "det" / "det.txt")
    (item,) = dataset.items
    assert (item.width, item.height) == (0, 0)  # the size is left to the task, not read from ../../outside
    first, second = item.annotations
    assert first.source == Source(SourceKind.MODEL, 0.75, "mot-det") and second.frame == 1
    assert first.attributes == {"visibility": 1.0} and not first.occluded  # visibility -1: unknown


@pytest.mark.parametrize("shape, moved", [
    (RotatedBox(20, 20, 10, 6, 30), RotatedBox(30, 25, 10, 6, 350)),
    (Ellipse(20, 20, 5, 3, 0), Ellipse(25, 22, 6, 3, 10)),
    (Polyline(((1, 1), (10, 5), (20, 2))), Polyline(((2, 2), (12, 6), (22, 3)))),
    (PointShape(5, 5), PointShape(9, 7)),
])
def test_every_moving_kind_keeps_its_keyframes_through_cvat_video(tmp_path, shape, moved):
    track = Track("t", "car", (Keyframe(1, shape, occluded=True), Keyframe(5, moved), Keyframe(8, moved, outside=True)))
    mask = Mask.from_crop(np.ones((3, 4), bool), 2, 3, 64, 48)
    still = Track("m", "car", (Keyframe(0, mask), Keyframe(4, mask, outside=True)))
    item = DatasetItem("clip.mp4", 64, 48, kind="video", frames=12, tracks=[track, still])
    CVAT_VIDEO.write(Dataset([item], ["car"]), tmp_path)
    back = CVAT_VIDEO.read(tmp_path).items[0].tracks
    assert [t.keyframes for t in back] == [track.keyframes, still.keyframes]


def test_mot_seqinfo_states_the_videos_own_frame_rate(tmp_path):
    clip = make_video(tmp_path / "pal.mp4", size=(64, 48), frames=25, rate=25)
    with workspace(tmp_path, clip) as ws:
        (task,) = ws.tasks()
        ws.insert_annotations(sample_tracks(task.id))
        export_dataset(ws, "mot", tmp_path / "out")
    info = (tmp_path / "out" / "seqinfo.ini").read_text()
    assert "frameRate=25" in info and "seqLength=25" in info
