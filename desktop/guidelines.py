"""The Guidelines dock (Ctrl+Alt+G), the label tooltips' guidelines, and the schema editor of leads.

What is shown is read from the workspace (the version last pulled, its images from the encrypted media cache), so it
works offline; it is read again when a workspace opens and after each sync round, and the dock follows the label in
use (LabelPalette.label_shown). The schema editor saves over HTTP with the workspace's server and the user's token, in
a background job; then a sync round brings the new schema and guidelines into the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from core.guidelines import Guidelines
from core.schema import LabelSchema
from desktop.jobs import Job, JobState
from desktop.reload import gesture_in_progress
from sync.client.guidelines import GuidelineStore, Published, Target, publish
from sync.client.http import OfflineError, ServerError, SyncError
from sync.client.review_store import ReviewStore
from sync.database import WorkspaceError
from widgets.guidelines_panel import GuidelinesPanel
from widgets.messages import translated
from widgets.schema_editor import SchemaEditor

if TYPE_CHECKING:
    from desktop.session import TaskSession
    from desktop.window_api import GuidelinesWindow

EDITORS = ("lead", "admin")


class GuidelinesController(QObject):
    """Owns the Guidelines dock of a main window, the palette's tooltips and the schema editor dialog."""

    def __init__(self, window: GuidelinesWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.panel = GuidelinesPanel()
        self.dock = window.add_dock("Guidelines", self.tr("Guidelines"), self.panel)
        window.docks["Guidelines"] = self.dock
        window.tabifyDockWidget(window.docks["Attributes"], self.dock)
        window.docks["Attributes"].raise_()
        self.guidelines: Guidelines | None = None
        self.dialog: SchemaEditor | None = None
        self.job: Job | None = None
        self._session: TaskSession | None = None  # the session last read: a new one (workspace) is read anew
        window.labels.label_shown.connect(self._label_shown)
        window.sync_status.state_changed.connect(lambda _state: self.round_done())

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"view.guidelines": self.show_dock, "review.schema": self.edit_schema}

    def show_dock(self) -> None:
        self.refresh()
        self.dock.show()
        self.dock.raise_()

    def _label_shown(self, name: str) -> None:
        if self.window.session is not self._session:
            self.refresh()
        self.panel.set_label(name)

    def round_done(self) -> None:
        """After a sync round: take a new schema it brought (the labels, the open task's editor), then read the
        guidelines again."""
        session = self.window.session
        if session is not None and session is self._session:
            before = session.schema
            try:
                after = session.writer.call(session.writer_ws.reload_schema).result()
            except WorkspaceError as exc:
                self.window.statusBar().showMessage(translated(exc), 6000)
                after = before
            if after != before:
                self.window.labels.set_schema(after)
                editor = session.editor
                if session.task is not None and editor is not None and not gesture_in_progress(editor):
                    self.window.show_task(session.task.id, keep_view=True)
        self.refresh()

    def refresh(self) -> None:
        """Read the guidelines of the open workspace and show them in the dock and the tooltips."""
        session = self._session = self.window.session
        note = ""
        if session is None:
            self.guidelines = None
        else:
            try:
                Target.of(session.reader)
                self.guidelines = GuidelineStore(session.reader).current()
            except SyncError:
                self.guidelines = None
                note = self.tr("This workspace is not from a server: guidelines come with a project cloned from one")
            except WorkspaceError as exc:
                self.guidelines = None
                note = translated(exc)
        self.panel.set_guidelines(self.guidelines, self._image, note)
        g = self.guidelines
        self.window.labels.set_guides({name: g.for_label(name).description for name in g.labels} if g else {})
        self.panel.set_label(self.window.labels.current_label())

    def _image(self, sha: str) -> bytes | None:
        session = self.window.session
        cache = session.media_cache if session is not None else None
        if cache is None or not cache.has(sha):
            return None
        try:
            return cache.read(sha)
        except (WorkspaceError, OSError):
            return None

    # -- the schema editor ---------------------------------------------------------------------------------------

    def edit_schema(self) -> SchemaEditor | None:
        """Open the schema editor (leads and admins of a server's workspace)."""
        session = self.window.session
        problem = self._cannot_edit()
        if problem or session is None:
            self.window.statusBar().showMessage(problem, 6000)
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        self.refresh()
        dialog = self.dialog = SchemaEditor(session.schema, self.guidelines, self.window.canvas.window(), self.tr(
            "Saving needs the server; the changes reach everyone's workspace with their next sync"))
        dialog.save_requested.connect(self.save)
        dialog.open()
        return dialog

    def _cannot_edit(self) -> str:
        session = self.window.session
        if session is None:
            return self.tr("Open a workspace first")
        try:
            Target.of(session.reader)
        except SyncError:
            return self.tr("Only the schema of a project cloned from a server can be edited here")
        if ReviewStore(session.reader).role() not in EDITORS:
            return self.tr("Only a lead or an admin can edit the label schema and the guidelines")
        return ""

    def save(self, schema: LabelSchema | None, guidelines: dict[str, Any] | None, files: dict[str, Path]) -> Job | None:
        """Save the dialog's changes on the server in the background; the dialog shows the outcome."""
        session, dialog = self.window.session, self.dialog
        if session is None or dialog is None:
            return None
        target = Target.of(session.reader)
        credentials = self.window.sync_status.keys.credentials
        base = dialog.base_version

        def run(_state: JobState) -> Published | str:
            try:
                return publish(target, credentials, schema, guidelines, files, base)
            except OfflineError:
                return self.tr("Saving needs the server, and {0} cannot be reached. Nothing was saved: keep this "
                               "window open and save again when you are online.").format(target.server)
            except ServerError as exc:
                field = exc.body.get("field")
                where = self.tr(" (field {0})").format(field) if field else ""
                return self.tr("The server refused it{0}: {1}").format(where, exc.detail)
            except SyncError as exc:
                return translated(exc)

        job = self.job = Job(self.tr("Saving the schema"), run, self)
        job.finished.connect(self._saved)
        job.failed.connect(lambda message: dialog.show_error(message))
        self.window.jobs.append(job)
        job.start()
        return job

    def _saved(self, outcome: Published | str) -> None:
        dialog = self.dialog
        if isinstance(outcome, str):
            if dialog is not None:
                dialog.show_error(outcome)
            return
        if dialog is not None:
            dialog.saved()
        parts = []
        if outcome.schema_version:
            parts.append(self.tr("schema version {0}").format(outcome.schema_version))
        if outcome.guidelines_version:
            parts.append(self.tr("guidelines version {0}").format(outcome.guidelines_version))
        self.window.statusBar().showMessage(self.tr("Saved on the server: {0}. Syncing to bring it here…").format(
            ", ".join(parts)), 8000)
        self.window.sync_status.sync_now()
