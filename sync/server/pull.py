"""Pull: the event feed a caller may see, page by page, each event resolved to the entity's current state.

Callers who may see conflicts (lead, admin: the rule of GET /tasks/{id}/conflicts) also get, right after each
annotation item, every value that lost a merge on that annotation (`conflict` items, stable ids, so a client keeps
them by id); they are read with the annotation, so they travel in the same page as its current state. An op refused
outright changes no annotation: its conflict has a `conflict` event (entity = the annotation id) that resolves to the
annotation's conflicts alone, and that annotators never see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import db, guidelines, lots, replicas
from sync.server.qa_settings import parse_stages
from sync.server.security import Principal
from sync.server.service import project_json, task_json, task_query
from sync.server.threads import comment_json


def visible_events(principal: Principal) -> sa.ColumnElement[bool]:
    """Admins see everything, leads everything of the projects they lead; annotators the events of their tasks and
    of the projects those are in, but never conflicts, lots or replicas (which of their tasks a lead samples, or made
    for consensus or gold, is not theirs to know)."""
    e = db.events
    if principal.role == "admin":
        return sa.true()
    if principal.role == "lead":
        return e.c.project_id.in_(principal.led)
    mine = sa.select(db.tasks.c.id).where(db.tasks.c.assignee_id == principal.user_id)
    my_projects = sa.select(db.tasks.c.project_id).where(db.tasks.c.assignee_id == principal.user_id)
    return sa.and_(e.c.type.not_in(("conflict", "lot", *replicas.LEAD_ONLY_EVENTS)),
                   sa.or_(e.c.task_id.in_(mine), sa.and_(e.c.task_id.is_(None), e.c.project_id.in_(my_projects))))


def pull(conn: Connection, principal: Principal, cursor: int, limit: int) -> dict[str, Any]:
    e = db.events
    rows = conn.execute(sa.select(e).where(e.c.seq > cursor, visible_events(principal))
                        .order_by(e.c.seq).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    first: dict[tuple[str, str], int] = {}
    for r in rows:  # an entity changed twice in one page is sent once (in its current state), where it first shows
        first.setdefault((r.type, r.entity_id), r.seq)
    states = {kind: _RESOLVERS[kind](conn, [eid for (k, eid) in first if k == kind]) for kind in _RESOLVERS}
    lost: dict[str, list[dict[str, Any]]] = {}
    if principal.is_reviewer:
        owners = {r.entity_id: r.task_id for r in rows if r.type == "conflict"}
        owners.update({i: a["task_id"] for i, a in states["annotation"].items()})
        lost = _conflicts(conn, owners)
    items = []
    for r in rows:
        if first[(r.type, r.entity_id)] != r.seq:
            continue
        if r.type == "conflict":  # an annotation item in this page already carries them
            if ("annotation", r.entity_id) not in first:
                items += [{"seq": r.seq, "type": "conflict", **c} for c in lost.get(r.entity_id, ())]
        elif r.entity_id in states[r.type]:
            items.append({"seq": r.seq, "type": r.type, **states[r.type][r.entity_id]})
            if r.type == "annotation":
                items += [{"seq": r.seq, "type": "conflict", **c} for c in lost.get(r.entity_id, ())]
    return {"items": items, "next_cursor": rows[-1].seq if rows else cursor, "has_more": has_more}


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i:i + 500] for i in range(0, len(ids), 500)]


def _annotations(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    a = db.annotations
    out = {}
    for chunk in _chunks(ids):
        for r in conn.execute(sa.select(a).where(a.c.id.in_(chunk))).mappings():
            out[r["id"]] = {"id": r["id"], "task_id": r["task_id"], "fields": r["fields"], "revision": r["revision"],
                            "deleted": r["deleted"], "author": r["author"]}
    return out


def _conflicts(conn: Connection, owners: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """annotation id -> the values that lost a merge on it, oldest first (found through the task index; `owners`
    maps each annotation id to its task)."""
    c = db.conflicts
    out: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(list(owners)):
        tasks = sorted({owners[i] for i in chunk})
        query = sa.select(c).where(c.c.task_id.in_(tasks), c.c.annotation_id.in_(chunk)).order_by(c.c.id)
        for r in conn.execute(query).mappings():
            out.setdefault(r["annotation_id"], []).append(dict(r))
    return out


def _by_int_id(query: Callable[[list[int]], sa.Select[Any]], shape: Callable[[Any], dict[str, Any]],
               ) -> Callable[[Connection, list[str]], dict[str, dict[str, Any]]]:
    def resolve(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for chunk in _chunks(ids):
            for r in conn.execute(query([int(i) for i in chunk])).mappings():
                out[str(r["id"])] = shape(r)
        return out
    return resolve


def _project(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "name": r["name"], "stages": parse_stages(r.get("stages"))}


def _schema(r: Any) -> dict[str, Any]:
    p = project_json(r)
    return {"project_id": p["id"], "schema": p["schema"], "schema_version": p["schema_version"],
            "locked": p["locked"]}


def _plain(r: Any) -> dict[str, Any]:
    return dict(r)


_RESOLVERS: dict[str, Callable[[Connection, list[str]], dict[str, dict[str, Any]]]] = {
    "annotation": _annotations,
    "task": _by_int_id(lambda ids: task_query().where(db.tasks.c.id.in_(ids)), task_json),
    "project": _by_int_id(lambda ids: sa.select(db.projects).where(db.projects.c.id.in_(ids)), _project),
    "schema": _by_int_id(lambda ids: sa.select(db.projects).where(db.projects.c.id.in_(ids)), _schema),
    "review": _by_int_id(lambda ids: sa.select(db.reviews).where(db.reviews.c.id.in_(ids)), _plain),
    "comment": _by_int_id(lambda ids: sa.select(db.comments).where(db.comments.c.id.in_(ids)), comment_json),
    "lot": lots.resolve,
    "guidelines": guidelines.resolve,
    **replicas.RESOLVERS,
}
