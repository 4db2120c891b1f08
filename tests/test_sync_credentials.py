"""Credentials: the OS keyring (with a timeout), the passphrase vault where no keyring works, and the CLI commands
login / clone / sync that store and use them."""

import io
import json
import time

import keyring
import keyring.backends.fail
import pytest

from desktop import cli
from sync.client import commands
from sync.client import credentials as creds_mod
from sync.client.at_rest import KeyRing, create_encrypted
from sync.client.credentials import Credentials, CredentialsError
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD
from tests.sync_client_helpers import MemoryKeyring, memory_keys


@pytest.fixture(autouse=True)
def restore(monkeypatch):
    monkeypatch.setattr(commands, "_cli_keys", None)  # the CLI's process-wide keys start fresh in each test
    yield
    Workspace.codec_provider = None


def test_vault_when_no_keyring_works(tmp_path, monkeypatch):
    monkeypatch.setattr(creds_mod, "SCRYPT_N", 2**12)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return "open sesame"

    vault = tmp_path / "vault.json"
    first = Credentials(vault, ask)
    first.set("token:x", "s3cret-token-value")
    assert first.get("token:x") == "s3cret-token-value" and len(asked) == 1
    assert b"s3cret-token-value" not in vault.read_bytes()
    assert Credentials(vault, lambda _p: "open sesame").get("token:x") == "s3cret-token-value"
    with pytest.raises(CredentialsError, match="wrong passphrase"):
        Credentials(vault, lambda _p: "guess").get("token:x")
    with pytest.raises(CredentialsError, match="no OS keyring"):
        Credentials(vault).get("token:x")
    keys = KeyRing(Credentials(vault, lambda _p: "open sesame"))
    ws = create_encrypted(tmp_path / "ws", keys)  # the workspace key lives in the vault
    assert ws.codec is not None
    ws.close()


def test_a_hanging_keyring_times_out(tmp_path):
    class Slow(MemoryKeyring):
        def get_password(self, service, username):
            time.sleep(5)

    keyring.set_keyring(Slow())
    started = time.monotonic()
    with pytest.raises(CredentialsError, match="did not answer"):
        Credentials(tmp_path / "v", timeout=0.3).get("anything")
    assert time.monotonic() - started < 2


def test_cli_login_clone_sync(seeded_sqlite, tmp_path, monkeypatch, capsys):
    _keys, backend = memory_keys(tmp_path)
    url = seeded_sqlite.server.url
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["login", url, "--user", "ann1", "--password-stdin"]) == 0
    assert "logged in" in capsys.readouterr().out
    stored = json.loads(backend.items[f"annodesk\0token:{url}:ann1"])
    assert stored["client_id"] and f"annodesk\0device:{url}:ann1" in backend.items
    ws = tmp_path / "ws"
    assert cli.main(["clone", url, "--project", "streets", str(ws)]) == 0
    assert "Up to date" in capsys.readouterr().out
    assert cli.main(["sync", str(ws)]) == 0 and capsys.readouterr().out.strip() == "Up to date"
    assert cli.main(["stats", str(ws), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks"]["total"] == 2
    assert cli.main(["clone", url, "--project", "nope", str(tmp_path / "w2")]) == 2
    assert "no project 'nope'" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    assert cli.main(["login", url, "--user", "ann1", "--password-stdin"]) == 2
    assert "bad_credentials" in capsys.readouterr().err


def test_the_keyring_backend_is_looked_for_on_first_use_not_when_built(tmp_path, monkeypatch):
    """The app builds its Credentials on the UI thread; finding the backend (D-Bus on some desktops) happens later,
    on the worker that reads the first secret."""
    looked = []
    monkeypatch.setattr(creds_mod, "keyring_usable", lambda: looked.append(1) or True)
    keyring.set_keyring(MemoryKeyring())
    credentials = Credentials(tmp_path / "v")
    assert looked == []
    credentials.set("token:x", "t")
    assert credentials.get("token:x") == "t" and credentials.where == "the OS keyring" and looked == [1]
