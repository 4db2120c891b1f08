"""A lead's consensus and gold calls from the app: the project's quality settings, the consensus draw, gold marks and
mixes, and the per-annotator quality report, over HTTP with the workspace's server, user and token (the routes are
sync/server/routes_quality.py). Qt-free; the app calls these on a worker thread, and none raises for the network or
the server's refusal: the answer says which, in words."""

from __future__ import annotations

import json
from typing import Any

from sync.client.credentials import Credentials
from sync.client.dashboard import Fetched, Where, request
from sync.workspace import Workspace

TIMEOUT_S = 30.0  # a draw writes many replicas: longer than a dashboard refresh


def call(at: Where, credentials: Credentials, method: str, path: str, body: dict[str, Any] | None = None) -> Fetched:
    return request(at, credentials, method, path, body, timeout=TIMEOUT_S)


def get_settings(at: Where, credentials: Credentials) -> Fetched:
    """{"consensus": {...} or None, "gold": {...} or None}."""
    return call(at, credentials, "GET", "{project}/quality/settings")


def save_settings(at: Where, credentials: Credentials, settings: dict[str, Any]) -> Fetched:
    return call(at, credentials, "PUT", "{project}/quality/settings", {"settings": settings})


def annotators(at: Where, credentials: Credentials) -> Fetched:
    """The server's annotators by name ({"items": [name, ...]}): whom a lead can give replicas to."""
    users = call(at, credentials, "GET", "/admin/users")
    if users.state != "ok" or users.figures is None:
        return users
    return Fetched("ok", {"items": [u["name"] for u in users.figures["items"] if u.get("role") == "annotator"]})


def start_consensus(at: Where, credentials: Credentials, names: list[str], share: float | None,
                    seed: str | None) -> Fetched:
    """Draw a share of the new tasks and give each to N of `names` as replicas (the server's answer: pool, seed,
    origins with their replicas, rules)."""
    body: dict[str, Any] = {"annotators": names, "share": share}
    if seed:
        body["seed"] = seed
    return call(at, credentials, "POST", "{project}/consensus", body)


def mark_gold(at: Where, credentials: Credentials, task_ids: list[int]) -> Fetched:
    return call(at, credentials, "POST", "{project}/gold", {"task_ids": task_ids})


def gold_list(at: Where, credentials: Credentials) -> Fetched:
    """The project's gold tasks at their latest version: {"items": [{task_id, version, shapes, replicas, scored}]}."""
    return call(at, credentials, "GET", "{project}/gold")


def mix_gold(at: Where, credentials: Credentials, names: list[str], rate: float | None, assign: int) -> Fetched:
    return call(at, credentials, "POST", "{project}/gold/mix", {"annotators": names, "rate": rate, "assign": assign})


def report(at: Where, credentials: Credentials) -> Fetched:
    """{"columns": [...], "items": [{column: value}, ...]}, one item per annotator."""
    return call(at, credentials, "GET", "{project}/quality")


def server_task_ids(ws: Workspace, local_ids: list[int]) -> list[int]:
    """The server's ids of tasks of this workspace, in the same order (a task made here, not on the server yet, has
    none and is left out)."""
    with ws.reading() as conn:
        found = dict(conn.execute("SELECT local_id, server_id FROM sync_tasks WHERE local_id IN "
                                  "(SELECT value FROM json_each(?))", (json.dumps(local_ids),)).fetchall())
    return [int(found[i]) for i in local_ids if i in found]
