"""The Review queue dock: the submitted tasks a lead has to decide, the lot each belongs to, and filters.

Rows are a model over the queue's QueueRows in queue order (a lot's sample in its drawn order), their text made
only for the rows on screen, so 8,000 sampled tasks fill the list at once; Enter or a double-click opens one. The
lot line above the list says how far the sample of the open task's lot is and what its plan decides.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QTreeView, QVBoxLayout, QWidget

from sync.client.review_store import QueueFilter, QueueRow
from widgets.review_panel import when
from widgets.theme import color

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
DAY = 86_400.0
PERIODS = ((0.0, QT_TRANSLATE_NOOP("ReviewQueuePanel", "Any time")),
           (DAY, QT_TRANSLATE_NOOP("ReviewQueuePanel", "Last 24 hours")),
           (7 * DAY, QT_TRANSLATE_NOOP("ReviewQueuePanel", "Last 7 days")))


AnyIndex = QModelIndex | QPersistentModelIndex


class QueueModel(QAbstractTableModel):
    """The queue's rows: task, annotator, lot (or a consensus task's agreement), submitted, stage; ROW_ROLE gives
    the task id."""

    def __init__(self, headers: Sequence[str]) -> None:
        super().__init__()
        self.headers = list(headers)
        self.rows: list[QueueRow] = []
        self._positions: dict[int, int] | None = None  # task id -> row, made when first asked for

    def set_rows(self, rows: Sequence[QueueRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._positions = None
        self.endResetModel()

    def position(self, task_id: int) -> int | None:
        if self._positions is None:
            self._positions = {row.task_id: i for i, row in enumerate(self.rows)}
        return self._positions.get(task_id)

    def remove(self, task_id: int) -> bool:
        i = self.position(task_id)
        if i is None:
            return False
        self.beginRemoveRows(QModelIndex(), i, i)
        del self.rows[i]
        self._positions = None
        self.endRemoveRows()
        return True

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row.task_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):  # the tip: a cut-off lot name
            return None
        column = index.column()
        if column == 2:
            return (QCoreApplication.translate("ReviewQueuePanel", "consensus: agreement {0:.2f}").format(
                row.agreement) if row.agreement is not None else row.lot or "–")
        return (row.name, row.annotator, "", when(row.submitted_at), row.stage)[column]


class ReviewQueuePanel(QWidget):
    """Filters, the lot line and the queue; `filters_changed` carries a QueueFilter, `chosen` a local task id."""

    filters_changed = Signal(object)
    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.annotator = QComboBox()
        self.lot = QComboBox()
        self.label = QComboBox()
        self.period = QComboBox()
        self.stage = QComboBox()
        self.stage.setToolTip(self.tr("The review stage the tasks wait at (only the stages you may decide at)"))
        for seconds, text in PERIODS:
            self.period.addItem(self.tr(text), seconds)
        self.sampled_only = QCheckBox(self.tr("Only the &samples of closed lots"))
        self.sampled_only.setChecked(True)
        self.sampled_only.setToolTip(self.tr("Off: every submitted task, also those outside a lot's sample"))
        form = QFormLayout()
        form.addRow(self.tr("Annotator"), self.annotator)
        form.addRow(self.tr("Lot"), self.lot)
        form.addRow(self.tr("Label"), self.label)
        form.addRow(self.tr("Submitted"), self.period)
        form.addRow(self.tr("Stage"), self.stage)
        self.form = form
        for box in (self.annotator, self.lot, self.label, self.period, self.stage):
            box.currentIndexChanged.connect(self._changed)
        self.sampled_only.toggled.connect(self._changed)
        self.lot_label = QLabel()
        self.lot_label.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(f"color: {color('muted').name()}")
        self.model = QueueModel([self.tr("Task"), self.tr("Annotator"), self.tr("Lot"), self.tr("Submitted"),
                                 self.tr("Stage")])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)  # a row's height is not asked of each of 8,000 rows
        self.tree.header().setResizeContentsPrecision(0)  # a column fits the rows on screen, not 1,000 of them
        self.tree.setAccessibleName(self.tr("Tasks waiting for review"))
        self.tree.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self.sampled_only)
        layout.addWidget(self.lot_label)
        layout.addWidget(self.count_label)
        layout.addWidget(self.tree, 1)
        self._show_stages(False)

    def _show_stages(self, shown: bool) -> None:
        """The Stage filter and column, for a project of more than one review stage."""
        self.form.setRowVisible(self.stage, shown)
        self.tree.setColumnHidden(4, not shown)

    def set_choices(self, annotators: Sequence[str], lots: Sequence[str], labels: Sequence[str],
                    stages: Sequence[str] = ()) -> None:
        """The filter values on offer; the current ones stay chosen where they still exist. `stages`: the
        project's review stages (the filter and the column show when there are several)."""
        self._show_stages(len(stages) > 1)
        for box, values in ((self.annotator, annotators), (self.lot, lots), (self.label, labels),
                            (self.stage, stages)):
            current = box.currentData() or ""
            box.blockSignals(True)
            box.clear()
            box.addItem(self.tr("All"), "")
            for value in values:
                box.addItem(value, value)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)

    def current_filter(self) -> QueueFilter:
        period = float(self.period.currentData() or 0.0)
        return QueueFilter(annotator=self.annotator.currentData() or "", lot=self.lot.currentData() or "",
                           label=self.label.currentData() or "", since=time.time() - period if period else 0.0,
                           sampled_only=self.sampled_only.isChecked(), stage=self.stage.currentData() or "")

    @property
    def rows(self) -> list[QueueRow]:
        return self.model.rows

    def set_rows(self, rows: Sequence[QueueRow], current: int | None = None) -> None:
        self.model.set_rows(rows)
        self.set_current(current)
        self._count()
        self.tree.resizeColumnToContents(0)

    def current_task(self) -> int | None:
        """The task id of the row marked, if any."""
        index = self.tree.currentIndex()
        return int(index.data(ROW_ROLE)) if index.isValid() else None

    def set_current(self, task_id: int | None) -> None:
        """Mark the row of the task on show (none when it is not queued)."""
        i = self.model.position(task_id) if task_id is not None else None
        if i is not None:
            self.tree.setCurrentIndex(self.model.index(i, 0))
        else:
            self.tree.clearSelection()
            self.tree.setCurrentIndex(QModelIndex())

    def remove_row(self, task_id: int) -> None:
        """Take a decided task's row out, leaving the others as they are."""
        if self.model.remove(task_id):
            self._count()

    def _count(self) -> None:
        n = len(self.model.rows)
        self.count_label.setText(self.tr("{0} tasks waiting").format(n) if n
                                 else self.tr("Nothing waiting for review with these filters."))

    def set_lot(self, text: str) -> None:
        self.lot_label.setText(text)
        self.lot_label.setVisible(bool(text))

    def lot_text(self, lot: dict[str, Any] | None, decided_here: int = 0) -> str:
        """A lot's state in words: its plan, how much of the sample is done, and the decision once there is one."""
        if lot is None:
            return ""
        plan = lot.get("plan") or {}
        head = self.tr("Lot {0}: {1} tasks").format(lot.get("key", ""), lot.get("size", 0))
        if plan.get("code_letter"):
            head += self.tr(", code letter {0}").format(plan["code_letter"])
        if lot.get("severity"):
            head += ", " + {"normal": self.tr("normal inspection"), "tightened": self.tr("tightened inspection"),
                            "reduced": self.tr("reduced inspection")}.get(str(lot["severity"]), str(lot["severity"]))
        status, defects, reviewed = lot.get("status"), lot.get("defects", 0), int(lot.get("reviewed", 0))
        if status == "open":
            return head + ". " + self.tr("Open: the sample is drawn when the lot closes.")
        if status == "accepted":
            return head + ". " + self.tr("Accepted: {0} defects in {1} reviewed.").format(defects, reviewed)
        if status == "rejected":
            return head + ". " + self.tr("Rejected: {0} defects in {1} reviewed.").format(defects, reviewed)
        if status == "inspecting":
            done = reviewed + decided_here
            return head + ". " + self.tr("Every task is reviewed (100 % inspection): {0} done.").format(done)
        text = self.tr("Sample {0} of {1} reviewed, {2} defects; accept with {3} or fewer, reject with {4} or "
                       "more.").format(reviewed + decided_here, plan.get("n", 0), defects, plan.get("ac", 0),
                                       plan.get("re", 1))
        if decided_here:
            text += " " + self.tr("({0} decided here, not synced yet)").format(decided_here)
        return head + ". " + text

    def _changed(self, *_args: object) -> None:
        self.filters_changed.emit(self.current_filter())

    def _activated(self, index: QModelIndex) -> None:
        self.chosen.emit(int(index.data(ROW_ROLE)))
