"""Automatic sync in the app: a round in a background Job on a timer, soon after edits, and again and again while
the server is unreachable (so work goes up by itself when the network returns), with the state in the status bar.

The round runs on a worker thread with its own workspace connection (sync/client/engine.py); the UI only shows the
SyncState it returns. Workspaces that are not synced (no server in their sync state) show nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow

from desktop.jobs import Job, JobState
from desktop.unlock import PassphrasePrompt
from sync.client.at_rest import KeyRing
from sync.client.commands import vault_path
from sync.client.credentials import Credentials, CredentialsError
from sync.client.engine import SyncEngine, SyncState, read_state
from sync.client.http import SyncError
from sync.client.store import SyncStore
from sync.workspace import Workspace

log = logging.getLogger(__name__)
INTERVAL_MS = 60_000  # a round a minute when all is well
RETRY_MS = (2_000, 60_000)  # while offline or failing: doubling from 2 s up to a minute
AFTER_EDIT_MS = 3_000


class SyncStatus(QObject):
    """Owns the sync timer and the status-bar label of one main window."""

    state_changed = Signal(object)  # SyncState

    def __init__(self, window: QMainWindow, keys: KeyRing | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.prompt = PassphrasePrompt(window)  # keys are read on workers; the dialog shows on the UI thread
        self.keys = keys or KeyRing(Credentials(vault_path(), self.prompt.ask))
        if Workspace.codec_provider is None:
            self.keys.install()
        self.label = QLabel()
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.path: Path | None = None
        self.job: Job | None = None
        self.again = False  # sync_now was asked while a round ran
        self.retry_ms = RETRY_MS[0]
        self.interval_ms = INTERVAL_MS

    def attach(self, path: Path, writer: Workspace) -> None:
        """Follow a newly opened workspace: sync now if it is a synced one, otherwise show nothing."""
        self.stop()
        self.path = None
        if not SyncStore(writer).get("server"):
            self.label.hide()
            return
        self.path = path
        self._show(read_state(writer))
        self.label.show()
        self.sync_now()

    def edited(self) -> None:
        """An edit was stored: send it soon (the timer is only moved earlier, never later)."""
        if self.path is not None and (not self.timer.isActive() or self.timer.remainingTime() > AFTER_EDIT_MS):
            self.timer.start(AFTER_EDIT_MS)

    def sync_now(self) -> None:
        """Start a round; while one runs, another follows it (the running one may have pulled already)."""
        if self.path is None:
            return
        if self.job is not None and not self.job.wait(0):
            self.again = True
            return
        self.again = False
        path, keys = self.path, self.keys
        self.label.setText("Syncing…")
        job = self.job = Job("Sync", lambda state: _round(path, keys, state), self)
        job.finished.connect(lambda state: self._finished(job, state))
        job.failed.connect(lambda message: self._failed(job, message))
        job.start()

    def stop(self) -> None:
        """No round runs after this returns, and none is scheduled: the answer of the one that was running is
        dropped (a closed window must not start another round, whose thread would outlive the window)."""
        self.timer.stop()
        self.again = False
        if self.job is not None:
            self.prompt.cancel_pending()  # a round waiting for a passphrase must not wait for this thread
            self.job.wait()
            self.job = None

    def _finished(self, job: Job, state: SyncState) -> None:
        if job is not self.job:
            return
        self._show(state)
        if self.again:
            self.timer.start(0)
        elif state.phase in ("offline", "error"):
            self.timer.start(self.retry_ms)
            self.retry_ms = min(self.retry_ms * 2, RETRY_MS[1])
        else:
            self.retry_ms = RETRY_MS[0]
            self.timer.start(AFTER_EDIT_MS if state.pending else self.interval_ms)

    def _failed(self, job: Job, message: str) -> None:
        if job is not self.job:
            return
        self.label.setText(f"Sync error: {message}")
        self.label.setStyleSheet("color: #c62828")
        self.timer.start(0 if self.again else self.retry_ms)
        self.retry_ms = min(self.retry_ms * 2, RETRY_MS[1])

    def _show(self, state: SyncState) -> None:
        self.label.setText(state.text())
        self.label.setToolTip(state.last_error)
        self.label.setStyleSheet("color: #c62828" if state.phase == "error" else "")
        self.state_changed.emit(state)


def _round(path: Path, keys: KeyRing, job: JobState) -> SyncState:
    """One sync round on the worker thread, with its own connection to the workspace."""
    with Workspace.open(path) as ws:
        try:
            engine = SyncEngine(ws, keys.credentials, keys)
        except (SyncError, CredentialsError) as exc:
            SyncStore(ws).put_now(last_result="error", last_error=str(exc))
            return read_state(ws)
        try:
            return engine.sync_once()
        finally:
            engine.close()
