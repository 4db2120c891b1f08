"""The main window's set-up: its views and docks, the status bar, the controllers, one action per keymap entry wired to
its handler, the menus and the tools bar, and the saved window geometry; and WindowParts, the attributes it builds.

It runs once, from MainWindow.__init__, and lives apart so that desktop/main_window.py keeps what the window does once
built (open a workspace, show a task, switch the keys by mode, save state). It sees the window as `Host`, a Protocol
of what the controllers need of it and of the handlers it wires, so it never imports desktop/main_window.py back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget, QToolBar

from desktop.audio import AudioController
from desktop.audit import AuditController
from desktop.connect import ConnectController
from desktop.dashboard import DashboardController
from desktop.guidelines import GuidelinesController
from desktop.keymap import ACTIONS, KIND_SCOPES, active
from desktop.menus import build_menus, tools_bar
from desktop.panels import ProgressPanel
from desktop.prelabel import PrelabelController
from desktop.quality import QualityController
from desktop.reload import TaskReloader
from desktop.review import ReviewController
from desktop.review_queue import ReviewQueueController
from desktop.sam import SegmentController
from desktop.sync_status import SyncStatus
from desktop.time_tracking import TimeTracker
from desktop.transfer import TransferController
from desktop.unlock import Unlocker
from desktop.video import VideoController
from desktop.welcome import WelcomeController
from tools.editor import COMMANDS, Editor
from widgets.attribute_editor import AttributeEditor
from widgets.canvas import ImageCanvas
from widgets.label_palette import LabelPalette
from widgets.shape_list import ShapeListWidget
from widgets.tag_panel import TagPanel
from widgets.task_list import TaskListWidget
from widgets.tool_icons import tool_icon

if TYPE_CHECKING:
    from pathlib import Path

    from desktop.connect import ConnectWindow
    from desktop.quality import QualityWindow
    from desktop.transfer import TransferWindow
    from desktop.welcome import WelcomeWindow
    from desktop.window_api import (
        AudioWindow,
        DashboardWindow,
        GuidelinesWindow,
        QueueWindow,
        ReloadWindow,
        ReviewWindow,
        SegmentWindow,
        TimeWindow,
        VideoWindow,
    )
    from sync.client.at_rest import KeyRing, MediaCache

    class Host(ReviewWindow, QueueWindow, DashboardWindow, TransferWindow, VideoWindow, AudioWindow, SegmentWindow,
               ReloadWindow, TimeWindow, GuidelinesWindow, QualityWindow, ConnectWindow, WelcomeWindow, Protocol):
        """The main window as its set-up uses it: what each controller needs of it (their Protocols), and the
        window's own handlers the set-up wires to actions and signals."""

        def open_workspace(self, path: Path, task_id: int | None = None, frame: int | None = None,
                           time: float | None = None) -> None: ...
        def paste_from_previous(self) -> None: ...
        def submit(self) -> None: ...
        def add_media(self, paths: list[Path] | None = None) -> object: ...
        def edit_keys(self) -> None: ...
        def apply_keymap(self) -> None: ...
        def _zoom(self, name: str, on_canvas: Callable[[], None]) -> None: ...
        def _choose_workspace(self) -> None: ...
        def _set_tool(self, tool: str) -> None: ...
        def _label_by_number(self, number: int) -> None: ...
        def _label_chosen(self, name: str) -> None: ...
        def _open_session(self, path: Path, task_id: int | None, media: MediaCache | None = None) -> None: ...
        def _unlock_failed(self, message: str) -> None: ...
        def _set_theme(self, choice: str) -> None: ...
        def _set_language(self, choice: str) -> None: ...

TOOLS = ("select", "box", "polygon", "rotated_box", "polyline", "point", "ellipse", "keypoints", "brush", "eraser",
         "segment")
TOOL_ACTIONS = {f"tool.{name}": name for name in TOOLS}
translate = QCoreApplication.translate


class WindowParts(QMainWindow):
    """What build_window gives the main window, declared beside the code that builds it (MainWindow's base class)."""

    canvas: ImageCanvas
    video: VideoController  # the player and timeline under the canvas, shown on video tasks
    audio: AudioController  # the waveform view instead of the canvas, on audio tasks
    central: QStackedWidget  # the video view (the canvas above the player's bar) or the audio view
    labels: LabelPalette
    attributes: AttributeEditor
    shapes: ShapeListWidget
    tasks: TaskListWidget
    tags: TagPanel
    docks: dict[str, QDockWidget]  # by English name; controllers add theirs
    task_label: QLabel
    cursor_label: QLabel
    zoom_label: QLabel
    save_label: QLabel
    progress: ProgressPanel  # background jobs, with a Cancel button
    sync_status: SyncStatus  # automatic sync and its state, for workspaces made by annodesk clone
    reloader: TaskReloader  # after each round: the task list, and the open task in place
    unlocker: Unlocker  # reads a synced workspace's key on a worker, then opens the session
    review: ReviewController  # the Review dock (decision, comments, refused edits) and comment pins
    queue: ReviewQueueController  # leads: the Review queue dock, accept / reject and go on
    dashboard: DashboardController  # leads: the Dashboard dock, the server's figures every 5 s
    audit: AuditController  # leads: Review → Audit trail…
    quality: QualityController  # leads: Review → Consensus and gold…
    connector: ConnectController  # File → Connect to a server…, sign out, switch user
    welcome: WelcomeController  # the first-run page while no workspace is open
    guidelines: GuidelinesController  # the Guidelines dock, label tooltips, leads' schema editor
    active_time: TimeTracker  # active time on the task on show, from input, stored with the task
    prelabel: PrelabelController
    segment: SegmentController
    transfer: TransferController  # File → Import / Export annotations…, in the background
    tool_group: QActionGroup  # the tool actions, one checked
    tools_bar: QToolBar  # the tools; hidden on recordings (the canvas's)


def build_window(window: WindowParts, host: Host, keys: KeyRing | None) -> None:
    """Build the window's parts and wire them, in the order they need each other; the last step restores the saved
    geometry and dock layout. `window` and `host` are the same main window: the parts built here, and what the
    controllers and the wiring need of it (so this module never imports desktop.main_window)."""
    _add_views(window, host)
    _add_status_bar(window)
    _add_controllers(window, host, keys)
    _add_actions(window, host)
    build_menus(window, host.actions_by_id, list(window.docks.values()), host.settings.language,
                host._set_theme, host._set_language)
    window.tools_bar = tools_bar(window, host.actions_by_id, TOOL_ACTIONS)
    window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, window.tools_bar)
    window.prelabel.install()
    window.transfer.install()
    window.quality.install()
    window.labels.label_chosen.connect(host._label_chosen)
    window.tasks.task_activated.connect(host.show_task)
    window.canvas.cursor_moved.connect(lambda x, y: window.cursor_label.setText(f"x {x:.0f}  y {y:.0f}"))
    window.canvas.zoom_changed.connect(lambda s: window.zoom_label.setText(f"{s * 100:.0f}%"))
    _restore_geometry(window, host)


def _add_views(window: WindowParts, host: Host) -> None:
    """The canvas and the video and audio views in the middle, the docks on the right."""
    window.canvas = ImageCanvas()
    window.video = VideoController(host)
    window.audio = AudioController(host)
    window.central = QStackedWidget()
    window.central.addWidget(window.video.view)
    window.central.addWidget(window.audio.view)
    window.setCentralWidget(window.central)
    window.labels = LabelPalette()
    window.attributes = AttributeEditor()
    window.shapes = ShapeListWidget()
    window.tasks = TaskListWidget()
    window.tags = TagPanel()
    window.docks = {  # the titles in the context of the window's own tr()
        "Labels": host.add_dock("Labels", translate("MainWindow", "Labels"), window.labels),
        "Tags": host.add_dock("Tags", translate("MainWindow", "Tags"), window.tags),
        "Shapes": host.add_dock("Shapes", translate("MainWindow", "Shapes"), window.shapes),
        "Attributes": host.add_dock("Attributes", translate("MainWindow", "Attributes"), window.attributes),
        "Tasks": host.add_dock("Tasks", translate("MainWindow", "Tasks"), window.tasks),
    }


def _add_status_bar(window: WindowParts) -> None:
    """Task, cursor position and zoom on the left; background jobs and the save state on the right."""
    window.task_label = QLabel()
    window.cursor_label = QLabel()
    window.zoom_label = QLabel()
    window.save_label = QLabel(translate("MainWindow", "All changes saved"))
    window.progress = ProgressPanel()
    bar = window.statusBar()
    bar.addWidget(window.task_label)
    bar.addWidget(window.cursor_label)
    for label in (window.task_label, window.cursor_label):  # a message takes their place (Qt paints it over them)
        bar.messageChanged.connect(lambda message, label=label: label.setVisible(not message))
    bar.addPermanentWidget(window.progress)
    bar.addPermanentWidget(window.zoom_label)
    bar.addPermanentWidget(window.save_label)


def _add_controllers(window: WindowParts, host: Host, keys: KeyRing | None) -> None:
    window.sync_status = SyncStatus(window, keys)
    window.reloader = TaskReloader(host)
    window.unlocker = Unlocker(window, window.sync_status.keys, window.sync_status.prompt, host._open_session,
                               host._unlock_failed)
    window.review = ReviewController(host)
    window.queue = ReviewQueueController(host)
    window.dashboard = DashboardController(host)
    window.audit = AuditController(host)
    window.quality = QualityController(host)
    window.connector = ConnectController(host)
    window.welcome = WelcomeController(host)
    window.guidelines = GuidelinesController(host)
    window.active_time = TimeTracker(host)
    window.prelabel = PrelabelController(host)
    window.segment = SegmentController(host)
    window.transfer = TransferController(host)


def _handlers(window: WindowParts, host: Host) -> dict[str, Callable[[], object]]:
    """What each action of the keymap does: the window's own handlers and those of its controllers."""
    def editor_call(command: Callable[[Editor], object]) -> Callable[[], object]:
        return lambda: command(host.session.editor) if host.session and host.session.editor else None

    handlers: dict[str, Callable[[], object]] = {
        **{action_id: editor_call(command) for action_id, command in COMMANDS.items()},
        "edit.paste_previous": host.paste_from_previous,
        "task.next": lambda: host.go(1),
        "task.previous": lambda: host.go(-1),
        "task.next_unfinished": lambda: host.go(1, True),
        "task.previous_unfinished": lambda: host.go(-1, True),
        "task.submit": host.submit,
        "view.zoom_in": functools.partial(host._zoom, "zoom_in", window.canvas.zoom_in),
        "view.zoom_out": functools.partial(host._zoom, "zoom_out", window.canvas.zoom_out),
        "view.fit": functools.partial(host._zoom, "fit", window.canvas.fit_to_view),
        "view.actual_size": window.canvas.actual_size,
        "workspace.add_media": host.add_media,
        "workspace.open": host._choose_workspace,
        "help.keys": host.edit_keys,
        **window.prelabel.handlers(),
        **window.segment.handlers(),
        **window.review.handlers(),
        **window.queue.handlers(),
        **window.dashboard.handlers(),
        **window.audit.handlers(),
        **window.quality.handlers(),
        **window.video.handlers(),
        **window.audio.handlers(),
        **window.sync_status.handlers(),
        **window.connector.handlers(),
        **window.guidelines.handlers(),
    }
    for action_id, tool in TOOL_ACTIONS.items():
        handlers[action_id] = functools.partial(host._set_tool, tool)
    for i in range(1, 11):
        handlers[f"label.{i}"] = functools.partial(host._label_by_number, i)
    return handlers


def _add_actions(window: WindowParts, host: Host) -> None:
    """One QAction per keymap entry into `actions_by_id`, then the keys of the settings on them."""
    handlers = _handlers(window, host)
    window.tool_group = QActionGroup(window)
    for spec in ACTIONS:
        action_id, canvas_only = spec.id, spec.canvas_only
        action = QAction(translate("keymap", spec.text), window)
        context = Qt.ShortcutContext.WidgetShortcut if canvas_only else Qt.ShortcutContext.WindowShortcut
        action.setShortcutContext(context)
        action.setEnabled(spec.scope not in KIND_SCOPES or active(spec.scope, host.mode))
        action.triggered.connect(handlers[action_id])
        if action_id in TOOL_ACTIONS:
            action.setCheckable(True)
            action.setIcon(tool_icon(TOOL_ACTIONS[action_id]))
            window.tool_group.addAction(action)
        for target in (window.canvas, window.audio.waveform) if canvas_only else (window,):
            target.addAction(action)
        host.actions_by_id[action_id] = action
    host.apply_keymap()


def _restore_geometry(window: WindowParts, host: Host) -> None:
    window.resize(1400, 900)
    if host.settings.window_geometry:
        window.restoreGeometry(QByteArray.fromBase64(host.settings.window_geometry.encode()))
    if host.settings.window_state:
        window.restoreState(QByteArray.fromBase64(host.settings.window_state.encode()))
