"""The shortcuts editor (F1) driven with real key events, and the one keymap table it edits: every key the canvas acts
on is a binding there, so a key the user rebinds away stops acting at once, with no restart."""

import shutil

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.demo import make_demo
from desktop.keymap import ACTIONS, KeymapDraft, effective_keymap
from desktop.main_window import MainWindow
from desktop.panels import keymap_dialog
from desktop.settings import Settings, load_settings, settings_path
from tools.editor import COMMANDS, GESTURES
from widgets.shortcuts_editor import ShortcutsEditor
from widgets.theme import color

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_every_editor_command_and_tool_gesture_is_an_action_of_the_one_table():
    ids = {a.id for a in ACTIONS}
    assert set(COMMANDS) <= ids and set(GESTURES) <= ids
    keymap = effective_keymap()
    assert keymap["edit.nudge_left_10"].keys == ("Shift+Left",) and keymap["select.previous"].keys == ("Shift+Tab",)
    assert keymap["draw.finish"].action.scope == "drawing" and "N" in keymap["draw.finish"].keys


def test_the_draft_finds_clashes_in_scopes_active_together_only():
    draft = KeymapDraft()
    draft.set_keys("audio.loop", ["K"])  # K toggles a keyframe, on videos only: never together with audio keys
    assert draft.conflicts() == {}
    draft.set_keys("audio.loop", ["L"])  # L locks shapes, an edit key, which acts on recordings too
    assert draft.conflicts() == {"audio.loop": "L is also “Lock or unlock selected” (edit)",
                                 "edit.lock": "L is also “Loop on or off” (audio)"}
    draft.set_keys("edit.nudge_left", ["Ctrl+Shift+K"])
    assert draft.bindings()["edit.nudge_left"].origin == "user"
    draft.set_keys("edit.nudge_left", ["Left"])  # the default again: no override left
    draft.reset("audio.loop")
    assert draft.overrides() == {} and draft.conflicts() == {}
    draft.set_keys("draw.finish", ["Return", "N", "Return"])  # drawing keys shadow others, clash among themselves
    assert draft.bindings()["draw.finish"].keys == ("Return", "N") and draft.conflicts() == {}
    draft.set_keys("draw.cancel", ["Backspace"])
    assert set(draft.conflicts()) == {"draw.cancel", "draw.remove_point"}
    draft.set_preset("cvat")
    draft.reset_all()
    assert draft.bindings()["task.next"].keys == ("F",) and draft.overrides() == {}


def row(dialog, action_id):
    r = dialog._ids.index(action_id)
    return tuple(dialog.table.item(r, c).text() for c in range(4))


def is_red(dialog, action_id):
    return dialog.table.item(dialog._ids.index(action_id), 0).foreground().color() == color("error")


def press(dialog, qtbot, action_id, key, mods=Qt.KeyboardModifier.NoModifier, slot=0):
    """Select the action's row, put the focus in a key field and press a key there."""
    dialog.select(action_id)
    field = dialog.keys[slot]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, key, mods)


def ok_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


@pytest.fixture
def dialog(qtbot):
    settings = Settings()
    d = keymap_dialog(None, settings)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is d)
    d.settings = settings
    return d


def test_record_conflict_reset_and_presets_with_real_keys(dialog, qtbot):
    press(dialog, qtbot, "edit.lock", Qt.Key.Key_K, CTRL_SHIFT)
    assert row(dialog, "edit.lock")[1:] == ("Ctrl+Shift+K", "edit", "user")
    assert row(dialog, "edit.lock")[0].startswith("Lock or unlock selected — Locked shapes")  # its tip too
    press(dialog, qtbot, "edit.lock", Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier, slot=1)  # Group's key
    assert row(dialog, "edit.lock")[1] == "Ctrl+Shift+K  /  Ctrl+G"
    assert is_red(dialog, "edit.lock") and is_red(dialog, "edit.group") and not is_red(dialog, "edit.copy")
    assert "“Group”" in dialog.conflict.text() and not ok_button(dialog).isEnabled()  # no saving with a clash
    qtbot.keyClick(dialog.keys[1], Qt.Key.Key_Backspace)  # clears the second key: the clash is gone
    assert row(dialog, "edit.lock")[1] == "Ctrl+Shift+K" and not is_red(dialog, "edit.group")
    assert dialog.conflict.text() == "" and ok_button(dialog).isEnabled()

    press(dialog, qtbot, "audio.loop", Qt.Key.Key_K)  # video's keyframe key: never active together with audio
    assert not is_red(dialog, "audio.loop") and not is_red(dialog, "keyframe.toggle")
    press(dialog, qtbot, "audio.loop", Qt.Key.Key_H)  # Hide is an edit key, which acts on recordings too
    assert is_red(dialog, "audio.loop") and is_red(dialog, "edit.hide")
    qtbot.keyClick(dialog.keys[0], Qt.Key.Key_Escape)  # Esc puts back the key from before the recording
    assert row(dialog, "audio.loop")[1:] == ("Shift+L", "audio", "default") and dialog.table.hasFocus()
    assert not is_red(dialog, "edit.hide")
    press(dialog, qtbot, "audio.loop", Qt.Key.Key_K)
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)  # reset one
    assert row(dialog, "audio.loop")[1:] == ("Shift+L", "audio", "default")

    dialog.preset.setCurrentIndex(dialog.preset.findText("CVAT"))
    assert row(dialog, "task.next")[1:] == ("F", "tasks", "preset cvat")
    assert row(dialog, "edit.lock")[3] == "user"  # the user's own keys stay on top of the preset
    qtbot.mouseClick(dialog.reset_all_button, Qt.MouseButton.LeftButton)
    assert row(dialog, "edit.lock")[1:] == ("L", "edit", "default") and row(dialog, "task.next")[1] == "F"


def test_filter_keeps_a_cheat_sheet_of_matching_rows(dialog, qtbot):
    qtbot.keyClicks(dialog.filter, "nudge shift")
    shown = [dialog._ids[r] for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert shown == ["edit.nudge_left_10", "edit.nudge_right_10", "edit.nudge_up_10", "edit.nudge_down_10"]


def test_ok_writes_the_settings_file_and_cancel_changes_nothing(dialog, qtbot):
    press(dialog, qtbot, "edit.delete", Qt.Key.Key_K, CTRL_SHIFT)
    dialog.preset.setCurrentIndex(dialog.preset.findText("CVAT"))
    assert not settings_path().exists()
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    saved = load_settings()
    assert saved.keymap == {"edit.delete": ["Ctrl+Shift+K"]} and saved.keymap_preset == "cvat"
    assert dialog.settings.keymap == saved.keymap

    again = keymap_dialog(None, dialog.settings)
    qtbot.addWidget(again)
    assert row(again, "edit.delete")[1:] == ("Ctrl+Shift+K", "edit", "user")
    again.model.reset_all()
    again.reject()
    assert load_settings().keymap == {"edit.delete": ["Ctrl+Shift+K"]} and dialog.settings.keymap == saved.keymap


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    make_demo(directory, images=2, video=False, audio=False).close()
    return directory


@pytest.fixture
def window(qtbot, demo_template, tmp_path):
    shutil.copytree(demo_template, tmp_path / "demo")
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    w.open_workspace(tmp_path / "demo" / "workspace")
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    w.canvas.setFocus()
    yield w
    w.close()


def a_box(window):
    editor = window.session.editor
    box = next(a for a in editor.doc if a.kind == "box" and not a.locked)
    editor.select([box.id])
    return editor, box.id


def test_f1_rebinds_delete_and_a_nudge_and_the_window_honours_them_at_once(window, qtbot):
    qtbot.keyClick(window.canvas, Qt.Key.Key_F1)
    dialog = window.findChild(ShortcutsEditor)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    press(dialog, qtbot, "edit.delete", Qt.Key.Key_K, CTRL_SHIFT)
    press(dialog, qtbot, "edit.nudge_right", Qt.Key.Key_J)
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert load_settings().keymap == {"edit.delete": ["Ctrl+Shift+K"], "edit.nudge_right": ["J"]}
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.canvas.setFocus()
    assert "Ctrl+Shift+K" in window.actions_by_id["edit.delete"].toolTip()

    editor, box_id = a_box(window)
    x = editor.doc.get(box_id).shape.x
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)  # rebound away: no longer a nudge
    assert editor.doc.get(box_id).shape.x == x
    qtbot.keyClick(window.canvas, Qt.Key.Key_J)
    assert editor.doc.get(box_id).shape.x == x + 1
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)  # rebound away: Delete no longer deletes
    assert box_id in editor.doc
    qtbot.keyClick(window.canvas, Qt.Key.Key_K, CTRL_SHIFT)
    assert box_id not in editor.doc


def click_on_canvas(window, x, y):
    canvas = window.canvas
    pos = QPointF(canvas.mapFromScene(QPointF(x, y)))
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        buttons = Qt.MouseButton.LeftButton if kind == QEvent.Type.MouseButtonPress else Qt.MouseButton.NoButton
        QApplication.sendEvent(canvas.viewport(), QMouseEvent(kind, pos, canvas.viewport().mapToGlobal(pos),
                                                              Qt.MouseButton.LeftButton, buttons,
                                                              Qt.KeyboardModifier.NoModifier))


def test_keys_rebound_in_the_settings_file_act_from_the_start_drawing_keys_too(qtbot, demo_template, tmp_path):
    shutil.copytree(demo_template, tmp_path / "demo")
    window = MainWindow(Settings(keymap={"edit.delete": ["X"], "draw.finish": ["F"]}))
    qtbot.addWidget(window)
    window.open_workspace(tmp_path / "demo" / "workspace")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.canvas.setFocus()
    editor, box_id = a_box(window)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert box_id in editor.doc
    qtbot.keyClick(window.canvas, Qt.Key.Key_X)
    assert box_id not in editor.doc

    qtbot.keyClick(window.canvas, Qt.Key.Key_P)
    count = len(editor.doc)
    for x, y in ((300, 300), (400, 300), (350, 400)):
        click_on_canvas(window, x, y)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)  # no longer "finish": the polygon is still being drawn
    assert len(editor.doc) == count and editor.overlay.drawing is not None
    qtbot.keyClick(window.canvas, Qt.Key.Key_F)
    assert len(editor.doc) == count + 1 and editor.doc.get(editor.doc.ids()[-1]).kind == "polygon"
    window.close()
