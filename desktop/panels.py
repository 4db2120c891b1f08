"""Small pieces of the window: the background-job progress panel and the shortcuts editor's wiring (F1)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QProgressBar, QPushButton, QWidget

from desktop.jobs import Job
from desktop.keymap import PRESET_NAMES, KeymapDraft
from desktop.settings import Settings, save_settings
from widgets.shortcuts_editor import ShortcutsEditor


class ProgressPanel(QWidget):
    """A progress bar and a Cancel button in the status bar while a background job runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(220)
        self.cancel_button = QPushButton(self.tr("Cancel"))
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
            self.bar.setFormat(self.tr("{0}: cancelling…").format(self.job.title))

    def _done(self, *_: object) -> None:
        self.job = None
        self.hide()


def keymap_dialog(parent: QWidget | None, settings: Settings,
                  on_saved: Callable[[], None] | None = None) -> ShortcutsEditor:
    """The shortcuts editor on the settings' keymap (F1). OK writes the preset and the user's keys to the settings
    file and then calls `on_saved` (the window takes them at once); Cancel changes nothing."""
    draft = KeymapDraft(settings.keymap_preset, settings.keymap)
    dialog = ShortcutsEditor(draft, PRESET_NAMES, parent)

    def save() -> None:
        settings.keymap_preset, settings.keymap = draft.preset, draft.overrides()
        try:
            save_settings(settings)
        except OSError as exc:
            QMessageBox.warning(dialog, "Annodesk", QCoreApplication.translate(
                "panels", "The new keys work now, but could not be saved: {0}").format(exc))
        if on_saved is not None:
            on_saved()

    dialog.accepted.connect(save)
    return dialog
