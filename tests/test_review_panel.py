"""The Review panel and comment pins in the real app: a lead rejects a task with a comment pinned to an annotation and
one at a point; the annotator's app syncs and shows both, with pins on the canvas, and a chosen comment selects and
centres its target. The annotator's edit that lost to the lead is listed too."""

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from core.annotation import Annotation, new_id
from core.document import Change, ChangeOp
from core.shapes import Box
from desktop.main_window import MainWindow
from desktop.settings import Settings
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import add, clone_for, server_task_ids, sync

BOX = Box(20, 15, 10, 8)
POINT = (40.0, 30.0)


@pytest.fixture
def rejected(seeded_sqlite, keys, tmp_path):
    """ann1's workspace with a box on the first task, an edit of it that lost to the lead, the task submitted."""
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    server_task = seeded_sqlite.task_ids[0]
    local = {s: t for t, s in server_task_ids(ws).items()}[server_task]
    (box,) = add(ws, local, [Annotation(new_id(), local, "car", BOX)])
    assert sync(ws, keys).phase == "up_to_date"
    lead = seeded_sqlite.sessions["lead"]
    lead.push([lead.op(server_task, box.id, {"label": "person"}, base=1)])
    mine = dataclasses.replace(box, label="truck", revision=box.revision + 1)
    ws.commit(local, [Change(ChangeOp.UPSERT, mine)])
    assert sync(ws, keys).rejected == 1  # the lead's label wins
    assert lead.post(f"/tasks/{server_task}/submit").status_code == 200
    ws.close()
    return tmp_path / "ann1", local, server_task, box


def test_a_rejected_task_shows_its_comments_pins_and_refused_edit(qtbot, seeded_sqlite, keys, rejected):
    path, local, server_task, box = rejected
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.open_workspace(path, local)  # a synced workspace is unlocked on a worker, then the task is shown
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=10_000)
    review, panel = window.review, window.review.panel
    assert [(v.field, v.lost, v.won) for v in panel.review.refused] == [("label", "truck", "person")]
    assert panel.badge.text() == "Not reviewed" and not panel.review.comments and not review.pins.items
    comments = [{"text": "truck, not bus", "annotation_id": box.id}, {"text": "missed a cyclist", "x": POINT[0],
                                                                         "y": POINT[1]}]
    lead = seeded_sqlite.sessions["lead"]
    assert lead.post(f"/tasks/{server_task}/review", json={"decision": "reject", "comments": comments}).is_success
    review.dock.hide()
    window.sync_status.sync_now()  # the app's own sync round brings the rejection
    qtbot.waitUntil(lambda: panel.review.rejected, timeout=20_000)
    assert review.dock.isVisible() and review.dock.windowTitle() == "Review · Rejected"
    assert panel.badge.text() == "Rejected" and panel.byline.text().startswith("by lead")
    rows = panel.rows()
    assert [r.text(0).split("\n")[0] for r in rows[:2]] == ["1.  truck, not bus", "2.  missed a cyclist"]
    assert rows[0].text(0).endswith("on a shape") and rows[1].text(0).endswith("at 40, 30")
    assert rows[2].text(0).startswith("label: yours truck → kept person")
    # pins: numbered like the rows, at the box's top-left corner and at the point, the same size at any zoom
    pins = {p.number: p for p in review.pins.items}
    assert {n: (p.pos().x(), p.pos().y()) for n, p in pins.items()} == {1: (BOX.x, BOX.y), 2: POINT}
    assert all(p.scene() is window.canvas.scene() and p.isVisible() for p in pins.values())
    assert all(p.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations for p in pins.values())
    assert window.canvas.image_rect().width() == 64  # shown from the encrypted media cache
    window.canvas.set_scale(40.0)  # zoomed in, so centring has room to scroll
    on_screen = [window.canvas.mapFromScene(p.pos()) for p in pins.values()]
    sizes = {p.deviceTransform(window.canvas.viewportTransform()).mapRect(p.boundingRect()).width()
             for p in pins.values()}
    assert sizes == {pins[1].boundingRect().width()} and on_screen  # not scaled by the 40x zoom
    # a click on the first comment selects the box and centres it; Down + Enter centres the second one's point
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=panel.tree.visualItemRect(rows[0]).center())
    assert window.session.editor.selection == (box.id,)
    assert _view_centre(window) == pytest.approx((BOX.x + BOX.w / 2, BOX.y + BOX.h / 2), abs=0.1)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert _view_centre(window) == pytest.approx(POINT, abs=0.1)
    # the pins can be hidden from the panel, and come back
    panel.show_pins.click()
    assert not any(p.isVisible() for p in review.pins.items)
    panel.show_pins.click()
    assert all(p.isVisible() for p in review.pins.items)
    # a user who closes the dock is not overruled by the next sync round ...
    review.dock.hide()
    with qtbot.waitSignal(window.sync_status.state_changed, timeout=20_000):
        window.sync_status.sync_now()
    qtbot.wait(100)
    assert not review.dock.isVisible() and panel.review.rejected
    # ... another task has nothing to show; coming back to the rejected one opens the dock again
    other = next(t.id for t in window.session.reader.tasks() if t.id != local)
    window.show_task(other)
    assert not panel.empty_label.isHidden() and panel.tree.isHidden() and not review.pins.items
    review.dock.hide()
    window.show_task(local)
    assert review.dock.isVisible() and len(review.pins.items) == 2
    window.close()


def _view_centre(window):
    centre = window.canvas.mapToScene(window.canvas.viewport().rect().center())
    return centre.x(), centre.y()
