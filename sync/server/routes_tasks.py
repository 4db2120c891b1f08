"""One task: read it and its annotations, assign, submit, review (with pinned comments), its conflicts and its
active time."""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sync.envelope import canonical_json
from sync.server import db, service, time_log
from sync.server.deps import Caller, Ctx, IntId, Reviewer

router = APIRouter(prefix="/tasks")


class AssignIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    annotation_id: str | None = Field(default=None, max_length=64)
    x: float | None = Field(default=None, allow_inf_nan=False)
    y: float | None = Field(default=None, allow_inf_nan=False)


class ReviewIn(BaseModel):
    decision: Literal["accept", "reject"]
    fixed: bool = False  # accepted after the lead corrected it
    reason: str = Field(default="", max_length=10_000)
    comments: list[CommentIn] = Field(default_factory=list, max_length=1000)


@router.get("/{task_id}")
def get_task(task_id: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.read() as conn:
        return service.task_json(service.get_task(conn, principal, task_id))


@router.get("/{task_id}/annotations")
def task_annotations(task_id: IntId, principal: Caller, ctx: Ctx,
                     include_deleted: bool = Query(False)) -> dict[str, Any]:
    """The task's current annotations and a digest of them, which a client compares with its own copy."""
    a = db.annotations
    query = sa.select(a.c.id, a.c.fields, a.c.revision, a.c.deleted, a.c.author).where(a.c.task_id == task_id)
    if not include_deleted:
        query = query.where(a.c.deleted == sa.false())
    with ctx.store.read() as conn:
        service.get_task(conn, principal, task_id)
        items = [dict(r) for r in conn.execute(query.order_by(a.c.id)).mappings()]
    return {"task_id": task_id, "items": items, "digest": annotations_digest(items)}


def annotations_digest(items: list[dict[str, Any]]) -> str:
    """sha256 over the canonical JSON of [id, fields] of the live annotations, sorted by id."""
    live = sorted([i["id"], i["fields"]] for i in items if not i.get("deleted"))
    return hashlib.sha256(canonical_json(live)).hexdigest()


@router.post("/{task_id}/assign")
def assign(task_id: IntId, body: AssignIn, principal: Reviewer, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        service.led_task(conn, principal, task_id)
        return service.assign(conn, principal.name, task_id, body.user)


@router.post("/{task_id}/submit")
def submit(task_id: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.set_status(conn, principal, service.get_task(conn, principal, task_id), "submitted")


@router.post("/{task_id}/review")
def review(task_id: IntId, body: ReviewIn, principal: Reviewer, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.review(conn, principal, task_id, body.decision, [c.model_dump() for c in body.comments],
                              fixed=body.fixed and body.decision == "accept", reason=body.reason)


@router.get("/{task_id}/conflicts")
def task_conflicts(task_id: IntId, principal: Reviewer, ctx: Ctx) -> list[dict[str, Any]]:
    """Every value that lost a merge on this task, for the lead to restore if the merge chose wrong."""
    c = db.conflicts
    with ctx.store.read() as conn:
        service.led_task(conn, principal, task_id)
        return [dict(r) for r in conn.execute(sa.select(c).where(c.c.task_id == task_id).order_by(c.c.id))
                .mappings()]


@router.get("/{task_id}/time")
def task_time(task_id: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    """Active time on the task (sync/server/time_log.py): leads and admins see everyone's, the assignee their own."""
    with ctx.store.read() as conn:
        return time_log.task_time(conn, principal, task_id)
