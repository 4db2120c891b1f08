"""Review → Consensus and gold… in the real app against the real server on loopback (issue 12): a lead saves the
quality settings, draws consensus tasks for two annotators (the server holds their replicas), marks the task on
show and then the tasks selected in the task list as gold (a task not accepted is refused in words), mixes gold,
reads the per-annotator report and exports it; a stopped server is said in words and the app goes on; an
annotator's workspace keeps the entry disabled."""

from __future__ import annotations

import csv

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMenu

from tests.app_windows import open_window
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import clone_for
from tests.test_server_consensus import box, new_tasks, ok
from widgets.task_list import TASK_ID_ROLE

WAIT_MS = 15_000


def accepted_tasks(s, count):
    """ann1 answers new tasks with one box each and the lead accepts them: tasks that can be gold."""
    lead, ann1 = s.sessions["lead"], s.sessions["ann1"]
    tasks = new_tasks(s, count, prefix="gold_")
    for i, task in enumerate(tasks):
        ok(lead.post(f"/tasks/{task}/assign", json={"user": "ann1"}))
        ann1.push([ann1.op(task, f"g{i}", box("car", 5, 5))])
        ok(ann1.post(f"/tasks/{task}/submit"))
        ok(lead.post(f"/tasks/{task}/review", json={"decision": "accept"}))
    return tasks


def local_id(window, server_id):
    with window.session.reader.reading() as conn:
        return conn.execute("SELECT local_id FROM sync_tasks WHERE server_id = ?", (server_id,)).fetchone()[0]


def select(window, local_ids):
    """Select these tasks' rows in the task list, as Ctrl+click does."""
    model, selection = window.tasks.model, window.tasks.view.selectionModel()
    selection.clearSelection()
    for row in range(model.rowCount()):
        if model.index(row, 0).data(TASK_ID_ROLE) in local_ids:
            selection.select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                             | QItemSelectionModel.SelectionFlag.Rows)


def answered(qtbot, dialog, start):
    """Wait for the dialog's state to begin with `start` (the call's outcome), then return it."""
    qtbot.waitUntil(lambda: dialog.state.text().startswith(start), timeout=WAIT_MS)
    return dialog.state.text()


def check(names, wanted):
    for i in range(names.count()):
        item = names.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked)


def test_a_lead_runs_consensus_and_gold_from_the_app(qtbot, seeded_sqlite, keys, tmp_path):
    s = seeded_sqlite
    lead, p = s.sessions["lead"], s.project_id
    gold, gold2 = accepted_tasks(s, 2)
    pool = new_tasks(s, 4, prefix="c")
    clone_for(s.server.url, "lead", PASSWORD, tmp_path / "lead", keys).close()
    window = open_window(qtbot, keys, tmp_path / "lead")
    action = window.actions_by_id["review.quality"]
    assert action in window.menuBar().findChild(QMenu, "review").actions()
    qtbot.waitUntil(action.isEnabled, timeout=WAIT_MS)
    action.trigger()
    dialog = window.quality.dialog
    assert dialog is not None and dialog.isVisible()
    assert answered(qtbot, dialog, "Up to date") == "Up to date: 2 annotators"
    assert [dialog.consensus_names.item(i).text() for i in range(dialog.consensus_names.count())] == ["ann1", "ann2"]
    assert not dialog.consensus_on.isChecked() and not dialog.gold_on.isChecked()  # nothing set yet

    # Settings: saved with PUT, read back from the server's answer
    dialog.consensus_on.setChecked(True)
    dialog.per_task.setValue(2)
    dialog.quorum.setValue(2)
    dialog.share.setValue(1.0)
    dialog.gold_on.setChecked(True)
    dialog.gold_rate.setValue(0.5)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert answered(qtbot, dialog, "Settings saved") == "Settings saved on the server"
    stored = ok(lead.get(f"/projects/{p}/quality/settings"))
    assert stored["consensus"] == {"share": 1.0, "annotators": 2, "quorum": 2, "min_agreement": 0.6,
                                   "threshold": 0.5}
    assert stored["gold"] == {"rate": 0.5, "threshold": 0.5}

    # Consensus: none checked is refused here; two checked, the server draws and holds the replicas
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.state.text() == "Check the annotators who get the consensus tasks" and dialog.state.property("warn")
    check(dialog.consensus_names, {"ann1", "ann2"})
    dialog.seed.setText("seed-1")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    text = answered(qtbot, dialog, "4 of 4 new tasks")
    assert text == "4 of 4 new tasks drawn for consensus (seed seed-1); 8 replicas, 2 per task"
    assert dialog.drawn.text() == text
    origins = ok(lead.get(f"/projects/{p}/consensus"))["items"]
    assert sorted(o["task_id"] for o in origins) == pool
    for origin in origins:
        replicas = ok(lead.get(f"/tasks/{origin['task_id']}/quality"))["replicas"]
        assert sorted(r["annotator"] for r in replicas) == ["ann1", "ann2"]

    # Gold: a task not accepted is refused in words; the accepted one on show becomes gold
    window.show_task(local_id(window, s.task_ids[0]))
    qtbot.mouseClick(dialog.mark_button, Qt.MouseButton.LeftButton)
    assert answered(qtbot, dialog, "The server refused: ") == (
        f"The server refused: the task has not been accepted yet (task {s.task_ids[0]} is assigned: a lead accepts "
        "its answer before it becomes gold)")  # the code's meaning in the app's words, then the server's detail
    window.show_task(local_id(window, gold))
    qtbot.mouseClick(dialog.mark_button, Qt.MouseButton.LeftButton)
    assert answered(qtbot, dialog, "Task") == f"Task {gold} is gold: answer version 1, 1 shapes"
    assert [g["task_id"] for g in ok(lead.get(f"/projects/{p}/gold"))["items"]] == [gold]
    assert [dialog.gold_table.item(r, 0).text() for r in range(dialog.gold_table.rowCount())] == [str(gold)]
    select(window, {local_id(window, gold), local_id(window, gold2)})  # the selected tasks, the first again
    qtbot.mouseClick(dialog.mark_selected_button, Qt.MouseButton.LeftButton)
    assert not dialog.mix_button.isEnabled()  # busy until the answer
    assert answered(qtbot, dialog, "2 tasks") == f"2 tasks are gold: {gold}, {gold2}"
    assert dialog.mix_button.isEnabled()
    listed = {g["task_id"]: g["version"] for g in ok(lead.get(f"/projects/{p}/gold"))["items"]}
    assert listed == {gold: 2, gold2: 1}
    assert [[dialog.gold_table.item(r, c).text() for c in range(3)] for r in range(2)] == \
        [[str(gold), "2", "1"], [str(gold2), "1", "1"]]
    check(dialog.gold_names, {"ann2"})
    qtbot.mouseClick(dialog.mix_button, Qt.MouseButton.LeftButton)
    text = answered(qtbot, dialog, "2 gold replicas")  # ann2 has 4 real tasks: the consensus replicas
    assert text == "2 gold replicas mixed at 0.5 per real task (seed " + text.split("(seed ")[1]
    assert [g["replicas"] for g in ok(lead.get(f"/projects/{p}/gold"))["items"]] == [1, 1]
    assert [dialog.gold_table.item(r, 3).text() for r in range(2)] == ["1", "1"]

    # Results: the server's report in the table, and as CSV
    qtbot.mouseClick(dialog.refresh_button, Qt.MouseButton.LeftButton)
    answered(qtbot, dialog, "Up to date")
    report = ok(lead.get(f"/projects/{p}/quality"))
    assert dialog.table.rowCount() == len(report["items"]) == 1  # ann1: two tasks reviewed, the replicas not done
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == \
        [i["annotator"] for i in report["items"]]
    assert dialog.table.horizontalHeaderItem(2).text() == "Consensus agreement"
    dialog.export_csv(tmp_path / "quality.csv")
    with open(tmp_path / "quality.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["annotator"] for r in rows] == [i["annotator"] for i in report["items"]]
    assert list(rows[0]) == report["columns"]
    assert (rows[0]["reviewed"], rows[0]["accepted"], rows[0]["consensus_agreement"]) == ("2", "2", "")
    assert dialog.table.item(0, 2).text() == "-"  # no agreement yet

    # the server stops: the dialog says so in words, and the app goes on
    s.server._server.should_exit = True  # as the dashboard's app test stops it; the fixture closes the store
    s.server._thread.join(timeout=20)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Nothing was changed" in answered(qtbot, dialog, "The server cannot be reached: ")
    assert dialog.state.property("warn") and dialog.isVisible() and window.isVisible()
    window.quality.wait(15)
    window.close()


def test_an_annotator_gets_the_entry_disabled(qtbot, seeded_sqlite, keys, tmp_path):
    clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
    window = open_window(qtbot, keys, tmp_path / "ann1")
    with qtbot.waitSignal(window.sync_status.state_changed, timeout=WAIT_MS):
        window.sync_status.sync_now()
    assert window.quality.where() is None
    assert not window.actions_by_id["review.quality"].isEnabled()
    assert window.quality.show() is None and window.quality.dialog is None
    assert "for the leads and admins" in window.statusBar().currentMessage()
    window.close()
