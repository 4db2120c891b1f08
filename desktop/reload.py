"""After each sync round: the task list and the open task show what the round brought, without a restart.

A round may add tasks (a new assignment), change their status (a review) and change the open task's annotations or
bring its image. The open task is then reloaded in place (desktop/session.py `reload_task`), keeping the zoom, the
tool, the label and the selection. A gesture in progress (a drag, a shape being drawn, a brush stroke, segment
clicks) is never thrown away: the reload waits until it ends, and the edit it makes is replayed on the newer
version if it touches one (desktop/rebase.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from tools.editor import Editor

if TYPE_CHECKING:
    from desktop.window_api import ReloadWindow

RETRY_MS = 200  # how often a deferred reload looks whether the gesture has ended


def gesture_in_progress(editor: Editor) -> bool:
    """True while a mouse button is held or the tool holds an uncommitted drag, drawing, stroke or prompt."""
    o = editor.overlay
    if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
        return True
    stroke = o.brush is not None and bool(o.brush.stroke)
    return o.drawing is not None or o.rubber_band is not None or bool(o.preview) or bool(o.prompts) or stroke


class TaskReloader(QObject):
    """Follows the window's sync status: refreshes the task list and reloads the open task when a round changed it."""

    def __init__(self, window: ReloadWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.catch_up)
        # Deferred: the state is also announced while a workspace is being opened, before its task is shown.
        window.sync_status.state_changed.connect(lambda _state: self.timer.start(0))

    def catch_up(self) -> None:
        """Show what the workspace holds now; while a gesture is in progress, try again shortly."""
        session = self.window.session
        if session is None:
            return
        if session.task is None:  # the workspace had no task yet: open the first one a round brought
            if session.reader.task_count():
                self.window.open_workspace(session.path)
            return
        if session.editor is not None and gesture_in_progress(session.editor):
            self.timer.start(RETRY_MS)
            return
        if session.catch_up():
            self.window.show_task(session.task.id, keep_view=True)
