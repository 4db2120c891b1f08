"""Automatic sync in the app: a round in a background Job on a timer, soon after edits, and again and again while
the server is unreachable (so work goes up by itself when the network returns), with the state in the status bar.
Sync now (a key, the menu, a click on the state), the progress of a long round (changes still to send, files
downloaded) and the Sync details dialog, which says what went wrong in words and what to do.

The round runs on a worker thread with its own workspace connection (sync/client/engine.py); the UI only shows the
SyncState it returns. Workspaces that are not synced (no server in their sync state) show nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QProgressBar

from core.messages import error_text
from desktop.jobs import Job, JobState
from desktop.unlock import PassphrasePrompt
from sync.client.at_rest import KeyRing, MediaCache
from sync.client.commands import vault_path
from sync.client.credentials import Credentials, CredentialsError
from sync.client.engine import SyncEngine, SyncState, read_state, record_round
from sync.client.http import Cancelled, SyncError
from sync.client.media import media_sha
from sync.client.store import SyncStore
from sync.database import WorkspaceError
from sync.workspace import Workspace
from widgets.sync_details import SyncDetails, SyncLabel, advise, state_text, status_text
from widgets.theme import color

log = logging.getLogger(__name__)
INTERVAL_MS = 60_000  # a round a minute when all is well
RETRY_MS = (2_000, 60_000)  # while offline or failing: doubling from 2 s up to a minute
AFTER_EDIT_MS = 3_000
PROGRESS_MS = 1_000  # a round that lasts longer shows its progress, read this often
NOT_SYNCED = QT_TRANSLATE_NOOP("SyncStatus",
                               "This workspace is not synced: File → Connect to a server… makes one that is")


class SyncStatus(QObject):
    """Owns the sync timer, the status-bar label and progress bar, and the Sync details dialog of one main window."""

    state_changed = Signal(object)  # SyncState
    sign_in_requested = Signal()  # the details dialog's "Sign in again…"

    def __init__(self, window: QMainWindow, keys: KeyRing | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.prompt = PassphrasePrompt(window)  # keys are read on workers; the dialog shows on the UI thread
        self.keys = keys or KeyRing(Credentials(vault_path(), self.prompt.ask))
        if Workspace.codec_provider is None:
            self.keys.install()
        self.label = SyncLabel()
        self.label.clicked.connect(self.sync_now)
        self.label.hide()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(140)
        self.bar.setTextVisible(False)
        self.bar.hide()
        window.statusBar().addPermanentWidget(self.bar)
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.progress_timer = QTimer(self)
        self.progress_timer.setInterval(PROGRESS_MS)
        self.progress_timer.timeout.connect(self._show_progress)
        self.path: Path | None = None
        self.where = ("", "", "")  # server, user, project of the workspace followed
        self.state: SyncState | None = None  # the last one shown
        self.details: SyncDetails | None = None
        self.job: Job | None = None
        self.again = False  # sync_now was asked while a round ran
        self.retry_ms = RETRY_MS[0]
        self.interval_ms = INTERVAL_MS
        self.files: tuple[int, int] | None = None  # (downloaded, to download) in the running round
        self.reader: Workspace | None = None  # a read-only connection for the progress of a long round
        self.pending_at_start = 0

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"sync.now": self.sync_now_asked, "sync.details": self.show_details}

    def attach(self, path: Path, writer: Workspace) -> None:
        """Follow a newly opened workspace: sync now if it is a synced one, otherwise show nothing."""
        self.stop()
        self.path = None
        with writer.transaction() as conn:
            server, user, project = (str(SyncStore.get_in(conn, key, "")) for key in ("server", "user", "project"))
        if not server:
            self.label.hide()
            if self.details is not None:
                self.details.hide()
            return
        self.path, self.where = path, (server, user, project)
        self._show(read_state(writer))
        self.label.show()
        self.sync_now()

    def edited(self) -> None:
        """An edit was stored: send it soon (the timer is only moved earlier, never later)."""
        if self.path is not None and (not self.timer.isActive() or self.timer.remainingTime() > AFTER_EDIT_MS):
            self.timer.start(AFTER_EDIT_MS)

    def sync_now_asked(self) -> None:
        """Sync now from the menu or its key: on a workspace that is not synced, say how to make one."""
        if self.path is None:
            self.window.statusBar().showMessage(self.tr(NOT_SYNCED), 6000)
        else:
            self.sync_now()

    def sync_now(self) -> None:
        """Start a round; while one runs, another follows it (the running one may have pulled already)."""
        if self.path is None:
            return
        if self.job is not None and not self.job.wait(0):
            self.again = True
            return
        self.again = False
        path, keys = self.path, self.keys
        self.label.setText(self.tr("Syncing…"))
        self.files, self.pending_at_start = None, self.state.pending if self.state else 0
        job = self.job = Job(self.tr("Sync"), lambda state: _round(path, keys, state), self)
        job.progress.connect(lambda done, total: self._files(job, done, total))
        job.finished.connect(lambda state: self._finished(job, state))
        job.failed.connect(lambda message: self._failed(job, message))
        job.start()
        self.progress_timer.start()
        self._refresh_details()

    def stop(self) -> None:
        """No round runs after this returns, and none is scheduled: the answer of the one that was running is
        dropped (a closed window must not start another round, whose thread would outlive the window)."""
        self.timer.stop()
        self.again = False
        if self.job is not None:
            self.prompt.cancel_pending()  # a round waiting for a passphrase must not wait for this thread
            self.job.wait()
            self.job = None
        self._round_ended()

    def show_details(self) -> None:
        """The Sync details dialog (not modal; it follows the rounds while open)."""
        if self.path is None or self.state is None:
            self.window.statusBar().showMessage(self.tr(NOT_SYNCED), 6000)
            return
        if self.details is None:
            self.details = SyncDetails(self.window)
            self.details.sync_now.connect(self.sync_now)
            self.details.sign_in.connect(self.sign_in_requested)
        self._refresh_details()
        self.details.show()
        self.details.raise_()

    def _finished(self, job: Job, state: SyncState) -> None:
        if job is not self.job:
            return
        self._round_ended()
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
        self._round_ended()
        self.label.setText(self.tr("Sync error: {0}").format(message))
        self.label.setStyleSheet(f"color: {color('error').name()}")
        self.timer.start(0 if self.again else self.retry_ms)
        self.retry_ms = min(self.retry_ms * 2, RETRY_MS[1])

    def _show(self, state: SyncState) -> None:
        self.state = state
        advice = advise(state, self.where[0], self.where[1])
        self.label.setText(status_text(state, advice))
        about = f"{advice.headline}: {advice.detail}\n" if advice else ""
        self.label.setToolTip(about + self.tr("Click to sync now; File → Sync details… says more"))
        self.label.setStyleSheet(f"color: {color('error').name()}" if state.phase == "error" else "")
        self._refresh_details()
        self.state_changed.emit(state)

    def _refresh_details(self) -> None:
        if self.details is not None and self.state is not None:
            running = self.job is not None and not self.job.wait(0)
            self.details.show_state(self.state, *self.where, syncing=running)

    # -- the progress of a long round ------------------------------------------------------------------------------

    def _files(self, job: Job, done: int, total: int) -> None:
        if job is self.job:
            self.files = (done, total)

    def _show_progress(self) -> None:
        """Changes still to send (read on a connection of our own: the round writes on its own) or files
        downloaded, in the label and the bar."""
        if self.files and self.files[1]:
            done, total = self.files
            self.label.setText(self.tr("Syncing… · downloading {0} / {1} files").format(f"{done:,}", f"{total:,}"))
        elif self.path is not None:
            try:
                self.reader = self.reader or Workspace.open(self.path, readonly=True)
                pending = self.reader.pending_changes()
            except (WorkspaceError, CredentialsError) as exc:  # the next poll tries again; the round goes on
                log.debug("sync progress not readable: %s", exc)
                return
            self.pending_at_start = max(self.pending_at_start, pending)
            total, done = self.pending_at_start, self.pending_at_start - pending
            self.label.setText(state_text(SyncState("syncing", pending, 0, None, "")))
        else:
            return
        self.bar.setRange(0, total if 0 < done <= total else 0)  # busy until there is something to count
        self.bar.setValue(done)
        self.bar.show()

    def _round_ended(self) -> None:
        self.progress_timer.stop()
        self.bar.hide()
        if self.reader is not None:
            self.reader.close()
            self.reader = None


class WatchedCache(MediaCache):
    """The media cache of one round that reports each file downloaded as (done, to download), counted at the first
    download, and raises Cancelled at the next chunk once the job is cancelled."""

    def __init__(self, directory: Path, key: bytes, workspace: Workspace, job: JobState) -> None:
        super().__init__(directory, key)
        self.workspace, self.job = workspace, job
        self.done, self.total, self.downloading = 0, -1, ""

    def resume_point(self, sha: str) -> tuple[int, Any]:
        """A download starts (sync/client/media.py `download`)."""
        self._check()
        if self.total < 0:
            self.total = _not_downloaded(self.workspace, self)
            self.job.set_progress(0, self.total)
        self.downloading = sha
        return super().resume_point(sha)

    def append(self, sha: str, index: int, data: bytes) -> None:
        self._check()
        super().append(sha, index, data)

    def finish(self, sha: str) -> None:
        super().finish(sha)
        if sha == self.downloading:
            self.done += 1
            self.job.set_progress(min(self.done, self.total), self.total)

    def _check(self) -> None:
        if self.job.cancelled():
            raise Cancelled()


class WatchedKeys(KeyRing):
    """`keys` for one background round, whose media cache is a WatchedCache: SyncEngine and commands.clone take
    keys, so the app's rounds and clones run the command line's code and still show progress and stop on Cancel.
    Keys, credentials and the codec provider stay those of `keys`; `created` is the id of a workspace made."""

    def __init__(self, keys: KeyRing, job: JobState) -> None:
        super().__init__(keys.credentials)
        self.base, self.job = keys, job
        self.created = ""

    def key(self, workspace_id: str) -> bytes:
        return self.base.key(workspace_id)

    def new_key(self, workspace_id: str) -> bytes:
        self.created = workspace_id
        return self.base.new_key(workspace_id)

    def install(self) -> None:
        self.base.install()

    def media_cache(self, workspace: Workspace) -> MediaCache:
        directory = super().media_cache(workspace).directory
        return WatchedCache(directory, self.key(workspace.workspace_id), workspace, self.job)


def _not_downloaded(ws: Workspace, cache: MediaCache) -> int:
    """Distinct media of the workspace's synced tasks that are not in the cache: what a round downloads."""
    missing: set[str] = set()
    offset = 0
    while page := ws.tasks(offset, 1000):
        missing.update(sha for task in page if (sha := media_sha(task)) and not cache.has(sha))
        offset += len(page)
    return len(missing)


def _round(path: Path, keys: KeyRing, job: JobState) -> SyncState:
    """One sync round on the worker thread, with its own connection to the workspace."""
    with Workspace.open(path) as ws:
        try:
            engine = SyncEngine(ws, keys.credentials, WatchedKeys(keys, job))
        except (SyncError, CredentialsError) as exc:
            record_round(SyncStore(ws), "error", error_text(exc))
            return read_state(ws)
        try:
            return engine.sync_once()
        finally:
            engine.close()
