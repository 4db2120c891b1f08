"""Push (sealed batches in, per-op results out) and pull (the visible event feed, paged by cursor)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from sync.server import push as push_mod
from sync.server.deps import Caller, Context, Ctx
from sync.server.pull import pull as pull_events
from sync.server.security import Principal

router = APIRouter(prefix="/sync")

_OCTET_BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


def _push(ctx: Context, principal: Principal, body: bytes) -> dict[str, Any]:
    with ctx.store.read() as conn:  # verify outside the write lock: decryption is the slow part
        header, ops = push_mod.open_batch(conn, principal, body)
    with ctx.store.write() as conn:
        return push_mod.apply_push(conn, principal, header, ops, body)


@router.post("/push", openapi_extra=_OCTET_BODY)
async def push(request: Request, principal: Caller, ctx: Ctx) -> dict[str, Any]:
    """Body: a sealed batch (sync/envelope.py). Applied exactly once and committed before this answers."""
    body = await request.body()
    return await run_in_threadpool(_push, ctx, principal, body)


@router.get("/pull")
def pull(principal: Caller, ctx: Ctx, cursor: int = Query(0, ge=0, le=2**62),
         limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    with ctx.store.read() as conn:
        return pull_events(conn, principal, cursor, min(limit, ctx.config.pull_max_limit))
