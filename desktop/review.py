"""The Review dock and the comment pins: what the server said about the task on show, read from the workspace.

Reads go through the session's read-only connection (never waiting on the sync worker's writes) when a task is
shown and after each sync round. A rejected task opens the dock and raises it; choosing a comment or an edit selects
its annotation and centres it, or centres the comment's point.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtWidgets import QDialog, QInputDialog

from core.annotation import Annotation
from sync.client.review_store import ReviewStore
from tools.editor import Editor
from tools.video_editor import VideoEditor
from widgets.comment_dialog import CommentDialog
from widgets.comment_pins import CLOSED_COLOR, OPEN_COLOR, CommentPins
from widgets.review_panel import LostValue, ReviewComment, ReviewPanel, TaskReview, when

if TYPE_CHECKING:
    from desktop.window_api import ReviewWindow
    from sync.workspace import Workspace

VALUE_CHARS = 48
OPEN_HEIGHT = 340  # pixels the dock gets when a rejection opens it, so its comments can be read at once
REASONS = {  # reason codes of refused ops (docs/sync.md) in words
    "reviewer_wins": "a reviewer changed it too; theirs wins",
    "task_closed": "the task was already submitted or accepted",
    "not_assigned": "the task is no longer assigned to you",
    "unknown_label": "the label is not in the project's schema",
    "bad_attributes": "the attributes do not fit the label",
    "bad_geometry": "the shape is not valid",
    "bad_transition": "the task cannot move to that state",
}


def describe(value: Any) -> str:
    """A value as one short line: numbers rounded, JSON for the rest, cut at VALUE_CHARS."""
    if isinstance(value, bool) or value is None:
        text = {True: "yes", False: "no", None: "none"}[value]
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(_rounded(value), separators=(", ", ": "))
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _field(name: str) -> str:
    return "deleted" if name == "_deleted" else name


def refused_values(rejection: dict[str, Any], now: dict[str, Any] | None, server_status: str) -> list[LostValue]:
    """The fields of one refused or merged-away op that did not stand, each with the value that stands now."""
    reason = str(rejection["reason"])
    code, _, detail = reason.partition(":")
    note = REASONS.get(code, reason)
    fields = dict(rejection["fields"] or {})
    if rejection["status"] == "merged" and code == "reviewer_wins" and detail.strip():
        fields = {f.strip(): fields.get(f.strip()) for f in detail.split(",")}
    entity_id = str(rejection["entity_id"])
    if rejection["entity"] == "task":
        return [LostValue("refused", None, "status", describe(fields.get("status")), server_status, note)]
    if rejection["entity"] == "review":
        return [LostValue("refused", None, "decision", describe(fields.get("decision")), server_status, note)]
    if rejection["entity"] == "comment":
        return [LostValue("refused", None, "comment", describe(fields.get("text") or fields), "not posted", note)]
    if not fields:  # a refused delete
        return [LostValue("refused", entity_id, "deleted", "yes", "no" if now is not None else "yes", note)]
    return [LostValue("refused", entity_id, name, describe(value),
                      describe(now.get(name)) if now is not None else "deleted", note)
            for name, value in fields.items()]


def load_review(ws: Workspace, local_task_id: int) -> TaskReview:
    """The TaskReview of a local task (`synced` False when it is not a server's task)."""
    reviews = ReviewStore(ws)
    store = reviews.sync
    state = store.review_state(local_task_id)
    if state is None:
        return TaskReview(synced=False)
    server_id = state["server_id"]
    decision = reviews.decision(server_id) or {}
    comments = tuple(_comment(c, number) for c, number in _numbered(reviews.comments(server_id)))
    rejections = store.rejections(server_id)
    current = store.current_fields([str(r["entity_id"]) for r in rejections if r["entity"] == "annotation"])
    refused = [v for r in reversed(rejections)
               for v in refused_values(r, current.get(str(r["entity_id"])), state["server_status"])]
    conflicts = tuple(LostValue("conflict", c["annotation_id"], _field(c["field"]), describe(c["losing_value"]),
                                describe(c["winning_value"]), f"{c['loser']} lost to {c['winner']} · {when(c['at'])}")
                      for c in store.conflicts(server_id))
    return TaskReview(True, decision.get("decision"), decision.get("reviewer", ""), decision.get("at", 0.0), comments,
                      tuple(refused), conflicts, fixed=decision.get("fixed", False),
                      reason=decision.get("reason", ""), pending=decision.get("pending", False),
                      refused_note=decision.get("refused", ""), stages=tuple(reviews.stage_history(server_id)))


def _numbered(comments: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Each comment with its thread's number (threads count from 1; a reply carries its thread's number)."""
    numbers: dict[str, int] = {}
    out = []
    for c in comments:
        if c["parent"] is None:
            numbers[c["uid"]] = len(numbers) + 1
        out.append((c, numbers.get(c["parent"] or c["uid"], 0)))
    return out


def _comment(c: dict[str, Any], number: int) -> ReviewComment:
    pin = c.get("pin") or {}

    def pair(key: str) -> Any:
        value = pin.get(key)
        return tuple(value) if value else None

    return ReviewComment(number, c["author"], c["at"], c["text"], pin.get("annotation_id"), pair("point"), c["uid"],
                         c["parent"], c["resolved"], c["resolved_by"], c["sent"], pair("box"), pair("frames"),
                         pair("times"))


def anchor(annotation: Annotation) -> tuple[float, float]:
    """Where a comment about an annotation is pinned: the top-left corner of its bounds."""
    bounds = annotation.shape.bounds()
    return bounds.x1, bounds.y1


class ReviewController(QObject):
    """Owns the Review dock of a main window and the pins on its canvas."""

    def __init__(self, window: ReviewWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.panel = ReviewPanel()
        self.dock = window.add_dock("Review", self.tr("Review"), self.panel)
        window.docks["Review"] = self.dock
        window.tabifyDockWidget(window.docks["Tasks"], self.dock)
        window.docks["Tasks"].raise_()
        self.pins = CommentPins(window.canvas.scene())
        self.panel.pins_toggled.connect(self.pins.set_visible)
        self.panel.activated.connect(self.go_to)
        self.panel.comment_requested.connect(self.ask_comment)
        self.panel.reply_requested.connect(self.ask_reply)
        self.panel.resolve_requested.connect(lambda thread: self.resolve(thread.uid, not thread.resolved))
        self.panel.hide_resolved.toggled.connect(lambda _on: self._place_pins())
        self._cursor: tuple[float, float] | None = None  # the pointer's last place on the picture
        window.canvas.cursor_moved.connect(lambda x, y: setattr(self, "_cursor", (x, y)))
        window.sync_status.state_changed.connect(lambda _state: self.refresh())
        self._shown: tuple[int, float] | None = None  # (task, decision time) last shown: the dock opens once per news
        self._followed: Editor | None = None

    @property
    def editor(self) -> Editor | None:
        session = self.window.session
        return session.editor if session is not None else None

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"view.review": self.show_dock, "review.comment": self.ask_comment}

    # -- comments ------------------------------------------------------------------------------------------------

    def ask_comment(self) -> None:
        """A new thread: the text and its pin, from what the task on show offers (CommentDialog)."""
        dialog = self.comment_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.comment(dialog.comment_text(), dialog.pin())

    def ask_reply(self, thread: ReviewComment) -> None:
        text = self._ask(self.tr("Reply"), self.tr("Reply to {0}: “{1}”").format(thread.author, thread.text[:80]))
        if text:
            self.comment(text, parent=thread.uid)

    def _ask(self, title: str, label: str) -> str:
        text, ok = QInputDialog.getMultiLineText(self.window.canvas.window(), title, label)
        return text.strip() if ok else ""

    def comment(self, text: str, pin: dict[str, Any] | None = None, parent: str | None = None) -> str | None:
        """Store a comment on the task on show (a thread pinned by `pin`, or a reply to `parent`), queued for sync."""
        session = self.window.session
        if session is None or session.task is None or not self.panel.review.synced:
            self.window.statusBar().showMessage(self.tr("Only a task from a server can have comments"), 4000)
            return None
        uid: str = session.writer.call(ReviewStore(session.writer_ws).comment, session.task.id, text,
                                       None if parent else pin, parent).result()
        self.refresh()
        return uid

    def resolve(self, uid: str, resolved: bool = True) -> None:
        session = self.window.session
        if session is not None:
            session.writer.call(ReviewStore(session.writer_ws).resolve, uid, resolved).result()
            self.refresh()

    def comment_dialog(self) -> CommentDialog:
        """The new-comment dialog with the places this task offers: the selected shape, the point under the pointer,
        the area on show (not on a recording), the whole task; a video's frames from the one on show, a recording's
        selected time range (else the playhead)."""
        editor, choices = self.editor, dict[str, dict[str, Any]]()
        if editor is not None and editor.selection:
            choices["shape"] = {"annotation_id": editor.selection[0]}
        if self.window.mode != "audio":
            if self._cursor is not None:
                choices["point"] = {"point": [round(self._cursor[0], 1), round(self._cursor[1], 1)]}
            canvas = self.window.canvas
            shown = canvas.mapToScene(canvas.viewport().rect()).boundingRect().intersected(canvas.image_rect())
            if not shown.isEmpty():
                choices["area"] = {"box": [round(v, 1) for v in (shown.left(), shown.top(), shown.right(),
                                                                 shown.bottom())]}
        choices["none"] = {}
        frames = times = None
        if self.window.mode == "video" and isinstance(editor, VideoEditor):
            frames = (editor.frame, editor.frame, self.window.video.player.frames)
        elif self.window.mode == "audio":
            audio = self.window.audio
            start, end = audio.waveform.selection or (audio.position, audio.position)
            times = (start, end, audio.waveform.axis.duration)
        return CommentDialog(self.window.canvas.window(), choices, frames, times)

    def show_dock(self) -> None:
        """Open the dock (also when closed, floating or tabbed behind another) and give its list the keyboard focus,
        on the first row when none is current, so arrow keys and Enter work at once."""
        self.dock.show()
        self.dock.raise_()
        tree = self.panel.tree
        if tree.isHidden():  # nothing to list: the panel says why
            return
        rows = self.panel.rows()
        if tree.currentItem() is None and rows:
            tree.setCurrentItem(rows[0])
        self.dock.activateWindow()
        tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def task_shown(self) -> None:
        """A task was opened (or reloaded in place after a sync round): show its review."""
        editor = self.editor
        if editor is not None and editor is not self._followed:
            editor.subscribe(partial(self._notified, editor))
            self._followed = editor
        self.refresh()

    def refresh(self) -> None:
        """Read the review of the task on show; a rejection the user has not seen here yet opens the dock (once, so a
        user who closes it is not overruled by the next sync round)."""
        session = self.window.session
        if session is None or session.task is None:
            return
        review = load_review(session.reader, session.task.id)
        self.panel.set_review(review)
        self.dock.setWindowTitle(self.tr("Review · Rejected") if review.rejected else self.tr("Review"))
        self._place_pins()
        news = (session.task.id, review.at)
        if review.rejected and news != self._shown:
            self.dock.show()
            self.dock.raise_()
            if self.dock.height() < OPEN_HEIGHT and not self.dock.isFloating():
                self.window.resizeDocks([self.dock], [OPEN_HEIGHT], Qt.Orientation.Vertical)
        self._shown = news

    def _notified(self, editor: Editor, what: str) -> None:
        if what == "doc" and editor is self.editor:
            self._place_pins()  # an annotation with a comment moved or went away

    def _place_pins(self) -> None:
        editor, review = self.editor, self.panel.review
        frame = editor.frame if isinstance(editor, VideoEditor) else None
        pins = []
        for c in review.comments:
            tip = f"{c.number}. {c.author}: {c.text}"
            if c.parent is not None or (c.resolved and self.panel.hide_resolved.isChecked()):
                continue
            if frame is not None and c.frames is not None and not c.frames[0] <= frame <= c.frames[1]:
                continue
            if c.box is not None:
                pins.append((c.number, c.box[0], c.box[1], tip))
            elif c.point is not None:
                pins.append((c.number, *c.point, tip))
            elif c.annotation_id is not None and editor is not None and c.annotation_id in editor.doc:
                pins.append((c.number, *anchor(editor.doc.get(c.annotation_id)), tip))
        self.pins.show(pins, OPEN_COLOR if review.rejected else CLOSED_COLOR)

    def go_to(self, row: ReviewComment | LostValue) -> None:
        """Go to the comment's frame or time, then select the row's annotation and centre it, or centre the
        comment's point or area."""
        editor, canvas = self.editor, self.window.canvas
        if isinstance(row, ReviewComment):
            if row.frames is not None and self.window.mode == "video":
                self.window.video.player.seek(row.frames[0])
            if row.times is not None and self.window.mode == "audio":
                self.window.audio.seek(row.times[0])
            if row.box is not None:
                canvas.centerOn(QPointF((row.box[0] + row.box[2]) / 2, (row.box[1] + row.box[3]) / 2))
                return
        if isinstance(row, ReviewComment) and row.point is not None:
            canvas.centerOn(QPointF(*row.point))
            return
        if row.annotation_id is None:
            return
        if editor is None or row.annotation_id not in editor.doc:
            self.window.statusBar().showMessage(self.tr("That annotation is no longer on this task"), 4000)
            return
        editor.select([row.annotation_id])
        bounds = editor.doc.get(row.annotation_id).shape.bounds()
        canvas.centerOn(QPointF((bounds.x1 + bounds.x2) / 2, (bounds.y1 + bounds.y2) / 2))
