"""The sync details in words: real rounds against a real server ending offline, refused, signed out, with the
sign-in ended on the server, and on a revoked device, each said as what happened and what to do; the dialog, the
status label, the progress of a long round, and signing out and in again from the app."""

import json
import random

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from PySide6.QtWidgets import QMainWindow, QMessageBox

from core.messages import Message
from desktop import connect
from desktop.jobs import JobState
from desktop.main_window import MainWindow
from desktop.settings import Settings
from desktop.sync_status import SyncStatus, _round
from sync.client.credentials import token_name
from sync.client.engine import SyncState
from sync.envelope import b64e, raw_public
from tests.server_fixtures import PASSWORD, seed
from tests.sync_client_helpers import add, box, clone_for, server_task_ids
from widgets.sync_details import SyncDetails, advise, last_good, status_text

ROUND_MS = 20_000


@pytest.fixture
def synced(server_factory, keys, tmp_path):
    """A server, ann1's clone with an edit waiting (and its task started: 2 changes), and a round as the app runs it."""
    live = server_factory()
    seeded = seed(live, tmp_path)
    ws = clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    task = next(iter(server_task_ids(ws)))
    add(ws, task, [box(task, random.Random(1))])

    def round_() -> SyncState:
        return _round(tmp_path / "ann1", keys, JobState(lambda _done, _total: None))

    yield live, seeded, ws, round_
    ws.close()


def advice_after(state, live):
    advice = advise(state, live.url, "ann1")
    assert advice is not None and state.phase != "up_to_date"
    return advice


def test_offline_says_keep_working(synced):
    live, _seeded, _ws, round_ = synced
    live.stop()
    state = round_()
    advice = advice_after(state, live)
    assert (state.phase, advice.headline) == ("offline", "Cannot reach the server")
    assert f"{live.url} did not answer" in advice.detail and advice.todo.startswith("Keep working")
    assert not advice.sign_in and status_text(state, advice) == "Offline · 2 changes waiting"


def test_signed_out_and_sign_in_ended_say_sign_in_again(synced, keys):
    live, _seeded, _ws, round_ = synced
    credentials = keys.credentials
    session = json.loads(credentials.get(token_name(live.url, "ann1")))
    ended = live.url + "/api/v1/auth/logout"  # the sign-in ended on the server (or expired), still stored here
    assert httpx.post(ended, headers={"Authorization": f"Bearer {session['token']}"}).status_code == 200
    advice = advice_after(round_(), live)
    assert (advice.short, advice.headline, advice.sign_in) == ("Sign-in ended", "Your sign-in has ended", True)
    assert "The 2 changes waiting here are kept." in advice.detail and advice.todo.startswith("Sign in again as ann1")

    connect.sign_out(live.url, "ann1", credentials)  # the app's Sign out: forgotten here
    state = round_()
    advice = advice_after(state, live)
    assert (advice.headline, advice.sign_in) == ("You are signed out", True)
    assert advice.detail.startswith(f"This computer holds no sign-in for ann1 on {live.url}.")
    assert status_text(state, advice) == "Signed out · 2 changes waiting"


def test_refused_shows_the_servers_answer(synced, keys):
    live, _seeded, _ws, round_ = synced
    name = token_name(live.url, "ann1")
    session = json.loads(keys.credentials.get(name))
    other = b64e(raw_public(X25519PrivateKey.generate()))  # a key the server does not hold (a restored backup, say)
    session["server_key"]["public_key"] = other
    keys.credentials.set(name, json.dumps(session))
    state = round_()
    assert isinstance(state.last_error, Message) and state.last_error.fields["code"] == "unknown_recipient"
    advice = advice_after(state, live)
    assert (advice.short, advice.headline) == ("Sync refused", "The server refused the last sync")
    assert advice.detail.startswith("It answered: server refused (400 unknown_recipient)")
    assert "Your changes stay on this computer" in advice.todo and not advice.sign_in


def test_revoked_device_says_a_new_key_sends_the_waiting_changes(synced):
    live, seeded, _ws, round_ = synced
    admin = seeded.sessions["admin"]
    devices = admin.get("/admin/devices").json()
    mine = max(d["id"] for d in devices if d["user"] == "ann1")  # the app's device (the fixture's logged in first)
    assert admin.post(f"/admin/devices/{mine}/revoke").status_code == 200
    state = round_()
    advice = advice_after(state, live)
    assert (advice.short, advice.headline, advice.sign_in) == ("Device revoked", "This device was revoked", True)
    assert "An administrator stopped this computer from syncing as ann1" in advice.detail
    assert "a new device key, which sends the changes waiting" in advice.todo
    assert status_text(state, advice) == "Device revoked · 2 changes waiting"


def test_the_dialog_and_the_quiet_states(qtbot, synced):
    live, _seeded, _ws, round_ = synced
    dialog = SyncDetails()
    qtbot.addWidget(dialog)
    state = round_()  # the edit goes up
    dialog.show_state(state, live.url, "ann1", "streets")
    assert state.phase == "up_to_date" and advise(state, live.url, "ann1") is None
    assert dialog.headline.text() == "Up to date" and dialog.detail.isHidden() and dialog.sign_in_button.isHidden()
    values = [label.text() for label in dialog.fields.values()]
    assert values[:5] == [live.url, "ann1", "streets", "0", "0"] and values[5].endswith("(just now)")
    live.stop()
    state = round_()
    dialog.show_state(state, live.url, "ann1", "streets")
    assert dialog.headline.text() == "Cannot reach the server" and "Keep working" in dialog.todo.text()
    assert last_good(None) == "never" and last_good(1_000.0, now=1_000.0 + 7_200).endswith("(2 h ago)")


def test_progress_of_a_long_round(qtbot, synced, keys, tmp_path):
    _live, _seeded, ws, _round = synced
    window = QMainWindow()
    qtbot.addWidget(window)
    status = SyncStatus(window, keys)
    assert ws.pending_changes() == 2
    status.path, status.pending_at_start = tmp_path / "ann1", 5  # as a round began with 5 changes to send
    status._show_progress()
    assert status.label.text() == "Syncing… · 2 changes waiting" and not status.bar.isHidden()
    assert (status.bar.maximum(), status.bar.value()) == (5, 3)
    status.files = (1, 4)  # the round reported its downloads
    status._show_progress()
    assert status.label.text() == "Syncing… · downloading 1 / 4 files"
    assert (status.bar.maximum(), status.bar.value()) == (4, 1)
    status._round_ended()
    assert status.bar.isHidden() and status.reader is None


def test_sign_out_then_sign_in_again_from_the_details(qtbot, server_factory, keys, tmp_path):
    live = server_factory()
    seed(live, tmp_path)
    clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.show()
    try:
        window.open_workspace(tmp_path / "ann1")
        status = window.sync_status
        qtbot.waitUntil(lambda: status.label.text() == "Up to date", timeout=ROUND_MS)
        window.actions_by_id["sync.sign_out"].trigger()
        qtbot.waitUntil(lambda: window.connector.question is not None)
        assert window.connector.question.text() == f"Sign out of {live.url} as ann1?"
        window.connector.question.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: status.label.text() == "Signed out · no changes waiting", timeout=ROUND_MS)
        window.actions_by_id["sync.details"].trigger()
        details = status.details
        assert details.isVisible() and details.headline.text() == "You are signed out"
        assert details.sign_in_button.isVisible()
        details.sign_in_button.click()
        dialog = window.connector.dialog
        assert dialog.isVisible() and (dialog.server.text(), dialog.user.text()) == (live.url, "ann1")
        assert dialog.user.isReadOnly()
        dialog.password.setText(PASSWORD)
        dialog.sign_in_button.click()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=ROUND_MS)
        qtbot.waitUntil(lambda: status.label.text() == details.headline.text() == "Up to date", timeout=ROUND_MS)
        assert details.sign_in_button.isHidden()
    finally:
        window.close()
