"""The video player in the app: the frame on screen is the frame asked for (its number is drawn in its pixels), keys
step and play, the timeline hit-tests and paints fast, and a keyframe edit on a frame is stored in the workspace."""

import dataclasses
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QApplication

from core.annotation import Annotation, new_id
from core.document import AddAnnotations, AnnotationDoc, DeleteAnnotations, UpdateAnnotations
from core.schema import Label, LabelSchema
from core.shapes import Box, Tag
from core.tracks import Keyframe, Track, track_rows
from core.video import build_index
from desktop.demo import make_demo
from desktop.demo_video import CARS, _box_at
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.workspace import Workspace
from tests.video_samples import make_video, read_number
from tools.events import Pointer
from tools.video_editor import VideoEditor
from widgets.timeline import LABEL_W, Timeline, TimelineRow
from widgets.video_player import VideoPlayer

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg binary")
FRAMES = 300  # keyframes every 150 frames, B-frames: the hard case for exact seeking
TRACK = "t0000000000000000000000000000001"


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("video") / "numbered.mp4", frames=FRAMES)


@pytest.fixture
def workspace(tmp_path, video):
    """A workspace with the numbered video and one car track: keyframes on frames 0 and 100."""
    schema = LabelSchema((Label("car", "#e53935"),))
    with Workspace.create(tmp_path / "ws", schema) as ws:
        ws.add_media([video])
        task = ws.find_task(str(video))
        assert task is not None and task.kind == "video"
        track = Track(TRACK, "car", (Keyframe(0, Box(100, 100, 40, 30)), Keyframe(100, Box(200, 150, 40, 30))))
        ws.insert_annotations(track_rows(task.id, track, "test"))
    return tmp_path / "ws", task.id


@pytest.fixture
def window(qtbot, workspace):
    path, task_id = workspace
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    w.resize(1200, 850)
    w.open_workspace(path, task_id, frame=10)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    assert w.video.player.wait_shown(10)
    yield w
    w.close()


def rendered_number(window):
    """The number read from the canvas scene rendered at 1:1, i.e. the pixels the frame item really draws."""
    canvas = window.canvas
    rect = canvas.image_rect()
    image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_RGB888)
    painter = QPainter(image)
    canvas.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    painter.end()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return read_number(pixels[:, : image.width() * 3].reshape(image.height(), image.width(), 3))


def shown(window, frame):
    player = window.video.player
    assert player.wait_shown(10), f"frame {frame} not shown"
    assert player.frame == frame and window.session.editor.frame == frame
    assert read_number(window.canvas.frame_item.array) == frame
    assert window.video.controls.frame.value() == frame and window.video.timeline.playhead == frame


def test_player_seeks_exact_frames(qtbot, video):
    player = VideoPlayer()
    got = []
    player.frame_shown.connect(lambda n, image: got.append((n, read_number(image))))
    player.open(str(video), build_index(str(video)))
    try:
        for n in (0, 149, 150, 151, 299, 7, 6, 5, 200, 1):
            player.seek(n)
            assert player.wait_shown(10)
            assert got[-1] == (n, n)
        for n in range(300):  # a scrub: a request per frame crossed, never more than one waiting
            player.seek(n % 60 + 100)
        assert player.wait_shown(10) and got[-1] == (159, 159)
        assert all(n == number for n, number in got)
    finally:
        player.close()


def test_play_follows_the_clock_and_skips(qtbot, video):
    player = VideoPlayer()
    got = []
    player.frame_shown.connect(lambda n, image: got.append((n, read_number(image))))
    player.open(str(video), build_index(str(video)))
    try:
        player.set_speed(4.0)
        player.play()
        qtbot.wait(500)
        player.pause()
        # 0.5 s at 4x of a 30 fps video: about 60 frames on, whatever the machine shows of them
        assert 30 <= player.frame <= 90, player.frame
        assert all(n == number for n, number in got)
    finally:
        player.close()


def test_open_at_frame_and_step_with_keys(window, qtbot):
    shown(window, 10)
    assert rendered_number(window) == 10
    assert window.mode == "video" and not window.actions_by_id["task.next"].shortcuts()
    for key, modifier, expected in ((Qt.Key.Key_D, Qt.KeyboardModifier.NoModifier, 11),
                                    (Qt.Key.Key_D, Qt.KeyboardModifier.ShiftModifier, 21),
                                    (Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, 20),
                                    (Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier, 10)):
        qtbot.keyClick(window.canvas, key, modifier)
        shown(window, expected)
    window.actions_by_id["frame.last"].trigger()
    shown(window, FRAMES - 1)
    assert rendered_number(window) == FRAMES - 1
    window.video.controls.frame.setValue(151)  # typed into the frame box
    shown(window, 151)
    started = time.perf_counter()
    window.actions_by_id["frame.next"].trigger()
    shown(window, 152)
    assert time.perf_counter() - started < 1.0


def test_space_plays_and_pauses(window, qtbot):
    qtbot.keyClick(window.canvas, Qt.Key.Key_Space)
    assert window.video.player.playing
    qtbot.wait(300)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Space)
    assert not window.video.player.playing
    frame = window.video.player.wanted
    assert frame > 10
    shown(window, frame)


def test_shapes_follow_the_frame_and_keyframe_edit_is_stored(window, qtbot, workspace):
    path, task_id = workspace
    editor = window.session.editor
    shape = editor.doc.get(TRACK)
    assert shape.shape == Box(110, 105, 40, 30)  # a tenth of the way from frame 0's box to frame 100's
    graphic = window.canvas.layer.graphics[TRACK]
    assert graphic.interpolated
    editor.execute(UpdateAnnotations((dataclasses.replace(shape, shape=Box(300, 50, 40, 30)),), "Move"))
    assert not window.canvas.layer.graphics[TRACK].interpolated  # a keyframe now
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        rows = sorted((a.frame, a.shape) for a in ws.annotations(task_id))
    assert rows == [(0, Box(100, 100, 40, 30)), (10, Box(300, 50, 40, 30)), (100, Box(200, 150, 40, 30))]
    window.actions_by_id["edit.undo"].trigger()  # one undo step
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        assert sorted(a.frame for a in ws.annotations(task_id)) == [0, 100]
    editor.select((TRACK,))
    window.actions_by_id["keyframe.toggle"].trigger()  # K: the interpolated shape becomes a keyframe
    window.actions_by_id["keyframe.next"].trigger()
    shown(window, 100)
    window.actions_by_id["track.outside"].trigger()
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        rows = {a.frame: a for a in ws.annotations(task_id)}
    assert sorted(rows) == [0, 10, 100] and rows[100].outside and rows[10].shape == Box(110, 105, 40, 30)
    assert TRACK not in editor.doc  # outside from here on


def test_drawing_on_a_frame_starts_a_track(window, qtbot, workspace):
    path, task_id = workspace
    editor = window.session.editor
    window.actions_by_id["frame.forward"].trigger()
    shown(window, 20)
    editor.set_tool("box")
    for event in (editor.press, editor.move, editor.release):
        event(Pointer(20, 20) if event == editor.press else Pointer(60, 70))
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        new = [a for a in ws.annotations(task_id) if a.track != TRACK]
    assert len(new) == 1 and new[0].frame == 20 and new[0].track is not None
    assert len(window.video.timeline.rows) == 2
    window.video.controls.one_frame.setChecked(True)
    for event in (editor.press, editor.move, editor.release):
        event(Pointer(150, 20) if event == editor.press else Pointer(190, 70))
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        loose = [a for a in ws.annotations(task_id) if a.track is None]
    assert len(loose) == 1 and loose[0].frame == 20
    window.actions_by_id["frame.next"].trigger()
    shown(window, 21)
    assert loose[0].id not in editor.doc and new[0].track in editor.doc


def test_timeline_hit_tests_and_scrubs(qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.resize(LABEL_W + 1004, 200)
    timeline.set_length(1000)
    timeline.set_rows([TimelineRow("a", "1 car", "#e53935", np.array([0, 500, 999]), [(600, 700)], 0, 999),
                       TimelineRow("b", "2 car", "#1e88e5", np.array([250]), [], 250, 999)])
    timeline.show()
    qtbot.waitExposed(timeline)
    for frame in (0, 1, 499, 500, 999):
        assert timeline.frame_at(timeline.x_of(frame)) == frame
    y_a, y_b = timeline.rows_top() + 3, timeline.rows_top() + 19
    assert timeline.row_at(y_a).id == "a" and timeline.row_at(y_b).id == "b" and timeline.row_at(5) is None
    assert timeline.keyframe_at(timeline.x_of(500) + 2, y_a) == ("a", 500)
    assert timeline.keyframe_at(timeline.x_of(510), y_a) is None
    asked, clicked = [], []
    timeline.scrubbed.connect(asked.append)
    timeline.track_clicked.connect(clicked.append)
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(timeline.x_of(251)), y_b))
    assert clicked == ["b"] and asked == [250]  # a keyframe mark within a few pixels snaps to it
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(timeline.x_of(100)), 10))
    for frame in (101, 101, 102, 400):
        left = Qt.MouseButton.LeftButton
        at = QPointF(int(timeline.x_of(frame)), 10)
        QApplication.sendEvent(timeline, QMouseEvent(QEvent.Type.MouseMove, at, timeline.mapToGlobal(at),
                                                     Qt.MouseButton.NoButton, left, Qt.KeyboardModifier.NoModifier))
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=QPoint(int(timeline.x_of(400)), 10))
    assert asked[1:] == [100, 101, 102, 400]  # one request per frame crossed
    before, x = timeline.per_px, timeline.x_of(500)
    timeline.wheelEvent(_wheel(timeline, QPointF(x, 50), 120))  # zoom in around the mouse: frame 500 stays there
    assert timeline.per_px < before and abs(timeline.frame_at(x) - 500) <= 1


def _wheel(widget, pos, delta):
    return QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, delta), Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)


def test_timeline_paints_1000_tracks_fast(qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.resize(1400, 400)
    timeline.set_length(100_000)
    rng = np.random.default_rng(1)
    timeline.set_rows([TimelineRow(str(i), f"{i} car", "#43a047", np.sort(rng.choice(100_000, 1000, replace=False)),
                                   [(5000, 9000)], 0, 99_999) for i in range(1000)])
    timeline.show()
    qtbot.waitExposed(timeline)
    costs = []
    for i in range(10):
        timeline.paint_ms = -1.0
        timeline.set_playhead(i * 997)
        timeline.grab()  # paints the whole widget
        assert timeline.paint_ms >= 0
        costs.append(timeline.paint_ms)
    timeline.wheelEvent(_wheel(timeline, QPointF(700, 100), 600))  # zoomed in: fewer marks, same rows
    timeline.grab()
    costs.append(timeline.paint_ms)
    print(f"timeline repaint, 1,000 tracks x 1,000 keyframes: median {sorted(costs)[5]:.2f} ms, "
          f"all {[round(c, 1) for c in costs]}")
    assert sorted(costs)[5] < 16


def test_cli_open_at_frame_takes_a_screenshot(workspace, tmp_path):
    path, task_id = workspace
    shot = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "desktop", "open", str(path), "--task", str(task_id), "--frame",
                             "42", "--screenshot", str(shot)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert image.width() > 0


def test_video_editor_track_commands_without_qt():
    """The frame view's edits as row edits (Qt-free): delete removes the track, occluded and K are keyframes,
    the only keyframe cannot go, tags belong to the whole video."""
    track = Track(TRACK, "car", (Keyframe(0, Box(0, 0, 10, 10)), Keyframe(10, Box(100, 0, 10, 10))))
    stored = []
    editor = VideoEditor(AnnotationDoc(1, track_rows(1, track)), LabelSchema((Label("car", "#e53935"),)),
                         frames=50, on_commit=stored.extend)
    editor.set_frame(5)
    assert editor.doc.get(TRACK).shape == Box(50, 0, 10, 10) and editor.is_keyframe(TRACK) is False
    editor.select((TRACK,))
    assert editor.toggle_occluded() and editor.doc.get(TRACK).occluded and editor.is_keyframe(TRACK)
    editor.set_frame(7)
    assert editor.doc.get(TRACK).occluded  # holds until the next keyframe
    editor.set_frame(10)
    assert not editor.doc.get(TRACK).occluded
    assert editor.toggle_keyframe() and sorted(r.frame for r in editor.rows) == [0, 5]
    editor.undo()
    assert sorted(r.frame for r in editor.rows) == [0, 5, 10]
    tag = Annotation(new_id(), 1, "car", Tag())
    editor.execute(AddAnnotations((tag,), "Tag"))
    assert editor.rows.get(tag.id).frame is None and tag.id in editor.doc
    editor.set_frame(40)
    assert tag.id in editor.doc  # on every frame
    editor.execute(DeleteAnnotations((TRACK,), "Delete"))
    assert [r.id for r in editor.rows] == [tag.id] and TRACK not in editor.tracks
    single = Track("t1", "car", (Keyframe(3, Box(0, 0, 5, 5)),))
    editor = VideoEditor(AnnotationDoc(1, track_rows(1, single)), LabelSchema((Label("car", "#e53935"),)),
                         frames=50, frame=3)
    editor.select(("t1",))
    assert not editor.toggle_keyframe() and "only keyframe" in editor.refusal


def test_split_merge_and_propagate_are_one_undo_step_each():
    schema = LabelSchema((Label("car", "#e53935"), Label("person", "#1e88e5")))
    track = Track(TRACK, "car", (Keyframe(0, Box(0, 0, 10, 10)), Keyframe(20, Box(200, 0, 10, 10))))
    other = Track("t2", "car", (Keyframe(30, Box(300, 0, 10, 10)), Keyframe(40, Box(400, 0, 10, 10))))
    person = Track("t3", "person", (Keyframe(0, Box(5, 5, 5, 5)),))
    stored = []
    rows = AnnotationDoc(1, [*track_rows(1, track), *track_rows(1, other), *track_rows(1, person)])
    editor = VideoEditor(rows, schema, frames=50, frame=10, on_commit=stored.extend)
    editor.select((TRACK,))
    assert editor.split_track()
    head, tail = editor.tracks.get(TRACK), next(t for t in editor.tracks if t.id not in (TRACK, "t2", "t3"))
    assert head.keyframe_frames == (0, 10) and head.keyframes[-1].outside and tail.keyframe_frames == (10, 20)
    assert tail.at(15).shape == Box(150, 0, 10, 10)  # the tail goes on where the track was
    editor.undo()
    assert editor.tracks.get(TRACK) == track and len(editor.tracks) == 3
    editor.set_frame(35)  # both on show (the first holds its last state)
    editor.select((TRACK, "t2"))
    assert editor.merge_tracks()
    assert editor.tracks.get(TRACK).keyframe_frames == (0, 20, 30, 40) and "t2" not in editor.tracks
    assert {r.track for r in editor.rows} == {TRACK, "t3"}
    editor.undo()
    assert "t2" in editor.tracks
    editor.select((TRACK, "t3"))  # labels differ: refused, nothing changed
    assert editor.selection == (TRACK, "t3") and not editor.merge_tracks() and "person" in editor.refusal
    editor.set_frame(45)
    editor.select(("t2",))
    assert editor.propagate(50)  # clamped to the video's end
    assert editor.tracks.get("t2").keyframe_frames == (30, 40, 45, 46, 47, 48, 49)
    assert all(k.shape == Box(400, 0, 10, 10) for k in editor.tracks.get("t2").keyframes[2:])
    assert {c.annotation.frame for c in stored if c.annotation.track == "t2"} >= {45, 49}  # stored at once
    editor.one_frame_shapes = True
    editor.set_frame(25)
    editor.execute(AddAnnotations((Annotation(new_id(), 1, "car", Box(1, 1, 2, 2)),), "One-frame shape"))
    editor.set_frame(12)
    assert (editor.annotated_near(1), editor.annotated_near(-1)) == (20, 0)
    editor.set_frame(21)
    assert (editor.annotated_near(1), editor.annotated_near(-1)) == (25, 20)  # the one-frame shape counts too


def test_dragging_a_track_shape_with_the_mouse_sets_one_keyframe(window, qtbot, workspace):
    path, task_id = workspace
    canvas = window.canvas
    left = Qt.MouseButton.LeftButton

    def send(kind, point, button, buttons):
        at = QPointF(canvas.mapFromScene(QPointF(*point)))
        QApplication.sendEvent(canvas.viewport(), QMouseEvent(kind, at, canvas.viewport().mapToGlobal(at), button,
                                                              buttons, Qt.KeyboardModifier.NoModifier))

    start, end = (130, 120), (170, 160)  # inside frame 10's box (110, 105, 40, 30), then 40 px on
    send(QEvent.Type.MouseButtonPress, start, left, left)
    for i in range(1, 6):
        send(QEvent.Type.MouseMove, (130 + 8 * i, 120 + 8 * i), Qt.MouseButton.NoButton, left)
    send(QEvent.Type.MouseButtonRelease, end, left, Qt.MouseButton.NoButton)
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        rows = {a.frame: a.shape for a in ws.annotations(task_id)}
    assert sorted(rows) == [0, 10, 100] and rows[0] == Box(100, 100, 40, 30) and rows[100] == Box(200, 150, 40, 30)
    moved = rows[10]
    assert abs(moved.x - 150) < 1.5 and abs(moved.y - 145) < 1.5 and (moved.w, moved.h) == (40, 30)  # screen rounding
    assert window.session.editor.selection == (TRACK,) and window.video.timeline.selected == {TRACK}
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step
    window.wait_until_idle()
    with Workspace.open(path, readonly=True) as ws:
        assert sorted(a.frame for a in ws.annotations(task_id)) == [0, 100]


def test_video_keys_are_scoped():
    """D is a frame on a video and a task on an image; a video key may not take a tool's key (both act there)."""
    from desktop.keymap import KeymapError, active, effective_keymap

    keymap = effective_keymap()
    assert keymap["frame.next"].keys == ("D",) and keymap["task.next"].keys == ("D",)
    assert active("video", "video") and not active("video", "image") and active("canvas", "video")
    assert not active("image", "video") and active("global", "video")
    with pytest.raises(KeymapError, match="bound to both"):
        effective_keymap("default", {"keyframe.toggle": ["R"]})  # R draws boxes on video frames too
    assert effective_keymap("cvat")["frame.next"].keys == ("F",)


def test_image_task_after_a_video_gets_the_image_keys_back(window, qtbot, workspace, tmp_path):
    import cv2

    path, task_id = workspace
    image = tmp_path / "still.png"
    cv2.imwrite(str(image), np.full((60, 80, 3), 200, np.uint8))
    with Workspace.open(path) as ws:
        ws.add_media([image])
        still = ws.find_task(str(image))
    window.actions_by_id["frame.forward"].trigger()
    shown(window, 20)
    window.show_task(still.id)
    assert window.mode == "image" and not window.video.active and not window.video.bar.isVisible()
    assert window.actions_by_id["task.next"].shortcuts() and not window.actions_by_id["frame.next"].isEnabled()
    assert window.canvas.frame_item.array is None and window.canvas.image_rect().width() == 80
    window.show_task(task_id)  # back where it was left
    shown(window, 20)
    assert window.mode == "video" and window.video.bar.isVisible()


def test_a_video_task_is_current_after_a_round_that_changed_nothing(window, caplog):
    """catch_up compares the stored rows, not the frame's view: a sync round that brought nothing reloads nothing;
    and the session never decodes a video as an image (no warning when it opens)."""
    session = window.session
    assert session.image is None and session.image_error == ""
    assert not session.catch_up()
    assert not [r for r in caplog.records if "cannot show" in r.getMessage()]


def test_track_forward_in_the_app_follows_the_demo_car(qtbot, tmp_path):
    """Ctrl+T on the demo's street video: the selected car's track gets automatic keyframes that stay on the car
    (whose true box the demo knows on every frame), stored as one undo step."""
    make_demo(tmp_path / "demo", images=1).close()
    with Workspace.open(tmp_path / "demo" / "workspace") as ws:
        task = next(t for t in ws.tasks() if t.kind == "video")
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    w.resize(1200, 850)
    w.open_workspace(tmp_path / "demo" / "workspace", task.id, frame=0)
    w.show()
    assert w.video.player.wait_shown(10)
    editor = w.session.editor
    assert isinstance(editor, VideoEditor)
    person_track = next(t for t in editor.tracks if not t.source.is_model)
    editor.select([person_track.id])
    job = w.video.track_object(1)
    assert job is not None and job.wait(120)
    qtbot.waitUntil(lambda: any(k.auto for k in editor.tracks.get(person_track.id).keyframes), timeout=10_000)
    w.wait_until_idle()
    tracked = editor.tracks.get(person_track.id)
    start, step = CARS[0][1], CARS[0][2]
    autos = [k for k in tracked.keyframes if k.auto]
    assert len(autos) >= 100
    for k in autos[::10]:
        truth, got = _box_at(start, step, k.frame), k.shape
        ix = max(0.0, min(truth.x + truth.w, got.x + got.w) - max(truth.x, got.x))
        iy = max(0.0, min(truth.y + truth.h, got.y + got.h) - max(truth.y, got.y))
        inter = ix * iy
        assert inter / (truth.w * truth.h + got.w * got.h - inter) >= 0.7, (k.frame, got, truth)
    with Workspace.open(tmp_path / "demo" / "workspace") as ws:
        stored = [a for a in ws.annotations(task.id) if a.track == person_track.id]
    assert len(stored) == len(tracked.keyframes)  # stored at once
    editor.undo()
    assert not any(k.auto for k in editor.tracks.get(person_track.id).keyframes)
    w.close()
