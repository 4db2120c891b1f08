"""A project's guidelines on the server: every save is a new version (older ones stay readable), checked with
core.guidelines against the project's schema, its example images checked to be uploaded media, with an audit row
and a `guidelines` event that pull resolves to the current version. Used by routes_guidelines.py and the CLI.

Example images become media the project's members may download (guideline_media), like the media of their tasks.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.guidelines import GuidelineError, Guidelines
from core.media import IMAGE_EXTENSIONS
from core.schema import LabelSchema, SchemaError
from sync.server import db, service
from sync.server.errors import ApiError, not_found
from sync.server.journal import audit, emit
from sync.server.media_store import MediaStore
from sync.server.security import Principal

READ_ONLY = ("project_id", "version", "author", "at")  # what GET and --show add to the document


def check_member(conn: Connection, principal: Principal, project_id: int) -> None:
    """404 unless the project exists and the caller may see it: leads and admins, or an annotator with a task in
    it (as GET /projects/{id})."""
    service.get_project(conn, project_id)
    if principal.leads(project_id):
        return
    t = db.tasks
    if conn.execute(sa.select(t.c.id).where(t.c.project_id == project_id, t.c.assignee_id == principal.user_id)
                    .limit(1)).first() is None:
        raise not_found("project", project_id)


def parse(conn: Connection, project_id: int, body: Any) -> Guidelines:
    """Guidelines checked against the project's current schema (labels it names) and the uploaded media; 422 naming
    the bad field otherwise."""
    row = service.get_project(conn, project_id)
    try:
        names = LabelSchema.from_json(row["schema"]).names()
    except SchemaError:  # a stored schema is checked when saved; never refuse guidelines because of an old one
        names = None
    try:
        parsed = Guidelines.from_json(body, names)
    except GuidelineError as exc:
        raise ApiError(422, "bad_guidelines", f"guidelines: {exc}", field=exc.field) from None
    places = [(f"examples[{i}]", e.sha256) for i, e in enumerate(parsed.project.examples)]
    places += [(f"labels.{name}.examples[{i}]", e.sha256) for name, guide in parsed.labels.items()
               for i, e in enumerate(guide.examples)]
    shas = sorted({sha for _where, sha in places})
    known = set(conn.execute(sa.select(db.media.c.sha256).where(db.media.c.sha256.in_(shas))).scalars()) if shas \
        else set()
    for where, sha in places:
        if sha not in known:
            raise ApiError(422, "unknown_media", f"guidelines: {where}.sha256: media {sha} has not been uploaded "
                           "(PUT /media/{sha} first)", field=f"{where}.sha256")
    return parsed


def with_files(conn: Connection, blobs: MediaStore, body: Any, folder: Path) -> Any:
    """The CLI's file: what --show printed (its version, author and time are dropped: a save makes the next one),
    where an example may name an image `file` (relative to `folder`) instead of its `sha256`; each such file is
    copied into the blob store and registered as media."""
    if not isinstance(body, dict):
        return body
    body = {k: v for k, v in body.items() if k not in READ_ONLY}
    labels = body.get("labels")
    guides: list[tuple[str, dict[str, Any]]] = [("", body)]
    if isinstance(labels, dict):
        guides += [(f"labels.{name}.", guide) for name, guide in labels.items() if isinstance(guide, dict)]
    for prefix, guide in guides:
        examples = guide.get("examples")
        if not isinstance(examples, list):
            continue
        for i, example in enumerate(examples):
            if not isinstance(example, dict) or "file" not in example:
                continue
            source = folder / str(example["file"])
            if source.suffix.lower() not in IMAGE_EXTENSIONS or not source.is_file():
                raise ApiError(422, "bad_guidelines", f"guidelines: {prefix}examples[{i}].file: {source} is not an "
                               f"image file ({', '.join(sorted(IMAGE_EXTENSIONS))})", field=f"{prefix}examples[{i}]"
                               ".file")
            sha, size = blobs.put_file(source)
            service.register_media(conn, None, sha, size)
            examples[i] = {**{k: v for k, v in example.items() if k != "file"}, "sha256": sha}
    return body


def latest_version(conn: Connection, project_id: int) -> int:
    g = db.guidelines
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(g.c.version), 0))
                            .where(g.c.project_id == project_id)).scalar_one())


def save(conn: Connection, actor: str, project_id: int, body: Any, base_version: int | None = None
         ) -> dict[str, Any]:
    """Store `body` as the project's next version. `base_version`: the version the editor started from; 409 when
    another one was saved since (nothing is overwritten unseen)."""
    parsed = parse(conn, project_id, body)
    latest = latest_version(conn, project_id)
    if base_version is not None and base_version != latest:
        raise ApiError(409, "stale_guidelines", f"the guidelines were saved as version {latest} since version "
                       f"{base_version} that this edit started from; load them again", version=latest)
    version, now = latest + 1, time.time()
    document = parsed.to_json()
    conn.execute(db.guidelines.insert().values(project_id=project_id, version=version, body=document, author=actor,
                                               at=now))
    gm = db.guideline_media
    shown = set(conn.execute(sa.select(gm.c.sha256).where(gm.c.project_id == project_id)).scalars())
    new = [sha for sha in parsed.media() if sha not in shown]
    if new:
        conn.execute(gm.insert(), [{"project_id": project_id, "sha256": sha} for sha in new])
    emit(conn, "guidelines", project_id, project_id)
    audit(conn, actor, "project.guidelines", f"project:{project_id}", version=version,
          labels=sorted(document["labels"]), examples=len(parsed.media()))
    return _json(project_id, version, document, actor, now)


def current(conn: Connection, project_id: int) -> dict[str, Any]:
    """The current version (version 0, empty, when none was saved yet)."""
    found = resolve(conn, [str(project_id)]).get(str(project_id))
    return found if found is not None else _json(project_id, 0, Guidelines().to_json(), "", 0.0)


def version(conn: Connection, project_id: int, number: int) -> dict[str, Any]:
    g = db.guidelines
    row = conn.execute(sa.select(g).where(g.c.project_id == project_id, g.c.version == number)).mappings().first()
    if row is None:
        raise not_found(f"version of project {project_id}'s guidelines", number)
    return _row_json(row)


def resolve(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Pull's resolver: project id -> its current guidelines (projects without any are left out)."""
    g = db.guidelines
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = [int(i) for i in ids[start:start + 500]]
        latest = (sa.select(g.c.project_id, sa.func.max(g.c.version).label("v")).where(g.c.project_id.in_(chunk))
                  .group_by(g.c.project_id).subquery())
        query = sa.select(g).join(latest, sa.and_(g.c.project_id == latest.c.project_id, g.c.version == latest.c.v))
        for row in conn.execute(query).mappings():
            out[str(row["project_id"])] = _row_json(row)
    return out


def member_media(conn: Connection, principal: Principal, sha: str) -> bool:
    """Whether `sha` is an example image of the guidelines of a project the caller leads or has a task in."""
    gm, t = db.guideline_media, db.tasks
    mine = sa.select(t.c.project_id).where(t.c.assignee_id == principal.user_id)
    return conn.execute(sa.select(gm.c.project_id).where(
        gm.c.sha256 == sha, sa.or_(gm.c.project_id.in_(mine), gm.c.project_id.in_(principal.led)))
        .limit(1)).first() is not None


def _row_json(row: Any) -> dict[str, Any]:
    return _json(row["project_id"], row["version"], row["body"], row["author"], row["at"])


def _json(project_id: int, number: int, document: dict[str, Any], author: str, at: float) -> dict[str, Any]:
    return {"project_id": project_id, "version": number, "author": author, "at": at, **document}
