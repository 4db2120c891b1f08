"""The task list: a virtual table over the workspace that reads only the pages the view shows.

A workspace may hold a million tasks. The model asks the workspace for the row count once and then fetches fixed-size
pages on demand, keeping a few recent pages, so opening the list costs one COUNT and one page query.
"""

from __future__ import annotations

from collections import OrderedDict
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
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableView, QVBoxLayout, QWidget

from core.annotation import Task, TaskStatus
from sync.workspace import Workspace
from widgets.theme import color

STATUS_ROLES = {  # the theme role of each status dot (widgets/theme.py)
    TaskStatus.NEW: "status_new",
    TaskStatus.IN_PROGRESS: "status_in_progress",
    TaskStatus.DONE: "status_done",
    TaskStatus.ERROR: "status_error",
}
STATUS_TEXT = {  # shown through status_text (translated)
    TaskStatus.NEW: QT_TRANSLATE_NOOP("task_list", "new"),
    TaskStatus.IN_PROGRESS: QT_TRANSLATE_NOOP("task_list", "in progress"),
    TaskStatus.DONE: QT_TRANSLATE_NOOP("task_list", "done"),
    TaskStatus.ERROR: QT_TRANSLATE_NOOP("task_list", "error"),
}
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def status_text(status: TaskStatus) -> str:
    """A task status in words, in the app's language."""
    return QCoreApplication.translate("task_list", STATUS_TEXT[status])


class TaskTableModel(QAbstractTableModel):
    """Rows are the workspace's tasks by id (optionally of one status); columns: name (with a status dot), status."""

    COLUMNS = (QT_TRANSLATE_NOOP("task_list", "Name"), QT_TRANSLATE_NOOP("task_list", "Status"))

    def __init__(
        self, workspace: Workspace, parent: QWidget | None = None, *, page_size: int = 200, max_pages: int = 16
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._page_size = page_size
        self._max_pages = max_pages
        self._status: TaskStatus | None = None
        self._pages: OrderedDict[int, list[Task]] = OrderedDict()
        self._count = workspace.task_count(None)
        self.pages_fetched = 0  # how many page queries ran; the benchmark and tests read it

    @property
    def status_filter(self) -> TaskStatus | None:
        return self._status

    def set_status_filter(self, status: TaskStatus | None) -> None:
        """Show only tasks of one status (None: all)."""
        self.beginResetModel()
        self._status = status
        self._pages.clear()
        self._count = self._workspace.task_count(status)
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read after statuses or tasks changed; the view keeps its scroll position when the count is the same."""
        self._pages.clear()
        count = self._workspace.task_count(self._status)
        if count != self._count:
            self.beginResetModel()
            self._count = count
            self.endResetModel()
        elif count:
            self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(self.COLUMNS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("task_list", self.COLUMNS[section])
        return None

    def task_at(self, row: int) -> Task | None:
        """The task shown in a row, fetching its page if needed."""
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._workspace.tasks(number * self._page_size, self._page_size, self._status)
            self.pages_fetched += 1
            self._pages[number] = page
            if len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def row_of(self, task_id: int) -> int:
        """Row of a task under the current filter, or -1 when the filter hides it or it does not exist."""
        try:
            task = self._workspace.task(task_id)
        except KeyError:
            return -1
        if self._status is not None and task.status != self._status:
            return -1
        return self._workspace.task_row(task_id, self._status)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        task = self.task_at(index.row())
        if task is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return task.name if column == 0 else status_text(task.status)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return color(STATUS_ROLES[task.status])
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and task.status is TaskStatus.ERROR:
            return color(STATUS_ROLES[TaskStatus.ERROR])
        if role == Qt.ItemDataRole.ToolTipRole:
            if task.status is TaskStatus.ERROR:
                return task.media_path + "\n" + QCoreApplication.translate("task_list", "Error: {0}").format(task.error)
            return task.media_path
        if role == TASK_ID_ROLE:
            return task.id
        return None


class TaskListWidget(QWidget):
    """A status filter above the task table. Activating a row (double-click, Enter) emits task_activated."""

    task_activated = Signal(int)
    FILTERS = (  # the filter's texts (translated where shown) and statuses
        (QT_TRANSLATE_NOOP("task_list", "All"), None),
        (QT_TRANSLATE_NOOP("task_list", "New"), TaskStatus.NEW),
        (QT_TRANSLATE_NOOP("task_list", "In progress"), TaskStatus.IN_PROGRESS),
        (QT_TRANSLATE_NOOP("task_list", "Done"), TaskStatus.DONE),
        (QT_TRANSLATE_NOOP("task_list", "Error"), TaskStatus.ERROR),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: TaskTableModel | None = None
        self.filter = QComboBox()
        for text, _status in self.FILTERS:
            self.filter.addItem(QCoreApplication.translate("task_list", text))
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.view = QTableView()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # a selection to pre-label
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        rows = self.view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure a million rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def set_workspace(self, workspace: Workspace | None) -> None:
        self.model = TaskTableModel(workspace, self) if workspace is not None else None
        if self.model is not None:
            self.model.set_status_filter(self.status_filter())
        self.view.setModel(self.model)
        if self.model is not None:
            columns = self.view.horizontalHeader()
            columns.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            columns.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)

    def refresh(self) -> None:
        if self.model is not None:
            self.model.refresh()

    def status_filter(self) -> TaskStatus | None:
        return self.FILTERS[self.filter.currentIndex()][1]

    def set_status_filter(self, status: TaskStatus | None) -> None:
        self.filter.setCurrentIndex([s for _, s in self.FILTERS].index(status))

    def select_task(self, task_id: int) -> bool:
        """Make a task the current row and scroll to it; False when the filter hides it."""
        row = self.model.row_of(task_id) if self.model is not None else -1
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def current_task_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(TASK_ID_ROLE) if index.isValid() else None

    def selected_task_ids(self) -> list[int]:
        """The tasks of the selected rows, in list order (Shift/Ctrl+click select several)."""
        if self.model is None:
            return []
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [int(self.model.index(row, 0).data(TASK_ID_ROLE)) for row in rows]

    def _filter_changed(self) -> None:
        if self.model is not None:
            self.model.set_status_filter(self.status_filter())

    def _activated(self, index: QModelIndex) -> None:
        task_id = index.data(TASK_ID_ROLE)
        if task_id is not None:
            self.task_activated.emit(int(task_id))
