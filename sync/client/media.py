"""Media for offline work: downloaded ahead into the encrypted cache (resumable, hash-checked) and uploaded
(resumable, hash-checked by the server) when a field worker adds a file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from core.annotation import Task
from core.media import MediaError
from core.messages import error_text, translate
from sync.client.at_rest import CHUNK, MediaCache
from sync.client.http import Http, OfflineError, ServerError, SyncError
from sync.client.store import SyncStore
from sync.database import WorkspaceError

UPLOAD_CHUNK = 8 << 20  # the server takes chunks of up to 16 MiB
MEDIA_PREFIX = "annodesk-media:"
NOT_DOWNLOADED = translate("sync", "image not downloaded yet; run annodesk sync")


class MediaMismatch(SyncError):
    """Downloaded bytes that do not hash to the name they were asked by (discarded, fetched again next round)."""


class MediaUnreachable(SyncError):
    """The object store a presigned media URL points to could not be reached (the server could)."""


class MediaPending(MediaError):
    """A synced task's image is not in the media cache yet; a sync round brings it."""


def media_sha_of_path(media_path: str) -> str | None:
    """The SHA-256 in a synced task's media path (`annodesk-media:<sha256>:<task>/<name>`), None for a file path."""
    if not media_path.startswith(MEDIA_PREFIX):
        return None
    return media_path[len(MEDIA_PREFIX):].split(":", 1)[0]


def media_sha(task: Task) -> str | None:
    """The SHA-256 of a synced task's media (its bytes are in the encrypted cache), None for a local file task."""
    return media_sha_of_path(task.media_path)


def cached_media_bytes(cache: MediaCache, media_path: str, pending: str = NOT_DOWNLOADED) -> bytes | None:
    """The plaintext bytes of a synced task's media, decrypted in memory (no plaintext file is ever written); None
    for a path of a file of its own. MediaPending (with `pending` as its reason) when the bytes are not downloaded
    yet, MediaError when the cached copy cannot be read or is damaged."""
    sha = media_sha_of_path(media_path)
    if sha is None:
        return None
    if not cache.has(sha):
        raise MediaPending(media_path, pending)
    try:
        return cache.read(sha)
    except (WorkspaceError, OSError) as exc:
        raise MediaError(media_path, error_text(exc)) from None


def download(http: Http, cache: MediaCache, sha: str) -> int:
    """Fetch one blob into the cache, resuming a partial download with a Range request; returns bytes fetched.
    A server with media in object storage may answer 307 with a short-lived presigned URL: the same Range goes
    there, without the bearer token (Http.fetch)."""
    offset, digest = cache.resume_point(sha)
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    response = http.request("GET", f"/media/{sha}", ok=(200, 206, 307), headers=headers, stream=True,
                            allow_redirects=False)
    if response.status_code == 307:
        location = response.headers.get("Location", "")
        response.close()
        if not location.startswith(("https://", "http://")):
            raise MediaMismatch(f"media {sha}: the server redirected to {location[:80]!r}, not an http(s) URL")
        try:
            response = http.fetch(location, ok=(200, 206), headers=headers, stream=True)
        except OfflineError as exc:  # the object store, not the server: a media error, not "offline"
            raise MediaUnreachable(f"media {sha}: {exc}") from exc
    with response:
        if offset and response.status_code == 200:  # the server sent it whole: start over
            cache.discard(sha)
            offset, digest = 0, hashlib.sha256()
        index, buffer, fetched = offset // CHUNK, bytearray(), 0
        for piece in response.iter_content(1 << 16):
            buffer += piece
            fetched += len(piece)
            while len(buffer) >= CHUNK:
                chunk = bytes(buffer[:CHUNK])
                del buffer[:CHUNK]
                digest.update(chunk)
                cache.append(sha, index, chunk)
                index += 1
        if buffer or index == 0:
            digest.update(bytes(buffer))
            cache.append(sha, index, bytes(buffer))
    if digest.hexdigest() != sha:
        cache.discard(sha)
        raise MediaMismatch(f"media {sha}: downloaded bytes do not match their SHA-256; discarded")
    cache.finish(sha)
    return fetched


def upload(http: Http, path: Path, sha: str) -> None:
    """Send a file in chunks with Content-Range, resuming where the server's copy stands (HEAD Upload-Offset)."""
    head = http.request("HEAD", f"/media/{sha}", ok=(200, 404))
    if head.status_code == 200:
        return
    offset = int(head.headers.get("Upload-Offset", "0") or 0)
    total = path.stat().st_size
    with open(path, "rb") as fh:
        while offset < total or total == 0:
            fh.seek(offset)
            data = fh.read(UPLOAD_CHUNK)
            headers = {"Content-Type": "application/octet-stream",
                       "Content-Range": f"bytes {offset}-{offset + len(data) - 1}/{total}"}
            try:
                answer = http.request("PUT", f"/media/{sha}", ok=(200, 201, 202), data=data, headers=headers)
            except ServerError as exc:
                if exc.code != "bad_offset" or "offset" not in exc.body:
                    raise
                offset = int(exc.body["offset"])
                continue
            if answer.status_code in (200, 201):
                return
            offset = int(answer.json()["offset"])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def queue_upload(store: SyncStore, path: Path) -> str:
    """Queue a file this device adds for upload; returns its SHA-256 (the lead makes tasks of uploaded media)."""
    sha = file_sha256(path)
    with store.ws.transaction() as conn:
        conn.execute("INSERT INTO sync_media (sha256, direction, size, path) VALUES (?, 'up', ?, ?) "
                     "ON CONFLICT DO UPDATE SET path = excluded.path, done = 0, error = ''",
                     (sha, path.stat().st_size, os.fspath(path.resolve())))
    return sha


def transfer_all(store: SyncStore, http: Http, cache: MediaCache) -> tuple[int, list[str]]:
    """Download every missing blob of the assigned tasks and upload every queued file; (done, errors)."""
    with store.ws.transaction() as conn:
        todo = conn.execute("SELECT sha256, direction, path FROM sync_media WHERE done = 0 ORDER BY direction DESC"
                            ).fetchall()
    done, errors = 0, []
    for sha, direction, path in todo:
        try:
            if direction == "down" and not cache.has(sha):
                download(http, cache, sha)
            elif direction == "up":
                upload(http, Path(path), sha)
            error, finished = "", 1
        except (ServerError, MediaMismatch, MediaUnreachable, OSError, WorkspaceError) as exc:
            error, finished = str(exc), 0  # one bad file does not stop the others; offline does
            errors.append(f"media {sha[:12]}: {exc}")
        with store.ws.transaction() as conn:
            conn.execute("UPDATE sync_media SET done = ?, error = ? WHERE sha256 = ? AND direction = ?",
                         (finished, error, sha, direction))
        done += finished
    return done, errors
