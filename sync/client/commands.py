"""What `annodesk login`, `annodesk clone` and `annodesk sync` do, without argument parsing (desktop/cli.py).

login: password in, token and this device's Ed25519 key into the credential store (the key is made once per server
and user and kept, so its client id and batch chain survive later logins; after a revocation a new key continues
the same client).
clone: a new workspace for one project of the server, encrypted at rest, filled by a first sync round.
sync: one round on an existing synced workspace.
"""

from __future__ import annotations

import getpass
import json
import platform
from pathlib import Path
from typing import Any

import platformdirs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from sync.client.at_rest import KeyRing, create_encrypted
from sync.client.credentials import Credentials, device_name, takeover_name, token_name, user_name
from sync.client.engine import SyncEngine, SyncState
from sync.client.http import Http, ServerError, SyncError
from sync.client.store import SyncStore
from sync.envelope import b64d, b64e, raw_public
from sync.workspace import Workspace

OP_SPACE = 1 << 40  # op ids each workspace of a device may use (a device's op ids must never repeat)


def login(server: str, user: str, password: str, credentials: Credentials) -> dict[str, Any]:
    """Log in with this device's key (made on first login) and store the session; returns the server's answer.

    When an administrator revoked the key, a new key is made and continues the previous client (its op ids and
    batch chain), so the workspaces' unsent work can still be sent; the server allows that only for this user's
    own client. The new key and the client it continues are stored before the request, so a login whose answer
    was lost is retried with the same key."""
    server = server.rstrip("/")
    stored = credentials.get(device_name(server, user))
    key = Ed25519PrivateKey.from_private_bytes(b64d(stored, 32)) if stored else Ed25519PrivateKey.generate()
    previous = credentials.get(takeover_name(server, user))
    try:
        answer = _login_request(server, user, password, key, previous)
    except ServerError as exc:
        if exc.code != "revoked_device":
            raise
        previous = previous or _session_client(credentials, server, user)
        key = Ed25519PrivateKey.generate()
        if previous:
            credentials.set(takeover_name(server, user), previous)
        credentials.set(device_name(server, user), _raw(key))
        stored = _raw(key)
        answer = _login_request(server, user, password, key, previous)
    if previous and answer["client_id"] != previous:
        raise SyncError(f"{server} answered with client {answer['client_id']} instead of continuing {previous}")
    if not stored:
        credentials.set(device_name(server, user), _raw(key))
    session = {k: answer[k] for k in ("token", "expires_at", "client_id", "device_id", "server_key")}
    session["role"] = answer["user"]["role"]
    credentials.set(token_name(server, user), json.dumps(session))
    credentials.set(user_name(server), user)
    if previous:
        credentials.delete(takeover_name(server, user))
    return answer


def _login_request(server: str, user: str, password: str, key: Ed25519PrivateKey,
                   previous_client: str | None) -> dict[str, Any]:
    body = {"username": user, "password": password, "device_name": platform.node() or "device",
            "device_public_key": b64e(raw_public(key))}
    if previous_client:
        body["previous_client_id"] = previous_client
    http = Http(server, attempts=3)
    try:
        answer: dict[str, Any] = http.json("POST", "/auth/login", json=body)
        return answer
    finally:
        http.close()


def _session_client(credentials: Credentials, server: str, user: str) -> str | None:
    """The client id of the last stored session (the one a revoked key was used for)."""
    stored = credentials.get(token_name(server, user))
    client = json.loads(stored).get("client_id") if stored else None
    return str(client) if client else None


def _raw(key: Ed25519PrivateKey) -> str:
    return b64e(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))


def reserve_op_ids(server: str, user: str, credentials: Credentials) -> int:
    """The first op id of a new workspace of this device: past every range handed out before."""
    name = f"opbase:{server}:{user}"
    base = int(credentials.get(name) or 0)
    credentials.set(name, str(base + OP_SPACE))
    return base


def clone(server: str, project: str, directory: Path, credentials: Credentials, keys: KeyRing,
          user: str | None = None) -> SyncState:
    """Create an encrypted workspace for `project` and run a first round (tasks, schema, annotations, media)."""
    server = server.rstrip("/")
    user = user or credentials.get(user_name(server))
    if not user:
        raise SyncError(f"not logged in to {server}: run annodesk login {server} --user NAME")
    session = json.loads(credentials.require(token_name(server, user), f"run: annodesk login {server} --user {user}"))
    http = Http(server, session["token"])
    try:
        projects = http.json("GET", "/projects")
    finally:
        http.close()
    match = [p for p in projects if p["name"] == project]
    if not match:
        names = ", ".join(sorted(p["name"] for p in projects)) or "none"
        raise SyncError(f"{server}: no project {project!r} visible to {user} (projects: {names})")
    ws = create_encrypted(Path(directory), keys)
    try:
        SyncStore(ws).put_now(server=server, user=user, project_id=match[0]["id"], project=project, cursor=0,
                              op_base=reserve_op_ids(server, user, credentials))
        ws.author = user
        return sync(ws, credentials, keys)
    finally:
        ws.close()


def sync(ws: Workspace, credentials: Credentials, keys: KeyRing, server: str | None = None) -> SyncState:
    """One round; `server` moves the workspace to another address of the same server."""
    if server:
        SyncStore(ws).put_now(server=server.rstrip("/"))
    engine = SyncEngine(ws, credentials, keys)
    try:
        return engine.sync_once()
    finally:
        engine.close()


_cli_keys: KeyRing | None = None


def cli_keys() -> KeyRing:
    """The process's workspace keys for command-line use (a passphrase prompt on the terminal if no keyring)."""
    global _cli_keys
    if _cli_keys is None:
        _cli_keys = KeyRing(Credentials(vault_path(), lambda prompt: getpass.getpass(prompt + ": ")))
    return _cli_keys


def vault_path() -> Path:
    return Path(platformdirs.user_data_dir("annodesk")) / "vault.json"
