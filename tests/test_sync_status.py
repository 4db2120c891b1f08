"""The app's automatic sync: the status bar shows the state, and edits made while the server is down go up by
themselves once it is back (no new edit needed)."""

import random

from PySide6.QtWidgets import QMainWindow

from desktop import sync_status
from desktop.sync_status import SyncStatus
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD, ServerProcess, seed
from tests.sync_client_helpers import add, box, clone_for, server_task_ids


def test_status_bar_and_resume_after_outage(qtbot, server_factory, keys, tmp_path, monkeypatch):
    monkeypatch.setattr(sync_status, "RETRY_MS", (200, 400))
    live = server_factory()
    seeded = seed(live, tmp_path)
    ws = clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    live.stop()
    server = ServerProcess(live.config.data_dir, port=live.port).start()
    window = QMainWindow()
    qtbot.addWidget(window)
    status = SyncStatus(window, keys)
    try:
        t = next(iter(server_task_ids(ws)))
        add(ws, t, [box(t, random.Random(1))])
        status.attach(tmp_path / "ann1", ws)
        qtbot.waitUntil(lambda: status.label.text() == "Up to date", timeout=20_000)
        server.kill()
        add(ws, t, [box(t, random.Random(2))])
        status.edited()
        qtbot.waitUntil(lambda: status.label.text().startswith("Offline · 1 change waiting"), timeout=30_000)
        server.start()  # nobody edits: the retry timer finds the server and sends the change
        qtbot.waitUntil(lambda: status.label.text() == "Up to date", timeout=30_000)
        remote = seeded.sessions["ann1"].get(f"/tasks/{server_task_ids(ws)[t]}/annotations").json()
        assert len(remote["items"]) == 2
    finally:
        status.stop()
        server.kill()
        ws.close()


def test_plain_workspace_shows_no_sync_state(qtbot, keys, tmp_path):
    window = QMainWindow()
    qtbot.addWidget(window)
    status = SyncStatus(window, keys)
    with Workspace.create(tmp_path / "plain") as ws:
        status.attach(tmp_path / "plain", ws)
    assert status.label.isHidden() and status.job is None
