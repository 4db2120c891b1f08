"""Whole-image tags (classification): one checkable row per tag label; ticking a row tags the image."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from core.schema import LabelSchema
from core.shapes import Tag
from tools.editor import Editor
from widgets.label_palette import NAME_ROLE, swatch


def tag_labels(schema: LabelSchema) -> list[str]:
    """Labels meant as tags (shape types include "tag"); when none says so, every label that allows tags."""
    explicit = [label.name for label in schema.labels if Tag.kind in label.shape_types]
    return explicit or [label.name for label in schema.labels if label.allows(Tag.kind)]


class TagPanel(QListWidget):
    """Follows an editor: shows which tags the task has; toggling a row is one undoable edit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor: Editor | None = None
        self.itemChanged.connect(self._toggled)

    def set_editor(self, editor: Editor | None) -> None:
        self.editor = editor
        self.blockSignals(True)
        try:
            self.clear()
            if editor is not None:
                for name in tag_labels(editor.schema):
                    label = editor.schema.get(name)
                    item = QListWidgetItem(swatch(label.color if label else "#9e9e9e"), name)
                    item.setData(NAME_ROLE, name)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    self.addItem(item)
                editor.subscribe(functools.partial(self._notified, editor))
        finally:
            self.blockSignals(False)
        self._refresh()

    def _notified(self, editor: Editor, what: str) -> None:
        if what == "doc" and editor is self.editor:
            self._refresh()

    def _refresh(self) -> None:
        tagged = set(self.editor.tags()) if self.editor is not None else set()
        self.blockSignals(True)
        try:
            for row in range(self.count()):
                item = self.item(row)
                checked = item.data(NAME_ROLE) in tagged
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        finally:
            self.blockSignals(False)

    def _toggled(self, item: QListWidgetItem) -> None:
        if self.editor is not None:
            self.editor.toggle_tag(item.data(NAME_ROLE))
        self._refresh()
