"""Review → Consensus and gold…: a lead runs consensus and gold tasks from the app. The dialog
(widgets/quality_dialog.py) asks; each call to the server (sync/client/quality.py) runs on a worker thread, one at a
time, and the dialog says in words when the server cannot be reached or refuses. The entry is enabled in a
workspace whose user the server knows as a lead or an admin (after each sync round, which brings the role)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject

from desktop.jobs import Job
from sync.client import dashboard, quality
from sync.client.dashboard import Fetched
from widgets.messages import translated
from widgets.quality_dialog import QualityDialog

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from desktop.sync_status import SyncStatus
    from desktop.window_api import Shell
    from widgets.task_list import TaskListWidget

    class QualityWindow(Shell, Protocol):
        sync_status: SyncStatus
        actions_by_id: dict[str, QAction]
        tasks: TaskListWidget

ACTION = "review.quality"
LEAD_ROLES = ("lead", "admin")


class QualityController(QObject):
    """Owns the dialog and the one job on its way."""

    def __init__(self, window: QualityWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.dialog: QualityDialog | None = None
        self.job: Job | None = None
        window.sync_status.state_changed.connect(lambda _state: self.update_action())

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {ACTION: self.show}

    def install(self) -> None:
        """Once the actions exist: the entry starts disabled until a lead's workspace is open."""
        self.update_action()

    def where(self) -> dashboard.Where | None:
        """The open workspace's server and project, when its user is a lead or an admin there."""
        session = self.window.session
        at = dashboard.where(session.reader) if session is not None else None
        return at if at is not None and at.role in LEAD_ROLES else None

    def update_action(self) -> None:
        action = self.window.actions_by_id.get(ACTION)
        if action is not None:
            action.setEnabled(self.where() is not None)

    def show(self) -> QualityDialog | None:
        """Open the dialog and read the settings, the annotators and the report."""
        if self.where() is None:
            self.window.statusBar().showMessage(self.tr(
                "Consensus and gold are for the leads and admins of a project cloned from a server"), 6000)
            return None
        if self.dialog is None:
            dialog = self.dialog = QualityDialog(self.window.canvas.window())
            dialog.reload_requested.connect(self.load)
            dialog.save_requested.connect(self.save)
            dialog.consensus_requested.connect(self.start_consensus)
            dialog.gold_mark_requested.connect(self.mark_gold)
            dialog.gold_mix_requested.connect(self.mix_gold)
        self.dialog.show()
        self.dialog.raise_()
        self.load()
        return self.dialog

    # -- the calls -----------------------------------------------------------------------------------------------

    def _run(self, title: str, call: Callable[[dashboard.Where, Any], Any], done: Callable[[Any], None]) -> None:
        """`call(at, credentials)` on a worker thread, then `done(its result)` here; one call at a time."""
        at, dialog = self.where(), self.dialog
        if at is None or dialog is None:
            return
        if self.job is not None and not self.job.wait(0):
            dialog.set_state(self.tr("Still waiting for the server's last answer…"), busy=True)
            return
        dialog.set_state(self.tr("{0}…").format(title), busy=True)
        credentials = self.window.sync_status.keys.credentials
        job = self.job = Job(title, lambda _state: call(at, credentials), self)
        job.finished.connect(done)
        job.failed.connect(lambda message: dialog.set_state(message, warn=True))
        job.start()

    def _ok(self, fetched: Fetched) -> bool:
        """Whether the call went through; if not, the dialog says why."""
        assert self.dialog is not None
        if fetched.state == "ok":
            return True
        if fetched.state == "refused":
            self.dialog.set_state(self.tr("The server refused: {0}").format(translated(fetched.reason)), warn=True)
        else:
            self.dialog.set_state(self.tr("The server cannot be reached: {0}. Nothing was changed; try again when "
                                          "you are online.").format(translated(fetched.reason)), warn=True)
        return False

    def load(self) -> None:
        self._run(self.tr("Reading the settings and the report"), lambda at, c: (
            quality.get_settings(at, c), quality.annotators(at, c), quality.report(at, c), quality.gold_list(at, c)),
            self._loaded)

    def _loaded(self, answers: tuple[Fetched, Fetched, Fetched, Fetched]) -> None:
        if self.dialog is None or not all(self._ok(a) for a in answers):
            return
        settings, names, report, gold = (a.figures or {} for a in answers)
        self.dialog.set_settings(settings)
        self.dialog.set_annotators(names["items"])
        self.dialog.set_results(report["columns"], report["items"])
        self.dialog.set_gold(gold["items"])
        self.dialog.set_state(self.tr("Up to date: {0} annotators").format(len(names["items"])))

    def save(self, settings: dict[str, Any]) -> None:
        self._run(self.tr("Saving the settings"), lambda at, c: quality.save_settings(at, c, settings), self._saved)

    def _saved(self, fetched: Fetched) -> None:
        if self.dialog is not None and self._ok(fetched) and fetched.figures is not None:
            self.dialog.set_settings(fetched.figures)
            self.dialog.set_state(self.tr("Settings saved on the server"))

    def start_consensus(self, names: list[str], share: float | None, seed: str) -> None:
        if not names and self.dialog is not None:
            self.dialog.set_state(self.tr("Check the annotators who get the consensus tasks"), warn=True)
            return
        self._run(self.tr("Drawing consensus tasks"),
                  lambda at, c: quality.start_consensus(at, c, names, share, seed or None), self._drawn)

    def _drawn(self, fetched: Fetched) -> None:
        if self.dialog is None or not self._ok(fetched) or fetched.figures is None:
            return
        done = fetched.figures
        replicas = sum(len(o["replicas"]) for o in done["origins"])
        text = self.tr("{0} of {1} new tasks drawn for consensus (seed {2}); {3} replicas, {4} per task").format(
            len(done["origins"]), done["pool"], done["seed"], replicas, done["rules"]["annotators"])
        self.dialog.drawn.setText(text)
        self.dialog.set_state(text)

    def mark_gold(self, selected: bool) -> None:
        """The task on show, or the tasks selected in the task list, become gold; then the gold list is read again."""
        session = self.window.session
        task = session.task if session is not None else None
        local = self.window.tasks.selected_task_ids() if selected else [task.id] if task is not None else []
        server_ids = quality.server_task_ids(session.reader, local) if session is not None else []
        if not server_ids:
            if self.dialog is not None:
                self.dialog.set_state(self.tr("Select tasks of the server in the task list first") if selected
                                      else self.tr("Open a task of the server first"), warn=True)
            return
        self._run(self.tr("Marking {0} tasks as gold").format(len(server_ids)), lambda at, c: (
            quality.mark_gold(at, c, server_ids), quality.gold_list(at, c)), self._marked)

    def _marked(self, answers: tuple[Fetched, Fetched]) -> None:
        marked, listed = answers
        if self.dialog is None or not self._ok(marked) or marked.figures is None:
            return
        items = marked.figures["items"]
        if len(items) == 1:
            text = self.tr("Task {0} is gold: answer version {1}, {2} shapes").format(
                items[0]["task_id"], items[0]["version"], items[0]["shapes"])
        else:
            text = self.tr("{0} tasks are gold: {1}").format(len(items), ", ".join(str(i["task_id"]) for i in items))
        self._show_gold(listed, text)

    def _show_gold(self, listed: Fetched, text: str) -> None:
        """What a gold call did, and the gold list it leaves (unless reading that failed: then why)."""
        assert self.dialog is not None
        self.dialog.gold_done.setText(text)
        if self._ok(listed) and listed.figures is not None:
            self.dialog.set_gold(listed.figures["items"])
            self.dialog.set_state(text)

    def mix_gold(self, names: list[str], rate: float | None, assign: int) -> None:
        if not names and self.dialog is not None:
            self.dialog.set_state(self.tr("Check the annotators who get gold replicas"), warn=True)
            return
        self._run(self.tr("Mixing gold"), lambda at, c: (
            quality.mix_gold(at, c, names, rate, assign), quality.gold_list(at, c)), self._mixed)

    def _mixed(self, answers: tuple[Fetched, Fetched]) -> None:
        mixed, listed = answers
        if self.dialog is None or not self._ok(mixed) or mixed.figures is None:
            return
        done = mixed.figures
        made = sum(len(a["replicas"]) for a in done["annotators"])
        short = sum(a["short"] for a in done["annotators"])
        text = self.tr("{0} gold replicas mixed at {1:g} per real task (seed {2})").format(made, done["rate"],
                                                                                          done["seed"])
        if short:
            text += self.tr("; {0} short: not enough gold tasks new to them").format(short)
        self._show_gold(listed, text)

    def wait(self, timeout: float | None = None) -> bool:
        """Until the call on its way has ended (tests, shutdown)."""
        return self.job.wait(timeout) if self.job is not None else True
