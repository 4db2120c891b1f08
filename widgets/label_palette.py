"""The label list: one row per label with its colour swatch and hotkey ("1  car"); clicking a row chooses it. A row's
tooltip shows the label's guideline (desktop/guidelines.py gives them)."""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from core.schema import LabelSchema

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
GUIDE_CHARS = 600  # of a guideline in a tooltip; the Guidelines dock shows all of it


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
    """Shows a schema's labels. label_chosen fires on a person's click only, never on select_label; label_shown on
    both (the label highlighted now)."""

    label_chosen = Signal(str)
    label_shown = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self._guides: dict[str, str] = {}

    def set_schema(self, schema: LabelSchema) -> None:
        chosen = self.current_label()
        self.blockSignals(True)
        try:
            self.clear()
            for label in schema.labels:
                text = f"{label.hotkey}  {label.name}" if label.hotkey else f"    {label.name}"
                item = QListWidgetItem(swatch(label.color), text)
                item.setData(NAME_ROLE, label.name)
                item.setData(KEY_ROLE, label.hotkey or "")
                self.addItem(item)
            self._tooltips()
        finally:
            self.blockSignals(False)
        if chosen is not None:
            self.select_label(chosen)

    def set_guides(self, guides: Mapping[str, str]) -> None:
        """Each label's guideline description (plain text or Markdown, shown as typed), for its tooltip."""
        self._guides = {name: text for name, text in guides.items() if text.strip()}
        self._tooltips()

    def _tooltips(self) -> None:
        key = QCoreApplication.translate("LabelPalette", "{0} (key {1})")
        for row in range(self.count()):
            item = self.item(row)
            name = item.data(NAME_ROLE)
            hotkey = item.data(KEY_ROLE)
            head = key.format(name, hotkey) if hotkey else name
            guide = self._guides.get(name, "").strip()
            if not guide:
                item.setToolTip(head)
                continue
            if len(guide) > GUIDE_CHARS:
                guide = guide[:GUIDE_CHARS - 1] + "…"
            more = QCoreApplication.translate("LabelPalette", "More in the Guidelines dock")
            item.setToolTip(f"<b>{html.escape(head)}</b><p>{html.escape(guide).replace(chr(10), '<br>')}</p>"
                            f"<p><i>{html.escape(more)}</i></p>")

    def select_label(self, name: str) -> bool:
        """Highlight a label without emitting label_chosen (the editor already knows); False if unknown."""
        for row in range(self.count()):
            if self.item(row).data(NAME_ROLE) == name:
                self.blockSignals(True)
                try:
                    self.setCurrentRow(row)
                finally:
                    self.blockSignals(False)
                self.label_shown.emit(name)
                return True
        return False

    def current_label(self) -> str | None:
        item = self.currentItem()
        return item.data(NAME_ROLE) if item is not None else None

    def labels(self) -> list[str]:
        return [self.item(row).data(NAME_ROLE) for row in range(self.count())]

    def _clicked(self, item: QListWidgetItem) -> None:
        self.label_chosen.emit(item.data(NAME_ROLE))
        self.label_shown.emit(item.data(NAME_ROLE))
