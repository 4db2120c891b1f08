"""Leads' views in the app: one GET of the project's dashboard JSON (or its audit trail) with the workspace's server,
user and token, as the sync round reads them (sync/client/engine.py). Qt-free; the app calls it on a worker thread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sync.client.credentials import Credentials, CredentialsError, token_name
from sync.client.http import Http, OfflineError, ServerError
from sync.client.refusals import refusal_text
from sync.client.store import SyncStore
from sync.workspace import Workspace

RANGES = {"24h": ("-24h", "hour"), "7d": ("-7d", "day"), "30d": ("-30d", "day")}  # as the web page offers them
TIMEOUT_S = 10.0  # a refresh every 5 s: a slow answer is not waited for long


@dataclass(frozen=True)
class Where:
    """The server, user and project of a synced workspace, and the role the server gave the user."""

    server: str
    user: str
    project_id: int
    role: str


@dataclass(frozen=True)
class Fetched:
    """What one fetch gave: "ok" with the figures, or "offline" / "refused" with the reason in words."""

    state: str
    figures: dict[str, Any] | None = None
    reason: str = ""


def where(ws: Workspace) -> Where | None:
    """None for a workspace that is not synced."""
    with ws.reading() as conn:
        server, user, project, role = (SyncStore.get_in(conn, k, "") for k in ("server", "user", "project_id", "role"))
    return Where(str(server), str(user), int(project), str(role)) if server and project else None


def fetch(at: Where, credentials: Credentials, window: str = "24h", top: int = 8) -> Fetched:
    """The project's figures for one of RANGES; never raises for the network or the server's refusal."""
    since, bucket = RANGES[window]
    return fetch_project(at, credentials, "dashboard", {"since": since, "bucket": bucket, "top": top})


def fetch_project(at: Where, credentials: Credentials, path: str, params: dict[str, Any]) -> Fetched:
    """One GET of /projects/{id}/<path> for a lead's view (the dashboard, the audit trail)."""
    return request(at, credentials, "GET", f"{{project}}/{path}", params=params)


def request(at: Where, credentials: Credentials, method: str, path: str, body: dict[str, Any] | None = None,
            params: dict[str, Any] | None = None, timeout: float = TIMEOUT_S) -> Fetched:
    """One call to `path` ("/projects/{id}/..." is written "{project}/...") with the workspace's user and token; never
    raises for the network or the server's refusal, and "refused" names the field the server named, so a bad value
    can be found in the dialog."""
    try:
        session = json.loads(credentials.require(token_name(at.server, at.user), "sign in again"))
    except (CredentialsError, ValueError) as exc:
        return Fetched("refused", reason=str(exc))
    http = Http(at.server, session.get("token"), timeout=timeout, attempts=1)
    try:
        answer = http.json(method, path.format(project=f"/projects/{at.project_id}"), json=body, params=params)
    except OfflineError as exc:
        return Fetched("offline", reason=str(exc))
    except ServerError as exc:
        field = exc.body.get("field")
        detail = f"{field}: {exc.detail}" if field and str(field) not in exc.detail else exc.detail
        return Fetched("offline" if exc.status >= 500 else "refused", reason=refusal_text(exc.code, detail))
    finally:
        http.close()
    return Fetched("ok", answer if isinstance(answer, dict) else {"items": answer})
