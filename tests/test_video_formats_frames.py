"""Video formats per frame: the COCO and YOLO exports that write each frame of a video, with its tracks' shapes."""

import json

import cv2
import pytest
import yaml

from core.formats import get_format
from sync.transfer import export_dataset
from tests.video_format_helpers import make_clips, sample_tracks, workspace
from tests.video_samples import read_number


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return make_clips(tmp_path_factory.mktemp("clips"), "clip.mp4")


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
