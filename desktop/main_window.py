"""The main window: canvas in the middle, tools on the left, docks on the right, save state in the status bar.

It wires its widgets to the TaskSession; the behaviour lives in tools/ (editing), sync/ (storage) and the widgets
themselves. Every action comes from the one keymap table in desktop/keymap.py. desktop/window_setup.py builds the
parts (widgets, docks, controllers, actions, menus), which its WindowParts declares; this module is what they do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox, QWidget

from core.annotation import Task, TaskStatus
from core.media import MediaError, decode_image
from core.pyramid import PyramidError
from desktop.jobs import Job
from desktop.keymap import KIND_SCOPES, active, keymap_or_default, tool_keys
from desktop.menus import action_tooltip
from desktop.panels import keymap_dialog
from desktop.session import CachedMedia, Decoder, TaskSession
from desktop.settings import Settings, save_settings
from desktop.unlock import UNLOCKING
from desktop.window_setup import TOOL_ACTIONS, WindowParts, build_window
from sync.client.at_rest import KeyRing, MediaCache, is_encrypted
from sync.workspace import ImportReport
from widgets.messages import translated
from widgets.task_list import status_text
from widgets.theme import apply_theme, color

log = logging.getLogger(__name__)


class MainWindow(WindowParts):
    def __init__(self, settings: Settings, keys: KeyRing | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.session: TaskSession | None = None
        self.jobs: list[Job] = []
        self.setWindowTitle("Annodesk")
        self.mode = "image"  # the keymap mode in force: "image", "video" or "audio" (desktop/keymap.py MODES)
        self.actions_by_id: dict[str, QAction] = {}
        build_window(self, self, keys)

    # ----- workspace and tasks -------------------------------------------------------------------------------------

    def open_workspace(self, path: Path, task_id: int | None = None, frame: int | None = None,
                       time: float | None = None) -> None:
        """Open a workspace and show `task_id` (a video at `frame`, a recording at `time` seconds), else the task the
        user left it on, else the first unfinished one. A synced (encrypted) workspace's key is read on a worker
        first, so the window keeps responding."""
        self.welcome.leave()
        self._close_session()
        if task_id is not None and frame is not None:
            self.video.last_frame[task_id] = frame
        if task_id is not None and time is not None:
            self.audio.last_time[task_id] = time
        if is_encrypted(path):
            for view in (self.canvas, self.shapes, self.attributes, self.tags):
                view.set_editor(None)  # the closed workspace's shapes
            self.canvas.show_message(UNLOCKING)
            self.unlocker.start(Path(path), task_id)
            return
        self._open_session(path, task_id)

    def _unlock_failed(self, message: str) -> None:
        self.canvas.show_message(message + "\n\n" + self.tr("To try again: File → Open workspace."))

    def _open_session(self, path: Path, task_id: int | None, media: MediaCache | None = None) -> None:
        decode: Decoder = CachedMedia(media) if media is not None else decode_image
        self.session = TaskSession(path, self, decode)
        self.session.save_state.connect(self._show_save_state)
        self.session.tasks_changed.connect(self._tasks_changed)
        self.session.save_state.connect(lambda state: self.sync_status.edited() if state == "saved" else None)
        self.sync_status.attach(path, self.session.writer_ws)
        self.setWindowTitle(f"Annodesk — {path}")
        self.labels.set_schema(self.session.schema)
        self.tasks.set_workspace(self.session.reader)
        key = str(Path(path).resolve())
        self.settings.remember_workspace(key)
        wanted = task_id or self.settings.last_task.get(key)
        reader = self.session.reader
        first = reader.tasks(0, 1, TaskStatus.NEW) or reader.tasks(0, 1, TaskStatus.IN_PROGRESS) or reader.tasks(0, 1)
        try:
            target = reader.task(wanted).id if wanted else (first[0].id if first else None)
        except KeyError:
            self.statusBar().showMessage(self.tr("Task {0} is not in this workspace").format(wanted), 5000)
            target = first[0].id if first else None
        if target is None:
            self.canvas.show_message(
                self.tr("This workspace has no tasks yet: add images with File → Add images (Ctrl+I)"))
            return
        self.show_task(target)

    def show_task(self, task_id: int, keep_view: bool = False) -> None:
        """Show a task; `keep_view` reloads the open one in place (after a sync round changed it), keeping the zoom,
        the tool, the label, the selection and the keyboard focus."""
        if self.session is None:
            return
        key = str(self.session.path.resolve())
        shown = self.session.image
        if keep_view:
            task = self.session.reload_task()
        else:
            task = self.session.open_task(task_id, self.settings.last_label.get(key))
        video = self.video.show(task)  # a video's editor is the VideoEditor of its current frame
        audio = self.audio.show(task)  # a recording's, the AudioEditor of its segments
        editor = self.session.editor
        assert editor is not None  # open_task always builds one
        fresh = not keep_view or self.session.image is not shown  # else the same pixels stay on screen, as zoomed
        self._set_mode("audio" if audio else "video" if self.video.active else "image")
        self.central.setCurrentWidget(self.audio.view if audio else self.video.view)
        if fresh and not video and not audio:  # a video's frame comes from the player once decoded
            self._show_picture(task)
        pictured = self.session.image is not None or self.session.huge or self.video.active
        self.canvas.set_editor(editor if pictured else None)  # no shapes drawn over a "Cannot show" note
        if fresh and not video:
            self.canvas.fit_to_view()
        self.shapes.set_editor(editor)
        self.attributes.set_editor(editor)
        self.tags.set_editor(editor)
        editor.subscribe(self._editor_changed)
        self.prelabel.task_shown()
        self.segment.task_shown()
        self.review.task_shown()
        self.queue.task_shown()
        self.labels.select_label(editor.current_label)
        self._sync_tool_actions()
        self.tasks.select_task(task.id)
        self.settings.last_task[key] = task.id
        self._update_task_label()
        if not keep_view:
            (self.audio.waveform if audio else self.canvas).setFocus()

    def _show_picture(self, task: Task) -> None:
        assert self.session is not None
        if self.session.image is not None:
            self.canvas.set_image(self.session.image)
        elif self.session.huge:
            try:
                self.canvas.open_image(task.media_path, task.content_hash or None)
            except (MediaError, PyramidError) as exc:
                self.canvas.show_message(self.tr("Cannot show {0}: {1}").format(task.name, translated(exc)))
        else:
            self.canvas.show_message(self.tr("Cannot show {0}: {1}").format(task.name, self.session.image_error))

    def go(self, step: int, unfinished_only: bool = False) -> None:
        if self.session is None:
            return
        task = self.session.neighbour(step, unfinished_only)
        if task is None:
            message = self.tr("No more unfinished tasks") if unfinished_only else self.tr("No more tasks")
            self.statusBar().showMessage(message, 3000)
            return
        self.show_task(task.id)

    def submit(self) -> None:
        """Mark the task done and move to the next unfinished one (there is no Save: edits are already stored)."""
        if self.session is None or self.session.task is None:
            return
        self.session.set_status(TaskStatus.DONE)
        self.statusBar().showMessage(self.tr("{0} marked done").format(self.session.task.name), 3000)
        self.go(1, unfinished_only=True)

    def add_media(self, paths: list[Path] | None = None) -> Job | None:
        """Import files or folders as tasks in the background, with progress and a cancel button."""
        if self.session is None:
            return None
        if paths is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of images"))
            if not folder:
                return None
            paths = [Path(folder)]
        ws = self.session.writer_ws
        job = Job(self.tr("Adding images"), lambda state: ws.add_media(paths, state.set_progress, state.cancelled),
                  self)
        self.progress.track(job)
        job.finished.connect(self._media_added)
        job.failed.connect(lambda message: QMessageBox.warning(self, "Annodesk", message))
        self.jobs.append(job)
        job.start()
        return job

    def paste_from_previous(self) -> None:
        """Copy the previous task's shapes onto this one (near-duplicate frames), as one undo step."""
        if self.session is None or self.session.editor is None:
            return
        previous = self.session.neighbour(-1)
        if previous is None:
            self.statusBar().showMessage(self.tr("There is no previous task"), 3000)
            return
        copied = self.session.editor.paste_from(self.session.reader.annotations(previous.id))
        self.statusBar().showMessage(self.tr("Copied {0} shapes from {1}").format(len(copied), previous.name),
                                     3000)

    def wait_until_idle(self) -> None:
        """Block until background jobs and pending saves are done (screenshots, tests, shutdown)."""
        for job in self.jobs:
            job.wait()
        self.video.wait_shown()
        if self.session is not None:
            self.session.writer.flush()

    # ----- actions -------------------------------------------------------------------------------------------------

    def apply_keymap(self) -> None:
        """Take the keys in the settings into every action, its tooltip and the canvas's drawing keys: at start, and
        at once after the shortcuts editor saved them (no restart)."""
        self.keymap = keymap_or_default(self.settings.keymap_preset, self.settings.keymap)
        for action_id, binding in self.keymap.items():
            action, on = self.actions_by_id[action_id], active(binding.action.scope, self.mode)
            action.setShortcuts([QKeySequence(k) for k in binding.keys] if on else [])
            action.setToolTip(action_tooltip(binding.action, binding.keys))
        self.canvas.set_tool_keys(tool_keys(self.keymap))

    def edit_keys(self) -> None:
        """F1: the shortcuts editor, window-modal; its OK saves the settings file, then the keys act at once."""
        dialog = keymap_dialog(self, self.settings, self.apply_keymap)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _set_theme(self, choice: str) -> None:
        """View → Theme: applied at once and saved at once (not only on exit)."""
        apply_theme(choice)
        self.settings.theme = choice
        self._save_settings()

    def _set_language(self, choice: str) -> None:
        """View → Language: saved at once, in force when the app starts again (the window is built in it)."""
        self.settings.language = choice
        self._save_settings()
        self.statusBar().showMessage(self.tr("The language changes when Annodesk starts again"), 8000)

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)

    def _set_mode(self, mode: str) -> None:
        """Turn on the keys of the scopes active in `mode` and off the others (D: next frame or next task)."""
        self.tools_bar.setVisible(mode != "audio")  # also when a window state saved on a recording hid it
        if mode == self.mode:
            return
        self.mode = mode
        for action_id, binding in self.keymap.items():
            on = active(binding.action.scope, mode)
            self.actions_by_id[action_id].setShortcuts([QKeySequence(k) for k in binding.keys] if on else [])
            if binding.action.scope in KIND_SCOPES:
                self.actions_by_id[action_id].setEnabled(on)

    def _zoom(self, name: str, on_canvas: Callable[[], None]) -> None:
        """The zoom keys act on the waveform of a recording, else on the canvas."""
        if not self.audio.view_call(name):
            on_canvas()

    def _set_tool(self, tool: str) -> None:
        if self.session and self.session.editor:
            self.session.editor.set_tool(tool)
        self._sync_tool_actions()

    def _sync_tool_actions(self) -> None:
        tool = self.session.editor.tool if self.session and self.session.editor else "select"
        for action_id, name in TOOL_ACTIONS.items():
            self.actions_by_id[action_id].setChecked(name == tool)

    def _label_by_number(self, number: int) -> None:
        if self.session is None:
            return
        label = self.session.schema.by_hotkey(str(number % 10))
        if label is not None:
            self._label_chosen(label.name)

    def _label_chosen(self, name: str) -> None:
        if self.session is None or self.session.editor is None:
            return
        editor = self.session.editor
        if not editor.use_label(name):
            self.statusBar().showMessage(self.tr("Label {0!r} does not allow this shape type").format(name), 4000)
        self.labels.select_label(editor.current_label)
        self.settings.last_label[str(self.session.path.resolve())] = editor.current_label

    def _editor_changed(self, what: str) -> None:
        if what == "tool":
            self._sync_tool_actions()
        elif what == "label" and self.session and self.session.editor:
            self.labels.select_label(self.session.editor.current_label)

    def _choose_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open an Annodesk workspace"))
        if folder:
            self.open_workspace(Path(folder))

    # ----- status --------------------------------------------------------------------------------------------------

    def _update_task_label(self) -> None:
        if self.session is None or self.session.task is None:
            self.task_label.clear()
            return
        reader, task = self.session.reader, self.session.task
        self.task_label.setText(self.tr("Task {0} / {1}").format(reader.task_row(task.id) + 1, reader.task_count())
                                + f"  ·  {task.name}  ·  {status_text(task.status)}" + self.active_time.label())

    def _show_save_state(self, state: str) -> None:
        text = {"saving": self.tr("Saving…"), "saved": self.tr("All changes saved")}.get(
            state, state.removeprefix("failed: "))
        self.save_label.setText(text)
        self.save_label.setStyleSheet(f"color: {color('error').name()}" if state.startswith("failed") else "")

    def _tasks_changed(self) -> None:
        self.tasks.refresh()
        self._update_task_label()

    def _media_added(self, report: ImportReport) -> None:
        self.tasks.refresh()
        self._update_task_label()
        self.statusBar().showMessage(
            self.tr("Added {0} images, {1} unreadable").format(report.added, len(report.errors)), 8000)
        if self.session is not None and self.session.task is None:
            self.open_workspace(self.session.path)

    # ----- window state --------------------------------------------------------------------------------------------

    def add_dock(self, name: str, title: str, widget: QWidget) -> QDockWidget:
        """A dock on the right; `name` (English) keys its place in the saved window state, `title` is shown."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name.lower())
        dock.setWidget(widget)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _close_session(self) -> None:
        self.unlocker.stop()
        self.video.leave()
        self.audio.leave()
        if self.session is not None:
            self.tasks.set_workspace(None)  # a save notification still queued must not read the closed workspace
            self.session.close()
            self.session = None

    def closeEvent(self, event: QCloseEvent) -> None:
        for job in self.jobs:
            job.cancel()
        self.wait_until_idle()
        self.sync_status.stop()
        self.segment.close()
        self._close_session()
        self.welcome.leave()  # the docks it hid are back, so the state saved is the working one
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings.window_state = bytes(self.saveState().toBase64().data()).decode()
        self._save_settings()
        super().closeEvent(event)

