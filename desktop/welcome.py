"""The welcome page's work (widgets/welcome_page.py): shown when the app starts with no workspace (no argument and
no last one still there), it connects to a server (the File menu's own dialog, desktop/connect.py), opens a
workspace, makes one from a folder of media (`annodesk init` + `annodesk add`, on a background job with progress and
Cancel), or opens the demo (made first, as `annodesk demo` does).

While the page shows, the window's docks, tool bar and status bar are hidden (they have nothing to show); the first
workspace opened brings them back as they were, and so does closing the window, so the saved window state is the
working one.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QByteArray, QCoreApplication, QObject
from PySide6.QtWidgets import QDockWidget, QFileDialog, QStackedWidget, QToolBar, QWidget

from core.schema import load_schema
from desktop.connect import ConnectController, suggested_folder
from desktop.demo import default_demo_dir, ensure_demo
from desktop.jobs import Job, JobState
from desktop.settings import Settings
from resources import DEFAULT_SCHEMA
from sync.client.at_rest import is_encrypted
from sync.database import DB_NAME
from sync.media_import import ImportReport
from sync.workspace import Workspace, WorkspaceError
from widgets.messages import translated
from widgets.welcome_page import WelcomePage

if TYPE_CHECKING:
    from desktop.video import VideoController
    from desktop.window_api import JobHost

    class WelcomeWindow(JobHost, Protocol):
        settings: Settings
        central: QStackedWidget
        video: VideoController
        connector: ConnectController

        def open_workspace(self, path: Path, task_id: int | None = None, frame: int | None = None,
                           time: float | None = None) -> None: ...
        def saveState(self, version: int = 0) -> QByteArray: ...
        def restoreState(self, state: QByteArray, version: int = 0) -> bool: ...
        def setWindowTitle(self, title: str) -> None: ...

translate = QCoreApplication.translate


def is_workspace(folder: Path) -> bool:
    return (folder / DB_NAME).is_file()


def recent_workspaces(settings: Settings) -> list[Path]:
    """The settings' recent workspaces that are still there, newest first."""
    return [Path(p) for p in settings.recent_workspaces if is_workspace(Path(p))]


def last_workspace(settings: Settings) -> Path | None:
    """The workspace to reopen when the app starts with none named: the last one, if it is still there."""
    last = Path(settings.last_workspace) if settings.last_workspace else None
    return last if last is not None and is_workspace(last) else None


def cannot_open(folder: Path) -> str:
    """Why `folder` cannot be opened as a workspace, in words; "" when it can (an older one is migrated here)."""
    if not is_workspace(folder):
        return translate("welcome", "{0} is not an Annodesk workspace (it has no {1}): choose the folder that "
                         "Annodesk made.").format(folder, DB_NAME)
    if is_encrypted(folder):  # a synced one needs its key: the window reads it off the UI thread
        return ""
    try:
        Workspace.open(folder).close()
    except WorkspaceError as exc:
        return translated(exc)
    return ""


def new_workspace(media: Path, directory: Path, state: JobState) -> ImportReport | None:
    """`annodesk init directory` with the default labels, then `annodesk add directory media`, on a worker; None
    when cancelled. A cancelled or failed one leaves nothing behind."""
    if not media.is_dir():
        raise WorkspaceError(translate("welcome", "{0} is not a folder").format(media))
    try:
        with Workspace.create(directory, load_schema(DEFAULT_SCHEMA)) as ws:
            report = ws.add_media([media], state.set_progress, state.cancelled)
        if state.cancelled():
            shutil.rmtree(directory, ignore_errors=True)
            return None
        if not report.added and not report.errors:
            raise WorkspaceError(translate(
                "welcome", "{0} has no images, videos or recordings (nor any in its folders)").format(media))
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return report


class WelcomeController(QObject):
    """The welcome page in the window's central stack, and what its actions do."""

    def __init__(self, window: WelcomeWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.page: WelcomePage | None = None
        self.hidden: QByteArray | None = None  # the window's state before the page hid its docks and bars
        self.job: Job | None = None  # a workspace being made (new or the demo), one at a time

    @property
    def shown(self) -> bool:
        return self.hidden is not None

    def show(self) -> WelcomePage:
        """The page in place of the canvas, with the recent workspaces that are still there."""
        page = self.page or self._build()
        page.set_recent(recent_workspaces(self.window.settings))
        if self.hidden is None:
            self.hidden = self.window.saveState()
            for child in (*self._main().findChildren(QDockWidget), *self._main().findChildren(QToolBar)):
                child.hide()
            self.window.statusBar().hide()
        self.window.central.setCurrentWidget(page)
        self.window.setWindowTitle("Annodesk")
        if page.isVisible():
            page.connect_button.setFocus()
        return page

    def leave(self) -> None:
        """The canvas, docks and bars back as they were (a workspace opens, or the window closes); a workspace
        still being made is cancelled."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
        if self.hidden is None:
            return
        self.window.central.setCurrentWidget(self.window.video.view)
        self.window.restoreState(self.hidden)
        self.window.statusBar().show()
        self.hidden = None
        if self.page is not None:
            self.page.idle()

    # -- the actions -----------------------------------------------------------------------------------------------

    def open_folder(self, folder: Path) -> bool:
        """Open `folder` as a workspace, or say on the page why it cannot be; True when it opens."""
        assert self.page is not None
        if reason := cannot_open(folder):
            self.page.show_error(reason)
            return False
        self.window.open_workspace(folder)
        return True

    def new_from(self, media: Path) -> Job:
        """A new workspace under the workspaces folder (~/Annodesk), named after `media`, its files added."""
        assert self.page is not None
        page, directory = self.page, suggested_folder(media.name or "media")
        job = Job(self.tr("Adding media"), lambda state: new_workspace(media, directory, state), self)
        job.progress.connect(lambda done, total: page.show_progress(
            self.tr("Adding media: {0} / {1} files").format(f"{done:,}", f"{total:,}"), done, total))
        page.busy(self.tr("Making a workspace in {0} from the media in {1}…").format(directory, media),
                  cancellable=True)
        return self._start(job, lambda report: self._made(directory, report))

    def open_demo(self) -> Job:
        """The demo workspace (made in the user data folder on first use), then opened."""
        assert self.page is not None
        directory = default_demo_dir()
        job = Job(self.tr("Making the demo"), lambda _state: ensure_demo(directory)[0], self)
        self.page.busy(self.tr("Making the demo workspace in {0}…").format(directory))
        return self._start(job, self.window.open_workspace)

    def _made(self, directory: Path, report: ImportReport | None) -> None:
        assert self.page is not None
        if report is None:
            self.page.show_error(self.tr("Cancelled: no workspace was made."))
            return
        self.window.open_workspace(directory)
        self.window.statusBar().showMessage(self.tr("Made {0}: {1} tasks, {2} of them unreadable").format(
            directory, f"{report.added:,}", f"{len(report.errors):,}"), 10000)

    # -- plumbing --------------------------------------------------------------------------------------------------

    def _build(self) -> WelcomePage:
        page = self.page = WelcomePage()
        page.connect_asked.connect(lambda: self.window.connector.connect_to_server())
        page.open_asked.connect(lambda: self._choose(self.tr("Open an Annodesk workspace"), self.open_folder))
        page.new_asked.connect(lambda: self._choose(self.tr("Choose a folder of images, videos or recordings"),
                                                    self.new_from))
        page.demo_asked.connect(self.open_demo)
        page.recent_asked.connect(lambda folder: self.open_folder(Path(folder)))
        page.cancel_asked.connect(self._cancel)
        self.window.central.addWidget(page)
        return page

    def _choose(self, title: str, then: Callable[[Path], object]) -> None:
        folder = QFileDialog.getExistingDirectory(self.page, title, str(Path.home()))
        if folder:
            then(Path(folder))

    def _cancel(self) -> None:
        if self.job is not None and self.page is not None:
            self.job.cancel()
            self.page.cancelling()

    def _start(self, job: Job, done: Callable[[Any], object]) -> Job:
        self.job = job
        page = self.page
        assert page is not None

        def finished(result: Any) -> None:
            if self.job is job:  # not replaced, nor dropped by leave()
                self.job = None
                page.idle()
                done(result)

        def failed(message: str) -> None:
            if self.job is job:
                self.job = None
                page.show_error(message)

        job.finished.connect(finished)
        job.failed.connect(failed)
        self.window.jobs.append(job)  # closing the window cancels it and waits (a cancelled one removes its folder)
        job.start()
        return job

    def _main(self) -> QWidget:
        return self.window.canvas.window()
