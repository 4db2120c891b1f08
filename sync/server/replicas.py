"""Consensus and gold replicas (issue 12, items 4 and 5): one mechanism for both.

A replica is a task of its own on the media of its origin task, assigned to one annotator. To that annotator it is
a task like any other: its JSON, its name (the origin's) and its pull items are those of a normal task, and it
carries the origin's pending predictions as a normal task would. What links it to its origin, and why it was made
(`consensus` or `gold`), is in the `replicas` table, which only leads and admins read: the routes of
routes_quality.py, GET /tasks/{id}/quality, and the lead-only pull items `replica`, `consensus` and `gold`.

- Consensus (consensus_tasks.py): a share of new tasks is drawn and each is given to N annotators as N replicas; the
  origin itself stays unassigned. When the last replica is submitted, agreement_results.merge_origin compares and
  merges them into the origin, which goes to `submitted` for the lead's review.
- Gold (gold_tasks.py): a gold replica is scored against the gold task's known answer when it is submitted.

Either way only the origin is the project's result, and a submitted replica waits as any submitted task does, so its
annotator cannot tell it apart by what happens to it: it is accepted with the annotator's work when a lot of theirs
covering it is accepted (`accept_with_lot`: a day lot, for replicas submitted that day; a batch lot, for replicas of
that batch), and otherwise stays submitted, like the unsampled tasks of a project without lots. Replicas and
consensus origins are never drawn into a lot's sample (lots.py asks is_outside_lots), and a lead's review queue
leaves replicas out.

Every function runs in the caller's write transaction. service.set_status calls task_submitted and service.assign
calls check_assign; nothing here imports service, so service can import this module.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from core.annotation import new_id
from sync.server import agreement_results, db
from sync.server.agreement_results import SERVER_CLIENT
from sync.server.errors import ApiError
from sync.server.field_meta import FieldMeta
from sync.server.journal import audit, emit, emit_task_snapshot
from sync.server.metrics import count_task_status
from sync.server.qa_settings import DEFAULT_GOLD, parse_quality
from sync.server.security import Principal

R, C, G = db.replicas, db.consensus_origins, db.gold_answers
PURPOSES = ("consensus", "gold")
LEAD_ONLY_EVENTS = ("replica", "consensus", "gold")  # pull sends these to leads and admins only
_CHUNK = 500


# --- the hooks -------------------------------------------------------------------------------------------------

def outside_lots(task_id: Any) -> sa.ColumnElement[bool]:
    """SQL: the task (an id column or value) is a replica or a consensus origin; neither joins a spot-review lot."""
    return sa.or_(sa.exists(sa.select(R.c.task_id).where(R.c.task_id == task_id)),
                  sa.exists(sa.select(C.c.task_id).where(C.c.task_id == task_id)))


def is_outside_lots(conn: Connection, task_id: int) -> bool:
    """outside_lots for one task, straight from the driver (lots.py asks it on every submission)."""
    return bool(db.fetch(conn, "SELECT 1 FROM replicas WHERE task_id = ? UNION ALL SELECT 1 FROM consensus_origins "
                         "WHERE task_id = ?", [task_id, task_id]))


def check_assign(conn: Connection, task: RowMapping, username: str) -> None:
    """Refuse what would spoil consensus or gold: an open consensus origin is not assigned (its replicas are the
    work), and a replica cannot go to someone who holds another replica of its origin or who did the origin."""
    if conn.execute(sa.select(C.c.status).where(C.c.task_id == task["id"])).scalar() == "open":
        raise ApiError(409, "consensus_origin", f"task {task['id']} is being answered by several annotators for "
                       "consensus; it is merged from their replicas, not assigned")
    origin = conn.execute(sa.select(R.c.origin_id).where(R.c.task_id == task["id"])).scalar()
    if origin is not None and username in holders(conn, origin, but=task["id"]):
        raise ApiError(409, "replica_holder", f"{username} already has task {origin} or another replica of it")


def task_submitted(conn: Connection, principal: Principal, task: RowMapping) -> None:
    """A task just moved to submitted: a gold replica is scored, and the last consensus replica of an origin merges
    them all."""
    found = db.fetch(conn, "SELECT origin_id, purpose, annotator FROM replicas WHERE task_id = ?", [task["id"]])
    if not found:  # every submission asks: straight from the driver
        return
    origin_id, purpose, annotator = found[0]
    now = time.time()
    who = task.get("assignee") or conn.execute(sa.select(db.users.c.name).where(
        db.users.c.id == task["assignee_id"])).scalar()  # task_query's rows name the assignee already
    db.bulk(conn, "UPDATE replicas SET submitted_at = ?, annotator = ? WHERE task_id = ?",
            [(now, who or annotator, task["id"])])
    if purpose == "gold":
        settings = quality_settings(conn, task["project_id"])["gold"] or DEFAULT_GOLD
        agreement_results.score_gold(conn, task["id"], settings["threshold"], now)
        return
    if not db.fetch(conn, "SELECT 1 FROM replicas WHERE origin_id = ? AND submitted_at IS NULL LIMIT 1", [origin_id]):
        agreement_results.merge_origin(conn, origin_id, now)
    else:
        emit(conn, "replica", task["id"], task["project_id"], task["id"])


def accept_with_lot(conn: Connection, lot: RowMapping, now: float) -> list[int]:
    """Accept the submitted replicas that the accepted first-round `lot` covers (module doc); their ids."""
    if lot["round"] != 0:
        return []
    r, t = db.replicas, db.tasks
    query = sa.select(r.c.task_id).select_from(r.join(t, t.c.id == r.c.task_id)).where(
        r.c.project_id == lot["project_id"], t.c.status == "submitted", r.c.submitted_at.is_not(None))
    if lot["kind"] == "batch":
        query = query.where(t.c.batch == lot["source"])
    elif lot["due_at"] is not None:
        query = query.where(r.c.annotator == lot["source"], r.c.submitted_at >= lot["due_at"] - 86400,
                            r.c.submitted_at < lot["due_at"])
    else:
        return []
    ids = sorted(conn.execute(query).scalars())
    if ids:
        conn.execute(t.update().where(t.c.id.in_(ids)).values(status="accepted", revision=t.c.revision + 1,
                                                              updated_at=now))
    for task_id in ids:
        emit(conn, "task", task_id, lot["project_id"], task_id)
        count_task_status(conn, lot["project_id"], "accepted")
        audit(conn, None, "task.status", f"task:{task_id}", old="submitted", new="accepted", lot=lot["id"])
    return ids


# --- making replicas -------------------------------------------------------------------------------------------

def make_replica(conn: Connection, origin: RowMapping, purpose: str, user_id: int, username: str,
                 batch: str | None, now: float) -> int:
    """A new task on the origin's media, named like it, assigned to the user, with the origin's pending
    predictions; pull announces it to the user as it announces any newly assigned task."""
    values = {k: origin[k] for k in ("project_id", "name", "media_sha256", "width", "height", "kind", "frames")}
    values.update(status="assigned", assignee_id=user_id, revision=2, updated_at=now, batch=batch)  # made, assigned
    task_id = db.insert_id(conn, db.tasks.insert().values(**values))
    conn.execute(R.insert().values(task_id=task_id, origin_id=origin["id"], project_id=origin["project_id"],
                                   purpose=purpose, annotator=username, created_at=now))
    _copy_predictions(conn, origin["id"], task_id, now)
    emit_task_snapshot(conn, task_id, origin["project_id"])
    emit(conn, "replica", task_id, origin["project_id"], task_id)
    return task_id


def _copy_predictions(conn: Connection, origin_id: int, task_id: int, now: float) -> None:
    a = db.annotations
    rows = conn.execute(sa.select(a.c.fields, a.c.author).where(a.c.task_id == origin_id, a.c.deleted == sa.false())
                        .order_by(a.c.id)).all()
    copies = [{"id": new_id(), "task_id": task_id, "revision": 1, "deleted": False, "fields": r.fields,
               "field_meta": FieldMeta.written(r.fields, [1, r.author, False, SERVER_CLIENT]).stored(),
               "author": r.author, "updated_at": now}
              for r in rows if r.fields.get("source_kind") == "model"]
    if copies:
        conn.execute(a.insert(), copies)


def holders(conn: Connection, origin_id: int, but: int | None = None) -> set[str]:
    """Who has the origin or one of its replicas (`but`: leaving that replica out)."""
    t, u = db.tasks, db.users
    ids = sa.select(R.c.task_id).where(R.c.origin_id == origin_id)
    if but is not None:
        ids = ids.where(R.c.task_id != but)
    query = sa.select(u.c.name).select_from(t.join(u, u.c.id == t.c.assignee_id)).where(
        sa.or_(t.c.id == origin_id, t.c.id.in_(ids)))
    return set(conn.execute(query).scalars())


def quality_settings(conn: Connection, project_id: int) -> dict[str, Any]:
    """The project's consensus and gold settings (each None when not set)."""
    q = db.quality_settings
    return parse_quality(conn.execute(sa.select(q.c.settings).where(q.c.project_id == project_id)).scalar())


def set_quality_settings(conn: Connection, actor: str, project_id: int, value: Any) -> dict[str, Any]:
    """Store a project's consensus and gold settings; consensus origins keep the settings they were assigned with."""
    settings = parse_quality(value)
    q = db.quality_settings
    conn.execute(q.delete().where(q.c.project_id == project_id))
    conn.execute(q.insert().values(project_id=project_id, settings=settings, updated_at=time.time()))
    audit(conn, actor, "quality.set", f"project:{project_id}", settings=settings)
    return {"project_id": project_id, **settings}


# --- what leads see --------------------------------------------------------------------------------------------

def replica_json(row: Any) -> dict[str, Any]:
    keys = ("task_id", "origin_id", "project_id", "purpose", "annotator", "created_at", "submitted_at", "score",
            "result")
    return {k: row[k] for k in keys}


def consensus_json(row: Any, replica_ids: list[int]) -> dict[str, Any]:
    keys = ("task_id", "project_id", "status", "rules", "seed", "agreement", "needs_lead", "result", "created_at",
            "merged_at")
    return {**{k: row[k] for k in keys}, "replicas": replica_ids}


def gold_json(row: Any, with_answer: bool = False) -> dict[str, Any]:
    out = {k: row[k] for k in ("task_id", "project_id", "version", "author", "at")}
    out["shapes"] = len(row["answer"])
    if with_answer:
        out["answer"] = row["answer"]
    return out


def consensus_items(conn: Connection, origin_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(origin_ids), _CHUNK):
        chunk = origin_ids[i:i + _CHUNK]
        reps: dict[int, list[int]] = {}
        for r in conn.execute(sa.select(R.c.origin_id, R.c.task_id).where(R.c.origin_id.in_(chunk),
                                                                            R.c.purpose == "consensus")
                              .order_by(R.c.task_id)):
            reps.setdefault(r.origin_id, []).append(r.task_id)
        for row in conn.execute(sa.select(C).where(C.c.task_id.in_(chunk))).mappings():
            out[row["task_id"]] = consensus_json(row, reps.get(row["task_id"], []))
    return out


def _latest_gold_rows(conn: Connection, task_ids: list[int]) -> dict[int, RowMapping]:
    out: dict[int, RowMapping] = {}
    for i in range(0, len(task_ids), _CHUNK):
        chunk = task_ids[i:i + _CHUNK]
        for row in conn.execute(sa.select(G).where(G.c.task_id.in_(chunk)).order_by(G.c.version)).mappings():
            out[row["task_id"]] = row
    return out


def _resolve_replicas(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = [int(x) for x in ids[i:i + _CHUNK]]
        for row in conn.execute(sa.select(R).where(R.c.task_id.in_(chunk))).mappings():
            out[str(row["task_id"])] = replica_json(row)
    return out


def _resolve_consensus(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {str(k): v for k, v in consensus_items(conn, [int(i) for i in ids]).items()}


def _resolve_gold(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {str(k): gold_json(v) for k, v in _latest_gold_rows(conn, [int(i) for i in ids]).items()}


RESOLVERS = {"replica": _resolve_replicas, "consensus": _resolve_consensus, "gold": _resolve_gold}


def task_info(conn: Connection, task_id: int) -> dict[str, Any]:
    """A task's lead-only quality record: the replica it is (origin and purpose, score), the replicas made of it,
    its consensus (agreement, needs_lead) and its gold answer's latest version."""
    link = conn.execute(sa.select(R).where(R.c.task_id == task_id)).mappings().first()
    made = [replica_json(r) for r in conn.execute(sa.select(R).where(R.c.origin_id == task_id)
                                                  .order_by(R.c.task_id)).mappings()]
    gold = _latest_gold_rows(conn, [task_id]).get(task_id)
    return {"task_id": task_id, "replica": replica_json(link) if link else None, "replicas": made,
            "consensus": consensus_items(conn, [task_id]).get(task_id),
            "gold": gold_json(gold, with_answer=True) if gold else None}
