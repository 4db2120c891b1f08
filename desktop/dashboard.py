"""The Dashboard dock for leads (View → Review → Dashboard, Ctrl+Alt+D): the project's figures from the server's
dashboard JSON, the same the web page shows, fetched on a worker thread every 5 s while the dock is on show.

Offline, the dock keeps the last figures and says what time they are from; on a workspace that is not synced, or
for an annotator, it says why there is nothing to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from desktop.jobs import Job
from sync.client import dashboard
from widgets.dashboard_panel import DashboardPanel, clock
from widgets.messages import translated

if TYPE_CHECKING:
    from desktop.window_api import DashboardWindow

REFRESH_MS = 5_000
REVIEWER_ROLES = ("lead", "admin")


class DashboardController(QObject):
    """Owns the Dashboard dock of a main window and its refresh timer."""

    def __init__(self, window: DashboardWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.panel = DashboardPanel()
        self.dock = window.add_dock("Dashboard", self.tr("Dashboard"), self.panel)
        window.docks["Dashboard"] = self.dock
        self.dock.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.dock.visibilityChanged.connect(self._visible)
        self.panel.range_changed.connect(lambda _key: self.refresh())
        self.job: Job | None = None
        self.fetched_at: float | None = None  # when the figures on show came from the server
        self.again = False  # asked while a fetch ran (another window)

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"view.dashboard": self.show_dock}

    def show_dock(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.refresh()

    def _visible(self, on: bool) -> None:
        if on:
            self.timer.start()
            self.refresh()
        else:
            self.timer.stop()

    def refresh(self) -> None:
        """Fetch the figures for the window chosen, unless a fetch is still on its way."""
        session = self.window.session
        if session is None:
            self.panel.set_state(self.tr("Open a workspace to see its project's dashboard"))
            return
        at = dashboard.where(session.reader)
        if at is None:
            self.panel.set_state(self.tr("This workspace is not synced: the dashboard shows a server's figures"))
            return
        if at.role and at.role not in REVIEWER_ROLES:
            self.panel.set_state(self.tr("The dashboard is for leads and admins"))
            return
        if self.job is not None and not self.job.wait(0):
            self.again = True
            return
        credentials, window = self.window.sync_status.keys.credentials, self.panel.window_key()
        self.job = Job(self.tr("Dashboard"), lambda _state: (window, dashboard.fetch(at, credentials, window)), self)
        self.job.finished.connect(self._fetched)
        self.job.failed.connect(lambda message: self._show_offline(message))
        self.again = False
        self.job.start()

    def _fetched(self, result: tuple[str, dashboard.Fetched]) -> None:
        window, fetched = result
        if window != self.panel.window_key():  # the range changed while it ran: fetch the new one
            self.refresh()
            return
        if fetched.state == "ok" and fetched.figures is not None:
            self.fetched_at = time.time()
            self.panel.set_figures(fetched.figures)
            self.panel.set_state(self.tr("Updated {0}").format(clock(self.fetched_at)))
        elif fetched.state == "refused":
            self.panel.set_state(self.tr("The server refused: {0}").format(translated(fetched.reason)), warn=True)
        else:
            self._show_offline(translated(fetched.reason))
        if self.again:
            self.refresh()

    def _show_offline(self, reason: str) -> None:
        if self.fetched_at is None:
            self.panel.set_state(self.tr("Offline: no figures yet ({0})").format(reason), warn=True)
        else:
            self.panel.set_state(self.tr("Offline: the figures are from {0} ({1})").format(
                clock(self.fetched_at), reason), warn=True)

    def wait(self, timeout: float | None = None) -> bool:
        """Until the fetch on its way has ended (tests, shutdown)."""
        return self.job.wait(timeout) if self.job is not None else True
