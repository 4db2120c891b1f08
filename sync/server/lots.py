"""Spot-review lots (issue 12, item 2): the rules that group submitted tasks, sample them and decide them.

A submitted task joins the open lot of its source: its annotator's day, or its batch (the project's QA settings,
sync/server/qa_settings.py). A lot closes when its day has ended, when every task of its batch is submitted, or when
a lead closes it; closing draws its sample with a fresh seed and the plan of its stream's severity (core.sampling)
and writes both to the audit log, so anyone can draw the sample again. The lead's reviews of the sample decide the
lot: curtailed, it is rejected as soon as the defects reach Re, and accepted once the whole sample is reviewed with
at most Ac. An accepted lot accepts its other tasks; a rejected one sends them back or goes to 100 % inspection.
The first decision of each lot (never a resubmitted lot's) feeds its stream's switching rules.

Every function runs in the caller's write transaction. service.set_status and service.review call the two hooks,
task_submitted and task_reviewed; routes_lots.py and the CLI call the rest. Nothing here imports service, so
service can import this module.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from core.sampling import Plan, SamplingError, Switching, draw_sample, lot_decision, percentage_plan, single_plan
from core.sampling.reasons import lot_rejected
from sync.server import db, replicas
from sync.server.errors import ApiError, not_found
from sync.server.journal import audit, emit, emit_many
from sync.server.qa_settings import parse_settings, parse_stages
from sync.server.security import Principal

clock: Callable[[], float] = time.time  # tests move it to the end of a day
BATCH_STREAM = "(batches)"  # the switching record of a project's batch lots: no user name has brackets
DAY = 86400
_CHUNK = 500
L, LT = db.lots, db.lot_tasks


# --- the hooks -------------------------------------------------------------------------------------------------

def task_submitted(conn: Connection, principal: Principal, task: RowMapping) -> None:
    """A task just moved to submitted: the project's due lots close first (the day may have ended), then the task
    joins its lot. A task sent back by a rejected lot joins that lot's resubmission; one still in an undecided lot
    stays there; one sent back from an accepted lot (a defect of its sample) joins none: the lead reviews it."""
    if replicas.is_outside_lots(conn, task["id"]):  # consensus and gold replicas, consensus origins: never sampled
        return
    now = clock()
    close_due(conn, None, task["project_id"], now)
    last = _latest_lot(conn, task["id"])
    if last is None:
        settings = project_settings(conn, task["project_id"])
        lot = None if settings is None else _original_lot(conn, settings, task, now)
    elif last["status"] == "rejected" or (last["status"] == "inspecting" and last["decided_at"] is not None):
        lot = _resubmission_lot(conn, last, now)
    else:
        return
    if lot is None:
        return
    conn.execute(LT.insert().values(lot_id=lot["id"], task_id=task["id"], sampled=False))
    conn.execute(L.update().where(L.c.id == lot["id"]).values(size=L.c.size + 1))
    if not _still_waiting(conn, lot):
        close_lot(conn, None, lot["id"], now)


def task_reviewed(conn: Connection, principal: Principal, task: RowMapping, decision: str, fixed: bool) -> None:
    """A lead decided a task: the first decision in its lot is kept (a reject or a fixed accept is a defect); when
    the task is in the sample of a closed lot it counts, and may decide the lot."""
    last = _latest_lot(conn, task["id"])
    if last is None:
        return
    key = (LT.c.lot_id == last["id"]) & (LT.c.task_id == task["id"])
    member = conn.execute(sa.select(LT).where(key)).mappings().one()
    if member["outcome"] is not None:
        return
    defect = decision == "reject" or fixed
    conn.execute(LT.update().where(key).values(outcome="defect" if defect else "ok"))
    if member["sampled"] and last["status"] in ("sampling", "inspecting"):
        conn.execute(L.update().where(L.c.id == last["id"]).values(reviewed=L.c.reviewed + 1,
                                                                   defects=L.c.defects + int(defect)))
        emit(conn, "lot", last["id"], last["project_id"])
        _evaluate(conn, principal.name, last["id"], clock())


# --- opening and closing ---------------------------------------------------------------------------------------

def project_settings(conn: Connection, project_id: int) -> dict[str, Any] | None:
    qa = conn.execute(sa.select(db.projects.c.qa).where(db.projects.c.id == project_id)).scalar()
    return parse_settings(qa) if qa is not None else None


def day_bounds(now: float, utc_offset_minutes: int) -> tuple[str, float]:
    """The local date of `now` (ISO) and the moment that day ends, for a day boundary at the given UTC offset."""
    offset = utc_offset_minutes * 60
    day = math.floor((now + offset) / DAY)
    return datetime.fromtimestamp(day * DAY, UTC).date().isoformat(), float((day + 1) * DAY - offset)


def _original_lot(conn: Connection, settings: dict[str, Any], task: RowMapping, now: float) -> RowMapping | None:
    """The open lot of the task's annotator and day, or of its batch (None for a task without a batch)."""
    due: float | None = None
    if settings["lots"] == "batch":
        if not task.get("batch"):
            return None
        kind, source, key = "batch", task["batch"], f"batch:{task['batch']}"
    else:
        kind, source = "day", _annotator(conn, task)
        date, due = day_bounds(now, settings["utc_offset_minutes"])
        key = f"{source}@{date}"
    query = sa.select(L).where(L.c.project_id == task["project_id"], L.c.kind == kind, L.c.source == source,
                               L.c.round == 0, L.c.status == "open")
    if due is not None:
        query = query.where(L.c.due_at == due)
    found = conn.execute(query.order_by(L.c.id.desc()).limit(1)).mappings().first()
    return found or _open(conn, task["project_id"], kind, source, key, settings, now, due=due)


def _annotator(conn: Connection, task: RowMapping) -> str:
    name = conn.execute(sa.select(db.users.c.name).where(db.users.c.id == task["assignee_id"])).scalar()
    return str(name) if name is not None else "(unassigned)"


def _resubmission_lot(conn: Connection, parent: RowMapping, now: float) -> RowMapping:
    """The open lot of the tasks a rejected lot sent back (`<key>/r1`, then `/r2` if that one is rejected too)."""
    found = conn.execute(sa.select(L).where(L.c.parent_id == parent["id"], L.c.status == "open")
                         .order_by(L.c.id.desc()).limit(1)).mappings().first()
    if found is not None:
        return found
    root = parent["key"] if parent["round"] == 0 else parent["key"].rsplit("/r", 1)[0]
    return _open(conn, parent["project_id"], parent["kind"], parent["source"], f"{root}/r{parent['round'] + 1}",
                 parent["rules"], now, parent=parent)


def _open(conn: Connection, project_id: int, kind: str, source: str, key: str, rules: dict[str, Any], now: float,
          due: float | None = None, parent: RowMapping | None = None) -> RowMapping:
    taken = set(conn.execute(sa.select(L.c.key).where(L.c.project_id == project_id, sa.or_(
        L.c.key == key, L.c.key.like(key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "+%",
                                     escape="\\")))).scalars())
    unique = key if key not in taken else next(f"{key}+{i}" for i in range(2, len(taken) + 3)
                                               if f"{key}+{i}" not in taken)  # a lead closed the first one early
    lot_id = db.insert_id(conn, L.insert().values(
        project_id=project_id, kind=kind, source=source, key=unique, round=parent["round"] + 1 if parent else 0,
        parent_id=parent["id"] if parent else None, resubmitted=parent is not None, status="open", rules=rules,
        size=0, opened_at=now, due_at=due, defects=0, reviewed=0))
    emit(conn, "lot", lot_id, project_id)
    return get_lot(conn, project_id, lot_id)


def _still_waiting(conn: Connection, lot: RowMapping) -> bool:
    """Whether a batch lot or a resubmission still waits for tasks (a day lot waits for its day's end)."""
    t = db.tasks
    if lot["parent_id"] is not None:  # a task the rejected lot holds that is neither accepted nor resubmitted
        again = LT.alias("again")
        later = sa.select(again.c.task_id).where(again.c.task_id == t.c.id, again.c.lot_id > lot["parent_id"])
        query = sa.select(t.c.id).select_from(t.join(LT, LT.c.task_id == t.c.id)).where(
            LT.c.lot_id == lot["parent_id"], t.c.status != "accepted", ~sa.exists(later))
    elif lot["kind"] == "batch":  # a task of the batch that was never submitted
        query = sa.select(t.c.id).where(t.c.project_id == lot["project_id"], t.c.batch == lot["source"],
                                        t.c.status.in_(("new", "assigned", "in_progress")),
                                        ~sa.exists(sa.select(LT.c.task_id).where(LT.c.task_id == t.c.id)),
                                        ~replicas.outside_lots(t.c.id))
    else:
        return True
    return conn.execute(query.limit(1)).first() is not None


def close_due(conn: Connection, actor: str | None, project_id: int, now: float | None = None) -> list[int]:
    """Close the project's day lots whose day has ended (checked lazily, when lots are listed or a task is
    submitted); the ids of the lots closed. The server closes them (audited with no user) unless `actor` is given."""
    now = clock() if now is None else now
    due = list(conn.execute(sa.select(L.c.id).where(L.c.project_id == project_id, L.c.status == "open",
                                                    L.c.due_at <= now).order_by(L.c.id)).scalars())
    for lot_id in due:
        close_lot(conn, actor, lot_id, now)
    return due


def close_lot(conn: Connection, actor: str | None, lot_id: int, now: float | None = None) -> dict[str, Any]:
    """Draw the sample of an open lot: the plan from its settings, its size and its stream's severity; a fresh seed;
    the sample in review order. A discontinued stream's lot is inspected in full. Audited as `lot.sample` with all
    it takes to redraw it, on the project (whose audit trail its leads read)."""
    now = clock() if now is None else now
    lot = conn.execute(sa.select(L).where(L.c.id == lot_id)).mappings().one()
    if lot["status"] != "open":
        raise ApiError(409, "lot_closed", f"lot {lot['key']} is {lot['status']}, not open")
    ids = _task_ids(conn, lot_id)
    state = switching(conn, lot["project_id"], stream(lot))
    plan = _plan(lot["rules"]["plan"], len(ids), state.severity)
    discontinued = state.discontinued and plan.aql is not None
    seed = secrets.token_hex(16)
    sample = draw_sample(ids, len(ids) if discontinued else plan.n, seed)
    _mark_sampled(conn, lot_id, sample, everything=len(sample) == len(ids))
    reviewed, defects = _counts(conn, lot_id)
    plan_json = dataclasses.asdict(plan)
    conn.execute(L.update().where(L.c.id == lot_id).values(
        status="inspecting" if discontinued else "sampling", closed_at=now, plan=plan_json, severity=plan.severity,
        seed=seed, sample=sample, reviewed=reviewed, defects=defects))
    audit(conn, actor, "lot.sample", f"project:{lot['project_id']}", lot=lot_id, key=lot["key"], seed=seed,
          plan=plan_json, discontinued=discontinued, task_ids=ids, sample=sample)
    emit(conn, "lot", lot_id, lot["project_id"])
    _evaluate(conn, actor, lot_id, now)  # tasks the lead reviewed while the lot was open count when drawn
    return lot_json(conn.execute(sa.select(L).where(L.c.id == lot_id)).mappings().one(), ids)


def _plan(spec: dict[str, Any], size: int, severity: Any) -> Plan:
    if spec["kind"] == "iso":
        return single_plan(size, spec["level"], spec["aql"], severity)
    return percentage_plan(size, spec["percent"], spec["min"], spec["accept"])


def _mark_sampled(conn: Connection, lot_id: int, task_ids: Sequence[Any], everything: bool) -> None:
    if everything:
        conn.execute(LT.update().where(LT.c.lot_id == lot_id).values(sampled=True))
        return
    for i in range(0, len(task_ids), _CHUNK):
        conn.execute(LT.update().where(LT.c.lot_id == lot_id, LT.c.task_id.in_(task_ids[i:i + _CHUNK]))
                     .values(sampled=True))


def _counts(conn: Connection, lot_id: int) -> tuple[int, int]:
    """Reviewed and defective tasks of the sample (first decisions only)."""
    rows = conn.execute(sa.select(LT.c.outcome, sa.func.count()).where(
        LT.c.lot_id == lot_id, LT.c.sampled == sa.true(), LT.c.outcome.in_(("ok", "defect"))).group_by(LT.c.outcome))
    counts: dict[str, int] = {outcome: n for outcome, n in rows}
    return counts.get("ok", 0) + counts.get("defect", 0), counts.get("defect", 0)


# --- deciding --------------------------------------------------------------------------------------------------

def _evaluate(conn: Connection, actor: str | None, lot_id: int, now: float) -> None:
    lot = conn.execute(sa.select(L).where(L.c.id == lot_id)).mappings().one()
    if lot["status"] not in ("sampling", "inspecting"):
        return
    plan = Plan(**lot["plan"])
    if lot["status"] == "sampling":
        if lot["defects"] >= plan.re:
            _reject(conn, actor, lot, plan, now)
        elif lot["reviewed"] >= plan.n:
            _accept(conn, actor, lot, plan, now)
    elif lot["status"] == "inspecting" and conn.execute(sa.select(LT.c.task_id).where(
            LT.c.lot_id == lot_id, LT.c.outcome.is_(None)).limit(1)).first() is None:
        _inspected(conn, actor, lot, plan, now)


def _undecided(conn: Connection, lot_id: int) -> list[int]:
    t = db.tasks
    return list(conn.execute(sa.select(LT.c.task_id).select_from(LT.join(t, t.c.id == LT.c.task_id)).where(
        LT.c.lot_id == lot_id, LT.c.outcome.is_(None), t.c.status == "submitted").order_by(LT.c.task_id)).scalars())


def _set_tasks(conn: Connection, lot: RowMapping, task_ids: list[int], change: dict[str, Any], outcome: str,
               now: float) -> None:
    """Apply the lot's decision to its submitted tasks still at the first stage (`change`: their new status, or the
    next stage)."""
    t = db.tasks
    for i in range(0, len(task_ids), _CHUNK):
        chunk = task_ids[i:i + _CHUNK]
        conn.execute(t.update().where(t.c.id.in_(chunk), t.c.status == "submitted", t.c.stage == 0)
                     .values(**change, revision=t.c.revision + 1, updated_at=now))
        conn.execute(LT.update().where(LT.c.lot_id == lot["id"], LT.c.task_id.in_(chunk)).values(outcome=outcome))
    emit_many(conn, [("task", str(i), lot["project_id"], i) for i in task_ids])


def _accept(conn: Connection, actor: str | None, lot: RowMapping, plan: Plan, now: float) -> None:
    """Accepted: the sample stands for the first stage's review of the rest, which go on to the next stage (where
    the project has one) or are accepted."""
    rest = _undecided(conn, lot["id"])
    stages = _stages(conn, lot["project_id"])
    more = len(stages) > 1
    _set_tasks(conn, lot, rest, {"stage": 1} if more else {"status": "accepted"}, "lot_accept", now)
    copies = replicas.accept_with_lot(conn, lot, now)  # the annotator's replicas of the lot's day or batch
    audit(conn, actor, "lot.accept", f"project:{lot['project_id']}", lot=lot["id"], key=lot["key"], tasks=rest,
          next_stage=stages[1]["name"] if more else None, replicas=copies)
    _decided(conn, actor, lot, plan, "accept", "accepted", now)


def _reject(conn: Connection, actor: str | None, lot: RowMapping, plan: Plan, now: float) -> None:
    """Rejected: its undecided tasks go back with the reason, or every task joins the sample (100 % inspection)."""
    if lot["rules"]["on_reject"] == "inspect_all":
        ids = _task_ids(conn, lot["id"])
        _decided(conn, actor, lot, plan, "reject", "inspecting", now, sample=draw_sample(ids, len(ids), lot["seed"]))
        _mark_sampled(conn, lot["id"], ids, everything=True)
        reviewed, defects = _counts(conn, lot["id"])
        conn.execute(L.update().where(L.c.id == lot["id"]).values(reviewed=reviewed, defects=defects))
        _evaluate(conn, actor, lot["id"], now)
        return
    back = _undecided(conn, lot["id"])
    reason = str(lot_rejected(lot["key"], lot["defects"], plan.n, plan.re))
    _set_tasks(conn, lot, back, {"status": "rejected"}, "returned", now)
    r = db.reviews
    for i in range(0, len(back), _CHUNK):
        rows = [{"task_id": task_id, "decision": "reject", "reviewer": actor or "server", "at": now, "fixed": False,
                 "reason": reason} for task_id in back[i:i + _CHUNK]]
        made = conn.execute(r.insert().returning(r.c.id, r.c.task_id), rows).all()
        emit_many(conn, [("review", str(rid), lot["project_id"], task_id) for rid, task_id in sorted(made)])
    _decided(conn, actor, lot, plan, "reject", "rejected", now, returned=back)


def _decided(conn: Connection, actor: str | None, lot: RowMapping, plan: Plan, decision: str, status: str, now: float,
             sample: list[Any] | None = None, returned: list[int] | None = None) -> None:
    fed = _feed(conn, lot, plan, now)
    values: dict[str, Any] = {"status": status, "decided_at": now}
    if sample is not None:
        values["sample"] = sample
    conn.execute(L.update().where(L.c.id == lot["id"]).values(**values))
    audit(conn, actor, "lot.decide", f"project:{lot['project_id']}", lot=lot["id"], key=lot["key"],
          decision=decision, defects=lot["defects"], reviewed=lot["reviewed"], n=plan.n, ac=plan.ac, re=plan.re,
          curtailed=lot["reviewed"] < plan.n, on_reject=lot["rules"]["on_reject"] if decision == "reject" else None,
          returned=returned, switching=fed)
    emit(conn, "lot", lot["id"], lot["project_id"])


def _inspected(conn: Connection, actor: str | None, lot: RowMapping, plan: Plan, now: float) -> None:
    """Every task of a lot in 100 % inspection is decided. A discontinued stream's lot is judged by its count
    (nothing left to send back, and it does not feed the switching rules); a rejected lot stays rejected."""
    if lot["decided_at"] is None:
        decision = lot_decision(lot["defects"], plan)
        conn.execute(L.update().where(L.c.id == lot["id"]).values(
            status="accepted" if decision == "accept" else "rejected", decided_at=now))
        audit(conn, actor, "lot.decide", f"project:{lot['project_id']}", lot=lot["id"], key=lot["key"],
              decision=decision, defects=lot["defects"], reviewed=lot["reviewed"], n=plan.n, ac=plan.ac, re=plan.re,
              inspected="all", switching={"fed": False, "why": "sampling inspection is discontinued"})
    else:
        conn.execute(L.update().where(L.c.id == lot["id"]).values(status="rejected"))
        audit(conn, actor, "lot.inspected", f"project:{lot['project_id']}", lot=lot["id"], key=lot["key"],
              defects=lot["defects"], reviewed=lot["reviewed"])
    emit(conn, "lot", lot["id"], lot["project_id"])


# --- switching -------------------------------------------------------------------------------------------------

def stream(lot: RowMapping | dict[str, Any]) -> str:
    """Whose record a lot counts in: its annotator's, or (for batch lots) the project's batches together."""
    return BATCH_STREAM if lot["kind"] == "batch" else str(lot["source"])


def switching(conn: Connection, project_id: int, source: str) -> Switching:
    s = db.qa_sources
    stored = conn.execute(sa.select(s.c.switching).where(s.c.project_id == project_id, s.c.source == source)).scalar()
    return Switching() if stored is None else Switching.from_dict(stored)


def _save_switching(conn: Connection, project_id: int, source: str, state: Switching, now: float) -> None:
    s = db.qa_sources
    where = (s.c.project_id == project_id) & (s.c.source == source)
    if conn.execute(sa.select(s.c.source).where(where)).first() is None:
        conn.execute(s.insert().values(project_id=project_id, source=source, switching=state.to_dict(),
                                       updated_at=now))
    else:
        conn.execute(s.update().where(where).values(switching=state.to_dict(), updated_at=now))


def _feed(conn: Connection, lot: RowMapping, plan: Plan, now: float) -> dict[str, Any]:
    """Record the first decision of an original lot inspected under the plan in force (ISO 2859-1 clause 9)."""
    if lot["resubmitted"]:
        return {"fed": False, "why": "a resubmitted lot does not count"}
    if plan.aql is None:
        return {"fed": False, "why": "a percentage plan has no switching rules"}
    source = stream(lot)
    state = switching(conn, lot["project_id"], source)
    if state.discontinued or state.severity != plan.severity:
        now_in = "discontinued" if state.discontinued else state.severity
        return {"fed": False, "why": f"inspected at {plan.severity}; the source is {now_in} now"}
    settings = project_settings(conn, lot["project_id"]) or lot["rules"]
    after = state.record(lot["defects"], plan, reduced_allowed=bool(settings["reduced_allowed"]))
    _save_switching(conn, lot["project_id"], source, after, now)
    return {"fed": True, "before": state.to_dict(), "after": after.to_dict()}


def resume(conn: Connection, actor: str, project_id: int, source: str) -> dict[str, Any]:
    """Sampling again (tightened) for a discontinued stream, once the lead accepts its corrective action (409 for
    any other: a source with no lot decided yet is at normal inspection)."""
    try:
        after = switching(conn, project_id, source).resume()
    except SamplingError as exc:
        raise ApiError(409, "not_discontinued", f"{source}: {exc}") from None
    _save_switching(conn, project_id, source, after, clock())
    audit(conn, actor, "qa.resume", f"project:{project_id}", source=source)
    return {"source": source, "switching": after.to_dict()}


# --- reading ---------------------------------------------------------------------------------------------------

def get_lot(conn: Connection, project_id: int, lot_id: int) -> RowMapping:
    row = conn.execute(sa.select(L).where(L.c.id == lot_id, L.c.project_id == project_id)).mappings().first()
    if row is None:
        raise not_found("lot", lot_id)
    return row


def _task_ids(conn: Connection, lot_id: int) -> list[int]:
    """The lot's task ids in id order, straight from the driver (a lot may hold 100,000)."""
    return [r[0] for r in db.fetch(conn, "SELECT task_id FROM lot_tasks WHERE lot_id = ? ORDER BY task_id", [lot_id])]


def _latest_lot(conn: Connection, task_id: int) -> RowMapping | None:
    lot_id = conn.execute(sa.select(sa.func.max(LT.c.lot_id)).where(LT.c.task_id == task_id)).scalar()
    return None if lot_id is None else conn.execute(sa.select(L).where(L.c.id == lot_id)).mappings().one()


def lot_json(row: Any, task_ids: list[int]) -> dict[str, Any]:
    """A lot as the API and pull send it: its tasks by id, the sample in review order, the plan's fields."""
    keys = ("id", "project_id", "key", "source", "status", "size", "sample", "plan", "severity", "seed", "defects",
            "reviewed", "resubmitted", "opened_at", "closed_at", "decided_at")
    return {**{k: row[k] for k in keys}, "task_ids": task_ids, "sample": row["sample"] or []}


def lot_items(conn: Connection, lot_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Lots by id, each with its task ids."""
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(lot_ids), _CHUNK):
        chunk = list(lot_ids[i:i + _CHUNK])
        for row in conn.execute(sa.select(L).where(L.c.id.in_(chunk))).mappings():
            out[row["id"]] = lot_json(row, _task_ids(conn, row["id"]))
    return out


def list_lots(conn: Connection, project_id: int, status: str | None = None, after: int = 0,
              limit: int = 100) -> dict[str, Any]:
    """The project's lots by id (due ones closed first), paged with `after`."""
    close_due(conn, None, project_id)
    query = sa.select(L.c.id).where(L.c.project_id == project_id, L.c.id > after)
    if status is not None:
        query = query.where(L.c.status == status)
    ids = list(conn.execute(query.order_by(L.c.id).limit(limit)).scalars())
    found = lot_items(conn, ids)
    items = [found[i] for i in ids]
    return {"items": items, "next_after": ids[-1] if ids else after}


def resolve(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """pull's resolver for `lot` events."""
    return {str(k): v for k, v in lot_items(conn, [int(i) for i in ids]).items()}


def settings_json(conn: Connection, project_id: int) -> dict[str, Any]:
    s = db.qa_sources
    sources = [{"source": r.source, "switching": r.switching} for r in conn.execute(
        sa.select(s.c.source, s.c.switching).where(s.c.project_id == project_id).order_by(s.c.source))]
    return {"project_id": project_id, "qa": project_settings(conn, project_id), "stages": _stages(conn, project_id),
            "sources": sources}


def _stages(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """The project's review stages (service.project_stages, which this module cannot import: service imports it)."""
    return parse_stages(conn.execute(sa.select(db.projects.c.stages).where(db.projects.c.id == project_id)).scalar())


def set_settings(conn: Connection, actor: str, project_id: int, value: Any) -> dict[str, Any]:
    """Store a project's QA settings (None: no sampling). Lots already open keep the settings they opened with."""
    settings = parse_settings(value)
    conn.execute(db.projects.update().where(db.projects.c.id == project_id)
                 .values(qa=sa.null() if settings is None else settings))
    audit(conn, actor, "qa.set", f"project:{project_id}", qa=settings)
    return settings_json(conn, project_id)
