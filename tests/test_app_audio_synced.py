"""A synced recording in the app: decoded from the encrypted cache with the view filling in as it decodes, its
pyramid kept for the next open, a segment drawn in the window reaching the server on the next round."""

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt

from desktop import cli
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.client.media import MEDIA_PREFIX
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import clone_for, server_task_ids, sync
from tests.test_app import mouse
from tests.test_app_synced import ROUND_S, round_done
from tests.test_audio_sync import SCHEMA, _recording
from tools.audio_editor import time_span
from widgets.waveform import LANE_H

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def synced_recording(seeded, keys, tmp_path):
    """The lead's clone of a recording the field worker added and pushed, its pyramid row gone (as in a workspace
    synced by a version that did not build one)."""
    lead = seeded.sessions["lead"]
    assert lead.http.put(f"/projects/{seeded.project_id}/schema", json={"schema": SCHEMA}).status_code == 200
    with clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys) as ws:
        assert cli.main(["add", str(tmp_path / "ann1"), str(_recording(tmp_path / "field"))]) == 0
        sync(ws, keys)
        (task,) = [t for t in ws.tasks() if t.kind == "audio"]
        server_id = server_task_ids(ws)[task.id]
    lead_ws = clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    (pulled,) = [t for t in lead_ws.tasks() if t.kind == "audio"]
    assert pulled.media_path.startswith(MEDIA_PREFIX)
    with lead_ws.transaction() as conn:
        conn.execute("DELETE FROM audio_peaks")
    lead_ws.close()
    return tmp_path / "lead", pulled, server_id


def test_a_synced_recording_decodes_in_view_and_a_drawn_segment_syncs(qtbot, seeded, keys, synced_recording):
    folder, task, server_id = synced_recording
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    try:
        window.open_workspace(folder, task.id)
        view = window.audio.waveform
        qtbot.waitUntil(lambda: view.pyramid is not None and view.pyramid.complete, timeout=ROUND_S)
        assert abs(view.axis.duration - 12.0) < 1e-6 and window.mode == "audio"
        window.session.writer.flush()
        assert window.session.reader.audio_peaks(task.content_hash) is not None  # kept: the next open draws at once
        y = view.lanes_top() + LANE_H / 2  # the speaker tier
        a, b = QPointF(view.axis.x(6.5), y), QPointF(view.axis.x(9.0), y)
        mouse(view, QEvent.Type.MouseButtonPress, a, LEFT, LEFT)
        mouse(view, QEvent.Type.MouseMove, (a + b) / 2, Qt.MouseButton.NoButton, LEFT)
        mouse(view, QEvent.Type.MouseMove, b, Qt.MouseButton.NoButton, LEFT)
        mouse(view, QEvent.Type.MouseButtonRelease, b, LEFT, Qt.MouseButton.NoButton)
        (drawn,) = window.audio.editor.on_tier("speaker")
        assert drawn.label == "alice" and abs(time_span(drawn)[0] - 6.5) < 0.05
        window.session.writer.flush()
        round_done(window, qtbot)
        lead = seeded.sessions["lead"]

        def on_server() -> bool:
            items = lead.get(f"/tasks/{server_id}/annotations").json()["items"]
            return any(i["id"] == drawn.id for i in items)  # sealed: the server sees ids, not labels

        qtbot.waitUntil(on_server, timeout=ROUND_S)
    finally:
        window.close()
