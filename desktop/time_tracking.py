"""Time tracking in the app: active time on the task on show, counted from the person's input, stored with the task.

An event filter on the application sees key presses, mouse presses, moves and wheel turns while the main window is
the active window; core/active_time.py decides what counts (a pause over the `idle_after` setting is idle). A new
task, the window losing focus and the workspace closing end the current stretch. Each piece (about 30 s of counted
time, or a stretch's end) is written through the session's writer thread, in order with the edits, as a row of
`task_time` with its outbox row (sync/time_log.py), and sync sends it once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from core.active_time import ActiveTime, Stretch
from sync import time_log

if TYPE_CHECKING:
    from desktop.session import TaskSession
    from desktop.window_api import TimeWindow

log = logging.getLogger(__name__)
INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
                   QEvent.Type.MouseMove, QEvent.Type.Wheel})
CHECK_MS = 30_000  # how often a stretch left idle is ended and stored without waiting for the next event

Key = tuple["TaskSession", int]  # the session and the task's local id


def duration_text(seconds: float) -> str:
    """45 s, 3 min, 1 h 05 min."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class TimeTracker(QObject):
    """Counts the active time of the window's task on show; `clock` gives seconds since the epoch (tests fake it)."""

    def __init__(self, window: TimeWindow, clock: Callable[[], float] = time.time) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.clock = clock
        self.counter: ActiveTime[Key] = ActiveTime(window.settings.idle_after)
        self._session: TaskSession | None = None  # the latest session whose signals are connected
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._check_idle)
        self.timer.start(CHECK_MS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in INPUT:
            if self.window.isActiveWindow():
                self._input()
        elif kind == QEvent.Type.WindowDeactivate and watched is self.window:
            self.end()
        return False

    def _input(self) -> None:
        session = self.window.session
        task = session.task if session is not None else None
        if session is None or task is None:
            self.end()
            return
        if session is not self._session:
            self._session = session
            session.task_opened.connect(self._task_opened)
            session.closing.connect(lambda: self._closing(session))
        self._store(self.counter.feed((session, task.id), self.clock()))

    def end(self) -> None:
        """End the current stretch and store it (the window lost focus; tests)."""
        self._store(self.counter.end())

    def label(self) -> str:
        """The active time of the task on show, stored and still counting, for the status bar ("" for none)."""
        session = self.window.session
        if session is None or session.task is None:
            return ""
        seconds = time_log.task_seconds(session.reader, session.task.id)
        if self.counter.key == (session, session.task.id):
            seconds += self.counter.pending
        return f"  ·  {duration_text(seconds)}" if seconds >= 1 else ""

    def _task_opened(self, task: Any) -> None:
        key = self.counter.key
        if key is not None and key[1] != task.id:  # a reload of the same task goes on counting
            self.end()

    def _closing(self, session: TaskSession) -> None:
        key = self.counter.key
        if key is not None and key[0] is session:
            self.end()

    def _check_idle(self) -> None:
        last = self.counter.last
        if last is not None and self.clock() - last > self.counter.idle_after:
            self.end()

    def _store(self, pieces: Sequence[Stretch[Key]]) -> None:
        for piece in pieces:
            session, task_id = piece.key
            try:
                future = session.writer.call(time_log.add_time, session.writer_ws, task_id, piece.seconds,
                                             piece.started, piece.ended)
            except RuntimeError as exc:  # the writer has stopped: the workspace is closed
                log.warning("active time on task %s not stored: %s", task_id, exc)
                continue
            future.add_done_callback(_report)


def _report(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        log.warning("storing active time failed: %s", exc)
