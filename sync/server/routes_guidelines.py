"""A project's guidelines over the API: read by anyone in the project, saved by leads and admins (each save a new
version), older versions readable by number. The rules are in guidelines.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sync.server import guidelines
from sync.server.deps import Caller, Ctx, IntId, ProjectLead

router = APIRouter(prefix="/projects")


class GuidelinesIn(BaseModel):
    """The fields are checked by core.guidelines, so a mistake is a 422 that names the field."""

    model_config = ConfigDict(extra="forbid")
    description: Any = Field("", description="the project's guidelines: plain text or simple Markdown")
    examples: Any = Field(default_factory=list, description=(
        'example images of the project: [{"sha256": media id, "caption": text, "do": true | false}]; upload each '
        "image with PUT /media/{sha256} first"))
    labels: Any = Field(default_factory=dict, description=(
        'per label of the schema: {"car": {"description": text, "examples": [...]}}'))
    base_version: int | None = Field(None, ge=0, le=2**31 - 1, description=(
        "the version this edit started from: 409 stale_guidelines when another was saved since; left out, the "
        "save goes on top of whatever is there"))


@router.get("/{project_id}/guidelines")
def get_guidelines(project_id: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    """The current guidelines (version 0 and empty before the first save)."""
    with ctx.store.read() as conn:
        guidelines.check_member(conn, principal, project_id)
        return guidelines.current(conn, project_id)


@router.put("/{project_id}/guidelines")
def put_guidelines(project_id: IntId, body: GuidelinesIn, principal: ProjectLead, ctx: Ctx) -> dict[str, Any]:
    """Save the guidelines as a new version; clients get it with their next pull."""
    document = {"description": body.description, "examples": body.examples, "labels": body.labels}
    with ctx.store.write() as conn:
        return guidelines.save(conn, principal.name, project_id, document, body.base_version)


@router.get("/{project_id}/guidelines/versions/{version}")
def get_guidelines_version(project_id: IntId, version: IntId, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    """One saved version (1 is the first)."""
    with ctx.store.read() as conn:
        guidelines.check_member(conn, principal, project_id)
        return guidelines.version(conn, project_id, version)
