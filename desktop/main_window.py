"""The main window: canvas in the middle, tools on the left, docks on the right, save state in the status bar.

It assembles widgets and wires them to the TaskSession; the behaviour lives in tools/ (editing), sync/ (storage) and
the widgets themselves. Every action comes from the one keymap table in desktop/keymap.py.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from core.annotation import Task, TaskStatus
from core.media import MediaError, decode_image
from core.pyramid import PyramidError
from desktop.audio import AudioController
from desktop.audit import AuditController
from desktop.connect import ConnectController
from desktop.dashboard import DashboardController
from desktop.guidelines import GuidelinesController
from desktop.jobs import Job
from desktop.keymap import ACTIONS, KIND_SCOPES, active, keymap_or_default, tool_keys
from desktop.menus import action_tooltip, build_menus, tools_bar
from desktop.panels import ProgressPanel, keymap_dialog
from desktop.prelabel import PrelabelController
from desktop.quality import QualityController
from desktop.reload import TaskReloader
from desktop.review import ReviewController
from desktop.review_queue import ReviewQueueController
from desktop.sam import SegmentController
from desktop.session import CachedMedia, Decoder, TaskSession
from desktop.settings import Settings, save_settings
from desktop.sync_status import SyncStatus
from desktop.time_tracking import TimeTracker
from desktop.transfer import TransferController
from desktop.unlock import UNLOCKING, Unlocker
from desktop.video import VideoController
from desktop.welcome import WelcomeController
from sync.client.at_rest import KeyRing, MediaCache, is_encrypted
from sync.workspace import ImportReport
from tools.editor import COMMANDS, Editor
from widgets.attribute_editor import AttributeEditor
from widgets.canvas import ImageCanvas
from widgets.label_palette import LabelPalette
from widgets.messages import translated
from widgets.shape_list import ShapeListWidget
from widgets.tag_panel import TagPanel
from widgets.task_list import TaskListWidget, status_text
from widgets.theme import apply_theme, color
from widgets.tool_icons import tool_icon

log = logging.getLogger(__name__)
TOOLS = ("select", "box", "polygon", "rotated_box", "polyline", "point", "ellipse", "keypoints", "brush", "eraser",
         "segment")
TOOL_ACTIONS = {f"tool.{name}": name for name in TOOLS}


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, keys: KeyRing | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.session: TaskSession | None = None
        self.jobs: list[Job] = []
        self.setWindowTitle("Annodesk")
        self.canvas = ImageCanvas()
        self.video = VideoController(self)  # the player and timeline under the canvas, shown on video tasks
        self.audio = AudioController(self)  # the waveform view instead of the canvas, on audio tasks
        self.central = QStackedWidget()
        self.central.addWidget(self.video.view)
        self.central.addWidget(self.audio.view)
        self.setCentralWidget(self.central)
        self.mode = "image"  # the keymap mode in force: "image", "video" or "audio" (desktop/keymap.py MODES)
        self.labels = LabelPalette()
        self.attributes = AttributeEditor()
        self.shapes = ShapeListWidget()
        self.tasks = TaskListWidget()
        self.tags = TagPanel()
        self.docks = {
            "Labels": self.add_dock("Labels", self.tr("Labels"), self.labels),
            "Tags": self.add_dock("Tags", self.tr("Tags"), self.tags),
            "Shapes": self.add_dock("Shapes", self.tr("Shapes"), self.shapes),
            "Attributes": self.add_dock("Attributes", self.tr("Attributes"), self.attributes),
            "Tasks": self.add_dock("Tasks", self.tr("Tasks"), self.tasks),
        }
        self._status_widgets()
        self.sync_status = SyncStatus(self, keys)  # automatic sync and its state, for workspaces made by annodesk clone
        self.reloader = TaskReloader(self)  # after each round: the task list, and the open task in place
        self.unlocker = Unlocker(self, self.sync_status.keys, self.sync_status.prompt, self._open_session,
                                 self._unlock_failed)
        self.review = ReviewController(self)  # the Review dock (decision, comments, refused edits) and comment pins
        self.queue = ReviewQueueController(self)  # leads: the Review queue dock, accept / reject and go on
        self.dashboard = DashboardController(self)  # leads: the Dashboard dock, the server's figures every 5 s
        self.audit = AuditController(self)  # leads: Review → Audit trail…
        self.quality = QualityController(self)  # leads: Review → Consensus and gold…
        self.connector = ConnectController(self)  # File → Connect to a server…, sign out, switch user
        self.welcome = WelcomeController(self)  # the first-run page while no workspace is open
        self.guidelines = GuidelinesController(self)  # the Guidelines dock, label tooltips, leads' schema editor
        self.active_time = TimeTracker(self)  # active time on the task on show, from input, stored with the task
        self.actions_by_id: dict[str, QAction] = {}
        self.prelabel = PrelabelController(self)
        self.segment = SegmentController(self)
        self.transfer = TransferController(self)  # File → Import / Export annotations…, in the background
        self._build_actions()
        self._build_menus_and_toolbar()
        self.prelabel.install()
        self.transfer.install()
        self.quality.install()
        self.labels.label_chosen.connect(self._label_chosen)
        self.tasks.task_activated.connect(self.show_task)
        self.canvas.cursor_moved.connect(lambda x, y: self.cursor_label.setText(f"x {x:.0f}  y {y:.0f}"))
        self.canvas.zoom_changed.connect(lambda s: self.zoom_label.setText(f"{s * 100:.0f}%"))
        self._restore_geometry()

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

    def _handlers(self) -> dict[str, Callable[[], object]]:
        def editor_call(command: Callable[[Editor], object]) -> Callable[[], object]:
            return lambda: command(self.session.editor) if self.session and self.session.editor else None

        handlers: dict[str, Callable[[], object]] = {
            **{action_id: editor_call(command) for action_id, command in COMMANDS.items()},
            "edit.paste_previous": self.paste_from_previous,
            "task.next": lambda: self.go(1),
            "task.previous": lambda: self.go(-1),
            "task.next_unfinished": lambda: self.go(1, True),
            "task.previous_unfinished": lambda: self.go(-1, True),
            "task.submit": self.submit,
            "view.zoom_in": functools.partial(self._zoom, "zoom_in", self.canvas.zoom_in),
            "view.zoom_out": functools.partial(self._zoom, "zoom_out", self.canvas.zoom_out),
            "view.fit": functools.partial(self._zoom, "fit", self.canvas.fit_to_view),
            "view.actual_size": self.canvas.actual_size,
            "workspace.add_media": self.add_media,
            "workspace.open": self._choose_workspace,
            "help.keys": self.edit_keys,
            **self.prelabel.handlers(),
            **self.segment.handlers(),
            **self.review.handlers(),
            **self.queue.handlers(),
            **self.dashboard.handlers(),
            **self.audit.handlers(),
            **self.quality.handlers(),
            **self.video.handlers(),
            **self.audio.handlers(),
            **self.sync_status.handlers(),
            **self.connector.handlers(),
            **self.guidelines.handlers(),
        }
        for action_id, tool in TOOL_ACTIONS.items():
            handlers[action_id] = functools.partial(self._set_tool, tool)
        for i in range(1, 11):
            handlers[f"label.{i}"] = functools.partial(self._label_by_number, i)
        return handlers

    def _build_actions(self) -> None:
        handlers = self._handlers()
        self.tool_group = QActionGroup(self)
        for spec in ACTIONS:
            action_id, canvas_only = spec.id, spec.canvas_only
            action = QAction(QCoreApplication.translate("keymap", spec.text), self)
            context = Qt.ShortcutContext.WidgetShortcut if canvas_only else Qt.ShortcutContext.WindowShortcut
            action.setShortcutContext(context)
            action.setEnabled(spec.scope not in KIND_SCOPES or active(spec.scope, self.mode))
            action.triggered.connect(handlers[action_id])
            if action_id in TOOL_ACTIONS:
                action.setCheckable(True)
                action.setIcon(tool_icon(TOOL_ACTIONS[action_id]))
                self.tool_group.addAction(action)
            for target in (self.canvas, self.audio.waveform) if canvas_only else (self,):
                target.addAction(action)
            self.actions_by_id[action_id] = action
        self.apply_keymap()

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

    def _build_menus_and_toolbar(self) -> None:
        build_menus(self, self.actions_by_id, list(self.docks.values()), self.settings.language, self._set_theme,
                    self._set_language)
        self.tools_bar = tools_bar(self, self.actions_by_id, TOOL_ACTIONS)  # hidden on recordings (the canvas's)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.tools_bar)

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

    def _status_widgets(self) -> None:
        self.task_label = QLabel()
        self.cursor_label = QLabel()
        self.zoom_label = QLabel()
        self.save_label = QLabel(self.tr("All changes saved"))
        self.progress = ProgressPanel()
        bar = self.statusBar()
        bar.addWidget(self.task_label)
        bar.addWidget(self.cursor_label)
        for label in (self.task_label, self.cursor_label):  # a message takes their place (Qt paints it over them)
            bar.messageChanged.connect(lambda message, label=label: label.setVisible(not message))
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.zoom_label)
        bar.addPermanentWidget(self.save_label)

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

    def _restore_geometry(self) -> None:
        self.resize(1400, 900)
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        if self.settings.window_state:
            self.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))

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

