"""Review mode for leads: the queue of submitted work, and deciding it by keyboard.

Ctrl+Alt+K accepts the task on show and opens the next one in the queue; Ctrl+Alt+J asks for a reason and rejects
it. A lead's edits before accepting make it "accepted after fixes", which the server counts as a defect of the lot.
A decision is stored at once in the workspace (on the writer thread, after the edits before it) and sent with the
next push, so reviewing works offline; the queue leaves the task out from that moment. The next task's picture is
decoded ahead, so the next task shows without waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject
from PySide6.QtWidgets import QInputDialog

from core.media_kinds import IMAGE
from sync.client.review_store import QueueFilter, QueueRow, ReviewStore
from widgets.review_queue import ReviewQueuePanel

if TYPE_CHECKING:
    from desktop.window_api import QueueWindow

REVIEWER_ROLES = ("lead", "admin")
REASONS = (QT_TRANSLATE_NOOP("ReviewQueueController", "Wrong label"),
           QT_TRANSLATE_NOOP("ReviewQueueController", "Missing objects"),
           QT_TRANSLATE_NOOP("ReviewQueueController", "Extra objects"),
           QT_TRANSLATE_NOOP("ReviewQueueController", "Inaccurate outlines"),
           QT_TRANSLATE_NOOP("ReviewQueueController", "Wrong attributes"),
           QT_TRANSLATE_NOOP("ReviewQueueController", "Wrong transcription"))


class ReviewQueueController(QObject):
    """Owns the Review queue dock of a main window and the decide-and-go-on keys."""

    def __init__(self, window: QueueWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.panel = ReviewQueuePanel()
        self.dock = window.add_dock("Review queue", self.tr("Review queue"), self.panel)
        window.docks["Review queue"] = self.dock
        window.tabifyDockWidget(window.docks["Tasks"], self.dock)
        window.docks["Tasks"].raise_()
        self.dock.hide()
        self.filter = QueueFilter()
        self.rows: list[QueueRow] = []
        self.lots: list[dict[str, Any]] = []
        self.read_for: object = None  # the session whose queue `rows` holds, and ReviewStore.version() then
        self.read_version: tuple[Any, ...] = ()
        self.panel.filters_changed.connect(self._filtered)
        self.panel.chosen.connect(window.show_task)
        window.sync_status.state_changed.connect(lambda _state: self._synced())

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"review.queue": self.show_dock, "review.accept": self.accept, "review.reject": self.ask_reject,
                "review.next": lambda: self.go(1), "review.previous": lambda: self.go(-1)}

    def show_dock(self) -> None:
        self.refresh()
        self.dock.show()
        self.dock.raise_()
        self.panel.tree.setFocus()

    def _store(self) -> ReviewStore | None:
        session = self.window.session
        return ReviewStore(session.reader) if session is not None else None

    def refresh(self) -> None:
        """Read the queue with the filters in force (the dock shown, a filter changed, a sync round ended, another
        workspace opened), and the lot of the task on show."""
        store, session = self._store(), self.window.session
        if store is None or session is None:
            return
        self.read_for, self.read_version = session, store.version()
        self.lots = store.lots()
        self.rows = store.queue(self.filter)
        self.panel.set_choices(store.submitters(),
                               [str(lot["key"]) for lot in self.lots], list(session.schema.names()),
                               [str(stage["name"]) for stage in store.stages()])
        current = session.task.id if session.task is not None else None
        self.panel.set_rows(self.rows, current)
        self._show_lot(store, current)

    def _synced(self) -> None:
        """A sync round ended: read the queue again only when the round changed what it is made of."""
        store = self._store()
        if store is not None and store.version() != self.read_version:
            self.refresh()

    def task_shown(self) -> None:
        """Mark the task on show in the queue, and decode the next one ahead. The rows read last stand until a
        sync round or a filter changes them (a decision takes out its own row): reading a big project's queue again
        on every task would cost more than the review loop may wait (docs/benchmarks.md, bench_review_queue)."""
        store, session = self._store(), self.window.session
        if store is None or session is None:
            return
        if self.read_for is not session:
            self.refresh()
        else:
            current = session.task.id if session.task is not None else None
            self.panel.set_current(current)
            self._show_lot(store, current)
        following = self._following(1)
        if following is not None:
            task = session.reader.task(following.task_id)
            if task.kind == IMAGE.name:
                session.images.request(task.media_path)

    def _show_lot(self, store: ReviewStore, current: int | None) -> None:
        state = store.sync.review_state(current) if current is not None else None
        lot = next((lot for lot in self.lots if state and state["server_id"] in (lot.get("task_ids") or ())), None)
        self.panel.set_lot(self.panel.lot_text(lot, store.waiting(lot.get("sample") or ()) if lot else 0))

    def _filtered(self, where: QueueFilter) -> None:
        self.filter = where
        self.refresh()

    # -- deciding ------------------------------------------------------------------------------------------------

    def accept(self) -> bool:
        editor = self.window.session.editor if self.window.session is not None else None
        return self.decide("accept", fixed=bool(editor is not None and editor.can_undo))

    def ask_reject(self) -> bool:
        reason, ok = QInputDialog.getItem(self.window.canvas.window(), self.tr("Reject"),
                                          self.tr("Why is it rejected? The annotator sees this."),
                                          [self.tr(r) for r in REASONS], 0, True)
        return self.decide("reject", reason=reason.strip()) if ok and reason.strip() else False

    def decide(self, decision: str, reason: str = "", fixed: bool = False) -> bool:
        """Store the decision on the task on show and open the next one in the queue."""
        session = self.window.session
        if session is None or session.task is None:
            return False
        problem = self._cannot_decide()
        if problem:
            self.window.statusBar().showMessage(problem, 5000)
            return False
        task = session.task
        following = self._following(1)
        session.writer.call(ReviewStore(session.writer_ws).decide, task.id, decision, reason, fixed).result()
        words = {"accept": self.tr("Accepted after fixes") if fixed else self.tr("Accepted"),
                 "reject": self.tr("Rejected")}[decision]
        self.window.statusBar().showMessage(self.tr("{0}: {1} (sent with the next sync)").format(words, task.name),
                                            4000)
        self.rows = [r for r in self.rows if r.task_id != task.id]  # decided here: out of the queue at once
        self.panel.remove_row(task.id)
        session.tasks_changed.emit()
        if following is not None:
            self.window.show_task(following.task_id)
        else:
            self.refresh()
            self.window.statusBar().showMessage(self.tr("{0}: {1}. The queue is empty.").format(words, task.name),
                                                5000)
        return True

    def _cannot_decide(self) -> str:
        store, session = self._store(), self.window.session
        assert store is not None and session is not None and session.task is not None
        if store.role() not in REVIEWER_ROLES:
            return self.tr("Only a lead or an admin can accept or reject work")
        state = store.sync.review_state(session.task.id)
        if state is None:
            return self.tr("This task is not from a server, so it cannot be reviewed")
        if state["server_status"] != "submitted" or store.waiting([state["server_id"]]):
            return self.tr("Only submitted work waiting for review can be accepted or rejected")
        return ""

    def go(self, step: int) -> None:
        row = self._following(step)
        if row is None:
            self.window.statusBar().showMessage(self.tr("No more tasks in the review queue"), 3000)
            return
        self.window.show_task(row.task_id)

    def _following(self, step: int) -> QueueRow | None:
        """The queue row `step` places from the task on show (the first or last one when it is not queued)."""
        if not self.rows:
            return None
        session = self.window.session
        current = session.task.id if session is not None and session.task is not None else None
        ids = [r.task_id for r in self.rows]
        if current not in ids:
            return self.rows[0 if step > 0 else -1]
        i = ids.index(current) + step
        return self.rows[i] if 0 <= i < len(self.rows) else None
