"""The answer to GET /media/{sha} once the caller's role check passed: the blob folder's file as is, a 307 to a
short-lived presigned URL, or the object streamed through the server with ranged GETs (so `Range: bytes=N-` resumes
a download in every mode)."""

from __future__ import annotations

import re

from fastapi import Response
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse

from sync.server.errors import not_found
from sync.server.media_store import MediaStore

_RANGE = re.compile(r"bytes=(\d{0,15})-(\d{0,15})")
OCTET = "application/octet-stream"


def media_response(store: MediaStore, sha: str, range_header: str | None) -> Response:
    path = store.local_path(sha)
    if path is not None:
        return FileResponse(path, media_type=OCTET)
    url = store.presigned_url(sha)
    if url is not None:
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    size = store.size(sha)
    if size is None:
        raise not_found("media", sha)
    span = byte_range(range_header, size)
    if span is None:
        return StreamingResponse(store.read(sha, 0, size), media_type=OCTET,
                                 headers={"Content-Length": str(size), "Accept-Ranges": "bytes"})
    start, end = span
    if start >= end:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
    return StreamingResponse(store.read(sha, start, end), status_code=206, media_type=OCTET,
                             headers={"Content-Length": str(end - start), "Accept-Ranges": "bytes",
                                      "Content-Range": f"bytes {start}-{end - 1}/{size}"})


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a single `Range: bytes=S-E`, `S-` or `-N`; None to send it whole (no header, several
    ranges, or one that cannot be read), start >= end when it lies past the end (416)."""
    match = _RANGE.fullmatch((header or "").strip())
    if match is None or not (match[1] or match[2]):
        return None
    if not match[1]:  # the last N bytes
        return max(0, size - int(match[2])), size
    start = int(match[1])
    end = min(size, int(match[2]) + 1) if match[2] else size
    if match[2] and end <= start < size:
        return None  # an end before its start: ignore the header, as RFC 9110 allows
    return (start, end) if start < size else (size, size)
