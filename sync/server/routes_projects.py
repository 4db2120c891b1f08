"""Projects, their label schemas, and their tasks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sync.server import db, service
from sync.server.deps import Admin, Caller, Ctx, IntId, Reviewer
from sync.server.errors import not_found
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
    width: int = Field(ge=1, le=1_000_000)
    height: int = Field(ge=1, le=1_000_000)


def _visible_project(conn: sa.Connection, principal: Principal, project_id: int) -> dict[str, Any]:
    row = service.get_project(conn, project_id)
    if not principal.is_reviewer and conn.execute(sa.select(db.tasks.c.id).where(
            db.tasks.c.project_id == project_id, db.tasks.c.assignee_id == principal.user_id).limit(1)).first() is None:
        raise not_found("project", project_id)
    return service.project_json(row)


@router.post("", status_code=201)
def create_project(body: ProjectIn, principal: Admin, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.create_project(conn, principal.name, body.name, body.schema_)


@router.get("")
def list_projects(principal: Caller, ctx: Ctx) -> list[dict[str, Any]]:
    """Reviewers see all projects; annotators the ones they have tasks in."""
    p = db.projects
    query = sa.select(p).order_by(p.c.id)
    if not principal.is_reviewer:
        query = query.where(p.c.id.in_(sa.select(db.tasks.c.project_id)
                                       .where(db.tasks.c.assignee_id == principal.user_id)))
    with ctx.store.read() as conn:
        return [service.project_json(r) for r in conn.execute(query).mappings()]


@router.get("/{project_id}")
def get_project(project_id: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.read() as conn:
        return _visible_project(conn, principal, project_id)


@router.put("/{project_id}/schema")
def put_schema(project_id: IntId, body: SchemaIn, principal: Reviewer, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.update_schema(conn, principal.name, project_id, body.schema_, body.locked)


@router.post("/{project_id}/tasks", status_code=201)
def create_task(project_id: IntId, body: TaskIn, principal: Reviewer, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.write() as conn:
        return service.create_task(conn, principal.name, project_id, body.media_sha256, body.name, body.width,
                                   body.height)


@router.get("/{project_id}/tasks")
def list_tasks(project_id: IntId, principal: Caller, ctx: Ctx, after: int = Query(0, ge=0, le=2**62),
               limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    """Tasks by id, paged with `after`; annotators get only theirs."""
    t = db.tasks
    query = service.task_query().where(t.c.project_id == project_id, t.c.id > after).order_by(t.c.id).limit(limit)
    if not principal.is_reviewer:
        query = query.where(t.c.assignee_id == principal.user_id)
    with ctx.store.read() as conn:
        _visible_project(conn, principal, project_id)
        items = [service.task_json(r) for r in conn.execute(query).mappings()]
    return {"items": items, "next_after": items[-1]["id"] if items else after}
