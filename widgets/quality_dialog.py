"""Review → Consensus and gold…: a lead's quality settings, the consensus draw, gold marks and mixes, and the
per-annotator quality report, in four tabs. The dialog only asks (its signals) and shows (its set_* methods); the
calls to the server run on a worker thread in desktop/quality.py."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

MAX_ANNOTATORS = 20  # per consensus task, as the server allows (qa_settings.MAX_ANNOTATORS)
GOLD_COLUMNS = ("task_id", "version", "shapes", "replicas", "scored")  # of GET /projects/{id}/gold's items
REPORT_TITLES = {  # the quality report's columns (sync/server/quality_report.py COLUMNS); another one shows its name
    "annotator": QT_TRANSLATE_NOOP("quality_report", "Annotator"),
    "consensus_tasks": QT_TRANSLATE_NOOP("quality_report", "Consensus tasks"),
    "consensus_agreement": QT_TRANSLATE_NOOP("quality_report", "Consensus agreement"),
    "gold_tasks": QT_TRANSLATE_NOOP("quality_report", "Gold tasks"),
    "gold_accuracy": QT_TRANSLATE_NOOP("quality_report", "Gold accuracy"),
    "reviewed": QT_TRANSLATE_NOOP("quality_report", "Reviewed"),
    "accepted": QT_TRANSLATE_NOOP("quality_report", "Accepted"),
    "rejected": QT_TRANSLATE_NOOP("quality_report", "Rejected"),
    "fixed": QT_TRANSLATE_NOOP("quality_report", "Fixed"),
}


def fraction(value: float, low: float = 0.0, special: str = "") -> QDoubleSpinBox:
    """A 0-1 box in steps of 0.05; with `special`, its lowest value means "the project's setting" (None)."""
    box = QDoubleSpinBox()
    box.setRange(low, 1.0)
    box.setDecimals(2)
    box.setSingleStep(0.05)
    box.setValue(value)
    if special:
        box.setSpecialValueText(special)
    return box


def checkable_list() -> QListWidget:
    names = QListWidget()
    names.setMaximumHeight(180)
    return names


def checked(names: QListWidget) -> list[str]:
    return [names.item(i).text() for i in range(names.count())
            if names.item(i).checkState() == Qt.CheckState.Checked]


def optional(box: QDoubleSpinBox) -> float | None:
    """None when the box shows its special value: the server takes the project's setting."""
    return None if box.value() == box.minimum() else box.value()


def fill(table: QTableWidget, columns: Sequence[str], items: Sequence[dict[str, Any]]) -> None:
    """One row per item, one cell per column; numbers right-aligned, floats to 3 places, None as "-"."""
    table.setRowCount(len(items))
    for row, item in enumerate(items):
        for col, key in enumerate(columns):
            value = item.get(key)
            text = "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
            cell = QTableWidgetItem(text)
            if not isinstance(value, str):
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, col, cell)
    table.resizeColumnsToContents()


class QualityDialog(QDialog):
    """The tabs Settings, Consensus, Gold and Results; `set_state` says how the last call went."""

    reload_requested = Signal()
    save_requested = Signal(object)  # {"consensus": {...} | None, "gold": {...} | None}
    consensus_requested = Signal(object, object, str)  # annotators, share or None, seed ("" for a random one)
    gold_mark_requested = Signal(bool)  # True: the tasks selected in the task list; False: the task on show
    gold_mix_requested = Signal(object, object, int)  # annotators, rate or None, tasks to assign to each

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Consensus and gold"))
        self.resize(900, 560)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._settings_tab(), self.tr("Settings"))
        self.tabs.addTab(self._consensus_tab(), self.tr("Consensus"))
        self.tabs.addTab(self._gold_tab(), self.tr("Gold"))
        self.tabs.addTab(self._results_tab(), self.tr("Results"))
        self.state = QLabel()
        self.state.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.state)
        layout.addWidget(buttons)
        self.columns: list[str] = []
        self.items: list[dict[str, Any]] = []

    # -- the tabs ------------------------------------------------------------------------------------------------

    def _settings_tab(self) -> QWidget:
        self.consensus_on = QGroupBox(self.tr("Consensus tasks"))
        self.consensus_on.setCheckable(True)
        self.share = fraction(0.1, 0.01)
        self.per_task = QSpinBox()
        self.per_task.setRange(2, MAX_ANNOTATORS)
        self.quorum = QSpinBox()
        self.quorum.setRange(1, MAX_ANNOTATORS)
        self.per_task.valueChanged.connect(self.quorum.setMaximum)
        self.min_agreement = fraction(0.6)
        self.consensus_threshold = fraction(0.5, 0.05)
        form = QFormLayout(self.consensus_on)
        form.addRow(self.tr("Share of new tasks drawn"), self.share)
        form.addRow(self.tr("Annotators per task"), self.per_task)
        form.addRow(self.tr("Quorum (annotators who keep a shape)"), self.quorum)
        form.addRow(self.tr("Least agreement (below: to a lead)"), self.min_agreement)
        form.addRow(self.tr("Objects match at IoU"), self.consensus_threshold)
        self.gold_on = QGroupBox(self.tr("Gold tasks"))
        self.gold_on.setCheckable(True)
        self.gold_rate = fraction(0.05, 0.01)
        self.gold_threshold = fraction(0.5, 0.05)
        form = QFormLayout(self.gold_on)
        form.addRow(self.tr("Gold replicas per real task"), self.gold_rate)
        form.addRow(self.tr("Objects match at IoU"), self.gold_threshold)
        self.reload_button = QPushButton(self.tr("Reload"))
        self.reload_button.clicked.connect(self.reload_requested)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.settings()))
        return self._page([self.consensus_on, self.gold_on], [self.reload_button, self.save_button])

    def _consensus_tab(self) -> QWidget:
        self.consensus_names = checkable_list()
        self.draw_share = fraction(0.0, 0.0, self.tr("the project's setting"))
        self.seed = QLineEdit()
        self.seed.setMaxLength(64)
        self.seed.setPlaceholderText(self.tr("a fresh random seed"))
        form = QFormLayout()
        form.addRow(self.tr("Share of new tasks"), self.draw_share)
        form.addRow(self.tr("Seed"), self.seed)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(lambda: self.consensus_requested.emit(
            checked(self.consensus_names), optional(self.draw_share), self.seed.text().strip()))
        self.drawn = QLabel()
        self.drawn.setWordWrap(True)
        head = QLabel(self.tr("Each drawn task goes to the annotators per task of the settings, chosen among these:"))
        return self._page([head, self.consensus_names, form, self.drawn], [self.start_button])

    def _gold_tab(self) -> QWidget:
        self.mark_button = QPushButton(self.tr("Mark the current task as gold"))
        self.mark_button.setToolTip(self.tr("An accepted task: its answer becomes the known answer"))
        self.mark_button.clicked.connect(lambda: self.gold_mark_requested.emit(False))
        self.mark_selected_button = QPushButton(self.tr("Mark the selected tasks as gold"))
        self.mark_selected_button.setToolTip(self.tr("The tasks selected in the task list (Shift/Ctrl+click)"))
        self.mark_selected_button.clicked.connect(lambda: self.gold_mark_requested.emit(True))
        marks = QHBoxLayout()
        marks.addWidget(self.mark_button)
        marks.addWidget(self.mark_selected_button)
        marks.addStretch(1)
        self.gold_table = QTableWidget(0, len(GOLD_COLUMNS))
        self.gold_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.gold_table.setHorizontalHeaderLabels([self.tr("Task"), self.tr("Answer version"), self.tr("Shapes"),
                                                   self.tr("Replicas"), self.tr("Scored")])
        self.gold_table.setMaximumHeight(140)
        self.gold_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.gold_table.horizontalHeader().setStretchLastSection(True)
        self.gold_names = checkable_list()
        self.mix_rate = fraction(0.0, 0.0, self.tr("the project's setting"))
        self.assign = QSpinBox()
        self.assign.setRange(0, 100_000)
        form = QFormLayout()
        form.addRow(self.tr("Gold replicas per real task"), self.mix_rate)
        form.addRow(self.tr("Also assign new tasks to each"), self.assign)
        self.mix_button = QPushButton(self.tr("Mix gold into their queues"))
        self.mix_button.clicked.connect(lambda: self.gold_mix_requested.emit(
            checked(self.gold_names), optional(self.mix_rate), self.assign.value()))
        self.gold_done = QLabel()
        self.gold_done.setWordWrap(True)
        return self._page([marks, self.gold_table, QLabel(self.tr("Annotators who get gold replicas, unannounced:")),
                           self.gold_names, form, self.gold_done], [self.mix_button])

    def _results_tab(self) -> QWidget:
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload_requested)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self._ask_export)
        return self._page([self.table], [self.refresh_button, self.export_button], stretch=False)

    @staticmethod
    def _page(parts: Sequence[QWidget | QFormLayout | QHBoxLayout], buttons: Sequence[QPushButton],
              stretch: bool = True) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        for part in parts:
            layout.addLayout(part) if isinstance(part, (QFormLayout, QHBoxLayout)) else layout.addWidget(part)
        if stretch:
            layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        layout.addLayout(row)
        return page

    # -- what the controller shows -------------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The Settings tab as PUT /projects/{id}/quality/settings takes it (an unchecked group: off)."""
        consensus = {"share": self.share.value(), "annotators": self.per_task.value(), "quorum": self.quorum.value(),
                     "min_agreement": self.min_agreement.value(), "threshold": self.consensus_threshold.value()}
        gold = {"rate": self.gold_rate.value(), "threshold": self.gold_threshold.value()}
        return {"consensus": consensus if self.consensus_on.isChecked() else None,
                "gold": gold if self.gold_on.isChecked() else None}

    def set_settings(self, settings: dict[str, Any]) -> None:
        consensus, gold = settings.get("consensus"), settings.get("gold")
        self.consensus_on.setChecked(consensus is not None)
        if consensus:
            self.per_task.setValue(int(consensus["annotators"]))
            for box, key in ((self.share, "share"), (self.min_agreement, "min_agreement"),
                             (self.consensus_threshold, "threshold"), (self.quorum, "quorum")):
                box.setValue(consensus[key])
        self.gold_on.setChecked(gold is not None)
        if gold:
            self.gold_rate.setValue(float(gold["rate"]))
            self.gold_threshold.setValue(float(gold["threshold"]))

    def set_annotators(self, names: Sequence[str]) -> None:
        """Both lists, unchecked except the names checked before."""
        for box in (self.consensus_names, self.gold_names):
            keep = set(checked(box))
            box.clear()
            for name in names:
                item = QListWidgetItem(name, box)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in keep else Qt.CheckState.Unchecked)

    def set_results(self, columns: Sequence[str], items: Sequence[dict[str, Any]]) -> None:
        self.columns, self.items = list(columns), list(items)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("quality_report", REPORT_TITLES[c])
                                              if c in REPORT_TITLES else c.replace("_", " ") for c in columns])
        fill(self.table, columns, items)

    def set_gold(self, items: Sequence[dict[str, Any]]) -> None:
        """The project's gold tasks (GET /projects/{id}/gold), one row each."""
        fill(self.gold_table, GOLD_COLUMNS, items)

    def set_state(self, text: str, warn: bool = False, busy: bool = False) -> None:
        """How the last call went; while `busy` (a call on its way) the buttons that call the server are off."""
        for button in (self.reload_button, self.save_button, self.start_button, self.mark_button,
                       self.mark_selected_button, self.mix_button, self.refresh_button):
            button.setEnabled(not busy)
        self.state.setText(text)
        self.state.setStyleSheet("color: #c0392b;" if warn else "")
        self.state.setProperty("warn", warn)

    def export_csv(self, path: Path) -> None:
        """The results on show as CSV with a header line (None: an empty cell)."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(self.columns)
            writer.writerows([["" if i.get(c) is None else i.get(c) for c in self.columns] for i in self.items])

    def _ask_export(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, self.tr("Export the quality report"), "quality.csv",
                                                    self.tr("CSV files (*.csv)"))
        if not name:
            return
        try:
            self.export_csv(Path(name))
        except OSError as exc:
            self.set_state(self.tr("Could not write {0}: {1}").format(name, exc.strerror or exc), warn=True)
            return
        self.set_state(self.tr("Saved {0}").format(name))
