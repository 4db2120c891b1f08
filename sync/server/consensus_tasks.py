"""Consensus on the server: a seeded share of a project's new tasks, each answered by N annotators (replicas.py).

`assign` draws the share of the tasks not yet assigned with core.sampling.draw_sample (the seed, the pool and the
draw go to the audit log as `consensus.assign`, so anyone can draw it again), and gives each drawn task (the origin)
N replicas, to N different annotators of the list, in turn. The origin stays unassigned until its replicas are
merged (agreement_results.merge_origin); then it waits, submitted, for the lead.
"""

from __future__ import annotations

import math
import re
import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.sampling import draw_sample
from sync.server import db, replicas
from sync.server.errors import ApiError, not_found
from sync.server.journal import audit, emit
from sync.server.qa_settings import parse_consensus

R, C = db.replicas, db.consensus_origins
_USER_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")  # the user names service.create_user allows


def check_seed(seed: str | None) -> str:
    """The seed given (1-64 printable characters), or a fresh random one."""
    if seed is None:
        return secrets.token_hex(16)
    if not 0 < len(seed) <= 64 or not seed.isprintable():
        raise ApiError(422, "bad_seed", "a seed is 1-64 printable characters", field="seed")
    return seed


def users_named(conn: Connection, names: list[str]) -> dict[str, int]:
    """User ids by name, in the order given; 422 for a name given twice, 404 for an unknown one."""
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ApiError(422, "bad_annotators", f"{twice} is named twice", field="annotators")
    for name in names:
        if not _USER_NAME.fullmatch(name):  # no such user can exist (service.create_user's rule)
            raise not_found("user", repr(name[:64]))
    u = db.users
    found = {r.name: r.id for r in conn.execute(sa.select(u.c.name, u.c.id).where(u.c.name.in_(names)))}
    for name in names:
        if name not in found:
            raise not_found("user", name)
    return {n: found[n] for n in names}


def pool(conn: Connection, project_id: int) -> list[int]:
    """The project's tasks that nobody has yet: new, unassigned, neither a replica nor a consensus origin."""
    t = db.tasks
    return list(conn.execute(sa.select(t.c.id).where(
        t.c.project_id == project_id, t.c.status == "new", t.c.assignee_id.is_(None),
        ~replicas.outside_lots(t.c.id)).order_by(t.c.id)).scalars())


def assign(conn: Connection, actor: str, project_id: int, annotators: list[str], share: float | None = None,
           seed: str | None = None) -> dict[str, Any]:
    """Draw the share of the pool and make N replicas of each drawn task, for N different annotators."""
    settings = replicas.quality_settings(conn, project_id)["consensus"] or parse_consensus({})
    assert settings is not None
    rules = parse_consensus({**settings, **({} if share is None else {"share": share})})
    assert rules is not None
    users = users_named(conn, annotators)
    per_task = rules["annotators"]
    if len(users) < per_task:
        raise ApiError(422, "bad_annotators", f"consensus needs {per_task} annotators per task (the project's "
                       f"setting); {len(users)} given", field="annotators")
    seed = check_seed(seed)
    ids = pool(conn, project_id)
    n = min(len(ids), math.ceil(rules["share"] * len(ids) - 1e-9))
    origins = [int(i) for i in draw_sample(ids, n, seed)]
    names, now = list(users), time.time()
    made: list[dict[str, Any]] = []
    tasks = {}
    for i in range(0, len(origins), 500):
        query = sa.select(db.tasks).where(db.tasks.c.id.in_(origins[i:i + 500]))
        tasks.update({r["id"]: r for r in conn.execute(query).mappings()})
    for k, origin_id in enumerate(origins):
        origin = tasks[origin_id]
        conn.execute(C.insert().values(task_id=origin_id, project_id=project_id, status="open", rules=rules,
                                       seed=seed, needs_lead=False, created_at=now))
        chosen = [names[(k * per_task + j) % len(names)] for j in range(per_task)]
        reps = [{"task_id": replicas.make_replica(conn, origin, "consensus", users[name], name, origin["batch"],
                                                  now), "annotator": name} for name in chosen]
        emit(conn, "consensus", origin_id, project_id, origin_id)
        made.append({"task_id": origin_id, "replicas": reps})
    audit(conn, actor, "consensus.assign", f"project:{project_id}", seed=seed, rules=rules, annotators=names,
          pool=ids, n=n, origins=origins, replicas={str(m["task_id"]): [r["task_id"] for r in m["replicas"]]
                                                     for m in made})
    return {"project_id": project_id, "seed": seed, "rules": rules, "pool": len(ids), "origins": made}


def list_origins(conn: Connection, project_id: int, status: str | None = None, needs_lead: bool | None = None,
                 after: int = 0, limit: int = 100) -> dict[str, Any]:
    """The project's consensus origins by task id, with their replicas and figures, paged with `after`."""
    query = sa.select(C.c.task_id).where(C.c.project_id == project_id, C.c.task_id > after)
    if status is not None:
        query = query.where(C.c.status == status)
    if needs_lead is not None:
        query = query.where(C.c.needs_lead == needs_lead)
    ids = list(conn.execute(query.order_by(C.c.task_id).limit(limit)).scalars())
    found = replicas.consensus_items(conn, ids)
    return {"items": [found[i] for i in ids], "next_after": ids[-1] if ids else after}


def counts(conn: Connection, project_id: int) -> dict[str, int]:
    """How many origins are open, merged, and merged but flagged for a lead."""
    rows = conn.execute(sa.select(C.c.status, C.c.needs_lead, sa.func.count()).where(C.c.project_id == project_id)
                        .group_by(C.c.status, C.c.needs_lead)).all()
    out = {"open": 0, "merged": 0, "needs_lead": 0}
    for status, flagged, n in rows:
        out[status] = out.get(status, 0) + n
        out["needs_lead"] += n if flagged else 0
    return out
