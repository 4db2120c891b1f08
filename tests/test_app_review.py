"""Review mode in the real app, as a lead uses it: the queue of submitted work, accept and go on by keyboard, reject
with a reason, comment threads pinned where the lead points; all stored at once and sent by the app's own sync round;
the annotator's app then shows the rejection, its reason and the thread, and the reply comes back."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog

from core.annotation import Annotation, TaskStatus, new_id
from core.shapes import Box
from sync.client.review_store import ReviewStore
from tests.app_windows import open_window, press
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, clone_for, server_task_ids, sync
from widgets.comment_dialog import CommentDialog


def _answer(text, place, offered):
    """CommentDialog.exec as a person answers it: the text typed, a place chosen, OK."""
    def exec_(dialog):
        offered.append([dialog.place.itemData(i) for i in range(dialog.place.count())])
        dialog.text.setPlainText(text)
        dialog.place.setCurrentIndex(dialog.place.findData(place))
        return QDialog.DialogCode.Accepted
    return exec_


@pytest.fixture
def submitted(seeded_sqlite, keys, tmp_path):
    """ann1 submits the first two tasks with a box each; the lead's clone is made after."""
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    for server_task in seeded_sqlite.task_ids[:2]:
        local = {s: t for t, s in server_task_ids(ws).items()}[server_task]
        add(ws, local, [Annotation(new_id(), local, "car", Box(10, 10, 20, 15))])
        ws.set_task_status(local, TaskStatus.DONE)
    assert sync(ws, keys).phase == "up_to_date"
    ws.close()
    lead = clone_for(seeded_sqlite.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    lead.close()
    return tmp_path / "lead", tmp_path / "ann1"


def test_a_lead_decides_the_queue_by_keyboard_and_the_annotator_sees_it(qtbot, seeded_sqlite, keys, submitted,
                                                                         monkeypatch):
    lead_path, ann_path = submitted
    window = open_window(qtbot, keys, lead_path)
    queue = window.queue
    press(qtbot, window, "review.queue")
    assert queue.dock.isVisible()
    first, second = (r.task_id for r in queue.rows)
    assert queue.panel.model.rowCount() == 2
    window.show_task(first)
    window.canvas.cursor_moved.emit(12.0, 14.0)  # the pointer over the picture: where a new thread is pinned
    offered = []
    monkeypatch.setattr(CommentDialog, "exec", _answer("wheel not covered", "point", offered))
    press(qtbot, window, "review.comment")
    (thread,) = window.review.panel.review.comments
    assert (thread.text, thread.point, thread.sent) == ("wheel not covered", (12.0, 14.0), False)
    assert offered == [["point", "area", "none"]]  # no shape selected
    window.canvas.fit_to_view()
    monkeypatch.setattr(CommentDialog, "exec", _answer("sky is cut off", "area", offered))
    window.review.ask_comment()
    area = window.review.panel.review.comments[1]
    assert area.box == (0.0, 0.0, 64.0, 48.0)  # the whole picture is on show
    assert {p.number: (p.pos().x(), p.pos().y()) for p in window.review.pins.items}[2] == (0.0, 0.0)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Inaccurate outlines", True))
    press(qtbot, window, "review.reject")
    assert window.session.task.id == second  # decided and on to the next without the mouse
    assert [r.task_id for r in queue.rows] == [second]
    panel = queue.panel  # the decided row taken out, the next one marked, the queue not read again
    assert panel.model.rowCount() == 1 and panel.current_task() == second
    assert queue.panel.count_label.text() == "1 tasks waiting"
    editor = window.session.editor
    (box,) = list(editor.doc)
    editor.select([box.id])
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)  # a nudge: the lead fixed it
    press(qtbot, window, "review.accept")
    assert queue.rows == [] and "queue is empty" in window.statusBar().currentMessage()
    window.sync_status.sync_now()
    lead = seeded_sqlite.sessions["lead"]

    def statuses():
        return {t: lead.get(f"/tasks/{t}").json()["status"] for t in seeded_sqlite.task_ids[:2]}

    qtbot.waitUntil(lambda: statuses() == {seeded_sqlite.task_ids[0]: "rejected",
                                           seeded_sqlite.task_ids[1]: "accepted"}, timeout=20_000)
    reviews = {i["task_id"]: i for i in lead.pull_all() if i["type"] == "review"}
    assert reviews[seeded_sqlite.task_ids[0]]["reason"] == "Inaccurate outlines"
    assert reviews[seeded_sqlite.task_ids[1]]["fixed"] is True
    window.close()

    window = open_window(qtbot, keys, ann_path)
    window.sync_status.sync_now()
    server_first = seeded_sqlite.task_ids[0]
    local = {s: t for t, s in server_task_ids(window.session.writer_ws).items()}[server_first]
    window.show_task(local)
    panel = window.review.panel
    qtbot.waitUntil(lambda: panel.review.rejected, timeout=20_000)
    assert "Inaccurate outlines" in panel.byline.text()
    thread, _area = panel.review.comments
    assert thread.text == "wheel not covered" and thread.author == "lead"
    pins = {p.number: (p.pos().x(), p.pos().y()) for p in window.review.pins.items}
    assert pins == {1: (12.0, 14.0), 2: (0.0, 0.0)}
    panel.tree.setCurrentItem(panel.rows()[0])
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("done, thanks", True))
    panel.reply_button.click()
    panel.tree.setCurrentItem(panel.rows()[0])
    panel.resolve_button.click()
    root, reply, _area = panel.review.comments
    assert root.resolved and reply.parent == root.uid and reply.text == "done, thanks"
    assert panel.rows()[1].text(0).startswith("    ↳ done, thanks")
    assert panel.rows()[2].text(0).split("\n")[1].endswith("area 64 × 48 at 0, 0")
    panel.hide_resolved.setChecked(True)
    assert len(panel.rows()) == 1 and [p.number for p in window.review.pins.items] == [2]
    store = ReviewStore(window.session.reader)
    assert store.queue() == []  # an annotator has no queue; and cannot decide:
    window.show_task(local)
    assert not window.queue.accept() and "lead or an admin" in window.statusBar().currentMessage()
    window.close()
