"""Projects, their label schemas, and their tasks."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from sync.server import db, service
from sync.server.deps import Admin, Caller, Ctx, IntId, ProjectLead
from sync.server.errors import ApiError, forbidden, not_found
from sync.server.security import Principal

router = APIRouter(prefix="/projects")


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    schema_: dict[str, Any] = Field(alias="schema")


class SchemaIn(BaseModel):
    schema_: dict[str, Any] = Field(alias="schema")
    locked: bool = False


class TaskIn(BaseModel):
    media_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    name: str = Field(min_length=1, max_length=500)
    width: int = Field(ge=0, le=1_000_000, description="pixels; 0 for a recording")
    height: int = Field(ge=0, le=1_000_000, description="pixels; 0 for a recording")
    kind: Literal["image", "video", "audio"] = Field("image", description=(
        "the media kind; left out (older clients), the task is an image"))
    frames: int = Field(1, ge=1, le=service.MAX_SAMPLES, description=(
        "1 for an image, a video's frame count, a recording's samples per channel"))
    client_ref: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description=(
        "a key the client chose for this task, unique per user: a repeated create with it returns the task made "
        "the first time (a retry after a lost answer makes no second task)"))
    batch: str | None = Field(None, min_length=1, max_length=200, description=(
        "the batch the task came in: a project whose QA settings group lots per batch samples each batch"))


def _visible_project(conn: sa.Connection, principal: Principal, project_id: int) -> dict[str, Any]:
    row = service.get_project(conn, project_id)
    if not principal.leads(project_id) and conn.execute(sa.select(db.tasks.c.id).where(
            db.tasks.c.project_id == project_id, db.tasks.c.assignee_id == principal.user_id).limit(1)).first() is None:
        raise not_found("project", project_id)
    return service.project_json(row)


@router.post("", status_code=201)
def create_project(body: ProjectIn, principal: Admin, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.create_project(conn, principal.name, body.name, body.schema_)


@router.get("")
def list_projects(principal: Caller, ctx: Ctx) -> list[dict[str, Any]]:
    """Admins see all projects, leads the ones they lead, everyone the ones they have tasks in."""
    p = db.projects
    query = sa.select(p).order_by(p.c.id)
    if principal.role != "admin":
        query = query.where(sa.or_(p.c.id.in_(principal.led), p.c.id.in_(
            sa.select(db.tasks.c.project_id).where(db.tasks.c.assignee_id == principal.user_id))))
    with ctx.store.read() as conn:
        return [service.project_json(r) for r in conn.execute(query).mappings()]


@router.get("/{project_id}")
def get_project(project_id: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.read() as conn:
        return _visible_project(conn, principal, project_id)


@router.put("/{project_id}/schema")
def put_schema(project_id: IntId, body: SchemaIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.update_schema(conn, principal.name, project_id, body.schema_, body.locked)


class LeadIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)


@router.get("/{project_id}/leads")
def list_leads(project_id: IntId, principal: ProjectLead, ctx: Ctx) -> list[str]:
    with ctx.store.read() as conn:
        return service.project_leads(conn, project_id)


@router.post("/{project_id}/leads")
def add_lead(project_id: IntId, body: LeadIn, principal: Admin, ctx: Ctx) -> list[str]:
    with ctx.store.write() as conn:
        return service.set_lead(conn, principal.name, project_id, body.user, True)


@router.delete("/{project_id}/leads/{user}")
def remove_lead(project_id: IntId, user: Annotated[str, PathParam(min_length=1, max_length=64)], principal: Admin,
                ctx: Ctx) -> list[str]:
    with ctx.store.write() as conn:
        return service.set_lead(conn, principal.name, project_id, user, False)


@router.post("/{project_id}/tasks", status_code=201, responses={200: {"description": "a repeat (client_ref)"}})
def create_task(project_id: IntId, body: TaskIn, principal: Caller, ctx: Ctx, response: Response) -> dict[str, Any]:
    """Leads and admins make tasks of any media. An annotator who works in the project (has a task of it) makes
    tasks of media they uploaded themselves (a field worker's photos); those are assigned to them at once."""
    with ctx.store.write() as conn:
        if body.client_ref is not None:
            done = _task_of_ref(conn, principal, body, project_id)
            if done is not None:
                response.status_code = 200
                return done
        if not principal.leads(project_id):
            _visible_project(conn, principal, project_id)
            uploader = conn.execute(sa.select(db.media.c.uploaded_by).where(
                db.media.c.sha256 == body.media_sha256)).first()
            if uploader is not None and uploader.uploaded_by != principal.user_id:
                raise forbidden(f"media {body.media_sha256} was not uploaded by you; an annotator makes tasks only "
                                "of media they uploaded")
        task = service.create_task(conn, principal.name, project_id, body.media_sha256, body.name, body.width,
                                   body.height, body.kind, body.frames, body.batch)
        if not principal.leads(project_id):
            task = service.assign(conn, principal.name, task["id"], principal.name)
        if body.client_ref is not None:
            conn.execute(db.task_refs.insert().values(user_id=principal.user_id, client_ref=body.client_ref,
                                                      task_id=task["id"]))
        return task


def _task_of_ref(conn: sa.Connection, principal: Principal, body: TaskIn, project_id: int) -> dict[str, Any] | None:
    """The task this caller already made with body.client_ref (None when there is none); 409 when the key was used
    for another task."""
    r = db.task_refs
    row = conn.execute(sa.select(r.c.task_id).where(r.c.user_id == principal.user_id,
                                                    r.c.client_ref == body.client_ref)).first()
    if row is None:
        return None
    task = service.task_json(conn.execute(service.task_query().where(db.tasks.c.id == row.task_id)).mappings().one())
    if (task["project_id"], task["media_sha256"]) != (project_id, body.media_sha256):
        raise ApiError(409, "client_ref_used", f"client_ref {body.client_ref!r} already named task {task['id']} "
                       "(another project or media)", task_id=task["id"])
    return task


@router.get("/{project_id}/tasks")
def list_tasks(project_id: IntId, principal: Caller, ctx: Ctx, after: int = Query(0, ge=0, le=2**62),
               limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    """Tasks by id, paged with `after`; annotators get only theirs."""
    t = db.tasks
    query = service.task_query().where(t.c.project_id == project_id, t.c.id > after).order_by(t.c.id).limit(limit)
    if not principal.leads(project_id):
        query = query.where(t.c.assignee_id == principal.user_id)
    with ctx.store.read() as conn:
        _visible_project(conn, principal, project_id)
        items = [service.task_json(r) for r in conn.execute(query).mappings()]
    return {"items": items, "next_after": items[-1]["id"] if items else after}
