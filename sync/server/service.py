"""Administration shared by the API and the CLI: users, devices, projects, media, tasks and their lifecycle.

Every function runs inside the caller's write transaction, checks its input, writes the audit row and the events
pull needs, and raises ApiError with a clear reason otherwise.
"""

from __future__ import annotations

import re
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from core.names import item_name_problem, label_name_problem
from core.schema import LabelSchema, SchemaError
from sync.server import dashboard_facts, db, lots, replicas
from sync.server.errors import ApiError, forbidden, not_found
from sync.server.journal import audit, emit, emit_task_snapshot
from sync.server.metrics import count_task_status
from sync.server.qa_settings import may_act, parse_stages, stage_users
from sync.server.security import ROLES, Passwords, Principal

_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
# The media kinds (core.media_kinds) a server task may be (older clients send none: an image) and the most `frames`
# each may have: an image 1; a video its frame count (an annotation's frame is below 2**31: merge.py); a recording its
# samples per channel (an audio frame is one sample of every channel: 2**40 is 290 days at 44.1 kHz).
MAX_FRAMES = 2**31 - 1
MAX_SAMPLES = 2**40
TASK_KINDS = {"image": 1, "video": MAX_FRAMES, "audio": MAX_SAMPLES}
STATUSES = ("new", "assigned", "in_progress", "submitted", "accepted", "rejected")
_TRANSITIONS = {
    ("assigned", "in_progress"), ("rejected", "in_progress"),
    ("assigned", "submitted"), ("in_progress", "submitted"), ("rejected", "submitted"),
    ("submitted", "accepted"), ("submitted", "rejected"),
}


def create_user(conn: Connection, passwords: Passwords, actor: str, name: str, role: str,
                password: str) -> dict[str, Any]:
    if not _NAME.fullmatch(name):
        raise ApiError(422, "bad_name", "user name must be 1-64 letters, digits or _.@-")
    if role not in ROLES:
        raise ApiError(422, "bad_role", f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not 8 <= len(password) <= 1024:
        raise ApiError(422, "weak_password", "password must be 8-1024 characters")
    if conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).first():
        raise ApiError(409, "exists", f"user {name} already exists")
    uid = db.insert_id(conn, db.users.insert().values(
        name=name, role=role, password_hash=passwords.hash(password), created_at=time.time()))
    audit(conn, actor, "user.create", f"user:{name}", role=role)
    return {"id": uid, "name": name, "role": role}


def list_users(conn: Connection) -> list[dict[str, Any]]:
    u = db.users
    return [dict(r) for r in conn.execute(sa.select(u.c.id, u.c.name, u.c.role).order_by(u.c.id)).mappings()]


def user_by_name(conn: Connection, name: str) -> RowMapping:
    return _row_or_404(conn, db.users.c.name, name, "user")


def _row_or_404(conn: Connection, key: sa.Column[Any], value: object, what: str) -> RowMapping:
    """The row of key's table whose key equals value, or a 404 naming what was not found."""
    row = conn.execute(sa.select(key.table).where(key == value)).mappings().first()
    if row is None:
        raise not_found(what, value)
    return row


def revoke_device(conn: Connection, actor: str, device_id: int) -> dict[str, Any]:
    """A revoked device can neither push (its key is refused) nor use any token it was given."""
    d = db.devices
    row = _row_or_404(conn, d.c.id, device_id, "device")
    if row["revoked_at"] is None:
        conn.execute(d.update().where(d.c.id == device_id).values(revoked_at=time.time()))
        conn.execute(db.tokens.update().where(db.tokens.c.device_id == device_id).values(revoked=True))
        audit(conn, actor, "device.revoke", f"device:{device_id}", key_id=row["key_id"])
    return {"id": device_id, "key_id": row["key_id"], "revoked": True}


def parse_schema(schema: Any) -> dict[str, Any]:
    try:
        parsed = LabelSchema.from_json(schema)
    except SchemaError as exc:
        raise ApiError(422, "bad_schema", f"label schema: {exc}") from exc
    for label in parsed.labels:
        named = [("label", label.name), *(("attribute", a.name) for a in label.attributes),
                 *(("keypoint", k) for k in label.keypoints)]
        for what, name in named:
            if problem := label_name_problem(name):
                raise ApiError(422, "bad_schema", f"label schema: {what} name {name!r:.100}: {problem}",
                               field=f"{what}.name")
    return parsed.to_json()


def create_project(conn: Connection, actor: str, name: str, schema: Any) -> dict[str, Any]:
    if not name.strip() or len(name) > 200:
        raise ApiError(422, "bad_name", "project name must be 1-200 characters")
    if conn.execute(sa.select(db.projects.c.id).where(db.projects.c.name == name)).first():
        raise ApiError(409, "exists", f"project {name!r} already exists")
    values = {"name": name, "schema": parse_schema(schema), "schema_version": 1, "locked": False,
              "created_at": time.time()}
    pid = db.insert_id(conn, db.projects.insert().values(**values))
    emit(conn, "project", pid, pid)
    emit(conn, "schema", pid, pid)
    audit(conn, actor, "project.create", f"project:{pid}", name=name)
    return project_json({**values, "id": pid})


def project_json(row: Any) -> dict[str, Any]:
    r = dict(row)
    return {"id": r["id"], "name": r["name"], "schema": r["schema"], "schema_version": r["schema_version"],
            "locked": r["locked"]}


def get_project(conn: Connection, project_id: int) -> RowMapping:
    return _row_or_404(conn, db.projects.c.id, project_id, "project")


def update_schema(conn: Connection, actor: str, project_id: int, schema: Any, locked: bool) -> dict[str, Any]:
    row = get_project(conn, project_id)
    values = {"schema": parse_schema(schema), "locked": locked, "schema_version": row["schema_version"] + 1}
    conn.execute(db.projects.update().where(db.projects.c.id == project_id).values(**values))
    emit(conn, "schema", project_id, project_id)
    audit(conn, actor, "project.schema", f"project:{project_id}", version=values["schema_version"], locked=locked)
    return project_json({**row, **values})


def register_media(conn: Connection, actor: Principal | None, sha: str, size: int) -> None:
    if conn.execute(sa.select(db.media.c.sha256).where(db.media.c.sha256 == sha)).first() is None:
        conn.execute(db.media.insert().values(sha256=sha, size=size, created_at=time.time(),
                                              uploaded_by=actor.user_id if actor else None))
        audit(conn, actor.name if actor else "cli", "media.add", f"media:{sha}", size=size)


def keep_frame_index(conn: Connection, sha: str, data: bytes) -> None:
    """Keep a video's frame index by its SHA-256 (the first one stands: the same bytes give the same index)."""
    f = db.frame_indexes
    if conn.execute(sa.select(f.c.sha256).where(f.c.sha256 == sha)).first() is None:
        conn.execute(f.insert().values(sha256=sha, data=data))


def create_task(conn: Connection, actor: str, project_id: int, media_sha256: str, name: str, width: int,
                height: int, kind: str = "image", frames: int = 1, batch: str | None = None) -> dict[str, Any]:
    get_project(conn, project_id)
    if batch is not None and (not batch.strip() or len(batch) > 200 or not batch.isprintable()):
        raise ApiError(422, "bad_task", "a batch is named by 1-200 printable characters", field="batch")
    if conn.execute(sa.select(db.media.c.sha256).where(db.media.c.sha256 == media_sha256)).first() is None:
        raise ApiError(422, "unknown_media", f"media {media_sha256} has not been uploaded")
    if not 0 < len(name) <= 500:
        raise ApiError(422, "bad_task", "task needs a 1-500 character name", field="name")
    problem = _kind_problem(kind, frames, width, height)
    if problem:
        raise ApiError(422, "bad_task", problem, field="kind")
    problem = item_name_problem(name)
    if problem:  # every client writes files named after the task when it exports
        raise ApiError(422, "bad_name", f"task name {name!r:.100}: {problem}; it must be one plain file name",
                       field="name")
    values = {"project_id": project_id, "name": name, "media_sha256": media_sha256, "width": width,
              "height": height, "kind": kind, "frames": frames, "status": "new", "assignee_id": None, "revision": 1,
              "updated_at": time.time(), "batch": batch}
    tid = db.insert_id(conn, db.tasks.insert().values(**values))
    emit(conn, "task", tid, project_id, tid)
    audit(conn, actor, "task.create", f"task:{tid}", project=project_id, media=media_sha256)
    return task_json({**values, "id": tid, "assignee": None})


def _kind_problem(kind: str, frames: int, width: int, height: int) -> str | None:
    """Why a task of this kind cannot have these frames and this size (None when it can): an image or a video is
    1..1,000,000 pixels a side, a recording has no size (0 x 0)."""
    most = TASK_KINDS.get(kind)
    if most is None or not 0 < frames <= most or (kind == "image" and frames != 1):
        return (f"a task is one of {', '.join(TASK_KINDS)}; an image has 1 frame, a video 1..{MAX_FRAMES:,}, a "
                f"recording 1..{MAX_SAMPLES:,} samples (not {kind!r:.20} of {frames} frames)")
    if kind == "audio":
        return None if width == height == 0 else f"a recording has no size (0 x 0, not {width} x {height})"
    if not (0 < width <= 1_000_000 and 0 < height <= 1_000_000):
        return f"an image or a video needs a size of 1..1,000,000 pixels a side (not {width} x {height})"
    return None


def task_query() -> sa.Select[Any]:
    t, u = db.tasks, db.users
    return sa.select(t, u.c.name.label("assignee")).select_from(t.outerjoin(u, u.c.id == t.c.assignee_id))


def task_json(row: Any) -> dict[str, Any]:
    r = dict(row)
    keys = ("id", "project_id", "name", "media_sha256", "width", "height", "kind", "frames", "status", "assignee",
            "revision", "updated_at")
    return {**{k: r[k] for k in keys}, "batch": r.get("batch"), "stage": r.get("stage") or 0}


def get_task(conn: Connection, principal: Principal | None, task_id: int) -> RowMapping:
    """The task if the caller may see it: admins and the project's leads see all, annotators only their own (else
    404, not 403, so task ids of others are not confirmed)."""
    row = conn.execute(task_query().where(db.tasks.c.id == task_id)).mappings().first()
    if row is None or (principal and not principal.leads(row["project_id"])
                       and row["assignee_id"] != principal.user_id):
        raise not_found("task", task_id)
    return row


def led_task(conn: Connection, principal: Principal, task_id: int) -> RowMapping:
    """The task if the caller leads its project (else 404, as for a task they cannot see)."""
    row = get_task(conn, principal, task_id)
    if not principal.leads(row["project_id"]):
        raise not_found("task", task_id)
    return row


def set_lead(conn: Connection, actor: str, project_id: int, username: str, leads: bool) -> list[str]:
    """Make a lead (or stop them being) a lead of a project; returns the project's leads."""
    get_project(conn, project_id)
    user = user_by_name(conn, username)
    if user["role"] != "lead":
        raise ApiError(422, "not_a_lead", f"user {username} is an {user['role']}, not a lead: admins lead every "
                       "project, annotators none", field="user")
    pl = db.project_leads
    is_lead = conn.execute(sa.select(pl.c.user_id).where(pl.c.project_id == project_id,
                                                         pl.c.user_id == user["id"])).first() is not None
    if leads and not is_lead:
        conn.execute(pl.insert().values(project_id=project_id, user_id=user["id"]))
    elif not leads and is_lead:
        conn.execute(pl.delete().where(pl.c.project_id == project_id, pl.c.user_id == user["id"]))
    if leads != is_lead:
        emit(conn, "project", project_id, project_id)
        emit(conn, "schema", project_id, project_id)
        audit(conn, actor, "project.lead" if leads else "project.unlead", f"project:{project_id}", user=username)
    return project_leads(conn, project_id)


def project_leads(conn: Connection, project_id: int) -> list[str]:
    pl, u = db.project_leads, db.users
    return list(conn.execute(sa.select(u.c.name).select_from(pl.join(u, u.c.id == pl.c.user_id))
                             .where(pl.c.project_id == project_id).order_by(u.c.name)).scalars())


def assign(conn: Connection, actor: str, task_id: int, username: str) -> dict[str, Any]:
    task = get_task(conn, None, task_id)
    user = user_by_name(conn, username)
    replicas.check_assign(conn, task, username)
    status = "assigned" if task["status"] == "new" else task["status"]
    values = {"assignee_id": user["id"], "status": status, "revision": task["revision"] + 1,
              "updated_at": time.time()}
    conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(**values))
    emit_task_snapshot(conn, task_id, task["project_id"])
    audit(conn, actor, "task.assign", f"task:{task_id}", user=username)
    return task_json({**task, **values, "assignee": username})


def set_status(conn: Connection, principal: Principal, task: RowMapping, new: str, *,
               _reviewed: bool = False) -> dict[str, Any]:
    """Move a task along its lifecycle; who may do what is checked here, once, for the API and for push. A
    submission starts the review stages again at the first."""
    old = task["status"]
    if new == old:
        return task_json(task)
    if (old, new) not in _TRANSITIONS:
        raise ApiError(409, "bad_transition", f"task {task['id']} cannot go from {old} to {new}")
    if new in ("accepted", "rejected") and not principal.leads(task["project_id"]):
        raise forbidden("only a lead of the project or an admin can accept or reject a task")
    if new in ("accepted", "rejected") and not _reviewed:  # a status op or the API, not a review: same rules
        index, stages = task_stage(conn, task)
        check_stage(principal, task, stages[index])
        if new == "accepted" and index < len(stages) - 1:
            raise ApiError(409, "bad_transition", f"task {task['id']} is at stage {stages[index]['name']!r} of "
                           f"{len(stages)}: accept it with a review, which moves it to the next stage")
    if not principal.leads(task["project_id"]) and task["assignee_id"] != principal.user_id:
        raise forbidden(f"task {task['id']} is not assigned to you")
    values: dict[str, Any] = {"status": new, "revision": task["revision"] + 1, "updated_at": time.time()}
    if new == "submitted":
        values["stage"] = 0
    conn.execute(db.tasks.update().where(db.tasks.c.id == task["id"]).values(**values))
    emit(conn, "task", task["id"], task["project_id"], task["id"])
    count_task_status(conn, task["project_id"], new)
    audit(conn, principal.name, "task.status", f"task:{task['id']}", old=old, new=new)
    if new == "submitted":
        lots.task_submitted(conn, principal, task)
        dashboard_facts.task_submitted(conn, task, principal.name)
        replicas.task_submitted(conn, principal, task)  # a replica is accepted at once (and scored or merged)
    return task_json({**task, **values})


def project_stages(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """The project's review stages in order (the one stage "review" by its leads and admins when none are set)."""
    stages = conn.execute(sa.select(db.projects.c.stages).where(db.projects.c.id == project_id)).scalar()
    return parse_stages(stages)


def task_stage(conn: Connection, task: RowMapping) -> tuple[int, list[dict[str, Any]]]:
    """The index of the stage a task waits at and its project's stages (a stage past the last, after the stages
    were shortened, is the last)."""
    stages = project_stages(conn, task["project_id"])
    return min(int(task.get("stage") or 0), len(stages) - 1), stages


def check_stage(principal: Principal, task: RowMapping, stage: dict[str, Any]) -> None:
    if not may_act(stage, principal.name, principal.role, principal.leads(task["project_id"])):
        raise forbidden(f"task {task['id']} is at the stage {stage['name']!r}, decided by "
                        f"{', '.join(stage['who'])}: not by {principal.name}")


def set_stages(conn: Connection, actor: str, project_id: int, value: Any) -> list[dict[str, Any]]:
    """Store a project's review stages (None: the one review of before); the users named must be reviewers.
    Tasks keep their stage index (one past the new last waits at the last)."""
    stages = parse_stages(value)
    for field, name in stage_users(stages):
        row = conn.execute(sa.select(db.users.c.role).where(db.users.c.name == name)).first()
        if row is None or row.role not in ("admin", "lead"):
            why = "no such user" if row is None else f"{name} is an {row.role}: only leads and admins review"
            raise ApiError(422, "bad_stages", f"review stages: {field} names {name!r:.64}: {why}", field=field)
    conn.execute(db.projects.update().where(db.projects.c.id == project_id)
                 .values(stages=sa.null() if value is None else stages))
    emit(conn, "project", project_id, project_id)
    audit(conn, actor, "qa.stages", f"project:{project_id}", stages=stages)
    return stages


def review(conn: Connection, principal: Principal, task_id: int, decision: str, comments: list[dict[str, Any]],
           *, uid: str | None = None, fixed: bool = False, reason: str = "") -> dict[str, Any]:
    """Accept (`fixed`: after correcting the work, which counts as a defect) or reject a submitted task at its
    stage: an accept before the last stage moves it to the next (still submitted), the last accepts it; a reject
    at any stage sends it back to its annotator. Only the first stage's decisions count for its lot."""
    task = get_task(conn, principal, task_id)
    if not principal.leads(task["project_id"]):
        raise forbidden("only a lead of the project or an admin can accept or reject a task")
    if task["status"] != "submitted":
        raise ApiError(409, "bad_transition", f"task {task_id} is {task['status']}, not submitted: it cannot be "
                       f"{decision}ed")
    index, stages = task_stage(conn, task)
    stage = stages[index]
    check_stage(principal, task, stage)
    if decision == "accept" and index < len(stages) - 1:
        values = {"stage": index + 1, "revision": task["revision"] + 1, "updated_at": time.time()}
        conn.execute(db.tasks.update().where(db.tasks.c.id == task_id).values(**values))
        emit(conn, "task", task_id, task["project_id"], task_id)
        audit(conn, principal.name, "task.stage", f"task:{task_id}", old=stage["name"],
              new=stages[index + 1]["name"])
        result = task_json({**task, **values})
    else:
        result = set_status(conn, principal, task, {"accept": "accepted", "reject": "rejected"}[decision],
                            _reviewed=True)
    now = time.time()
    rid = db.insert_id(conn, db.reviews.insert().values(
        task_id=task_id, decision=decision, reviewer=principal.name, at=now, uid=uid, fixed=fixed, reason=reason,
        stage=stage["name"]))
    emit(conn, "review", rid, task["project_id"], task_id)
    if index == 0:  # a lot's sample is judged by the first stage's decisions only
        lots.task_reviewed(conn, principal, task, decision, fixed)
    for c in comments:
        cid = db.insert_id(conn, db.comments.insert().values(
            review_id=rid, task_id=task_id, text=c["text"], annotation_id=c.get("annotation_id"), x=c.get("x"),
            y=c.get("y"), author=principal.name, at=now))
        emit(conn, "comment", cid, task["project_id"], task_id)
    audit(conn, principal.name, "task.review", f"task:{task_id}", decision=decision, fixed=fixed,
          comments=len(comments), stage=stage["name"])
    return {"review_id": rid, "task": result}
