"""File → Import annotations… and Export annotations…: the dialogs that ask what to run, and the summary after it.

The format list and each format's fields come from the format table (core/formats/entries.py): a format's options
(YOLO's task, per-frame COCO's JPEGs) are combo boxes of the values its rows declare, so a new format, or a new value
of an option, needs nothing here. The dialogs only build a request; desktop/transfer.py runs it in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.formats import Format, FormatEntry, FormatError, media_kinds_of
from core.formats.entries import entry_of
from widgets.messages import translated

KINDS = {"image": QT_TRANSLATE_NOOP("TransferDialog", "images"), "video": QT_TRANSLATE_NOOP("TransferDialog", "videos"),
         "audio": QT_TRANSLATE_NOOP("TransferDialog", "recordings")}
OPTION_TITLES = {"Task": QT_TRANSLATE_NOOP("TransferDialog", "Task"),  # the format rows' option names (core/formats)
                 "Frames": QT_TRANSLATE_NOOP("TransferDialog", "Frames")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("TransferDialog", text)


@dataclass(frozen=True, slots=True)
class ImportRequest:
    format: str
    path: Path
    task_ids: list[int] | None  # None: every task
    add_media: bool


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: str
    out_dir: Path
    task_ids: list[int] | None


def _kinds(entry: FormatEntry) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for row in entry.rows for k in media_kinds_of(row)))


class FormatChooser(QObject):
    """Rows of a dialog's form: the format (grouped by media kind), a field per option of the chosen one, and a line
    on what the chosen row reads or writes."""

    changed = Signal()

    def __init__(self, form: QFormLayout, entries: Sequence[FormatEntry], initial: str | None = None) -> None:
        super().__init__(form)
        self.form = form
        order = list(KINDS)
        self.entries = sorted(entries, key=lambda e: order.index(_kinds(e)[0]) if _kinds(e)[0] in order else 99)
        self.combo = QComboBox()
        for index, entry in enumerate(self.entries):
            if index and _kinds(entry)[:1] != _kinds(self.entries[index - 1])[:1]:
                self.combo.insertSeparator(self.combo.count())
            self.combo.addItem(entry.title, index)
        form.addRow(self.tr("Format"), self.combo)
        self._first_option = form.rowCount()
        self.about = QLabel()
        self.about.setWordWrap(True)
        form.addRow("", self.about)
        self.option_boxes: dict[str, QComboBox] = {}
        self.combo.currentIndexChanged.connect(self._entry_changed)
        self._entry_changed()
        if initial:
            self.select(initial)

    def entry(self) -> FormatEntry:
        return self.entries[int(self.combo.currentData())]

    def chosen(self) -> Format:
        """The table row the fields name (FormatError when an entry has no row with that combination)."""
        return self.entry().resolve({key: box.currentText() for key, box in self.option_boxes.items()})

    def select(self, name: str) -> None:
        """Show the row called `name`: its entry, its option values."""
        found = entry_of(self.entries, name)
        if found is None:
            return
        entry, values = found
        self.combo.setCurrentIndex(self.combo.findData(self.entries.index(entry)))
        for key, value in values.items():
            self.option_boxes[key].setCurrentText(value)

    def _entry_changed(self) -> None:
        for box in self.option_boxes.values():
            self.form.removeRow(box)
        self.option_boxes = {}
        for row, (key, values) in enumerate(self.entry().fields().items(), self._first_option):
            box = QComboBox()
            box.addItems(values)
            box.currentIndexChanged.connect(self._option_changed)
            self.form.insertRow(row, _tr(OPTION_TITLES.get(key, key)), box)
            self.option_boxes[key] = box
        self._option_changed()

    def _option_changed(self) -> None:
        try:
            fmt = self.chosen()
        except FormatError as exc:
            self.about.setText(translated(exc))
        else:
            kinds = self.tr(" and ").join(_tr(KINDS.get(k, k)) for k in media_kinds_of(fmt))
            self.about.setText(f"{translated(fmt.description)}\n" + self.tr("Holds {0} · command line: --format {1}")
                               .format(kinds, fmt.name))
        self.changed.emit()


class _TransferDialog(QDialog):
    """What both dialogs share: the format, a path, all or the selected tasks, and why OK is off when it is."""

    def __init__(self, parent: QWidget | None, title: str, ok_text: str, path_label: str, no_path: str,
                 entries: Sequence[FormatEntry], selected: Sequence[int], initial_format: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.no_path = no_path
        self.selected_ids = list(selected)
        self.form = QFormLayout()
        self.chooser = FormatChooser(self.form, entries, initial_format)
        self.path = QLineEdit()
        self.path_row = QHBoxLayout()
        self.path_row.addWidget(self.path, 1)
        self.all_tasks = QRadioButton(self.tr("All tasks"))
        self.selected_tasks = QRadioButton(self.tr("The selected tasks ({0})").format(len(self.selected_ids)))
        self.selected_tasks.setEnabled(bool(self.selected_ids))
        self.all_tasks.setChecked(True)
        tasks = QHBoxLayout()
        tasks.addWidget(self.all_tasks)
        tasks.addWidget(self.selected_tasks)
        tasks.addStretch(1)
        self.form.addRow(path_label, self.path_row)
        self.form.addRow(self.tr("Tasks"), tasks)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.chooser.changed.connect(self._validate)
        self.path.textChanged.connect(self._validate)
        self.setMinimumWidth(680)

    def _add_button(self, text: str, pick: Callable[[], None]) -> None:
        button = QPushButton(text)
        button.clicked.connect(pick)
        self.path_row.addWidget(button)

    def _task_ids(self) -> list[int] | None:
        return self.selected_ids if self.selected_tasks.isChecked() else None

    def _target(self) -> Path:
        return Path(self.path.text().strip())

    def _problem(self) -> str:
        """Why the request cannot run yet ('' when it can)."""
        try:
            self.chooser.chosen()
        except FormatError as exc:
            return translated(exc)
        return "" if self.path.text().strip() else self.no_path

    def _validate(self) -> None:
        problem = self._problem()
        self.status.setText(problem)
        self.ok.setEnabled(not problem)


class ImportDialog(_TransferDialog):
    """Which format, the file or folder to read, which tasks take annotations, whether media beside it is added."""

    def __init__(self, parent: QWidget | None, entries: Sequence[FormatEntry], selected: Sequence[int] = (),
                 initial_format: str | None = None, initial_path: str = "") -> None:
        super().__init__(parent, self.tr("Import annotations"), self.tr("Import"), self.tr("Read from"),
                         self.tr("Choose the file or folder to read"), entries, selected, initial_format)
        self.path.setPlaceholderText(self.tr("An annotation file, or the dataset's folder"))
        self._add_button(self.tr("File…"), self._pick_file)
        self._add_button(self.tr("Folder…"), self._pick_folder)
        self.add_media = QCheckBox(self.tr("Add the images, videos and recordings found beside it as new tasks"))
        self.add_media.setChecked(True)
        self.form.addRow("", self.add_media)
        self.selected_tasks.toggled.connect(lambda on: self.add_media.setEnabled(not on))
        self.path.setText(initial_path)
        self._validate()

    def _problem(self) -> str:
        problem = super()._problem()
        if not problem and not self._target().exists():
            return self.tr("{0}: no such file or folder").format(self._target())
        return problem

    def request(self) -> ImportRequest:
        on_selected = self.selected_tasks.isChecked()
        return ImportRequest(self.chooser.chosen().name, self._target(), self._task_ids(),
                             self.add_media.isChecked() and not on_selected)

    def _pick_file(self) -> None:
        entry = self.chooser.entry()
        types = " ".join(entry.file_types()) or "*"
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose an annotation file"), self.path.text(),
                                              f"{entry.title} ({types});;" + self.tr("All files (*)"))
        if name:
            self.path.setText(name)

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the dataset's folder"), self.path.text())
        if folder:
            self.path.setText(folder)


class ExportDialog(_TransferDialog):
    """Which format, the folder to write into, which tasks."""

    def __init__(self, parent: QWidget | None, entries: Sequence[FormatEntry], selected: Sequence[int] = (),
                 initial_format: str | None = None, initial_folder: str = "") -> None:
        super().__init__(parent, self.tr("Export annotations"), self.tr("Export"), self.tr("Write into"),
                         self.tr("Choose the folder to write into"), entries, selected, initial_format)
        self.path.setPlaceholderText(self.tr("A folder (made if it does not exist)"))
        self._add_button(self.tr("Folder…"), self._pick_folder)
        note = QLabel(self.tr("Written beside it first and moved in when complete: files of the same name are "
                              "replaced, the others kept; a failed or cancelled export changes nothing."))
        note.setWordWrap(True)
        self.form.addRow("", note)
        self.path.setText(initial_folder)
        self._validate()

    def _problem(self) -> str:
        problem = super()._problem()
        if not problem and self._target().exists() and not self._target().is_dir():
            return self.tr("{0}: a file, not a folder").format(self._target())
        return problem

    def request(self) -> ExportRequest:
        return ExportRequest(self.chooser.chosen().name, self._target(), self._task_ids())

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder to export into"), self.path.text())
        if folder:
            self.path.setText(folder)


class SummaryDialog(QDialog):
    """After a run: what it did (the lines `annodesk import` prints) and every per-item message, copyable."""

    def __init__(self, parent: QWidget | None, title: str, lines: Sequence[str], messages: Sequence[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.headline = QLabel("\n".join(lines))
        self.headline.setWordWrap(True)
        self.messages = QPlainTextEdit("\n".join(messages))
        self.messages.setReadOnly(True)
        self.messages.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        count = QLabel(self.tr("{0} messages: what was skipped, changed or left out, and why").format(len(messages))
                       if messages else self.tr("Nothing was skipped."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText("\n".join([*lines, *messages])))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(count)
        layout.addWidget(self.messages, 1)
        layout.addWidget(buttons)
        self.messages.setVisible(bool(messages))
        self.resize(820, 420 if messages else 160)
