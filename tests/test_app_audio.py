"""A recording in the main window, driven with real keys and mouse: segments drawn, labelled, split, typed and
stored in the workspace; playback runs silently on a machine without a sound card."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from core.schema import LabelSchema
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.workspace import Workspace
from tests.audio_samples import bursts_wav
from tests.test_app import mouse
from tools.audio_editor import time_span
from widgets.waveform import LANE_H, RULER_H

SCHEMA = {"labels": [{"name": "speech", "color": "#4caf50", "hotkey": "1"},
                     {"name": "noise", "color": "#ff9800", "hotkey": "2"}],
          "tiers": [{"name": "speaker"}, {"name": "events", "overlap": True}]}
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace.create(tmp_path / "ws", LabelSchema.from_json(SCHEMA))
    cv2.imwrite(str(tmp_path / "a.png"), np.full((40, 60, 3), 128, np.uint8))
    ws.add_media([bursts_wav(tmp_path, seconds=20.0, channels=2), tmp_path / "a.png"])
    ws.close()
    return tmp_path / "ws"


@pytest.fixture
def window(qtbot, workspace):
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    reader = Workspace.open(workspace, readonly=True)
    w.audio_task = next(t for t in reader.tasks() if t.kind == "audio")
    reader.close()
    w.open_workspace(workspace, w.audio_task.id)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.close()


def stored(window):
    window.session.writer.flush()
    ws = Workspace.open(window.session.path, readonly=True)
    try:
        return ws.annotations(window.audio_task.id)
    finally:
        ws.close()


def drag(widget, t0, t1, y):
    axis = widget.axis
    a, b = QPointF(axis.x(t0), y), QPointF(axis.x(t1), y)
    mouse(widget, QEvent.Type.MouseButtonPress, a, LEFT, LEFT)
    for i in range(1, 6):
        mouse(widget, QEvent.Type.MouseMove, a + (b - a) * (i / 5), Qt.MouseButton.NoButton, LEFT)
    mouse(widget, QEvent.Type.MouseButtonRelease, b, LEFT, Qt.MouseButton.NoButton)


def lane_y(widget, index):
    return widget.lanes_top() + index * LANE_H + LANE_H / 2


def test_a_recording_opens_in_the_audio_view(window):
    view = window.audio.waveform
    assert window.mode == "audio" and window.central.currentWidget() is window.audio.view
    assert view.pyramid is not None and view.pyramid.channels == 2 and abs(view.axis.duration - 20.0) < 0.01
    assert not window.tools_bar.isVisible()
    assert view.tiers() == ["speaker", "events"]


def test_drag_on_a_lane_draws_a_segment_that_is_stored(qtbot, window):
    view = window.audio.waveform
    drag(view, 2.0, 4.0, lane_y(view, 0))
    (ann,) = stored(window)
    start, end = time_span(ann)
    assert ann.label == "speech" and ann.shape.tier == "speaker"
    assert abs(start - 2.0) < 0.05 and abs(end - 4.0) < 0.05
    drag(view, 5.0, 3.5, lane_y(view, 0))  # from empty space back over it, on a tier that forbids overlaps
    assert len(stored(window)) == 1 and "forbids overlaps" in window.statusBar().currentMessage()
    drag(view, 3.0, 6.0, lane_y(view, 0))  # on its body: moved by 3 s
    (moved,) = stored(window)
    assert abs(time_span(moved)[0] - 5.0) < 0.05


def test_drag_then_a_digit_labels_the_range_and_keys_split_and_type(qtbot, window):
    view = window.audio.waveform
    drag(view, 6.0, 9.0, RULER_H + 40)  # on the signal: a time selection
    assert view.selection is not None
    qtbot.keyClick(view, Qt.Key.Key_2)
    (ann,) = stored(window)
    assert ann.label == "noise" and abs(time_span(ann)[0] - 6.0) < 0.05
    window.audio.seek(7.5)
    qtbot.keyClick(view, Qt.Key.Key_S)
    assert sorted(round(time_span(a)[1], 1) for a in stored(window)) == [7.5, 9.0]
    qtbot.keyClick(view, Qt.Key.Key_F2)
    field = window.audio.controls.text
    assert field.hasFocus()
    qtbot.keyClicks(field, "xin ch")
    for char in "ào":  # QTest types ASCII only: Vietnamese letters as the key events an input method sends
        QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, char))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert view.hasFocus()
    texts = {a.shape.text for a in stored(window)}
    assert "xin chào" in texts
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # typing was one undo step
    assert {a.shape.text for a in stored(window)} == {""}


def test_playhead_keys_and_segment_jumps(qtbot, window):
    view, audio = window.audio.waveform, window.audio
    editor = audio.editor
    for start in (3.0, 11.0):
        editor.add_segment(start, start + 1.0)
    audio.seek(0.0)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert abs(audio.position - 1.0) < 1e-6
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert abs(audio.position - 3.0) < 1e-6 and len(editor.selection) == 1
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert abs(audio.position - 11.0) < 1e-6
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert abs(audio.position - view.axis.duration) < 1e-6


def test_space_plays_silently_and_the_playhead_moves(qtbot, window):
    audio = window.audio
    audio.seek(1.0)
    qtbot.keyClick(audio.waveform, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: audio.position > 1.3, timeout=5000)
    qtbot.keyClick(audio.waveform, Qt.Key.Key_Space)
    assert not audio.playback.playing


def test_zoom_keys_reach_the_waveform_and_d_goes_to_the_image(qtbot, window):
    view = window.audio.waveform
    span = view.axis.t1 - view.axis.t0
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.axis.t1 - view.axis.t0 < span * 0.6
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.axis.t1 - view.axis.t0 - span) < 1e-6
    qtbot.keyClick(view, Qt.Key.Key_D)
    assert window.mode == "image" and window.central.currentWidget() is window.video.view
    assert not window.audio.active and window.tools_bar.isVisible()


def test_open_at_a_time(qtbot, workspace, window):
    window.open_workspace(workspace, window.audio_task.id, time=12.5)
    assert abs(window.audio.position - 12.5) < 1e-6


def test_the_tools_come_back_after_a_window_state_saved_on_a_recording(qtbot, workspace, window):
    """The window state saved on a recording has the tools hidden: opening on an image shows them again."""
    state = window.saveState()
    image = next(t for t in window.session.reader.tasks() if t.kind == "image")
    again = MainWindow(Settings())
    qtbot.addWidget(again)
    again.restoreState(state)
    again.open_workspace(workspace, image.id)
    again.show()
    assert again.mode == "image" and again.tools_bar.isVisible()
    again.close()
