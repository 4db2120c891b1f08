"""The Review panel: what the server said about the task on show.

The latest decision as a badge, the reviewers' comments (numbered like their pins on the canvas), the user's own
edits that the server refused or merged away, and, for a lead, the values that lost a merge on this task. Rows are
plain tree items, so arrows move between them and Enter (or a click) activates one, like a click on its pin's target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.sampling.reasons import read_reason
from widgets.messages import translated
from widgets.theme import color

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
_BADGES = {  # decision -> (text, background)
    "reject": (QT_TRANSLATE_NOOP("ReviewPanel", "Rejected"), "#c62828"),
    "accept": (QT_TRANSLATE_NOOP("ReviewPanel", "Accepted"), "#2e7d32"),
    None: (QT_TRANSLATE_NOOP("ReviewPanel", "Not reviewed"), "#757575"),
}


@dataclass(frozen=True)
class ReviewComment:
    """A comment: a thread's first one (numbered like its pin; pinned to a shape, a point, an area, frames or a time
    range, or to nothing) or a reply (`parent` is the thread's uid, `number` the thread's)."""

    number: int
    author: str
    at: float
    text: str
    annotation_id: str | None = None
    point: tuple[float, float] | None = None
    uid: str = ""
    parent: str | None = None
    resolved: bool = False
    resolved_by: str | None = None
    sent: bool = True  # False while it waits in the outbox
    box: tuple[float, float, float, float] | None = None
    frames: tuple[int, int] | None = None
    times: tuple[float, float] | None = None


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
    fixed: bool = False  # accepted after the reviewer corrected it
    reason: str = ""  # of a rejection
    pending: bool = False  # decided here, not yet on the server
    refused_note: str = ""  # the server refused the decision made here: why
    stages: tuple[tuple[str, str, str], ...] = ()  # (stage, accepted | rejected | waiting, who) when several

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
    """Where the comment points, in words."""
    parts = []
    if comment.annotation_id:
        parts.append(QCoreApplication.translate("ReviewPanel", "on a shape"))
    if comment.box is not None:
        x1, y1, x2, y2 = comment.box
        parts.append(QCoreApplication.translate("ReviewPanel", "area {0:.0f} × {1:.0f} at {2:.0f}, {3:.0f}").format(
            x2 - x1, y2 - y1, x1, y1))
    elif comment.point is not None and not comment.annotation_id:
        parts.append(QCoreApplication.translate("ReviewPanel", "at {0:.0f}, {1:.0f}").format(*comment.point))
    if comment.frames is not None:
        first, last = comment.frames
        parts.append(QCoreApplication.translate("ReviewPanel", "frame {0}").format(first) if first == last
                     else QCoreApplication.translate("ReviewPanel", "frames {0}–{1}").format(first, last))
    if comment.times is not None:
        start, end = comment.times
        parts.append(QCoreApplication.translate("ReviewPanel", "at {0:.2f} s").format(start) if start == end
                     else QCoreApplication.translate("ReviewPanel", "{0:.2f}–{1:.2f} s").format(start, end))
    return "".join(f" · {p}" for p in parts)


def comment_row(c: ReviewComment) -> str:
    """A comment's two lines in the panel: a thread's number and text, or an indented reply; then who and when."""
    head = f"    ↳ {c.text}" if c.parent else f"{c.number}.  {c.text}"
    state = "" if c.sent else " · " + QCoreApplication.translate("ReviewPanel", "not sent yet")
    if c.resolved:
        state += " · " + (QCoreApplication.translate("ReviewPanel", "resolved by {0}").format(c.resolved_by)
                          if c.resolved_by else QCoreApplication.translate("ReviewPanel", "resolved"))
    return f"{head}\n{'      ' if c.parent else ''}{c.author} · {when(c.at)}{'' if c.parent else _pin(c)}{state}"


def stage_line(review: TaskReview) -> str:
    """The review stages of the task's current round: "review: accepted by hoa · acceptance: waiting"."""
    words = {"accepted": QCoreApplication.translate("ReviewPanel", "accepted by {0}"),
             "rejected": QCoreApplication.translate("ReviewPanel", "rejected by {0}"),
             "waiting": QCoreApplication.translate("ReviewPanel", "waiting")}
    return " · ".join(f"{name}: {words.get(state, state).format(who)}" for name, state, who in review.stages)


def byline(review: TaskReview) -> str:
    """Who decided what, when, and why; a decision made here says whether the server has it; with several review
    stages, the state of each stage first."""
    stages = stage_line(review)
    if not review.decision:
        return stages
    if stages:
        return stages + "\n" + _decision_line(review)
    return _decision_line(review)


def _decision_line(review: TaskReview) -> str:
    text = QCoreApplication.translate("ReviewPanel", "by {0} · {1}").format(review.reviewer, when(review.at))
    if review.fixed:
        text = QCoreApplication.translate("ReviewPanel", "after fixes, {0}").format(text)
    if review.pending:
        text += " · " + QCoreApplication.translate("ReviewPanel", "waiting to sync")
    if review.refused_note:
        text += " · " + QCoreApplication.translate("ReviewPanel", "refused by the server: {0}").format(
            review.refused_note)
    return text + (f"\n{translated(read_reason(review.reason))}" if review.reason else "")


class ReviewPanel(QWidget):
    """Shows a TaskReview; `activated` carries the ReviewComment or LostValue of the row the user chose."""

    activated = Signal(object)
    pins_toggled = Signal(bool)
    comment_requested = Signal()  # a new thread, pinned where the user is
    reply_requested = Signal(object)  # the ReviewComment of the thread to answer
    resolve_requested = Signal(object)  # the ReviewComment of the thread to resolve or reopen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = TaskReview(synced=False)
        self.badge = QLabel()
        self.badge.setAccessibleName(self.tr("Review decision"))
        self.byline = QLabel()
        self.byline.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addWidget(self.byline, 1)
        self.show_pins = QCheckBox(self.tr("Show comment &pins on the image"))
        self.show_pins.setChecked(True)
        self.show_pins.toggled.connect(self.pins_toggled)
        self.hide_resolved = QCheckBox(self.tr("&Hide resolved threads"))
        self.hide_resolved.toggled.connect(lambda _on: self.set_review(self.review))
        self.comment_button = QPushButton(self.tr("&Comment…"))
        self.comment_button.setToolTip(self.tr("A new thread, pinned to the selected shape, else where the pointer is "
                                               "(on a video: this frame; on a recording: the selection)"))
        self.comment_button.clicked.connect(self.comment_requested)
        self.reply_button = QPushButton(self.tr("Re&ply…"))
        self.reply_button.clicked.connect(lambda: self._on_thread(self.reply_requested))
        self.resolve_button = QPushButton(self.tr("Re&solve"))
        self.resolve_button.clicked.connect(lambda: self._on_thread(self.resolve_requested))
        buttons = QHBoxLayout()
        for button in (self.comment_button, self.reply_button, self.resolve_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.tree = _Tree()
        self.tree.setItemDelegate(_WrappedRows(self.tree))
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.setUniformRowHeights(False)
        self.tree.header().setStretchLastSection(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName(self.tr("Review comments and refused edits"))
        self.tree.itemClicked.connect(self._chosen)
        self.tree.itemActivated.connect(self._chosen)
        self.tree.currentItemChanged.connect(lambda *_: self._thread_buttons())
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty_label.setStyleSheet(f"color: {color('muted').name()}; padding: 12px")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.show_pins)
        layout.addWidget(self.hide_resolved)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addLayout(buttons)
        self.set_review(self.review)

    def set_review(self, review: TaskReview) -> None:
        self.review = review
        text, color = _BADGES[review.decision]
        self.badge.setText(self.tr(text))
        self.badge.setStyleSheet(f"background: {color}; color: white; font-weight: bold; border-radius: 3px; "
                                 "padding: 2px 8px")
        self.badge.setVisible(review.synced)
        self.byline.setText(byline(review))
        self.show_pins.setVisible(bool(review.comments))
        self.hide_resolved.setVisible(any(c.resolved for c in review.comments))
        self.comment_button.setEnabled(review.synced)
        self.tree.clear()
        hidden = {c.uid for c in review.comments if c.resolved} if self.hide_resolved.isChecked() else set()
        self._section(self.tr("Comments"), [(comment_row(c), c) for c in review.comments
                                            if c.uid not in hidden and c.parent not in hidden])
        self._section(self.tr("Your refused edits"),
                      [(self.tr("{0}: yours {1} → kept {2}").format(v.field, v.lost, v.won) + f"\n{v.note}", v)
                       for v in review.refused])
        self._section(self.tr("Conflicts"), [(self.tr("{0}: {1} lost to {2}").format(v.field, v.lost, v.won)
                                              + f"\n{v.note}", v) for v in review.conflicts])
        self.tree.expandAll()
        self._thread_buttons()
        self.tree.setVisible(not review.empty)
        self.empty_label.setVisible(review.empty)
        if not review.synced:
            self.empty_label.setText(self.tr("This workspace is not synced with a server, so it has no reviews."))
        else:
            self.empty_label.setText(self.tr("No comments, refused edits or conflicts on this task."))

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

    def current_thread(self) -> ReviewComment | None:
        """The thread of the current row (a reply's is its parent), or None."""
        item = self.tree.currentItem()
        value = item.data(0, ROW_ROLE) if item is not None else None
        if not isinstance(value, ReviewComment):
            return None
        if value.parent is None:
            return value
        return next((c for c in self.review.comments if c.uid == value.parent), None)

    def _thread_buttons(self) -> None:
        thread = self.current_thread()
        self.reply_button.setEnabled(thread is not None)
        self.resolve_button.setEnabled(thread is not None)
        self.resolve_button.setText(self.tr("Re&open") if thread is not None and thread.resolved
                                    else self.tr("Re&solve"))

    def _on_thread(self, signal: Signal) -> None:
        thread = self.current_thread()
        if thread is not None:
            signal.emit(thread)

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
