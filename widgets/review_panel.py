"""The Review panel: what the server said about the task on show.

The latest decision as a badge, the reviewers' comments (numbered like their pins on the canvas), the user's own
edits that the server refused or merged away, and, for a lead, the values that lost a merge on this task. Rows are
plain tree items, so arrows move between them and Enter (or a click) activates one, like a click on its pin's target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from widgets.theme import color

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
_BADGES = {  # decision -> (text, background)
    "reject": ("Rejected", "#c62828"),
    "accept": ("Accepted", "#2e7d32"),
    None: ("Not reviewed", "#757575"),
}


@dataclass(frozen=True)
class ReviewComment:
    """A reviewer's comment, pinned to an annotation, to an image point, or to neither."""

    number: int
    author: str
    at: float
    text: str
    annotation_id: str | None = None
    point: tuple[float, float] | None = None


@dataclass(frozen=True)
class LostValue:
    """One field of an edit that did not stand: the user's refused edit, or (leads) a value that lost a merge."""

    kind: Literal["refused", "conflict"]
    annotation_id: str | None
    field: str
    lost: str
    won: str
    note: str  # why (refused), or who lost to whom (conflict)


@dataclass(frozen=True)
class TaskReview:
    """Everything the panel shows for one task; `synced` is False for a plain local workspace."""

    synced: bool
    decision: Literal["accept", "reject"] | None = None
    reviewer: str = ""
    at: float = 0.0
    comments: tuple[ReviewComment, ...] = ()
    refused: tuple[LostValue, ...] = ()
    conflicts: tuple[LostValue, ...] = ()

    @property
    def rejected(self) -> bool:
        return self.decision == "reject"

    @property
    def empty(self) -> bool:
        return not (self.comments or self.refused or self.conflicts)


def when(at: float) -> str:
    """A short local time: the year only when it is not this one."""
    if not at:
        return ""
    stamp = time.localtime(at)
    return time.strftime("%d %b %H:%M" if stamp.tm_year == time.localtime().tm_year else "%d %b %Y", stamp)


class _WrappedRows(QStyledItemDelegate):
    """Row heights for the wrapped text at the tree's current width (Qt's default assumes unwrapped lines)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        depth = 1 if index.parent().isValid() else 0
        width = self.tree.viewport().width() - self.tree.indentation() * depth - 8
        text = str(index.data() or "")
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        height = option.fontMetrics.boundingRect(QRect(0, 0, max(width, 40), 100_000), flags, text).height()
        return QSize(hint.width(), max(hint.height(), height + 6))


class _Tree(QTreeWidget):
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()  # heights follow the new width


def _pin(comment: ReviewComment) -> str:
    if comment.point is not None:
        return f" · at {comment.point[0]:.0f}, {comment.point[1]:.0f}"
    return " · on a shape" if comment.annotation_id else ""


class ReviewPanel(QWidget):
    """Shows a TaskReview; `activated` carries the ReviewComment or LostValue of the row the user chose."""

    activated = Signal(object)
    pins_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = TaskReview(synced=False)
        self.badge = QLabel()
        self.badge.setAccessibleName("Review decision")
        self.byline = QLabel()
        self.byline.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addWidget(self.byline, 1)
        self.show_pins = QCheckBox("Show comment &pins on the image")
        self.show_pins.setChecked(True)
        self.show_pins.toggled.connect(self.pins_toggled)
        self.tree = _Tree()
        self.tree.setItemDelegate(_WrappedRows(self.tree))
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setUniformRowHeights(False)
        self.tree.header().setStretchLastSection(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName("Review comments and refused edits")
        self.tree.itemClicked.connect(self._chosen)
        self.tree.itemActivated.connect(self._chosen)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_label.setStyleSheet(f"color: {color('muted').name()}; padding: 12px")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.show_pins)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label, 1)
        self.set_review(self.review)

    def set_review(self, review: TaskReview) -> None:
        self.review = review
        text, color = _BADGES[review.decision]
        self.badge.setText(text)
        self.badge.setStyleSheet(f"background: {color}; color: white; font-weight: bold; border-radius: 3px; "
                                 "padding: 2px 8px")
        self.badge.setVisible(review.synced)
        byline = f"by {review.reviewer} · {when(review.at)}" if review.decision else ""
        self.byline.setText(byline)
        self.show_pins.setVisible(bool(review.comments))
        self.tree.clear()
        self._section("Comments", [(f"{c.number}.  {c.text}\n{c.author} · {when(c.at)}{_pin(c)}", c)
                                   for c in review.comments])
        self._section("Your refused edits",
                      [(f"{v.field}: yours {v.lost} → kept {v.won}\n{v.note}", v) for v in review.refused])
        self._section("Conflicts", [(f"{v.field}: {v.lost} lost to {v.won}\n{v.note}", v) for v in review.conflicts])
        self.tree.expandAll()
        self.tree.setVisible(not review.empty)
        self.empty_label.setVisible(review.empty)
        if not review.synced:
            self.empty_label.setText("This workspace is not synced with a server, so it has no reviews.")
        else:
            self.empty_label.setText("No comments, refused edits or conflicts on this task.")

    def _section(self, title: str, rows: list[tuple[str, ReviewComment | LostValue]]) -> None:
        if not rows:
            return
        head = QTreeWidgetItem(self.tree, [f"{title} ({len(rows)})"])
        font = QFont(head.font(0))
        font.setBold(True)
        head.setFont(0, font)
        head.setFlags(Qt.ItemFlag.ItemIsEnabled)
        for text, value in rows:
            item = QTreeWidgetItem(head, [text])
            item.setData(0, ROW_ROLE, value)
            item.setToolTip(0, text)

    def rows(self) -> list[QTreeWidgetItem]:
        """The selectable rows, in display order."""
        out: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            out += [child for j in range(head.childCount()) if (child := head.child(j)) is not None]
        return out

    def _chosen(self, item: QTreeWidgetItem) -> None:
        value = item.data(0, ROW_ROLE)
        if value is not None:
            self.activated.emit(value)
