"""Media by SHA-256: ranged download (resumable), HEAD, and resumable hash-checked upload with Content-Range."""

from __future__ import annotations

import re
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from sync.server import db, guidelines, service
from sync.server.blobs import check_sha
from sync.server.deps import Caller, Context, Ctx
from sync.server.errors import ApiError, not_found
from sync.server.media_http import media_response
from sync.server.security import Principal

router = APIRouter(prefix="/media")
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
_RANGE = re.compile(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})")
_OCTET_BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


def visible(conn: Connection, principal: Principal, sha: str) -> bool:
    """Admins see all media; leads the media of the projects they lead; everyone the media of their tasks, what they
    uploaded themselves, and the example images of the guidelines of projects they lead or have a task in."""
    m, t = db.media, db.tasks
    row = conn.execute(sa.select(m.c.uploaded_by).where(m.c.sha256 == sha)).first()
    if row is None:
        return False
    if principal.role == "admin" or row.uploaded_by == principal.user_id:
        return True
    theirs = sa.or_(t.c.assignee_id == principal.user_id, t.c.project_id.in_(principal.led))
    return conn.execute(sa.select(t.c.id).where(t.c.media_sha256 == sha, theirs)
                        .limit(1)).first() is not None or guidelines.member_media(conn, principal, sha)


@router.get("/{sha}", response_class=FileResponse, responses={206: {}, 307: {"description": "presigned URL"}})
def download(sha: Sha, request: Request, principal: Caller, ctx: Ctx) -> Response:
    """The blob; send `Range: bytes=N-` to resume an interrupted download. With media in object storage and
    presigned downloads, a 307 to a short-lived URL of the object store (send the Range there, not the token)."""
    with ctx.store.read() as conn:
        if not visible(conn, principal, sha):
            raise not_found("media", sha)
    return media_response(ctx.blobs, sha, request.headers.get("range"))


@router.head("/{sha}")
def head(sha: Sha, principal: Caller, ctx: Ctx) -> Response:
    """200 with the size when stored; 404 otherwise, with Upload-Offset when an upload of it is under way."""
    with ctx.store.read() as conn:
        seen = visible(conn, principal, sha)
    if seen and (size := ctx.blobs.size(sha)) is not None:  # the store is asked outside the transaction
        return Response(headers={"Content-Length": str(size)})
    return Response(status_code=404, headers={"Upload-Offset": str(ctx.blobs.offset(sha))})


def _upload(ctx: Context, principal: Principal, sha: str, body: bytes, content_range: str | None) -> JSONResponse:
    with ctx.store.read() as conn:
        seen = visible(conn, principal, sha)
    if seen and (size := ctx.blobs.size(sha)) is not None:
        return JSONResponse({"sha256": sha, "complete": True, "offset": size})
    if content_range is None:
        start, total = 0, len(body)
    else:
        match = _RANGE.fullmatch(content_range.strip())
        if not match or int(match[2]) - int(match[1]) + 1 != len(body):
            raise ApiError(422, "bad_range", "Content-Range must be 'bytes START-END/TOTAL' matching the body")
        start, total = int(match[1]), int(match[3])
    if not body and total:
        raise ApiError(422, "bad_range", "empty chunk")
    complete = ctx.blobs.write_chunk(check_sha(sha), start, body, total)
    if not complete:
        return JSONResponse({"sha256": sha, "complete": False, "offset": ctx.blobs.offset(sha)}, status_code=202)
    with ctx.store.write() as conn:
        service.register_media(conn, principal, sha, total)
    return JSONResponse({"sha256": sha, "complete": True, "offset": total}, status_code=201)


@router.put("/{sha}", openapi_extra=_OCTET_BODY, responses={201: {}, 202: {}})
async def upload(sha: Sha, request: Request, principal: Caller, ctx: Ctx) -> Any:
    """Upload media (any role: field workers add media). Chunks carry `Content-Range: bytes S-E/T`; a chunk must
    start where the stored part ends (409 with `offset` otherwise). The blob appears once its SHA-256 matches."""
    body = await request.body()
    return await run_in_threadpool(_upload, ctx, principal, sha, body, request.headers.get("content-range"))
