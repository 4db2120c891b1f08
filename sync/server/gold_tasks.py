"""Gold tasks on the server: known answers, mixed unannounced into annotators' queues, and accuracy against them.

- `mark`: a task a lead accepted becomes gold; its live annotations (pending predictions aside) are copied as the
  answer, a new version each time it is marked (the latest holds; older ones stay for the replicas scored on them).
- `mix`: each annotator gets gold replicas (replicas.py) until they hold `rate` of them per real task (rounded
  up), drawn with a seed (audited as `gold.mix`) among the gold tasks they have neither done nor had. With
  `assign`, the annotator also gets that many new tasks, and the gold replicas are placed among them in a seeded
  order: the annotator's client lists tasks in the order they arrive, so a gold task looks like the rest.
- `report`: per annotator, the mean agreement of their scored gold replicas with the answers (the accuracy) and
  per-label precision, recall and F1 pooled over them, with their label confusions.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.agreement import LabelStats
from core.sampling import draw_sample
from sync.server import consensus_tasks, db, replicas, service
from sync.server.errors import ApiError
from sync.server.journal import audit, emit

R, G = db.replicas, db.gold_answers


def mark(conn: Connection, actor: str, project_id: int, task_ids: list[int]) -> list[dict[str, Any]]:
    """Copy each accepted task's answer as a new gold version (409 for a task not accepted or a replica)."""
    service.get_project(conn, project_id)
    out = []
    a = db.annotations
    for task_id in task_ids:
        task = service.get_task(conn, None, task_id)
        if task["project_id"] != project_id:
            raise ApiError(404, "not_found", f"task {task_id} is not in project {project_id}")
        if task["status"] != "accepted":
            raise ApiError(409, "not_accepted", f"task {task_id} is {task['status']}: a lead accepts its answer "
                           "before it becomes gold")
        if conn.execute(sa.select(R.c.task_id).where(R.c.task_id == task_id)).first() is not None:
            raise ApiError(409, "replica", f"task {task_id} is a replica; mark its origin")
        rows = conn.execute(sa.select(a.c.id, a.c.fields).where(a.c.task_id == task_id, a.c.deleted == sa.false())
                            .order_by(a.c.id)).all()
        answer = [{"id": r.id, "fields": r.fields} for r in rows if r.fields.get("source_kind") != "model"]
        version = (conn.execute(sa.select(sa.func.max(G.c.version)).where(G.c.task_id == task_id)).scalar() or 0) + 1
        row = {"task_id": task_id, "version": version, "project_id": project_id, "answer": answer, "author": actor,
               "at": time.time()}
        conn.execute(G.insert().values(**row))
        emit(conn, "gold", task_id, project_id, task_id)
        audit(conn, actor, "gold.mark", f"task:{task_id}", project=project_id, version=version, shapes=len(answer))
        out.append(replicas.gold_json(row))
    return out


def gold_tasks(conn: Connection, project_id: int, with_answers: bool = False) -> list[dict[str, Any]]:
    """The project's gold tasks, each at its latest version, with the number of replicas made and scored."""
    ids = list(conn.execute(sa.select(G.c.task_id).where(G.c.project_id == project_id).distinct()
                            .order_by(G.c.task_id)).scalars())
    made: dict[int, int] = dict(conn.execute(sa.select(R.c.origin_id, sa.func.count()).where(
        R.c.project_id == project_id, R.c.purpose == "gold").group_by(R.c.origin_id)).all())
    scored: dict[int, int] = dict(conn.execute(sa.select(R.c.origin_id, sa.func.count()).where(
        R.c.project_id == project_id, R.c.purpose == "gold", R.c.score.is_not(None)).group_by(R.c.origin_id)).all())
    out = []
    for task_id in ids:
        latest = conn.execute(sa.select(G).where(G.c.task_id == task_id).order_by(G.c.version.desc()).limit(1)
                              ).mappings().one()
        out.append({**replicas.gold_json(latest, with_answers), "replicas": made.get(task_id, 0),
                    "scored": scored.get(task_id, 0)})
    return out


def mix(conn: Connection, actor: str, project_id: int, annotators: list[str], rate: float | None = None,
        seed: str | None = None, assign: int = 0) -> dict[str, Any]:
    """Give each annotator gold replicas up to `rate` per real task (and, with `assign`, that many new tasks with
    the gold placed among them)."""
    service.get_project(conn, project_id)
    settings = replicas.quality_settings(conn, project_id)["gold"]
    if rate is None:
        if settings is None:
            raise ApiError(422, "bad_rate", "give a rate (gold replicas per real task), or set the project's gold "
                           "settings", field="rate")
        rate = float(settings["rate"])
    if not (isinstance(rate, int | float) and 0 < rate <= 1):
        raise ApiError(422, "bad_rate", f"the rate is a number more than 0 and at most 1, not {rate!r:.40}",
                       field="rate")
    if not 0 <= assign <= 100_000:
        raise ApiError(422, "bad_assign", "assign is 0 to 100,000 new tasks per annotator", field="assign")
    users = consensus_tasks.users_named(conn, annotators)
    seed = consensus_tasks.check_seed(seed)
    golds = list(conn.execute(sa.select(G.c.task_id).where(G.c.project_id == project_id).distinct()
                              .order_by(G.c.task_id)).scalars())
    free = consensus_tasks.pool(conn, project_id)
    now, report = time.time(), []
    for name, user_id in users.items():
        new, free = free[:assign], free[assign:]
        real = _real_tasks(conn, project_id, user_id) + len(new)
        had = _gold_replicas(conn, project_id, name)
        want = max(0, math.ceil(rate * real - 1e-9) - had)
        candidates = [g for g in golds if name not in replicas.holders(conn, g)]
        chosen = [int(g) for g in draw_sample(candidates, min(want, len(candidates)), f"{seed}:{name}")]
        slots = set(draw_sample(range(len(new) + len(chosen)), len(chosen), f"{seed}:{name}:order")) if new \
            else set(range(len(chosen)))
        batch = _latest_batch(conn, project_id, user_id)
        queue, made = iter(chosen), []
        for slot in range(len(new) + len(chosen)):
            if slot in slots:
                origin = service.get_task(conn, None, next(queue))
                made.append(replicas.make_replica(conn, origin, "gold", user_id, name, batch, now))
            else:
                task = service.assign(conn, actor, new[slot - len(made)], name)
                batch = task["batch"] or batch
        report.append({"annotator": name, "real_tasks": real, "gold_before": had, "wanted": want,
                       "assigned": new, "gold": chosen, "replicas": made, "short": want - len(chosen)})
    audit(conn, actor, "gold.mix", f"project:{project_id}", seed=seed, rate=rate, assign=assign, annotators=report)
    return {"project_id": project_id, "seed": seed, "rate": rate, "annotators": report}


def _real_tasks(conn: Connection, project_id: int, user_id: int) -> int:
    """Tasks of the project assigned to the user that are not gold replicas (consensus replicas are real work)."""
    t = db.tasks
    gold = sa.select(R.c.task_id).where(R.c.task_id == t.c.id, R.c.purpose == "gold")
    return int(conn.execute(sa.select(sa.func.count()).select_from(t).where(
        t.c.project_id == project_id, t.c.assignee_id == user_id, ~sa.exists(gold))).scalar_one())


def _gold_replicas(conn: Connection, project_id: int, name: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(R).where(
        R.c.project_id == project_id, R.c.purpose == "gold", R.c.annotator == name)).scalar_one())


def _latest_batch(conn: Connection, project_id: int, user_id: int) -> str | None:
    """The batch of the user's newest task, which a gold replica takes so that it looks like their other work."""
    t = db.tasks
    return conn.execute(sa.select(t.c.batch).where(t.c.project_id == project_id, t.c.assignee_id == user_id)
                        .order_by(t.c.id.desc()).limit(1)).scalar()


def report(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """Per annotator: gold replicas scored, accuracy (their mean agreement with the answers), pooled precision,
    recall and F1, and their label confusions (answer -> theirs), most frequent first."""
    rows = conn.execute(sa.select(R.c.annotator, R.c.score, R.c.result).where(
        R.c.project_id == project_id, R.c.purpose == "gold", R.c.score.is_not(None)).order_by(R.c.annotator,
                                                                                            R.c.task_id)).all()
    people: dict[str, dict[str, Any]] = {}
    for r in rows:
        p = people.setdefault(r.annotator, {"scores": [], "stats": LabelStats(), "confusions": Counter()})
        p["scores"].append(r.score)
        for s in (r.result or {}).get("labels", {}).values():
            p["stats"] += LabelStats(s["tp"], s["fp"], s["fn"])
        for c in (r.result or {}).get("confusions", []):
            p["confusions"][(c["reference"], c["other"])] += c["count"]
    out = []
    for name, p in sorted(people.items()):
        stats: LabelStats = p["stats"]
        confusions = sorted(p["confusions"].items(), key=lambda kv: (-kv[1], kv[0]))
        out.append({"annotator": name, "gold_tasks": len(p["scores"]),
                    "accuracy": round(sum(p["scores"]) / len(p["scores"]), 4),
                    "precision": round(stats.precision, 4), "recall": round(stats.recall, 4),
                    "f1": round(stats.f1, 4),
                    "confusions": [{"reference": a, "other": b, "count": n} for (a, b), n in confusions]})
    return out
