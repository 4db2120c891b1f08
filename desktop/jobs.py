"""Background work off the UI thread, with progress and cancellation (Orange3's ConcurrentWidgetMixin shape).

A job is a plain function `run(state)` that reports progress through `state.set_progress(done, total)` and checks
`state.cancelled()`; it can be unit-tested without Qt. Results, errors and progress come back to the UI thread as
signals. One writer for the database: `WorkspaceWriter` commits every edit on a single worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.document import Change
from sync.workspace import Workspace
from widgets.messages import translated

log = logging.getLogger(__name__)


class JobState:
    """What a running job sees: a progress sink and a cancel flag."""

    def __init__(self, on_progress: Callable[[int, int], None]) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    def set_progress(self, done: int, total: int) -> None:
        self._on_progress(done, total)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class Job(QObject):
    """Runs `fn(state)` on a worker thread; emits progress, then finished(result) or failed(message)."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, title: str, fn: Callable[[JobState], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self._fn = fn
        self.state = JobState(self.progress.emit)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"job: {self.title}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self.state.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (tests and shutdown); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        try:
            result = self._fn(self.state)
        except Exception as exc:  # reported to the user; the app goes on
            log.exception("job %s failed", self.title)
            self.failed.emit(f"{self.title}: {translated(exc)}")
        else:
            self.finished.emit(result)


class WorkspaceWriter(QObject):
    """The single writer: commits each edit in order on one thread and reports when it is durable."""

    saved = Signal(int)  # number of commits still queued after this one
    failed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workspace-writer")
        self._queued = 0
        self._lock = threading.Lock()

    def commit(self, task_id: int, changes: Sequence[Change]) -> Future[int]:
        with self._lock:
            self._queued += 1
        future = self._pool.submit(self.workspace.commit, task_id, list(changes))
        future.add_done_callback(self._done)
        return future

    def call(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run any other write (task status, schema) in order with the edits."""
        return self._pool.submit(fn, *args)

    def pending(self) -> int:
        with self._lock:
            return self._queued

    def flush(self) -> None:
        """Wait until every queued write is stored (used on task switch and shutdown)."""
        self._pool.submit(lambda: None).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _done(self, future: Future[int]) -> None:
        with self._lock:
            self._queued -= 1
            left = self._queued
        exc = future.exception()
        if exc is not None:
            log.error("saving an edit failed: %s", exc)
            self.failed.emit(self.tr("Could not save the last edit: {0}").format(translated(exc)))
        else:
            self.saved.emit(left)
