"""A field worker's own media: tasks of files added to a synced workspace (`annodesk add`, File → Add images)
become server tasks, so their images and annotations go up like everyone's.

Each round, before the push, every local task of a file that no server task maps yet is registered in steps that
each survive a crash: the file is hashed (in chunks: a video may be larger than memory) and checked against the
hash taken when it was added; a client_ref is chosen once and stored before the first request; the file is uploaded
(resumable: the server keeps what it got and HEAD says where to go on); the server task is created with that
client_ref and, for a video or a recording, its kind and frame or sample count (a repeat after a lost answer
returns the same task, never a second one); the media is copied into the encrypted media cache; and in one
transaction the local task is mapped to the server task, shows the synced media (a video's frame index and a
recording's peaks follow it to the media's SHA-256) and queues its annotations again (sealing passed over them
while the task was local: batcher.py). The local task keeps its id and its annotations throughout.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from core.media import content_hash
from core.names import safe_item_name
from sync import outbox
from sync.client.at_rest import MediaCache
from sync.client.http import Http, ServerError, SyncError
from sync.client.media import file_sha256, upload
from sync.client.store import UNREGISTERED, SyncStore, media_path, task_name
from sync.database import WorkspaceError
from sync.peaks_at_rest import copy_peaks
from sync.records import PayloadCodec


class FieldTaskError(SyncError):
    """A local task that cannot be registered this round (its file is unreadable or changed); the rest go on."""


def register_field_tasks(store: SyncStore, http: Http, cache: MediaCache) -> list[str]:
    """Register every local file task of the workspace on the server; returns one error per task that failed.

    Being offline, an expired login or a server failure (5xx) ends the round (raised): the create may have been
    done, and the next round repeats it under the same client_ref. Other refusals change nothing on the server and
    are reported per task."""
    with store.ws.transaction() as conn:
        todo = conn.execute(f"SELECT id, media_path, name, width, height, content_hash, kind, frames FROM tasks t "
                            f"WHERE {UNREGISTERED} ORDER BY id").fetchall()
        project = store.get_in(conn, "project_id")
    errors: list[str] = []
    for local_id, path, name, width, height, added_hash, kind, frames in todo:
        try:
            _register(store, http, cache, int(project), local_id, Path(path), name, (width, height), added_hash,
                      (kind, frames))
        except FieldTaskError as exc:
            errors.append(str(exc))
        except ServerError as exc:
            if exc.status >= 500 or exc.status == 401:
                raise
            errors.append(f"{path}: not registered on the server: {exc}")
    return errors


def _register(store: SyncStore, http: Http, cache: MediaCache, project: int, local_id: int, path: Path, name: str,
              size: tuple[int, int], added_hash: str, kind: tuple[str, int]) -> None:
    what = kind[0]
    try:
        now_hash = content_hash(path) if added_hash else ""
        sha = file_sha256(path)  # both in chunks: a video can be larger than memory
    except OSError as exc:
        raise FieldTaskError(f"{path}: cannot read the {what} to upload it: {exc.strerror or exc}") from None
    if added_hash and now_hash != added_hash:
        raise FieldTaskError(f"{path}: the file changed since it was added (its annotations were drawn on the "
                             f"earlier {what}); not uploaded")
    key = f"field_task:{local_id}"
    with store.ws.transaction() as conn:
        stored = store.get_in(conn, key)
        ref = json.loads(stored)["client_ref"] if stored else uuid.uuid4().hex
        if not stored:
            store.put(conn, key, json.dumps({"client_ref": ref}))
    upload(http, path, sha)
    body: dict[str, Any] = {"media_sha256": sha, "name": safe_item_name(name), "width": size[0], "height": size[1],
                            "client_ref": ref}
    if kind[0] != "image":  # an image's create stays as it was, for servers before media kinds
        body.update(kind=kind[0], frames=kind[1])
    item = http.request("POST", f"/projects/{project}/tasks", ok=(200, 201), json=body).json()
    if item.get("kind", "image") != kind[0]:
        raise FieldTaskError(f"{path}: the server made an {item.get('kind', 'image')} task of this {kind[0]}: it is "
                             f"older than {kind[0]} tasks; not registered (update the server)")
    if not cache.has(sha):
        try:
            cache.put_file(sha, path)
        except (OSError, WorkspaceError) as exc:
            raise FieldTaskError(f"{path}: not copied into the media cache: {exc}") from None
    with store.ws.transaction() as conn:
        if store.awaits_registration(conn, local_id):
            _map_task(conn, local_id, item, store.ws.codec)
        conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))


def _map_task(conn: sqlite3.Connection, local_id: int, item: dict[str, Any], codec: PayloadCodec | None) -> None:
    """Map a local task to the server task made of its file: it keeps its id and annotations, shows the synced media
    (already in the cache), and its live annotations (and a local "done") are queued again."""
    conn.execute(
        "INSERT INTO sync_tasks (local_id, server_id, project_id, media_sha256, server_status, assignee, revision) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (local_id, item["id"], item["project_id"], item["media_sha256"],
                                         item["status"], item.get("assignee"), item["revision"]))
    # a video's frame index and a recording's peaks are kept by content hash: the synced task's is its SHA-256 (the
    # one taken when the file was added stays for any other task of the same file)
    added_hash = conn.execute("SELECT content_hash FROM tasks WHERE id = ?", (local_id,)).fetchone()[0]
    conn.execute("INSERT OR IGNORE INTO frame_indexes (content_hash, data) SELECT ?, data FROM frame_indexes "
                 "WHERE content_hash = ?", (item["media_sha256"], added_hash))
    copy_peaks(conn, codec, added_hash, item["media_sha256"])
    conn.execute("UPDATE tasks SET media_path = ?, name = ?, content_hash = ? WHERE id = ?",
                 (media_path(item), task_name(item), item["media_sha256"], local_id))
    conn.execute("INSERT INTO sync_media (sha256, direction) VALUES (?, 'down') ON CONFLICT DO NOTHING",
                 (item["media_sha256"],))
    txn = outbox.next_txn(conn)
    now = time.time()
    # A kept prediction (sync/client/batcher.py) twice, deleted ones too: as the model made it, then as it is now.
    kept = "id IN (SELECT id FROM sync_annotations WHERE revision = -1)"
    for which in (f"deleted = 0 OR {kept}", kept):
        conn.execute("INSERT INTO changes (txn, entity, entity_id, op, revision, created_at) SELECT ?, 'annotation', "
                     f"id, 'upsert', revision, ? FROM annotations WHERE task_id = ? AND ({which}) ORDER BY rowid",
                     (txn, now, local_id))
    conn.execute("INSERT INTO changes (txn, entity, entity_id, op, revision, created_at) SELECT ?, 'task', ?, "
                 "'status', 0, ? FROM tasks WHERE id = ? AND status = 'done'", (txn, str(local_id), now, local_id))
