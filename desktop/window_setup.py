"""The main window's set-up: its views and docks, the status bar, the controllers, one action per keymap entry wired to
its handler, the menus and the tools bar, and the saved window geometry; and WindowParts, the attributes it builds.

It runs once, from MainWindow.__init__, and lives apart so that desktop/main_window.py keeps what the window does once
built (open a workspace, show a task, switch the keys by mode, save state). It is the window's own code moved out, so
it reaches the window's private handlers; the controllers still see the window only through desktop/window_api.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

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
    from desktop.main_window import MainWindow
    from sync.client.at_rest import KeyRing

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


def build_window(window: MainWindow, keys: KeyRing | None) -> None:
    """Build the window's parts and wire them, in the order they need each other; the last step restores the saved
    geometry and dock layout."""
    _add_views(window)
    _add_status_bar(window)
    _add_controllers(window, keys)
    _add_actions(window)
    build_menus(window, window.actions_by_id, list(window.docks.values()), window.settings.language,
                window._set_theme, window._set_language)
    window.tools_bar = tools_bar(window, window.actions_by_id, TOOL_ACTIONS)
    window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, window.tools_bar)
    window.prelabel.install()
    window.transfer.install()
    window.quality.install()
    window.labels.label_chosen.connect(window._label_chosen)
    window.tasks.task_activated.connect(window.show_task)
    window.canvas.cursor_moved.connect(lambda x, y: window.cursor_label.setText(f"x {x:.0f}  y {y:.0f}"))
    window.canvas.zoom_changed.connect(lambda s: window.zoom_label.setText(f"{s * 100:.0f}%"))
    _restore_geometry(window)


def _add_views(window: MainWindow) -> None:
    """The canvas and the video and audio views in the middle, the docks on the right."""
    window.canvas = ImageCanvas()
    window.video = VideoController(window)
    window.audio = AudioController(window)
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
        "Labels": window.add_dock("Labels", translate("MainWindow", "Labels"), window.labels),
        "Tags": window.add_dock("Tags", translate("MainWindow", "Tags"), window.tags),
        "Shapes": window.add_dock("Shapes", translate("MainWindow", "Shapes"), window.shapes),
        "Attributes": window.add_dock("Attributes", translate("MainWindow", "Attributes"), window.attributes),
        "Tasks": window.add_dock("Tasks", translate("MainWindow", "Tasks"), window.tasks),
    }


def _add_status_bar(window: MainWindow) -> None:
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


def _add_controllers(window: MainWindow, keys: KeyRing | None) -> None:
    window.sync_status = SyncStatus(window, keys)
    window.reloader = TaskReloader(window)
    window.unlocker = Unlocker(window, window.sync_status.keys, window.sync_status.prompt, window._open_session,
                               window._unlock_failed)
    window.review = ReviewController(window)
    window.queue = ReviewQueueController(window)
    window.dashboard = DashboardController(window)
    window.audit = AuditController(window)
    window.quality = QualityController(window)
    window.connector = ConnectController(window)
    window.welcome = WelcomeController(window)
    window.guidelines = GuidelinesController(window)
    window.active_time = TimeTracker(window)
    window.prelabel = PrelabelController(window)
    window.segment = SegmentController(window)
    window.transfer = TransferController(window)


def _handlers(window: MainWindow) -> dict[str, Callable[[], object]]:
    """What each action of the keymap does: the window's own handlers and those of its controllers."""
    def editor_call(command: Callable[[Editor], object]) -> Callable[[], object]:
        return lambda: command(window.session.editor) if window.session and window.session.editor else None

    handlers: dict[str, Callable[[], object]] = {
        **{action_id: editor_call(command) for action_id, command in COMMANDS.items()},
        "edit.paste_previous": window.paste_from_previous,
        "task.next": lambda: window.go(1),
        "task.previous": lambda: window.go(-1),
        "task.next_unfinished": lambda: window.go(1, True),
        "task.previous_unfinished": lambda: window.go(-1, True),
        "task.submit": window.submit,
        "view.zoom_in": functools.partial(window._zoom, "zoom_in", window.canvas.zoom_in),
        "view.zoom_out": functools.partial(window._zoom, "zoom_out", window.canvas.zoom_out),
        "view.fit": functools.partial(window._zoom, "fit", window.canvas.fit_to_view),
        "view.actual_size": window.canvas.actual_size,
        "workspace.add_media": window.add_media,
        "workspace.open": window._choose_workspace,
        "help.keys": window.edit_keys,
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
        handlers[action_id] = functools.partial(window._set_tool, tool)
    for i in range(1, 11):
        handlers[f"label.{i}"] = functools.partial(window._label_by_number, i)
    return handlers


def _add_actions(window: MainWindow) -> None:
    """One QAction per keymap entry into `window.actions_by_id`, then the keys of the settings on them."""
    handlers = _handlers(window)
    window.tool_group = QActionGroup(window)
    for spec in ACTIONS:
        action_id, canvas_only = spec.id, spec.canvas_only
        action = QAction(translate("keymap", spec.text), window)
        context = Qt.ShortcutContext.WidgetShortcut if canvas_only else Qt.ShortcutContext.WindowShortcut
        action.setShortcutContext(context)
        action.setEnabled(spec.scope not in KIND_SCOPES or active(spec.scope, window.mode))
        action.triggered.connect(handlers[action_id])
        if action_id in TOOL_ACTIONS:
            action.setCheckable(True)
            action.setIcon(tool_icon(TOOL_ACTIONS[action_id]))
            window.tool_group.addAction(action)
        for target in (window.canvas, window.audio.waveform) if canvas_only else (window,):
            target.addAction(action)
        window.actions_by_id[action_id] = action
    window.apply_keymap()


def _restore_geometry(window: MainWindow) -> None:
    window.resize(1400, 900)
    if window.settings.window_geometry:
        window.restoreGeometry(QByteArray.fromBase64(window.settings.window_geometry.encode()))
    if window.settings.window_state:
        window.restoreState(QByteArray.fromBase64(window.settings.window_state.encode()))
