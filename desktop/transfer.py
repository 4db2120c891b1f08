"""File → Import annotations… and Export annotations…: the dialogs, the run in the background, the summary after.

Both run as a desktop.jobs.Job with the status bar's progress bar and Cancel, through the same sync/transfer.py
functions as `annodesk import` and `annodesk export`, and the summary shows the lines and per-item messages the
CLI prints.
- Import writes through the session's writer workspace, in ONE transaction (sync/transfer_steps.py): edits made
  meanwhile wait for it and are stored after it, and a cancel rolls the whole import back. Afterwards the task list
  and the labels are refreshed, and the open task is reloaded in place when the import changed it.
- Export first saves the pending edits, then reads its own read-only connection in one snapshot and writes beside
  the target, moved into place when complete (sync/transfer_export.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from core.formats import FORMATS, format_entries
from desktop.jobs import Job, JobState
from sync.transfer import Cancelled, TransferReport, export_dataset, import_dataset
from sync.workspace import Workspace
from widgets.messages import translated
from widgets.transfer_dialog import ExportDialog, ExportRequest, ImportDialog, ImportRequest, SummaryDialog

if TYPE_CHECKING:
    from desktop.reload import TaskReloader
    from desktop.session import TaskSession
    from desktop.window_api import PrelabelWindow

    class TransferWindow(PrelabelWindow, Protocol):
        reloader: TaskReloader


class TransferController(QObject):
    def __init__(self, window: TransferWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.job: Job | None = None
        self.last: dict[str, str] = {}  # this run's last format and path of each dialog, offered again
        self.summary: SummaryDialog | None = None  # the last summary shown
        self.import_action = QAction(self.tr("Import annotations…"), self)
        self.import_action.triggered.connect(lambda: self.import_annotations())
        self.export_action = QAction(self.tr("Export annotations…"), self)
        self.export_action.triggered.connect(lambda: self.export_annotations())

    def install(self) -> None:
        """The two items at the end of the File menu."""
        menu = next(a.menu() for a in self.window.menuBar().actions() if a.menu() and a.menu().objectName() == "file")
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)

    # --- import ----------------------------------------------------------------------------------------------------

    def import_annotations(self, request: ImportRequest | None = None) -> Job | None:
        """Ask what to import (unless `request` says), then import it in the background."""
        session = self._ready()
        if session is None:
            return None
        if request is None:
            dialog = ImportDialog(self._parent(), format_entries(FORMATS.values(), reading=True),
                                  self.window.tasks.selected_task_ids(), self.last.get("import format"),
                                  self.last.get("import path", ""))  # fmt: skip
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            request = dialog.request()
        self.last.update({"import format": request.format, "import path": str(request.path)})
        ws = session.writer_ws

        def run(state: JobState) -> TransferReport | None:
            try:
                return import_dataset(ws, request.format, request.path, add_media=request.add_media,
                                      task_ids=request.task_ids, progress=state.set_progress,
                                      cancelled=state.cancelled)  # fmt: skip
            except Cancelled:
                return None

        return self._start(Job(self.tr("Importing {0}").format(request.path.name), run, self),
                           lambda report: self._imported(session, report))

    def _imported(self, session: TaskSession, report: TransferReport | None) -> None:
        if report is None:
            self.window.statusBar().showMessage(self.tr("Import cancelled: the workspace is as it was"), 8000)
            return
        if session is self.window.session:
            self._refresh(session)
        self._show_summary(self.tr("Import annotations"), [translated(line) for line in report.summary()],
                           [translated(message) for message in report.messages])

    def _refresh(self, session: TaskSession) -> None:
        """Show what the import stored: new tasks in the list, new labels in the palette, the open task reloaded in
        place if it received annotations (the reloader waits for a gesture in progress to end)."""
        window = self.window
        window.tasks.refresh()
        editor = session.editor
        if editor is not None and editor.schema != session.schema:
            editor.schema = session.schema
            window.labels.set_schema(session.schema)
            window.labels.select_label(editor.current_label)
        window.reloader.catch_up()

    # --- export ----------------------------------------------------------------------------------------------------

    def export_annotations(self, request: ExportRequest | None = None) -> Job | None:
        """Ask where to export (unless `request` says), then export in the background."""
        session = self._ready()
        if session is None:
            return None
        if request is None:
            folder = self.last.get("export folder") or str(session.path.parent / f"{session.path.name}-export")
            dialog = ExportDialog(self._parent(), format_entries(FORMATS.values(), reading=False),
                                  self.window.tasks.selected_task_ids(), self.last.get("export format"), folder)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            request = dialog.request()
        self.last.update({"export format": request.format, "export folder": str(request.out_dir)})
        session.writer.flush()  # the edits made so far are in the export
        path = session.path

        def run(state: JobState) -> tuple[list[Path], list[str]] | None:
            messages: list[str] = []
            with Workspace.open(path, readonly=True) as ws:
                try:
                    paths = export_dataset(ws, request.format, request.out_dir, messages, task_ids=request.task_ids,
                                           progress=state.set_progress, cancelled=state.cancelled)  # fmt: skip
                except Cancelled:
                    return None
            return paths, messages

        return self._start(Job(self.tr("Exporting {0}").format(request.format), run, self),
                           lambda result: self._exported(request, result))

    def _exported(self, request: ExportRequest, result: tuple[list[Path], list[str]] | None) -> None:
        if result is None:
            self.window.statusBar().showMessage(self.tr("Export cancelled: nothing was written"), 8000)
            return
        paths, messages = result
        line = self.tr("saved {0} files to {1} ({2})").format(len(paths), request.out_dir, request.format)
        self._show_summary(self.tr("Export annotations"), [line], [translated(message) for message in messages])

    # --- both ------------------------------------------------------------------------------------------------------

    def _ready(self) -> TaskSession | None:
        """The open session, unless there is none or a background job is running."""
        session = self.window.session
        if session is None:
            self.window.statusBar().showMessage(self.tr("Open a workspace first (File → Open workspace)"), 5000)
            return None
        if self.job is not None or self.window.progress.job is not None:
            self.window.statusBar().showMessage(self.tr("Another background job is running: wait for it, or cancel it"),
                                               5000)
            return None
        return session

    def _start(self, job: Job, done: Callable[[Any], None]) -> Job:
        self.job = job
        self.window.progress.track(job)
        job.finished.connect(done)
        job.finished.connect(self._ended)
        job.failed.connect(self._failed)
        self.window.jobs.append(job)
        job.start()
        return job

    def _ended(self, *_: object) -> None:
        self.job = None

    def _failed(self, message: str) -> None:
        self.job = None
        box = QMessageBox(QMessageBox.Icon.Warning, "Annodesk", message, QMessageBox.StandardButton.Ok,
                          self._parent())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()

    def _show_summary(self, title: str, lines: list[str], messages: list[str]) -> None:
        self.window.statusBar().showMessage(lines[0], 10000)
        self.summary = SummaryDialog(self._parent(), title, lines, messages)
        self.summary.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.summary.show()

    def _parent(self) -> QWidget:
        return self.window.canvas.window()
