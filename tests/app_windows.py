"""The real MainWindow on a workspace for app tests, and keys pressed as the keymap binds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.main_window import MainWindow
from desktop.settings import Settings


def open_window(qtbot: Any, keys: Any, path: Path) -> MainWindow:
    """A shown 1400 x 900 window on `path` (a synced workspace is unlocked on a worker), once its task is shown."""
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.open_workspace(path)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=10_000)
    return window


def press(qtbot: Any, window: MainWindow, action_id: str) -> None:
    """The action's own first key on the canvas, as a person presses it (the keymap's, not the test's)."""
    combo = window.actions_by_id[action_id].shortcut()[0]
    qtbot.keyClick(window.canvas, combo.key(), combo.keyboardModifiers())
