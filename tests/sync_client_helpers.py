"""Helpers for the sync client tests: an in-memory keyring, synced workspaces on a live server, edits, checks.

The in-memory keyring is a real keyring backend (keyring.set_keyring), so the client code path is the production one.
A child process (kill tests) gets the parent's secrets on stdin and installs them in its own in-memory keyring, so
no secret is ever written to a file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend

from core.annotation import Annotation, new_id
from core.document import Change, ChangeOp
from core.shapes import Box
from sync.client import commands
from sync.client.at_rest import KeyRing
from sync.client.credentials import Credentials
from sync.client.store import SyncStore, normalized_digest
from sync.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, items: dict[str, str] | None = None) -> None:
        super().__init__()
        self.items: dict[str, str] = dict(items or {})

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[f"{service}\0{username}"] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop(f"{service}\0{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def memory_keys(tmp: Path, items: dict[str, str] | None = None) -> tuple[KeyRing, MemoryKeyring]:
    """A fresh in-memory keyring for this process and the workspace keys on it, installed for Workspace.open."""
    backend = MemoryKeyring(items)
    keyring.set_keyring(backend)
    keys = KeyRing(Credentials(tmp / "vault.json"))
    keys.install()
    return keys, backend


def clone_for(server_url: str, user: str, password: str, directory: Path, keys: KeyRing,
              project: str = "streets") -> Workspace:
    commands.login(server_url, user, password, keys.credentials)
    commands.clone(server_url, project, directory, keys.credentials, keys, user)
    return Workspace.open(directory)


def sync(ws: Workspace, keys: KeyRing) -> Any:
    return commands.sync(ws, keys.credentials, keys)


def server_task_ids(ws: Workspace) -> dict[int, int]:
    """local task id -> server task id."""
    with ws.transaction() as conn:
        return {local: server for local, (server, _s, _r) in SyncStore.server_tasks(conn).items()}


def box(task_id: int, rng: random.Random, label: str = "car") -> Annotation:
    return Annotation(new_id(), task_id, label, Box(rng.uniform(0, 40), rng.uniform(0, 30), rng.uniform(1, 20),
                                                    rng.uniform(1, 15)), {"occluded": rng.random() < 0.5})


def add(ws: Workspace, task_id: int, annotations: list[Annotation]) -> list[Annotation]:
    stored = [dataclasses.replace(a, revision=a.revision + 1) for a in annotations]
    ws.commit(task_id, [Change(ChangeOp.UPSERT, a) for a in stored])
    return stored


def move(ws: Workspace, annotation: Annotation, dx: float) -> Annotation:
    shape = annotation.shape
    assert isinstance(shape, Box)
    moved = dataclasses.replace(annotation, shape=Box(shape.x + dx, shape.y, shape.w, shape.h),
                                revision=annotation.revision + 1)
    ws.commit(annotation.task_id, [Change(ChangeOp.UPSERT, moved)])
    return moved


def delete(ws: Workspace, annotation: Annotation) -> Annotation:
    gone = dataclasses.replace(annotation, revision=annotation.revision + 1)
    ws.commit(annotation.task_id, [Change(ChangeOp.DELETE, gone)])
    return gone


def agree(ws: Workspace, session: Any) -> dict[int, tuple[int, str]]:
    """Assert client and server hold the same annotations on every synced task; returns server task -> (n, hash)."""
    store = SyncStore(ws)
    out = {}
    for local, server in server_task_ids(ws).items():
        remote = session.get(f"/tasks/{server}/annotations").json()
        count, digest = store.task_digest(local)
        if (count, digest) != (len(remote["items"]), normalized_digest(remote["items"])):
            with ws.transaction() as conn:
                ids = [a.id for a in ws.annotations(local)]
                mine = {i: f for i, (_t, f, _d) in store.rows(conn, ids).items()}
            theirs = {i["id"]: i["fields"] for i in remote["items"]}
            raise AssertionError(f"task {server} differs: only local {sorted(mine.keys() - theirs.keys())}, only on "
                                 f"server {sorted(theirs.keys() - mine.keys())}, different "
                                 f"{[(theirs[i], mine[i]) for i in mine.keys() & theirs.keys()]}")
        out[server] = (count, digest)
    return out


# -- the child process of the kill tests ----------------------------------------------------------------------------

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.sync_client_helpers import MemoryKeyring
import keyring
keyring.set_keyring(MemoryKeyring(json.loads(sys.stdin.readline())))
from desktop.cli import main
sys.exit(main(["sync", sys.argv[2]]))
"""


def child_command(workspace: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, str(ROOT), str(workspace)]


def secrets_line(backend: MemoryKeyring) -> bytes:
    return (json.dumps(backend.items) + "\n").encode()


def byte_runs(data: bytes) -> list[bytes]:
    """Byte runs from inside a media file or pyramid (not its header, which every file of the kind shares)."""
    return [data[int(len(data) * q): int(len(data) * q) + 32] for q in (0.3, 0.5, 0.7, 0.9)]


def files_with(needles: list[bytes], roots: list[Path], skip: Sequence[Path] = (), since: float | None = None
               ) -> list[Path]:
    """Files under `roots` (outside `skip`; modified at or after `since` when given) holding any of `needles`:
    where plaintext media reached the disk."""
    found = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not any((Path(folder) / d).resolve() == s.resolve() for s in skip)]
            for name in files:
                path = Path(folder) / name
                try:
                    if not path.is_file() or (since is not None and path.stat().st_mtime < since):
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                if any(n in data for n in needles):
                    found.append(path)
    return found
