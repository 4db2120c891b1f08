"""Video formats, MOT 1.1: Datumaro's samples, sequences imported onto video tasks, a round trip, bad input."""

import pytest

from core.annotation import Source, SourceKind
from core.formats import DatasetAnnotation, FormatError, read_dataset
from core.shapes import Box
from sync.transfer import export_dataset, import_dataset
from tests.video_format_helpers import (
    MOT,
    SAMPLES,
    make_clips,
    needs_samples,
    sample_tracks,
    stored_tracks,
    workspace,
)
from tests.video_samples import make_video


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return make_clips(tmp_path_factory.mktemp("clips"), "Test.mp4", "mot_seq.mp4", "clip.mp4")


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


def test_mot_seqinfo_states_the_videos_own_frame_rate(tmp_path):
    clip = make_video(tmp_path / "pal.mp4", size=(64, 48), frames=25, rate=25)
    with workspace(tmp_path, clip) as ws:
        (task,) = ws.tasks()
        ws.insert_annotations(sample_tracks(task.id))
        export_dataset(ws, "mot", tmp_path / "out")
    info = (tmp_path / "out" / "seqinfo.ini").read_text()
    assert "frameRate=25" in info and "seqLength=25" in info


# -- bad input -------------------------------------------------------------------------------------------------


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
