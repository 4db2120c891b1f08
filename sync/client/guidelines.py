"""Guidelines in the workspace, and saving a lead's schema and guidelines edits to the server.

A pull page's `guidelines` item (the project's current version) is stored sealed with the at-rest codec, and each of
its example images is queued for download into the encrypted media cache like a task's media (sync_media, 'down'),
so the app shows the guidelines offline. `publish` is what the schema editor's Save does: over HTTP with the
workspace's server and the user's stored token, the schema first (the guidelines may name its new labels), then the
example images picked from files, then the guidelines as a new version.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.guidelines import GuidelineError, Guidelines
from core.messages import translate
from core.schema import LabelSchema
from sync.client.credentials import Credentials, token_name
from sync.client.http import Http, SyncError
from sync.client.media import file_sha256, upload
from sync.client.store import SyncStore
from sync.workspace import Workspace

log = logging.getLogger(__name__)


class StaleEdit(SyncError):
    """The server's copy changed since this workspace last synced: saving would overwrite what someone else did."""


@dataclass(frozen=True, slots=True)
class Published:
    """What the server holds after a save (0: that part was not sent)."""

    schema_version: int
    guidelines_version: int


class GuidelineStore:
    """The guidelines table of one workspace (writes inside a pull page's transaction; reads also read-only)."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.sync = SyncStore(workspace)

    def put(self, conn: sqlite3.Connection, item: dict[str, Any]) -> None:
        """Store a pulled version (an older one than stored is ignored) and queue its images for download."""
        project_id, version = int(item["project_id"]), int(item["version"])
        try:
            parsed = Guidelines.from_json({k: item.get(k) for k in ("description", "examples", "labels")
                                           if item.get(k) is not None})
        except GuidelineError as exc:  # a pull must go on: one unusable item is left out, not the whole page
            log.warning("guidelines version %d of project %d refused: %s", version, project_id, exc)
            return
        row = conn.execute("SELECT version FROM sync_guidelines WHERE project_id = ?", (project_id,)).fetchone()
        if row is not None and row[0] > version:
            return
        body = {**parsed.to_json(), "author": str(item.get("author") or ""), "at": float(item.get("at") or 0.0)}
        conn.execute("INSERT OR REPLACE INTO sync_guidelines (project_id, version, body) VALUES (?, ?, ?)",
                     (project_id, version, self.sync.seal(f"guidelines:{project_id}", body)))
        conn.executemany("INSERT INTO sync_media (sha256, direction) VALUES (?, 'down') ON CONFLICT DO NOTHING",
                         [(sha,) for sha in parsed.media()])

    def current(self, project_id: int | None = None) -> Guidelines | None:
        """The workspace project's guidelines as last pulled (None when there are none, or it is not synced)."""
        with self.ws.reading() as conn:
            if project_id is None:
                project_id = int(SyncStore.get_in(conn, "project_id", 0) or 0)
            row = conn.execute("SELECT version, body FROM sync_guidelines WHERE project_id = ?",
                               (project_id,)).fetchone()
        if row is None:
            return None
        body = self.sync.open(f"guidelines:{project_id}", row[1])
        author, at = body.pop("author", ""), body.pop("at", 0.0)
        return Guidelines.from_json(body, version=int(row[0]), author=str(author), at=float(at))


@dataclass(frozen=True, slots=True)
class Target:
    """Where a workspace's project lives: read on the caller's thread, so `publish` may run on any other."""

    server: str
    user: str
    project_id: int
    schema_version: int  # of the schema this workspace last pulled

    @classmethod
    def of(cls, ws: Workspace) -> Target:
        """SyncError for a workspace that is not a server's."""
        with ws.reading() as conn:
            server, user = (str(SyncStore.get_in(conn, key, "") or "") for key in ("server", "user"))
            project = int(SyncStore.get_in(conn, "project_id", 0) or 0)
            schema_version = int(SyncStore.get_in(conn, "schema_version", 0) or 0)
        if not server or not user or not project:
            raise SyncError(translate("sync", "{folder} is not a server's workspace: its schema is saved to no "
                                      "server").format(folder=ws.path))
        return cls(server, user, project, schema_version)


def publish(target: Target, credentials: Credentials, schema: LabelSchema | None, guidelines: dict[str, Any] | None,
            files: dict[str, Path] | None = None, base_version: int | None = None, http: Http | None = None
            ) -> Published:
    """Save a new schema and/or guidelines of the workspace's project on its server.

    `guidelines` is core.guidelines' JSON; `files` maps the SHA-256 of example images picked from disk to their
    files, uploaded before the guidelines name them; `base_version`: the guidelines version the edit started
    from. StaleEdit when the server's schema is newer than this workspace's (sync first), OfflineError when the
    server cannot be reached, ServerError (with the field it names) when it refuses."""
    server, user, project_id, known = target.server, target.user, target.project_id, target.schema_version
    owned = http is None
    if http is None:
        session = json.loads(credentials.require(token_name(server, user),
                                                 f"sign in again: annodesk login {server} --user {user}"))
        http = Http(server, session["token"], attempts=2)
    try:
        schema_version = guidelines_version = 0
        if schema is not None:
            project = http.json("GET", f"/projects/{project_id}")
            if int(project["schema_version"]) > known:
                raise StaleEdit(translate("sync", "the schema on the server is version {version}, newer than this "
                                          "workspace's {known}: sync first, then edit it again").format(
                    version=project["schema_version"], known=known))
            saved = http.json("PUT", f"/projects/{project_id}/schema",
                              json={"schema": schema.to_json(), "locked": bool(project["locked"])})
            schema_version = int(saved["schema_version"])
        if guidelines is not None:
            for sha, path in (files or {}).items():
                if file_sha256(path) != sha:
                    raise SyncError(translate("sync", "{path} changed since it was picked; pick it again").format(
                        path=path))
                upload(http, path, sha)
            body = {**guidelines, "base_version": base_version} if base_version is not None else dict(guidelines)
            guidelines_version = int(http.json("PUT", f"/projects/{project_id}/guidelines", json=body)["version"])
        return Published(schema_version, guidelines_version)
    finally:
        if owned:
            http.close()
