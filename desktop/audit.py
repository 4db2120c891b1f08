"""Review → Audit trail…: a project's audit trail for its leads, fetched from the server on a worker thread, page by
page (at most MAX_ROWS, the newest kept), and shown in widgets/audit_dialog.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.jobs import Job, JobState
from sync.client import dashboard
from sync.client.credentials import Credentials
from widgets.audit_dialog import AuditDialog
from widgets.messages import translated

if TYPE_CHECKING:
    from desktop.window_api import DashboardWindow

PAGE = 1000
MAX_ROWS = 20_000


def fetch_all(at: dashboard.Where, credentials: Credentials, state: JobState | None = None) -> dashboard.Fetched:
    """Every audit row of the project (the newest MAX_ROWS), oldest page first as the server pages them."""
    rows: list[dict[str, Any]] = []
    after = 0
    while True:
        page = dashboard.fetch_project(at, credentials, "audit", {"after": after, "limit": PAGE})
        if page.state != "ok" or page.figures is None:
            return dashboard.Fetched(page.state, {"items": rows[-MAX_ROWS:]}, page.reason) if rows else page
        items = page.figures.get("items") or []
        rows = (rows + items)[-MAX_ROWS:]
        if len(items) < PAGE or (state is not None and state.cancelled()):
            return dashboard.Fetched("ok", {"items": rows})
        after = int(page.figures["next_after"])


class AuditController(QObject):
    """Opens the audit trail dialog of the open workspace's project and fills it in the background."""

    def __init__(self, window: DashboardWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.dialog: AuditDialog | None = None
        self.job: Job | None = None

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"review.audit": self.show}

    def show(self) -> AuditDialog:
        if self.dialog is None:
            self.dialog = AuditDialog(self.window.canvas.window())
        self.dialog.show()
        self.dialog.raise_()
        self._fetch()
        return self.dialog

    def _fetch(self) -> None:
        assert self.dialog is not None
        session = self.window.session
        at = dashboard.where(session.reader) if session is not None else None
        if at is None:
            self.dialog.set_state(self.tr("This workspace is not synced: the audit trail is the server's"))
            return
        if at.role and at.role not in ("lead", "admin"):
            self.dialog.set_state(self.tr("The audit trail is for the project's leads and admins"))
            return
        if self.job is not None and not self.job.wait(0):
            return
        self.dialog.set_state(self.tr("Fetching the audit trail…"))
        credentials = self.window.sync_status.keys.credentials
        self.job = Job(self.tr("Audit trail"), lambda state: fetch_all(at, credentials, state), self)
        self.job.finished.connect(self._fetched)
        self.job.failed.connect(self._failed)
        self.job.start()

    def _failed(self, message: str) -> None:
        if self.dialog is not None:
            self.dialog.set_state(message)

    def _fetched(self, fetched: dashboard.Fetched) -> None:
        if self.dialog is None:
            return
        if fetched.figures is not None:
            self.dialog.set_rows(fetched.figures.get("items") or [])
        if fetched.state == "ok":
            self.dialog.set_state(self.tr("{0} rows, newest first").format(len(self.dialog.rows)))
        elif fetched.state == "refused":
            self.dialog.set_state(self.tr("The server refused: {0}").format(translated(fetched.reason)))
        else:
            self.dialog.set_state(self.tr("Offline: {0}").format(translated(fetched.reason)))

    def wait(self, timeout: float | None = None) -> bool:
        return self.job.wait(timeout) if self.job is not None else True
