"""Opening a synced (encrypted) workspace without freezing the window: its key is read on a worker thread.

The key comes from the OS keyring (calls that can take seconds: a locked keyring, a slow D-Bus) or from the passphrase
vault (a dialog, then scrypt). Meanwhile the canvas says "Unlocking workspace…" and the window keeps responding; a
worker that needs the passphrase asks through `PassphrasePrompt`, which shows the dialog on the UI thread and hands
the answer back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from desktop.jobs import Job
from sync.client.at_rest import KeyRing, MediaCache
from sync.client.credentials import CredentialsError
from sync.database import WorkspaceError
from sync.workspace import Workspace
from widgets.messages import translated

UNLOCKING = "Unlocking workspace…"
TITLE = "Unlock Annodesk"
NO_PASSPHRASE = "no passphrase given: the synced workspace stays locked"


class PassphrasePrompt(QObject):
    """`ask(prompt)` for the credential vault, callable from any thread: the dialog always runs on the UI thread and
    a worker waits for the answer. Cancel raises CredentialsError; so does `cancel_pending` (used before waiting for
    the workers, so a worker never waits for a dialog the UI thread can no longer show)."""

    _asked = Signal(str, object)  # prompt, Future[str]

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.dialog: QInputDialog | None = None  # the one on screen (tests answer it)
        self._pending: dict[Future[str], QInputDialog | None] = {}
        self._lock = threading.Lock()
        self._asked.connect(self._show)  # queued when emitted from a worker

    def ask(self, prompt: str) -> str:
        if QThread.currentThread() == self.thread():  # a read on the UI thread after all: a plain modal dialog
            text, ok = QInputDialog.getText(self.parent_widget, TITLE, prompt, QLineEdit.EchoMode.Password)
            if not ok:
                raise CredentialsError(NO_PASSPHRASE)
            return str(text)
        future: Future[str] = Future()
        with self._lock:
            self._pending[future] = None
        try:
            self._asked.emit(prompt, future)
            return future.result()
        finally:
            with self._lock:
                self._pending.pop(future, None)

    def cancel_pending(self) -> None:
        with self._lock:
            pending = list(self._pending.items())
        for future, dialog in pending:
            if future.done():  # answered: its dialog is closed and on its way out
                continue
            _settle(future, exception=CredentialsError(NO_PASSPHRASE))
            if dialog is not None:
                dialog.reject()

    def _show(self, prompt: str, future: Future[str]) -> None:
        if future.done():
            return
        dialog = QInputDialog(self.parent_widget)
        dialog.setWindowTitle(TITLE)
        dialog.setLabelText(prompt)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: _settle(future, result=dialog.textValue()))
        dialog.rejected.connect(lambda: _settle(future, exception=CredentialsError(NO_PASSPHRASE)))
        dialog.finished.connect(lambda _code: self._closed(dialog))
        with self._lock:
            if future in self._pending:
                self._pending[future] = dialog
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: QInputDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()


def _settle(future: Future[str], result: str = "", exception: Exception | None = None) -> None:
    """Complete a future once (the dialog and cancel_pending may both try)."""
    if future.done():
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)


def unlock(path: Path, keys: KeyRing) -> MediaCache | str:
    """On a worker: open the workspace once (the installed codec provider reads its key and keeps it in memory, and
    migrations run) and return its media cache (which needs the key in `keys` too), or why it stays locked."""
    try:
        with Workspace.open(path) as ws:
            return keys.media_cache(ws)
    except (CredentialsError, WorkspaceError) as exc:
        return translated(exc)


class Unlocker(QObject):
    """Runs `unlock` as a background job for the window and calls `on_unlocked(path, task_id, cache)` on the UI
    thread, or `on_failed(message)`; a later `start` or `stop` makes an earlier job's result be ignored."""

    def __init__(self, parent: QWidget, keys: KeyRing, prompt: PassphrasePrompt,
                 on_unlocked: Callable[[Path, int | None, MediaCache], None],
                 on_failed: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.keys, self.prompt = keys, prompt
        self._on_unlocked, self._on_failed = on_unlocked, on_failed
        self.job: Job | None = None

    def start(self, path: Path, task_id: int | None) -> Job:
        self.stop()
        keys = self.keys
        job = self.job = Job(UNLOCKING.rstrip("…"), lambda _state: unlock(path, keys), self)
        job.finished.connect(lambda result: self._done(job, path, task_id, result))
        job.failed.connect(lambda message: self._done(job, path, task_id, message))
        job.start()
        return job

    def stop(self) -> None:
        """Forget the job in flight: its passphrase dialog is cancelled and its thread waited for (a keyring call
        ends within its timeout)."""
        job, self.job = self.job, None
        if job is not None:
            self.prompt.cancel_pending()
            job.wait()

    def _done(self, job: Job, path: Path, task_id: int | None, result: MediaCache | str) -> None:
        if self.job is not job:
            return
        self.job = None
        if isinstance(result, MediaCache):
            self._on_unlocked(path, task_id, result)
        else:
            self._on_failed(result)
