"""Small pieces of the window: the background-job progress panel and the keyboard cheat sheet (F1)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.jobs import Job
from desktop.keymap import Binding


class ProgressPanel(QWidget):
    """A progress bar and a Cancel button in the status bar while a background job runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(220)
        self.cancel_button = QPushButton("Cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.job: Job | None = None
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def track(self, job: Job) -> None:
        self.job = job
        self.bar.setFormat(f"{job.title}: %v / %m")
        self.bar.setRange(0, 0)  # busy until the first progress report gives a total
        job.progress.connect(self._progress)
        job.finished.connect(self._done)
        job.failed.connect(self._done)
        self.show()

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.bar.setFormat(f"{self.job.title}: cancelling…")

    def _done(self, *_: object) -> None:
        self.job = None
        self.hide()


def keymap_dialog(parent: QWidget, keymap: dict[str, Binding]) -> QDialog:
    """The effective keymap: action, keys, scope and where the binding came from (default, preset, user)."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(keymap), 4)
    table.setHorizontalHeaderLabels(["Action", "Keys", "Scope", "From"])
    for row, binding in enumerate(keymap.values()):
        text = binding.action.text + (f" — {binding.action.tip}" if binding.action.tip else "")
        for col, value in enumerate((text, "  /  ".join(binding.keys), binding.action.scope, binding.origin)):
            table.setItem(row, col, QTableWidgetItem(value))
    table.resizeColumnsToContents()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    dialog.resize(900, 600)
    return dialog
