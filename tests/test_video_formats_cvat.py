"""Video formats, CVAT for video 1.1: Datumaro's sample, the CLI import onto video tasks, a round trip, bad input."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest

from core.formats import Dataset, DatasetAnnotation, DatasetItem, FormatError, read_dataset
from core.schema import AttributeSpec
from core.shapes import Box, Ellipse, Keypoints, Mask, PointShape, Polyline, RotatedBox, Visibility
from core.tracks import Keyframe, Track
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace
from tests.video_format_helpers import (
    CVAT_VIDEO,
    MOT,
    ROOT,
    SAMPLES,
    VISIBLE,
    make_clips,
    needs_samples,
    sample_tracks,
    stored_tracks,
    workspace,
)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return make_clips(tmp_path_factory.mktemp("clips"), "t.mp4", "clip.mp4", "Test.mp4")


def annodesk(*args):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


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


def test_a_video_file_does_not_land_on_an_image_task_of_the_same_name(tmp_path):
    cv2.imwrite(str(tmp_path / "clip.png"), np.zeros((48, 64, 3), np.uint8))
    (tmp_path / "annotations.xml").write_text(CVAT_HEAD.replace("clip.mp4", "clip.png") + """
<track id="0" label="car"><box frame="1" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"/></track></annotations>""")
    with workspace(tmp_path, tmp_path / "clip.png") as ws:
        report = import_dataset(ws, "cvat-video", tmp_path)
        assert report.annotations_added == 0
        assert any("the file describes a video but" in m and "is an image" in m for m in report.messages)


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


def test_video_writers_keep_hostile_names_inside_their_folder(tmp_path):
    names = ["../../escape.mp4", "/abs/olute.mp4", "a\\..\\..\\b.mp4", "x" * 300 + ".mp4"]
    for fmt in (CVAT_VIDEO, MOT):
        items = [DatasetItem(n, 64, 48, [DatasetAnnotation("car", Box(1, 2, 10, 10), frame=0)], kind="video",
                             frames=3) for n in names]
        out = tmp_path / fmt.name
        written = fmt.write(Dataset(items, ["car"]), out)
        assert len(written) >= len(names) and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert not (tmp_path.parent / "escape.mp4").exists()
