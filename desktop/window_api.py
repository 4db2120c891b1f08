"""What the window's controllers (review, pre-labeling, video, segmentation, reload, time) use of the main window.

Each controller is typed against its small Protocol here, not against desktop.main_window.MainWindow, so the window
imports its controllers and none of them imports the window back. A controller parents its Qt objects to the canvas
and its dialogs to `canvas.window()`, the window the canvas sits in.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget, QMenuBar, QStatusBar, QToolBar, QWidget

    from desktop.audio import AudioController
    from desktop.jobs import Job
    from desktop.panels import ProgressPanel
    from desktop.session import TaskSession
    from desktop.settings import Settings
    from desktop.sync_status import SyncStatus
    from desktop.video import VideoController
    from widgets.canvas import ImageCanvas
    from widgets.label_palette import LabelPalette
    from widgets.task_list import TaskListWidget


class Shell(Protocol):
    """What every controller needs: the open task's session, the canvas and the status bar."""

    session: TaskSession | None
    canvas: ImageCanvas

    def statusBar(self) -> QStatusBar: ...


class JobHost(Shell, Protocol):
    """A window that runs background jobs with a progress bar and a Cancel button."""

    jobs: list[Job]
    progress: ProgressPanel


class ReviewWindow(Shell, Protocol):
    docks: dict[str, QDockWidget]
    sync_status: SyncStatus
    mode: str
    video: VideoController
    audio: AudioController

    def add_dock(self, name: str, title: str, widget: QWidget) -> QDockWidget: ...
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...
    def resizeDocks(self, docks: Sequence[QDockWidget], sizes: Sequence[int], orientation: Qt.Orientation) -> None: ...


class DashboardWindow(Shell, Protocol):
    docks: dict[str, QDockWidget]
    sync_status: SyncStatus

    def add_dock(self, name: str, title: str, widget: QWidget) -> QDockWidget: ...


class QueueWindow(Shell, Protocol):
    docks: dict[str, QDockWidget]
    sync_status: SyncStatus

    def add_dock(self, name: str, title: str, widget: QWidget) -> QDockWidget: ...
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...
    def show_task(self, task_id: int, keep_view: bool = False) -> None: ...


class PrelabelWindow(JobHost, Protocol):
    settings: Settings
    actions_by_id: dict[str, QAction]
    labels: LabelPalette
    tasks: TaskListWidget

    def show_task(self, task_id: int, keep_view: bool = False) -> None: ...
    def menuBar(self) -> QMenuBar: ...
    def addToolBar(self, area: Qt.ToolBarArea, toolbar: QToolBar) -> None: ...


class VideoWindow(JobHost, Protocol):
    def go(self, step: int, unfinished_only: bool = False) -> None: ...


class AudioWindow(JobHost, Protocol):
    settings: Settings


class SegmentWindow(Shell, Protocol):
    settings: Settings


class ReloadWindow(Shell, Protocol):
    sync_status: SyncStatus

    def open_workspace(self, path: Path, task_id: int | None = None, frame: int | None = None) -> None: ...
    def show_task(self, task_id: int, keep_view: bool = False) -> None: ...


class TimeWindow(Shell, Protocol):
    settings: Settings

    def isActiveWindow(self) -> bool: ...


class GuidelinesWindow(JobHost, Protocol):
    docks: dict[str, QDockWidget]
    labels: LabelPalette
    sync_status: SyncStatus

    def show_task(self, task_id: int, keep_view: bool = False) -> None: ...

    def add_dock(self, name: str, title: str, widget: QWidget) -> QDockWidget: ...
    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None: ...
