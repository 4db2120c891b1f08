"""Spot-review lots over the API, for leads and admins: a project's QA settings, its lots (due ones closed when
listed), closing a lot early, and resuming sampling for a discontinued source. The rules are in lots.py."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from sync.server import lots, service
from sync.server.deps import Ctx, IntId, ProjectLead
from sync.server.errors import ApiError

router = APIRouter(prefix="/projects")


class QaIn(BaseModel):
    qa: dict[str, Any] | None = Field(None, description=(
        'the settings: {"lots": "annotator_day" | "batch", "plan": {"kind": "iso", "level": "II", "aql": 1.0} or '
        '{"kind": "percent", "percent": 10, "min": 1, "accept": 0}, "on_reject": "return" | "inspect_all", '
        '"reduced_allowed": false, "utc_offset_minutes": 0}; null for no sampling; left out: unchanged'))
    stages: Any = Field(None, description=(
        'the review stages in order: [{"name": "review", "who": ["lead"]}, {"name": "acceptance", "who": ["admin", '
        '"hoa"]}], who being roles (admin, lead) and user names; null for one review by the leads and admins; left '
        "out: unchanged"))


@router.get("/{project_id}/qa")
def get_qa(project_id: IntId, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """The project's QA settings and the switching state of each source (annotator, or its batches)."""
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)
        return lots.settings_json(conn, project_id)


@router.put("/{project_id}/qa")
def put_qa(project_id: IntId, body: QaIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Set the QA settings and/or the review stages (a field left out stays as it is); lots already open keep the
    settings they opened with, tasks keep the stage they are at."""
    given = body.model_fields_set
    if not given & {"qa", "stages"}:
        raise ApiError(422, "bad_qa", "QA settings: give qa, stages or both", field="qa")
    with ctx.store.write() as conn:
        service.get_project(conn, project_id)
        if "stages" in given:
            service.set_stages(conn, principal.name, project_id, body.stages)
        if "qa" in given:
            lots.set_settings(conn, principal.name, project_id, body.qa)
        return lots.settings_json(conn, project_id)


@router.get("/{project_id}/lots")
def list_lots(project_id: IntId, principal: ProjectLead, ctx: Ctx,
              status: Literal["open", "sampling", "inspecting", "accepted", "rejected"] | None = Query(None),
              after: int = Query(0, ge=0, le=2**62), limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """The project's lots by id, paged with `after`; lots whose day has ended are closed first."""
    with ctx.store.write() as conn:
        service.get_project(conn, project_id)
        return lots.list_lots(conn, project_id, status, after, limit)


@router.post("/{project_id}/lots/{lot_id}/close")
def close_lot(project_id: IntId, lot_id: IntId, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Close an open lot now and draw its sample (409 when it is closed already)."""
    with ctx.store.write() as conn:
        lot = lots.get_lot(conn, project_id, lot_id)
        return lots.close_lot(conn, principal.name, lot["id"])


@router.post("/{project_id}/qa/sources/{source}/resume")
def resume_source(project_id: IntId, principal: ProjectLead, ctx: Ctx,
                  source: str = Path(min_length=1, max_length=200)) -> dict[str, Any]:
    """Sample a discontinued source again, at tightened inspection (after its corrective action)."""
    with ctx.store.write() as conn:
        service.get_project(conn, project_id)
        return lots.resume(conn, principal.name, project_id, source)
