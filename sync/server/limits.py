"""ASGI middleware that refuses oversized bodies (413) and wrong content types (415) before any route runs.

A declared Content-Length over the limit is refused without reading a byte; a chunked body is read only up to the
limit. The body that passes is handed on to the app unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sync.server.config import ServerConfig

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/api/v1"
OCTET = "application/octet-stream"
JSON = "application/json"


class BodyLimits:
    def __init__(self, app: ASGIApp, config: ServerConfig) -> None:
        self.app = app
        self.config = config

    def rules(self, path: str) -> tuple[int, str]:
        """(size limit, required content type) for a request path."""
        if path == f"{PREFIX}/sync/push":
            return self.config.max_push_body, OCTET
        if path.startswith(f"{PREFIX}/media/"):
            return self.config.max_media_chunk, OCTET
        return self.config.max_json_body, JSON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit, wanted = self.rules(scope["path"])
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length")
        if declared is not None and not declared.strip().isdigit():
            await _refuse(send, 400, "bad_length", "Content-Length is not a number")
            return
        if declared is not None and int(declared) > limit:
            await _refuse(send, 413, "too_large", f"body of {declared} bytes exceeds the limit of {limit}")
            return
        has_body = int(declared or 0) > 0 or "chunked" in headers.get("transfer-encoding", "")
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if has_body and ctype != wanted:
            await _refuse(send, 415, "unsupported_media_type", f"send the body as {wanted}, not {ctype or 'nothing'}")
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, 413, "too_large", f"body exceeds the limit of {limit} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, code: str, detail: str) -> None:
    payload = json.dumps({"code": code, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
