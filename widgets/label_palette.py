"""The label list: one row per label with its colour swatch and hotkey ("1  car"); clicking a row chooses it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from core.schema import LabelSchema

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def swatch(color: str, size: int = 14) -> QIcon:
    """A label's colour square with a mid-grey rim, so a near-black or near-white label shows on either theme."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    painter = QPainter(pixmap)
    painter.setPen(QColor(128, 128, 128))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


class LabelPalette(QListWidget):
    """Shows a schema's labels. label_chosen fires on a person's click only, never on select_label."""

    label_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def set_schema(self, schema: LabelSchema) -> None:
        chosen = self.current_label()
        self.blockSignals(True)
        try:
            self.clear()
            for label in schema.labels:
                text = f"{label.hotkey}  {label.name}" if label.hotkey else f"    {label.name}"
                item = QListWidgetItem(swatch(label.color), text)
                item.setData(NAME_ROLE, label.name)
                key = QCoreApplication.translate("LabelPalette", "{0} (key {1})")
                item.setToolTip(key.format(label.name, label.hotkey) if label.hotkey else label.name)
                self.addItem(item)
        finally:
            self.blockSignals(False)
        if chosen is not None:
            self.select_label(chosen)

    def select_label(self, name: str) -> bool:
        """Highlight a label without emitting label_chosen (the editor already knows); False if unknown."""
        for row in range(self.count()):
            if self.item(row).data(NAME_ROLE) == name:
                self.blockSignals(True)
                try:
                    self.setCurrentRow(row)
                finally:
                    self.blockSignals(False)
                return True
        return False

    def current_label(self) -> str | None:
        item = self.currentItem()
        return item.data(NAME_ROLE) if item is not None else None

    def labels(self) -> list[str]:
        return [self.item(row).data(NAME_ROLE) for row in range(self.count())]

    def _clicked(self, item: QListWidgetItem) -> None:
        self.label_chosen.emit(item.data(NAME_ROLE))
