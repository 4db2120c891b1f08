"""Tracking on video: one shape propagated by the box tracker on a real encoded video (its object's true place known
on every frame), the ByteTrack-style linker on synthetic detections, and `annodesk prelabel --every K [--link]` end
to end with a small real ONNX detector (built with onnx.helper) whose boxes follow white squares on black.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from test_inference_graphs import _save, names_metadata

from core.annotation import SourceKind
from core.geometry import Rect
from core.shape_fit import fit_shape
from core.shapes import Box, Keypoints, Mask, Polygon, RotatedBox, Visibility
from core.tracks import AUTO, tracks_from_rows
from core.video import VideoDecoder, build_index
from desktop.cli import main
from desktop.main_window import MainWindow
from desktop.settings import Settings
from inference.linking import Detection, LinkOptions, iou_matrix, link
from inference.tracking import propagate, track_object
from sync.workspace import Workspace

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg binary")
W, H, FRAMES = 320, 240, 90
SIDE = 40  # the white squares of the detector video


def encode(path: Path, frames, size=(W, H)) -> Path:
    """Raw BGR frames through ffmpeg into H.264 (B-frames, so decoding is the real thing)."""
    w, h = size
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s",
           f"{w}x{h}", "-r", "30", "-i", "-", "-c:v", "libx264", "-bf", "2", "-g", "30", "-pix_fmt", "yuv420p",
           str(path)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for f in frames:
        proc.stdin.write(np.ascontiguousarray(f).tobytes())
    proc.stdin.close()
    assert proc.wait(timeout=120) == 0
    return path


def mover(n: int) -> Rect:
    """The textured rectangle's true box on frame n: right and down with a wobble."""
    x, y = 30 + 2.5 * n, 60 + 30 * np.sin(n / 12)
    return Rect(round(x), round(y), round(x) + 60, round(y) + 45)


@pytest.fixture(scope="module")
def moving(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    patch = rng.integers(0, 256, (45, 60, 3), dtype=np.uint8)
    background = np.clip(rng.normal(120, 25, (H, W, 3)), 0, 255).astype(np.uint8)

    def frames():
        for n in range(FRAMES):
            f = background.copy()
            r = mover(n)
            f[int(r.y1):int(r.y2), int(r.x1):int(r.x2)] = patch
            if n >= 70:  # the object is gone (covered by a flat grey block) from frame 70 on
                f[:] = 120
            yield f

    return encode(tmp_path_factory.mktemp("moving") / "moving.mp4", frames())


def iou(a: Rect, b: Rect) -> float:
    return float(iou_matrix(np.array([[a.x1, a.y1, a.x2, a.y2]]), np.array([[b.x1, b.y1, b.x2, b.y2]]))[0, 0])


def test_propagated_box_follows_the_object_and_stops_where_it_is_lost(moving):
    with VideoDecoder(moving, build_index(moving)) as decoder:
        result = track_object(decoder, Box.from_rect(mover(0)), 0, 80)
    frames = [k.frame for k in result.track.keyframes]
    assert frames[0] == 0 and not result.track.keyframes[0].auto
    assert all(k.auto for k in result.track.keyframes[1:])
    assert result.stopped == "lost" and result.last_frame == 69 and frames == list(range(70))
    worst = min(iou(k.shape.bounds(), mover(k.frame)) for k in result.track.keyframes)
    assert worst >= 0.7, worst


def test_propagate_backward_and_cancel(moving):
    with VideoDecoder(moving, build_index(moving)) as decoder:
        track = propagate(decoder, Box.from_rect(mover(60)), 60, 20, step=-1)
        assert [k.frame for k in track.keyframes] == list(range(40, 61))
        assert min(iou(k.shape.bounds(), mover(k.frame)) for k in track.keyframes) >= 0.7
        stop = threading.Event()
        seen = []

        def progress(done: int, total: int) -> None:
            seen.append(done)
            if done == 5:
                stop.set()

        result = track_object(decoder, Box.from_rect(mover(0)), 0, 50, cancelled=stop.is_set, progress=progress)
    assert result.stopped == "cancelled" and len(result.track.keyframes) == 6


def test_polygon_moves_with_the_tracked_box_and_rows_mark_auto_keyframes(moving):
    r = mover(10)
    polygon = Polygon(((r.x1, r.y1), (r.x2, r.y1), ((r.x1 + r.x2) / 2, r.y2)))
    with VideoDecoder(moving, build_index(moving)) as decoder:
        track = propagate(decoder, polygon, 10, 30, label="car")
    last = track.keyframes[-1]
    assert last.frame == 40 and last.shape.kind == "polygon"
    assert iou(last.shape.bounds(), mover(40)) >= 0.7
    from core.tracks import track_rows

    rows = track_rows(1, track)
    assert sum(row.source.model_id == AUTO for row in rows) == 30
    (back,), _, _ = tracks_from_rows(rows)
    assert [k.auto for k in back.keyframes] == [k.auto for k in track.keyframes]


def test_fit_shape_maps_points_and_keeps_skipped_keypoints():
    old, new = Rect(0, 0, 10, 10), Rect(10, 20, 30, 40)  # moved by (15, 25) at the centre, twice as big
    assert fit_shape(Box(0, 0, 10, 10), old, new) == Box(10, 20, 20, 20)
    points = Keypoints(((5.0, 5.0, Visibility.VISIBLE), (0.0, 0.0, Visibility.SKIPPED)))
    assert fit_shape(points, old, new).points == ((20.0, 30.0, Visibility.VISIBLE), (0.0, 0.0, Visibility.SKIPPED))
    mask = fit_shape(Mask.from_crop(np.ones((10, 10), bool), 0, 0, 100, 100), old, new)
    assert mask.bounds() == Rect(10, 20, 30, 40) and mask.area() == 400
    rotated = fit_shape(RotatedBox(5, 5, 10, 4, 30), old, new)
    assert rotated == RotatedBox(20, 30, 20, 8, 30)


# -- linking ---------------------------------------------------------------------------------------------------------


def det(x: float, y: float, score: float = 0.9, label: str = "car", side: float = 20) -> Detection:
    return Detection((x, y, x + side, y + side), score, label, Box(x, y, side, side))


def test_two_crossing_objects_keep_their_ids():
    samples = []
    for n in range(0, 60, 3):  # every 3rd frame; one goes right, the other left, crossing at frame 30
        samples.append((n, [det(10 + 3 * n, 100), det(190 - 3 * n, 104)]))
    tracks = link(samples)
    assert len(tracks) == 2
    for t in tracks:
        xs = [d.box[0] for _, d in t.hits]
        assert len(t.hits) == 20 and (np.all(np.diff(xs) > 0) or np.all(np.diff(xs) < 0))


def test_a_missed_detection_does_not_split_a_track_and_a_gone_object_ends_it():
    samples = [(n, [] if n == 20 else [det(2 * n, 50)]) for n in range(0, 50, 5)]
    samples += [(n, []) for n in range(50, 80, 5)]
    (track,) = link(samples, LinkOptions(max_misses=2))
    assert [f for f, _ in track.hits] == [0, 5, 10, 15, 25, 30, 35, 40, 45]
    assert track.end == 50


def test_low_scores_keep_a_track_alive_but_never_start_one_and_noise_dies_unborn():
    samples = [(n, [det(100, 100, 0.9 if n < 20 else 0.3), det(10 + n * 7 % 200, 200, 0.9)]) for n in range(0, 40, 2)]
    samples.append((40, [det(300, 10, 0.2)]))
    tracks = link(samples, LinkOptions(min_hits=3))
    (still,) = [t for t in tracks if t.hits[0][1].box[1] == 100]
    assert len(still.hits) == 20  # low-score hits from frame 20 on kept it
    assert not [t for t in tracks if t.hits[0][1].box[1] == 10]


def test_labels_are_never_mixed():
    samples = [(n, [det(50, 50, label="car" if n % 2 else "dog")]) for n in range(10)]
    assert not link(samples, LinkOptions(min_hits=2, max_misses=0))


# -- the detector and the CLI ----------------------------------------------------------------------------------------


def square_detector(path: Path, size: int = 320, window: int = 48, stride: int = 8) -> Path:
    """YOLOv8 layout (1 x 5 x N): per window, the centroid of the bright pixels, a SIDE x SIDE box and a score that is
    the bright fraction of one square to the 4th power: a window holding a whole square scores 1 and gives its exact
    centre, one holding part of it scores low."""
    cells = (size - window) // stride + 1
    n = cells * cells
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    pool = {"kernel_shape": [window, window], "strides": [stride, stride]}
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], axes=[1], keepdims=1),
        helper.make_node("Sub", ["mean", "half"], ["centred"]),  # the letterbox's grey (114) padding is not bright
        helper.make_node("Relu", ["centred"], ["bright"]),
        helper.make_node("Mul", ["bright", "two"], ["grey"]),
        helper.make_node("Mul", ["grey", "xs"], ["gx"]),
        helper.make_node("Mul", ["grey", "ys"], ["gy"]),
        helper.make_node("AveragePool", ["grey"], ["pg"], **pool),
        helper.make_node("AveragePool", ["gx"], ["px"], **pool),
        helper.make_node("AveragePool", ["gy"], ["py"], **pool),
        helper.make_node("Add", ["pg", "eps"], ["pg_safe"]),
        helper.make_node("Div", ["px", "pg_safe"], ["cx"]),
        helper.make_node("Div", ["py", "pg_safe"], ["cy"]),
        helper.make_node("Mul", ["pg", "gain"], ["raw"]),
        helper.make_node("Min", ["raw", "one"], ["fraction"]),
        helper.make_node("Mul", ["fraction", "fraction"], ["squared"]),
        helper.make_node("Mul", ["squared", "squared"], ["score"]),  # a window holding part of a square scores low
        helper.make_node("Mul", ["pg", "zero"], ["nothing"]),
        helper.make_node("Add", ["nothing", "side"], ["wh"]),
        helper.make_node("Concat", ["cx", "cy", "wh", "wh", "score"], ["stack"], axis=1),
        helper.make_node("Reshape", ["stack", "shape"], ["output0"]),
    ]
    inits = [numpy_helper.from_array(a, name) for name, a in {
        "xs": xs[None, None], "ys": ys[None, None], "eps": np.float32(1e-6), "gain": np.float32(window**2 / SIDE**2),
        "one": np.float32(1.0), "half": np.float32(0.5), "two": np.float32(2.0), "zero": np.float32(0.0),
        "side": np.float32(SIDE),
        "shape": np.array([-1, 5, n], np.int64)}.items()]  # fmt: skip
    image = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, size, size])
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 5, n])
    meta = names_metadata(["square"], "detect", imgsz=(size, size))
    return _save(path, nodes, [image], [out], inits, meta)


def squares(n: int) -> list[Rect]:
    """Two white squares crossing: one left to right, one right to left, a little lower (they overlap as they pass)."""
    a, b = 20 + 3 * n, W - 20 - SIDE - 3 * n
    return [Rect(a, 60, a + SIDE, 60 + SIDE), Rect(b, 85, b + SIDE, 85 + SIDE)]


def apart(n: int) -> bool:
    """The squares are far enough apart on frame n for the detector's windows to see each alone."""
    a, b = squares(n)
    return abs(a.x1 - b.x1) > 48 + SIDE


@pytest.fixture(scope="module")
def squares_video(tmp_path_factory) -> Path:
    def frames():
        for n in range(FRAMES):
            f = np.zeros((H, W, 3), np.uint8)
            for r in squares(n):
                f[int(r.y1):int(r.y2), int(r.x1):int(r.x2)] = 255
            yield f

    return encode(tmp_path_factory.mktemp("squares") / "squares.mp4", frames())


def video_workspace(tmp_path: Path, video: Path) -> Path:
    with Workspace.create(tmp_path / "ws") as ws:
        report = ws.add_media([video])
        assert report.added == 1
    return tmp_path / "ws"


def test_cli_prelabel_every_k_frames_stores_one_frame_predictions(tmp_path, squares_video, capsys):
    ws_dir = video_workspace(tmp_path, squares_video)
    model = square_detector(tmp_path / "squares.onnx")
    assert main(["prelabel", str(ws_dir), "--model", str(model), "--provider", "cpu", "--every", "10"]) == 0
    out = capsys.readouterr().out
    assert "1 videos pre-labelled" in out and "9 frames" in out, out
    with Workspace.open(ws_dir, readonly=True) as ws:
        (task,) = ws.tasks()
        rows = ws.annotations(task.id)
    assert sorted({r.frame for r in rows}) == list(range(0, FRAMES, 10))
    assert all(r.track is None and r.source.kind is SourceKind.MODEL and r.source.score for r in rows)
    for r in rows:
        if apart(r.frame or 0):  # where the squares overlap the toy detector sees one blob, as real ones may
            assert max(iou(r.shape.bounds(), s) for s in squares(r.frame or 0)) >= 0.7
    # a second run does nothing: this model already ran on the video
    assert main(["prelabel", str(ws_dir), "--model", str(model), "--provider", "cpu", "--every", "10"]) == 0
    assert "1 already done" in capsys.readouterr().out


def test_cli_prelabel_link_makes_two_tracks_that_follow_the_crossing_squares(tmp_path, squares_video, capsys):
    ws_dir = video_workspace(tmp_path, squares_video)
    model = square_detector(tmp_path / "squares.onnx")
    code = main(["prelabel", str(ws_dir), "--model", str(model), "--provider", "cpu", "--every", "3", "--link",
                 "--batch", "4"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "tracks" in out, out
    with Workspace.open(ws_dir, readonly=True) as ws:
        (task,) = ws.tasks()
        tracks, loose, problems = tracks_from_rows(ws.annotations(task.id))
    assert not loose and not problems
    assert all(t.source.kind is SourceKind.MODEL and t.label == "square" for t in tracks)
    assert not any(k.auto for t in tracks for k in t.keyframes)
    whole = [t for t in tracks if t.keyframe_frames[0] == 0]
    assert len(whole) == 2  # each square one track through the crossing
    for track in whole:
        which = int(np.argmax([iou(track.keyframes[0].shape.bounds(), s) for s in squares(0)]))
        for frame in range(0, FRAMES - 3):  # interpolated frames between samples too
            state = track.at(frame)
            assert state is not None, frame
            if apart(frame):
                assert iou(state.shape.bounds(), squares(frame)[which]) >= 0.7, (frame, which)
    for track in tracks:  # the blobs the toy detector sees where the squares overlap: short, and they end
        if track not in whole:
            assert track.keyframes[-1].outside and track.span[1] - track.span[0] <= 12


def test_cli_link_needs_every(tmp_path, squares_video, capsys):
    ws_dir = video_workspace(tmp_path, squares_video)
    model = square_detector(tmp_path / "squares.onnx")
    assert main(["prelabel", str(ws_dir), "--model", str(model), "--link"]) == 2
    assert "--link needs --every" in capsys.readouterr().err


def test_cancel_drops_the_video_in_progress_and_a_rerun_finishes_it(tmp_path, squares_video):
    from inference import Predictor
    from inference.video_prelabel import VideoPrelabelJob, VideoPrelabelOptions

    ws_dir = video_workspace(tmp_path, squares_video)
    predictor = Predictor.load(square_detector(tmp_path / "squares.onnx"), provider="cpu")
    with Workspace.open(ws_dir) as ws:
        job: VideoPrelabelJob

        def progress(done: int, total: int) -> None:
            if done == 4:
                job.cancel()

        job = VideoPrelabelJob(predictor, ws, VideoPrelabelOptions(every=5, link=True), progress)
        report = job.run()
        assert report.cancelled and report.predicted == 0 and report.shapes == 0
        (task,) = ws.tasks()
        assert ws.annotations(task.id) == [] and not ws.model_ran(predictor.model_id, task.id)
        report = VideoPrelabelJob(predictor, ws, VideoPrelabelOptions(every=5, link=True)).run()
        assert not report.cancelled and report.predicted == 1 and report.tracks >= 2
        assert ws.model_ran(predictor.model_id, task.id)


def test_a_video_that_does_not_open_fails_that_task_only_and_images_are_refused_politely(tmp_path, squares_video,
                                                                                           capsys):
    ws_dir = video_workspace(tmp_path, squares_video)
    broken = tmp_path / "other.mp4"
    encode(broken, (np.full((H, W, 3), 40 + n, np.uint8) for n in range(30)))
    with Workspace.open(ws_dir) as ws:
        assert ws.add_media([broken]).added == 1
    broken.write_bytes(b"no longer a video")
    model = square_detector(tmp_path / "squares.onnx")
    assert main(["prelabel", str(ws_dir), "--model", str(model), "--provider", "cpu", "--every", "10"]) == 0
    out = capsys.readouterr().out
    assert "1 videos pre-labelled" in out and "1 failed (of 2)" in out and "other.mp4" in out, out
    assert main(["prelabel", str(ws_dir), "--model", str(model), "--provider", "cpu"]) == 0
    assert "pre-label its frames with `annodesk prelabel --every K`" in capsys.readouterr().out


def test_the_app_prelabels_the_video_on_show_into_tracks(qtbot, tmp_path, squares_video):
    """Ctrl+L on a video task: the model on every k-th frame (the setting), linked into model tracks that show on
    the frame view as predictions; a second press skips the video, as on images."""
    ws_dir = video_workspace(tmp_path, squares_video)
    model = square_detector(tmp_path / "squares.onnx")
    window = MainWindow(Settings(prelabel_model=str(model), inference_provider="cpu", video_prelabel_every=3))
    qtbot.addWidget(window)
    window.open_workspace(ws_dir, frame=0)
    window.show()
    assert window.video.player.wait_shown(10)
    job = window.prelabel.prelabel_task()
    assert job is not None and job.wait(120)
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30_000)
    report = window.prelabel.last_report
    assert report is not None and not report.failures
    qtbot.waitUntil(lambda: len(window.session.editor.tracks) >= 2, timeout=10_000)
    editor = window.session.editor
    assert all(t.source.kind is SourceKind.MODEL for t in editor.tracks)
    assert len([a for a in editor.doc if a.source.is_model]) == 2  # both squares on frame 0, as predictions
    with Workspace.open(ws_dir, readonly=True) as ws:
        assert {a.track for a in ws.annotations(ws.tasks()[0].id)} == {t.id for t in editor.tracks}
    window.close()


def test_prelabel_all_tasks_runs_the_videos_too(qtbot, tmp_path, squares_video):
    """Pre-label all (Ctrl+Shift+L) on a workspace of a video and an image: each through its own path, the video
    into model tracks; a second run skips both."""
    ws_dir = video_workspace(tmp_path, squares_video)
    still = np.zeros((H, W, 3), np.uint8)
    for r in squares(0):
        still[int(r.y1):int(r.y2), int(r.x1):int(r.x2)] = 255
    cv2.imwrite(str(tmp_path / "still.png"), still)
    with Workspace.open(ws_dir) as ws:
        ws.add_media([tmp_path / "still.png"])
    model = square_detector(tmp_path / "squares.onnx")
    window = MainWindow(Settings(prelabel_model=str(model), inference_provider="cpu", video_prelabel_every=5))
    qtbot.addWidget(window)
    window.open_workspace(ws_dir)
    window.show()
    job = window.prelabel.prelabel_tasks(None)
    assert job is not None and job.wait(120)
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30_000)
    image_report, video_report = window.prelabel.last_reports
    assert (image_report.predicted, video_report.predicted) == (1, 1), video_report.summary()
    with Workspace.open(ws_dir, readonly=True) as ws:
        video = next(t for t in ws.tasks() if t.kind == "video")
        assert len({a.track for a in ws.annotations(video.id)} - {None}) >= 2
    job = window.prelabel.prelabel_tasks(None)
    assert job is not None and job.wait(120)
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30_000)
    assert [r.already_done for r in window.prelabel.last_reports] == [1, 1]
    window.close()
