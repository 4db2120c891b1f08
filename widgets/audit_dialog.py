"""The audit trail of a project, for its leads: who did what on which task, and when, newest first, with a filter.

Rows come from the server (GET /projects/{id}/audit, a page at a time, fetched by desktop/audit.py); the filter keeps
the rows whose user, action, target or details contain its words.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

DETAIL_CHARS = 160


def detail_text(detail: Any) -> str:
    """A row's details as key=value pairs on one line, cut at DETAIL_CHARS."""
    if isinstance(detail, dict):
        text = "  ".join(f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                         for k, v in detail.items())
    else:
        text = json.dumps(detail, ensure_ascii=False)
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS - 1] + "…"


class AuditDialog(QDialog):
    """A list of audit rows; `set_rows` replaces them, `set_state` says how the fetch went."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit trail"))
        self.resize(1000, 600)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter: a user, an action (task.review), a task (task:12)…"))
        self.filter.textChanged.connect(lambda _text: self._show())
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("When"), self.tr("Who"), self.tr("What"), self.tr("On"), self.tr("Details")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.state)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows = sorted(rows, key=lambda r: r.get("id", 0), reverse=True)
        self._show()

    def set_state(self, text: str) -> None:
        self.state.setText(text)

    def _show(self) -> None:
        words = self.filter.text().lower().split()
        self.tree.clear()
        shown = 0
        for row in self.rows:
            cells = [time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.get("at", 0))), str(row.get("user") or ""),
                     str(row.get("action", "")), str(row.get("target", "")), detail_text(row.get("detail"))]
            if all(any(w in c.lower() for c in cells) for w in words):
                item = QTreeWidgetItem(self.tree, cells)
                item.setToolTip(4, json.dumps(row.get("detail"), ensure_ascii=False, indent=1))
                shown += 1
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        self.setWindowTitle(self.tr("Audit trail · {0} of {1} rows").format(shown, len(self.rows)))
