"""Consensus, gold and per-annotator quality over the API, for leads and admins only (annotators get 403 on every
route here: which tasks are replicas or gold, the answers and everyone's figures are not theirs to see). The rules
are in replicas.py, consensus_tasks.py, gold_tasks.py and quality_report.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sync.server import consensus_tasks, gold_tasks, quality_report, replicas, service
from sync.server.deps import Ctx, IntId, ProjectLead, Reviewer

router = APIRouter()


class SettingsIn(BaseModel):
    settings: dict[str, Any] | None = Field(description=(
        '{"consensus": {"share": 0.1, "annotators": 3, "quorum": 2, "min_agreement": 0.6, "threshold": 0.5} or '
        'null, "gold": {"rate": 0.05, "threshold": 0.5} or null}; a field left out takes its default'))


class ConsensusIn(BaseModel):
    annotators: list[str] = Field(min_length=1, max_length=1000, description="user names")
    share: float | None = Field(None, gt=0, le=1, description="the share of new tasks to draw (default: setting)")
    seed: str | None = Field(None, min_length=1, max_length=64, description="default: a fresh random seed")


class GoldMarkIn(BaseModel):
    task_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(min_length=1, max_length=10_000)


class GoldMixIn(BaseModel):
    annotators: list[str] = Field(min_length=1, max_length=1000, description="user names")
    rate: float | None = Field(None, gt=0, le=1, description="gold replicas per real task (default: setting)")
    seed: str | None = Field(None, min_length=1, max_length=64)
    assign: int = Field(0, ge=0, le=100_000, description="also assign this many new tasks to each, gold among them")


@router.get("/projects/{project_id}/quality/settings")
def get_settings(project_id: IntId, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)
        return {"project_id": project_id, **replicas.quality_settings(conn, project_id)}


@router.put("/projects/{project_id}/quality/settings")
def put_settings(project_id: IntId, body: SettingsIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Set the consensus and gold settings; origins already drawn keep the settings they were drawn with."""
    with ctx.store.write() as conn:
        service.get_project(conn, project_id)
        return replicas.set_quality_settings(conn, principal.name, project_id, body.settings)


@router.post("/projects/{project_id}/consensus")
def assign_consensus(project_id: IntId, body: ConsensusIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Draw a share of the new tasks (seeded, audited) and give each to N of the annotators as N replicas."""
    with ctx.store.write() as conn:
        service.get_project(conn, project_id)
        return consensus_tasks.assign(conn, principal.name, project_id, body.annotators, body.share, body.seed)


@router.get("/projects/{project_id}/consensus")
def list_consensus(project_id: IntId, principal: ProjectLead, ctx: Ctx,
                   status: Literal["open", "merged"] | None = Query(None), needs_lead: bool | None = Query(None),
                   after: int = Query(0, ge=0, le=2**62), limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """The consensus origins by task id: replicas, agreement, pairs, per annotator, needs_lead."""
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)
        return {**consensus_tasks.list_origins(conn, project_id, status, needs_lead, after, limit),
                "counts": consensus_tasks.counts(conn, project_id)}


@router.post("/projects/{project_id}/gold")
def mark_gold(project_id: IntId, body: GoldMarkIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Make accepted tasks gold: their answers are copied as a new version (409 for a task not accepted)."""
    with ctx.store.write() as conn:
        return {"items": gold_tasks.mark(conn, principal.name, project_id, body.task_ids)}


@router.get("/projects/{project_id}/gold")
def list_gold(project_id: IntId, principal: ProjectLead, ctx: Ctx,
              answers: bool = Query(False, description="include each answer")) -> dict[str, Any]:
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)
        return {"items": gold_tasks.gold_tasks(conn, project_id, answers)}


@router.post("/projects/{project_id}/gold/mix")
def mix_gold(project_id: IntId, body: GoldMixIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Give the annotators gold replicas, unannounced, up to the rate per real task (seeded, audited)."""
    with ctx.store.write() as conn:
        return gold_tasks.mix(conn, principal.name, project_id, body.annotators, body.rate, body.seed, body.assign)


@router.get("/projects/{project_id}/gold/report")
def gold_report(project_id: IntId, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Per annotator: accuracy against gold, pooled precision, recall and F1, label confusions."""
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)
        return {"items": gold_tasks.report(conn, project_id)}


@router.get("/projects/{project_id}/quality")
def quality(project_id: IntId, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Per annotator: consensus agreement, gold accuracy, and tasks reviewed, accepted, rejected and fixed."""
    with ctx.store.read() as conn:
        service.get_project(conn, project_id)
        return {"columns": list(quality_report.COLUMNS), "items": quality_report.rows(conn, project_id)}


@router.get("/tasks/{task_id}/quality")
def task_quality(task_id: IntId, principal: Reviewer, ctx: Ctx) -> dict[str, Any]:
    """The task's lead-only record: the replica it is, the replicas made of it, its consensus and its gold answer."""
    with ctx.store.read() as conn:
        service.led_task(conn, principal, task_id)
        return replicas.task_info(conn, task_id)
