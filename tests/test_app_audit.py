"""Review → Audit trail… in the real app: a lead's synced workspace shows the project's audit rows from the real
server on loopback, newest first, paged in the background and filtered by words; an annotator is told it is for
leads; another project's rows never show."""

from PySide6.QtWidgets import QMenu

import desktop.audit
from tests.app_windows import open_window
from tests.server_fixtures import PASSWORD, SCHEMA
from tests.sync_client_helpers import clone_for


def test_a_lead_reads_the_projects_audit_trail_in_the_app(qtbot, seeded_sqlite, keys, tmp_path, monkeypatch):
    s = seeded_sqlite
    admin = s.sessions["admin"]
    other = admin.post("/projects", json={"name": "fields", "schema": SCHEMA}).json()  # not this lead's
    assert s.sessions["ann1"].post(f"/tasks/{s.task_ids[0]}/submit").status_code == 200
    assert s.sessions["lead"].post(f"/tasks/{s.task_ids[0]}/review", json={"decision": "accept"}).status_code == 200
    monkeypatch.setattr(desktop.audit, "PAGE", 3)  # several pages, as a long trail has
    clone_for(s.server.url, "lead", PASSWORD, tmp_path / "lead", keys).close()
    window = open_window(qtbot, keys, tmp_path / "lead")
    review_menu = window.menuBar().findChild(QMenu, "review")
    assert window.actions_by_id["review.audit"] in review_menu.actions()
    window.actions_by_id["review.audit"].trigger()
    dialog = window.audit.dialog
    assert window.audit.wait(10)
    qtbot.waitUntil(lambda: dialog.state.text().endswith("newest first"), timeout=10_000)
    actions = [dialog.tree.topLevelItem(i).text(2) for i in range(dialog.tree.topLevelItemCount())]
    assert actions[0] == "task.review"  # the newest first
    assert {"project.create", "project.lead", "task.create", "task.assign", "task.status"} <= set(actions)
    targets = {dialog.tree.topLevelItem(i).text(3) for i in range(dialog.tree.topLevelItemCount())}
    assert f"project:{other['id']}" not in targets and targets <= {f"project:{s.project_id}",
                                                                    *(f"task:{t}" for t in s.task_ids)}
    dialog.filter.setText("task.review lead")
    assert dialog.tree.topLevelItemCount() == 1
    assert "decision=accept" in dialog.tree.topLevelItem(0).text(4)
    window.close()


def test_an_annotator_is_told_it_is_for_leads(qtbot, seeded_sqlite, keys, tmp_path):
    clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
    window = open_window(qtbot, keys, tmp_path / "ann1")
    dialog = window.audit.show()
    assert "for the project's leads" in dialog.state.text() and dialog.tree.topLevelItemCount() == 0
    window.close()
