"""The objects list: one row per annotation of the open task, its selection kept in step with the editor's."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from tools.editor import Editor
from widgets.shape_items import UNKNOWN_LABEL_COLOR

ANNOTATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


class ShapeListModel(QAbstractListModel):
    """Rows follow the document's drawing order; values are read from the document when the view asks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor: Editor | None = None
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}

    def set_editor(self, editor: Editor | None) -> None:
        self.beginResetModel()
        self.editor = editor
        self._read_ids()
        self.endResetModel()

    def doc_changed(self) -> None:
        """Re-read after a document change: a reset when rows came or went, else a repaint of all rows."""
        assert self.editor is not None
        ids = self.editor.doc.ids()
        if ids != self._ids:
            self.beginResetModel()
            self._read_ids()
            self.endResetModel()
        elif ids:
            self.dataChanged.emit(self.index(0), self.index(len(ids) - 1))

    def _read_ids(self) -> None:
        self._ids = self.editor.doc.ids() if self.editor is not None else []
        self._rows = {annotation_id: row for row, annotation_id in enumerate(self._ids)}

    def row_of(self, annotation_id: str) -> int:
        return self._rows.get(annotation_id, -1)

    def id_at(self, row: int) -> str:
        return self._ids[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.editor is None or not index.isValid() or index.row() >= len(self._ids):
            return None
        annotation_id = self._ids[index.row()]
        if annotation_id not in self.editor.doc:
            return None
        annotation = self.editor.doc.get(annotation_id)
        if role == Qt.ItemDataRole.DisplayRole:
            score = annotation.source.score
            badge = f"  {score:.2f}" if annotation.source.is_model and score is not None else ""
            return f"{annotation.label} · {annotation.kind}{badge}"
        if role == Qt.ItemDataRole.DecorationRole:
            label = self.editor.schema.get(annotation.label)
            return QColor(label.color if label is not None else UNKNOWN_LABEL_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole:
            source = f"model {annotation.source.model_id}" if annotation.source.is_model else "human"
            return f"{annotation.label} ({annotation.kind}, {source})"
        if role == ANNOTATION_ID_ROLE:
            return annotation_id
        return None


class ShapeListWidget(QListView):
    """The objects list view. Selecting rows selects the shapes in the editor, and the reverse."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shapes = ShapeListModel(self)
        self.setModel(self.shapes)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.selectionModel().selectionChanged.connect(self._view_selection_changed)
        self._syncing = False

    @property
    def editor(self) -> Editor | None:
        return self.shapes.editor

    def set_editor(self, editor: Editor | None) -> None:
        self.shapes.set_editor(editor)
        if editor is not None:
            editor.subscribe(partial(self._notified, editor))
        self._show_editor_selection()

    def _notified(self, editor: Editor, what: str) -> None:
        if editor is not self.editor:
            return
        if what == "doc":
            self.shapes.doc_changed()
            self._show_editor_selection()
        elif what == "selection":
            self._show_editor_selection()

    def _show_editor_selection(self) -> None:
        """Mirror the editor's selection in the view without echoing it back."""
        if self._syncing:
            return
        selection = QItemSelection()
        ids = self.editor.selection if self.editor is not None else ()
        for annotation_id in ids:
            row = self.shapes.row_of(annotation_id)
            if row >= 0:
                index = self.shapes.index(row)
                selection.select(index, index)
        self._syncing = True
        try:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.selectionModel().select(selection, flags)
            if ids and self.shapes.row_of(ids[-1]) >= 0:
                last = self.shapes.index(self.shapes.row_of(ids[-1]))
                self.selectionModel().setCurrentIndex(last, QItemSelectionModel.SelectionFlag.NoUpdate)
                self.scrollTo(last)
        finally:
            self._syncing = False

    def _view_selection_changed(self) -> None:
        if self._syncing or self.editor is None:
            return
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        self._syncing = True
        try:
            self.editor.select([self.shapes.id_at(row) for row in rows])
        finally:
            self._syncing = False
