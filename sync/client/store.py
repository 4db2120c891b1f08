"""The sync client's tables in the workspace (migrations v2, v3): state, task mapping, shadows, batches, rejections,
reviews, comments, conflicts.

Every method that writes takes the caller's connection from `Workspace.transaction()`, so a pull page and its cursor,
or a batch's answer and the outbox rows it acknowledges, are stored in one transaction. Payload-bearing columns
(shadows, rejected values, comments) go through the workspace's at-rest codec when it has one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.annotation import Annotation, Source, SourceKind, TaskStatus
from core.media_kinds import MEDIA_KINDS
from core.names import safe_item_name
from core.shapes import shape_from_json
from sync.client.at_rest import AtRestCodec, is_sha256
from sync.client.http import SyncError
from sync.database import WorkspaceError
from sync.envelope import canonical_json
from sync.fastjson import loads
from sync.migrations import SHADOW_COLUMNS
from sync.records import ANNOTATION_COLUMNS, annotation_row
from sync.workspace import Workspace

FIELD_NAMES = ("label", "kind", "geometry", "attributes", "source_kind", "source_score", "source_model", "group",
               "z", "hidden", "locked", "frame", "track", "outside", "occluded")
# What a field left out of a server state means (row_fields leaves the video fields out where they are these).
VIDEO_DEFAULTS: dict[str, Any] = {"frame": None, "track": None, "outside": False, "occluded": False}
_COLUMNS = [c.strip() for c in ANNOTATION_COLUMNS.split(",")]
_DELETED = len(_COLUMNS)  # a row read with `deleted` after ANNOTATION_COLUMNS has it here (23)
_UPSERT = (
    f"INSERT INTO annotations ({ANNOTATION_COLUMNS}, deleted, updated_at) "
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))}) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in [*_COLUMNS[1:], "deleted", "updated_at"])
)
# A shadow in ANNOTATION_COLUMNS order (then deleted), so the codec and row_fields read it like a row; its revision
# stands in the row's revision column (14).
_SHADOW_AS_ROW = ("id, 0, label, kind, x, y, w, h, geometry_json, attributes, '', source_kind, source_score, "
                  "source_model, revision, group_id, z, hidden, locked, frame, track_id, outside, occluded, deleted")
_DERIVED_TABLES = ("frame_indexes", "audio_peaks")  # what is built from media and kept by content hash
# A local task of a file (not synced media, not a file that failed to load) that no server task maps yet
# (sync/client/field.py registers it).
UNREGISTERED = ("t.status != 'error' AND substr(t.media_path, 1, 15) != 'annodesk-media:' "
                 "AND NOT EXISTS (SELECT 1 FROM sync_tasks s WHERE s.local_id = t.id)")
# Server task states as the local workspace shows them (the server's own state is kept in sync_tasks).
LOCAL_STATUS = {"new": TaskStatus.NEW, "assigned": TaskStatus.NEW, "in_progress": TaskStatus.IN_PROGRESS,
                "rejected": TaskStatus.IN_PROGRESS, "submitted": TaskStatus.DONE, "accepted": TaskStatus.DONE}


@dataclass(frozen=True, slots=True)
class Pending:
    """A local row as sealing sees it: task, deleted, base revision, the shadow's deleted flag (None: no shadow) and
    the fields to send (all of them without a shadow, else only those that differ from it)."""

    task_id: int
    deleted: bool
    base: int
    shadow_deleted: bool | None
    fields: dict[str, Any]
    unsent: bool = False  # the shadow is a prediction as the model made it, not yet sent (revision -1)


# Row + shadow side by side: a.<ANNOTATION_COLUMNS> (0-22), a.deleted (23), then the shadow part: s.id (24),
# s.revision (25) and SHADOW_COLUMNS (26-45, s.deleted last); s.kind (27) is NULL when there is no shadow copy.
# Counted from s.id, the shadow part has a row's positions from label (2) to attributes (9); it has no author, so
# from source_kind on its positions are one less than a row's.
_CHANGE_COLUMNS = ", ".join([*(f"a.{c}" for c in _COLUMNS), "a.deleted",
                             "s.id", "s.revision", *(f"s.{c}" for c in SHADOW_COLUMNS.split(", "))])
_SHADOW = _DELETED + 1  # where the shadow part starts (s.id)
# protocol field, its index in a row, its index in the shadow part (counted from s.id)
_PLAIN_FIELDS = (("kind", 3, 3), ("source_kind", 11, 10), ("source_score", 12, 11), ("source_model", 13, 12),
                 ("group", 15, 13), ("z", 16, 14), ("hidden", 17, 15), ("locked", 18, 16), ("frame", 19, 17),
                 ("track", 20, 18), ("outside", 21, 19), ("occluded", 22, 20))
_FLAGS = ("hidden", "locked", "outside", "occluded")


def _plain(name: str, value: Any) -> Any:
    return bool(value) if name in _FLAGS else value


def _parse(name: str, text: Any) -> Any:
    """A geometry or attributes value from its stored text (a plain box's geometry is its x, y, w, h columns)."""
    if name == "geometry":
        return list(text) if isinstance(text, tuple) else loads(text)
    return loads(text) if text else {}


def row_fields(row: Sequence[Any]) -> dict[str, Any]:
    """Protocol fields of a decoded annotation row (ANNOTATION_COLUMNS order)."""
    (_id, _task, label, kind, x, y, w, h, data, attributes, _author, source_kind, score, model, _rev, group, z,
     hidden, locked, frame, track, outside, occluded) = row[:_DELETED]  # fmt: skip
    fields = {"label": label, "kind": kind, "geometry": loads(data) if data is not None else [x, y, w, h],
              "attributes": loads(attributes) if attributes else {}, "source_kind": source_kind,
              "source_score": score, "source_model": model, "group": group, "z": z, "hidden": bool(hidden),
              "locked": bool(locked)}
    # Video fields only where set (docs/sync.md): an image annotation's ops stay as small as before, and a field left
    # out takes its VIDEO_DEFAULTS value on every side.
    if frame is not None:
        fields["frame"] = frame
    if track is not None:
        fields["track"] = track
    if outside:
        fields["outside"] = True
    if occluded:
        fields["occluded"] = True
    return fields


def fields_annotation(ann_id: str, task_id: int, fields: dict[str, Any], author: str, revision: int) -> Annotation:
    """The Annotation a server state describes (fields another client left out take their defaults)."""
    group = fields.get("group")
    return Annotation(
        ann_id, task_id, str(fields["label"]), shape_from_json(str(fields["kind"]), fields["geometry"]),
        dict(fields.get("attributes") or {}), author,
        Source(SourceKind(fields.get("source_kind") or "human"), fields.get("source_score"),
               fields.get("source_model")),
        revision, group if isinstance(group, int) else None, int(fields.get("z") or 0), bool(fields.get("hidden")),
        bool(fields.get("locked")), fields.get("frame"), fields.get("track"), bool(fields.get("outside")),
        bool(fields.get("occluded")),
    )


def media_path(task: dict[str, Any]) -> str:
    """A synced task's media_path: no file of its own (the bytes are in the encrypted cache, by SHA-256); it ends
    with the task's name (made a safe file name: exports write files named after it), which Task.name shows."""
    if not is_sha256(task["media_sha256"]):
        raise SyncError(f"the server sent task {task['id']} with media id {task['media_sha256']!r:.80}, which is not "
                        "a SHA-256; refused")
    return f"annodesk-media:{task['media_sha256']}:{task['id']}/{task_name(task)}"


def task_name(task: dict[str, Any]) -> str:
    """The server task's name as this workspace stores it: one safe file name, whatever the server holds."""
    return safe_item_name(str(task["name"]), f"task-{task['id']}")


def task_kind(task: dict[str, Any]) -> tuple[str, int, str]:
    """(kind, frames, error) of a server task: one from a server before media kinds is an image of one frame; a
    kind this client does not know becomes a task in error that says so (its media is not decoded as an image)."""
    kind = task.get("kind") or "image"
    frames = task.get("frames")
    frames = frames if type(frames) is int and frames > 0 else 1
    if kind not in MEDIA_KINDS:
        return str(kind)[:16], frames, f"a {str(kind)[:16]!r} task: this version of Annodesk cannot open it"
    return kind, frames, ""


def digest(items: Iterable[tuple[str, dict[str, Any]]]) -> str:
    """The server's per-task digest (GET /tasks/{id}/annotations): sha256 of canonical JSON of sorted [id, fields]."""
    return hashlib.sha256(canonical_json(sorted([i, f] for i, f in items))).hexdigest()


class SyncStore:
    """Reads and writes of the sync tables of one open (writable) workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        codec = workspace.codec
        if codec is not None and not isinstance(codec, AtRestCodec):
            raise WorkspaceError(f"{workspace.path}: sync needs the at-rest codec, not {type(codec).__name__}")
        self.codec = codec

    # -- state ---------------------------------------------------------------------------------------------------

    def get(self, key: str, default: Any = None) -> Any:
        with self.ws.transaction() as conn:
            return self.get_in(conn, key, default)

    @staticmethod
    def get_in(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
        row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @staticmethod
    def put(conn: sqlite3.Connection, key: str, value: Any) -> None:
        conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                     "value = excluded.value", (key, value))

    def put_now(self, **values: Any) -> None:
        with self.ws.transaction() as conn:
            for key, value in values.items():
                self.put(conn, key, value)

    # -- encoded blobs -------------------------------------------------------------------------------------------

    def seal(self, what: str, value: Any) -> Any:
        return self.codec.seal_json(what, value) if self.codec else json.dumps(value)

    def open(self, what: str, stored: Any) -> Any:
        if stored is None:
            return None
        return self.codec.open_json(what, stored) if self.codec else json.loads(stored)

    # -- tasks ---------------------------------------------------------------------------------------------------

    @staticmethod
    def server_tasks(conn: sqlite3.Connection) -> dict[int, tuple[int, str, int]]:
        """local task id -> (server task id, server status, server revision)."""
        rows = conn.execute("SELECT local_id, server_id, server_status, revision FROM sync_tasks")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    @staticmethod
    def local_tasks(conn: sqlite3.Connection) -> dict[int, int]:
        """server task id -> local task id."""
        return {r[0]: r[1] for r in conn.execute("SELECT server_id, local_id FROM sync_tasks")}

    def put_task(self, conn: sqlite3.Connection, item: dict[str, Any]) -> int:
        """Create or update the local task of a server task; returns its local id."""
        status = LOCAL_STATUS.get(item["status"], TaskStatus.IN_PROGRESS).value
        kind, frames, error = task_kind(item)
        status = TaskStatus.ERROR.value if error else status
        row = conn.execute("SELECT local_id FROM sync_tasks WHERE server_id = ?", (item["id"],)).fetchone()
        if row is None:
            local = conn.execute(
                "INSERT INTO tasks (media_path, name, content_hash, width, height, status, error, kind, frames) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (media_path(item), task_name(item), item["media_sha256"],
                 item["width"], item["height"], status, error, kind, frames),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO sync_tasks (local_id, server_id, project_id, media_sha256, server_status, assignee, "
                "revision, updated_at, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (local, item["id"], item["project_id"], item["media_sha256"], item["status"], item.get("assignee"),
                 item["revision"], item.get("updated_at"), int(item.get("stage") or 0)),
            )
            conn.execute("INSERT INTO sync_media (sha256, direction) VALUES (?, 'down') ON CONFLICT DO NOTHING",
                         (item["media_sha256"],))
            return int(local)
        local = int(row[0])
        conn.execute("UPDATE tasks SET media_path = ?, name = ?, status = ?, error = ?, kind = ?, frames = ? "
                     "WHERE id = ?", (media_path(item), task_name(item), status, error, kind, frames, local))
        conn.execute("UPDATE sync_tasks SET server_status = ?, assignee = ?, revision = ?, updated_at = ?, stage = ? "
                     "WHERE local_id = ?", (item["status"], item.get("assignee"), item["revision"],
                                            item.get("updated_at"), int(item.get("stage") or 0), local))
        return local

    # -- annotations ---------------------------------------------------------------------------------------------

    def rows(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[int, dict[str, Any], bool]]:
        """id -> (local task id, fields, deleted) of the current local rows."""
        raw = conn.execute(
            f"SELECT {ANNOTATION_COLUMNS}, deleted FROM annotations WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        ).fetchall()
        decoded = self.codec.decode_rows(raw) if self.codec else raw
        return {r[0]: (r[1], row_fields(r), bool(r[_DELETED])) for r in decoded}

    def shadows(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[int, dict[str, Any] | None]]:
        """id -> (server revision last seen, fields of the shadow with "_deleted", or None when there is none)."""
        rows = conn.execute(f"SELECT {_SHADOW_AS_ROW} FROM sync_annotations WHERE id IN "
                            "(SELECT value FROM json_each(?))", (json.dumps(list(ids)),)).fetchall()
        copies = [r for r in rows if r[3] is not None]
        decoded = self.codec.decode_rows(copies) if self.codec else copies
        out: dict[str, tuple[int, dict[str, Any] | None]] = {r[0]: (r[14], None) for r in rows}
        out.update({r[0]: (r[14], {**row_fields(r), "_deleted": bool(r[_DELETED])}) for r in decoded})
        return out

    def changes(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Pending]:
        """id -> what a local row changed since its shadow, for sealing: one query, and only what differs is decoded.

        A payload whose stored bytes equal the shadow's (the shadow is a verbatim copy of the row) is unchanged
        without decrypting; otherwise the decrypted texts are compared and only differing ones are parsed, and
        values are compared parsed, so a re-encoded but equal value is not sent."""
        rows = conn.execute(
            f"SELECT {_CHANGE_COLUMNS} FROM json_each(?) j JOIN annotations a ON a.id = j.value "
            "LEFT JOIN sync_annotations s ON s.id = a.id", (json.dumps(list(ids)),)).fetchall()
        return {r[0]: self._pending(r) for r in rows}

    def _pending(self, r: Sequence[Any]) -> Pending:
        revision = r[_SHADOW + 1]
        base = max(revision, 0) if revision is not None else 0
        shadow = r[_SHADOW:]  # id, revision, label, kind, x, y, w, h, geometry_json, attributes, source..., deleted
        if shadow[3] is None:  # no shadow: the whole row (a creation, or one the server never confirmed a copy of)
            (row,) = self.codec.decode_rows([r[:_DELETED]]) if self.codec else [r[:_DELETED]]
            return Pending(r[1], bool(r[_DELETED]), base, None, row_fields(row))
        fields: dict[str, Any] = {}
        if r[2] != shadow[2]:  # labels: a deterministic ciphertext, equal exactly when the labels are
            fields["label"] = self.codec.decode_label(r[2]) if self.codec else r[2]
        for name, i, j in _PLAIN_FIELDS:
            if r[i] != shadow[j] and _plain(name, r[i]) != _plain(name, shadow[j]):
                fields[name] = _plain(name, r[i])
        if r[4:10] != shadow[4:10]:
            now, before = self._payload(r), self._payload(shadow)
            for name, text, was in (("geometry", now[0], before[0]), ("attributes", now[1], before[1])):
                if text != was:
                    value, old = _parse(name, text), _parse(name, was)
                    if value != old:
                        fields[name] = value
        return Pending(r[1], bool(r[_DELETED]), base, bool(shadow[-1]), fields, revision == -1)

    def _payload(self, row: Sequence[Any]) -> tuple[Any, Any]:
        """(geometry, attributes) of a row or shadow as stored text (x, y, w, h for a plain box)."""
        if self.codec:
            return self.codec.decode_payload(row[0], row[8])
        return (row[8] if row[8] is not None else tuple(row[4:8])), row[9]

    @staticmethod
    def snapshot(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
        """Make the current local rows of `ids` their shadows (keeping the server revisions)."""
        conn.execute(
            f"INSERT INTO sync_annotations (id, revision, {SHADOW_COLUMNS}) SELECT id, 0, {SHADOW_COLUMNS} "
            "FROM annotations WHERE id IN (SELECT value FROM json_each(?)) ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in SHADOW_COLUMNS.split(", ")), (json.dumps(list(ids)),))

    @staticmethod
    def mark_sent(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
        """Kept predictions (revision -1) of `ids` were sealed: their shadows now stand for a state sent."""
        conn.execute("UPDATE sync_annotations SET revision = 0 WHERE revision = -1 AND id IN "
                     "(SELECT value FROM json_each(?))", (json.dumps(list(ids)),))

    @staticmethod
    def set_revisions(conn: sqlite3.Connection, items: Sequence[tuple[str, int]]) -> None:
        conn.executemany("UPDATE sync_annotations SET revision = ? WHERE id = ?", [(r, i) for i, r in items])

    def write_annotation(self, conn: sqlite3.Connection, ann_id: str, task_id: int, fields: dict[str, Any],
                         author: str, deleted: bool, now: float) -> None:
        """Store the server's state of an annotation locally (no outbox row: it came from the server)."""
        local = conn.execute("SELECT revision FROM annotations WHERE id = ?", (ann_id,)).fetchone()
        revision = (local[0] if local else 0) + 1  # past any copy an open editor holds, so it reloads
        row = annotation_row(fields_annotation(ann_id, task_id, fields, author, revision), revision)
        conn.execute(_UPSERT, (*(self.codec.encode_row(row) if self.codec else row), deleted, now))

    @staticmethod
    def pending_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
        """Those of `ids` with local changes the server has not acknowledged (their outbox rows are still there)."""
        doc = json.dumps(list(ids))
        named = conn.execute("SELECT entity_id FROM changes WHERE entity = 'annotation' AND entity_id IN "
                             "(SELECT value FROM json_each(?))", (doc,))
        ranged = conn.execute(
            "SELECT a.id FROM annotations a JOIN changes c ON c.first_row IS NOT NULL AND "
            "a.rowid BETWEEN c.first_row AND c.last_row WHERE a.id IN (SELECT value FROM json_each(?))", (doc,))
        return {r[0] for r in named} | {r[0] for r in ranged}

    # -- rejections (reviews and comments: sync/client/review_store.py) -------------------------------------------

    def put_rejection(self, conn: sqlite3.Connection, op: dict[str, Any], status: str, reason: str,
                      now: float) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO sync_rejections (op_id, entity, entity_id, task_id, status, reason, payload, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (op["op_id"], op["entity"], op["entity_id"], op["task_id"], status, reason,
             self.seal(f"rejected:{op['op_id']}", op["fields"]), now),
        )

    def rejections(self, server_task_id: int | None = None) -> list[dict[str, Any]]:
        """Ops the server refused or merged against this client (of one task if given), newest first, with the
        values that lost."""
        where, params = ("WHERE task_id = ? ", (server_task_id,)) if server_task_id is not None else ("", ())
        with self.ws.reading() as conn:
            rows = conn.execute("SELECT op_id, entity, entity_id, task_id, status, reason, payload, at "
                                f"FROM sync_rejections {where}ORDER BY op_id DESC", params).fetchall()
        keys = ("op_id", "entity", "entity_id", "task_id", "status", "reason", "fields", "at")
        return [dict(zip(keys, (*r[:6], self.open(f"rejected:{r[0]}", r[6]), r[7]), strict=True)) for r in rows]

    # -- checks --------------------------------------------------------------------------------------------------

    def task_digest(self, local_task_id: int) -> tuple[int, str]:
        """(live annotation count, digest) of a local task; `normalized_digest` of the server's items matches it."""
        with self.ws.transaction() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM annotations WHERE task_id = ? AND deleted = 0",
                                              (local_task_id,))]
            rows = self.rows(conn, ids)
        return len(rows), digest((i, fields) for i, (_t, fields, _d) in rows.items())

    # -- review: decisions, conflicts (leads), and reads that also work on the UI's read-only connection ---------

    def put_conflict(self, conn: sqlite3.Connection, item: dict[str, Any]) -> None:
        """A value that lost a merge on the server (conflict items reach leads and admins only)."""
        body = {"losing_value": item.get("losing_value"), "winning_value": item.get("winning_value")}
        conn.execute("INSERT OR REPLACE INTO sync_conflicts (id, task_id, annotation_id, field, loser, winner, at, "
                     "body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (item["id"], item["task_id"], item["annotation_id"], item["field"], item.get("loser", ""),
                      item.get("winner", ""), item.get("at", 0.0), self.seal(f"conflict:{item['id']}", body)))

    def conflicts(self, server_task_id: int) -> list[dict[str, Any]]:
        """A task's conflicts, oldest first: id, annotation_id, field, loser, winner, at, losing_value,
        winning_value."""
        with self.ws.reading() as conn:
            rows = conn.execute("SELECT id, annotation_id, field, loser, winner, at, body FROM sync_conflicts "
                                "WHERE task_id = ? ORDER BY id", (server_task_id,)).fetchall()
        keys = ("id", "annotation_id", "field", "loser", "winner", "at")
        return [{**dict(zip(keys, r[:6], strict=True)), **self.open(f"conflict:{r[0]}", r[6])} for r in rows]

    def review_state(self, local_task_id: int) -> dict[str, Any] | None:
        """The server's view of a local task: None for a task that is not synced, else its server id and status."""
        with self.ws.reading() as conn:
            task = conn.execute("SELECT server_id, server_status FROM sync_tasks WHERE local_id = ?",
                                (local_task_id,)).fetchone()
        return None if task is None else {"server_id": task[0], "server_status": task[1]}

    def current_fields(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """id -> protocol fields of the live local annotations among `ids` (the values that stand now, defaults
        included)."""
        if not ids:
            return {}
        with self.ws.reading() as conn:
            return {i: {**VIDEO_DEFAULTS, **fields} for i, (_t, fields, deleted) in self.rows(conn, ids).items()
                    if not deleted}

    def underived(self, kind: str, table: str) -> list[tuple[str, str]]:
        """(SHA-256, task name) of each synced task of `kind` with no row in `table` (frame_indexes, audio_peaks:
        what is kept by content hash) yet (sync/client/derived.py)."""
        if table not in _DERIVED_TABLES:
            raise ValueError(f"not a table of derived media data: {table!r}")
        with self.ws.reading() as conn:
            return conn.execute(
                f"SELECT t.content_hash, min(t.name) FROM tasks t JOIN sync_tasks s ON s.local_id = t.id WHERE "
                f"t.kind = ? AND NOT EXISTS (SELECT 1 FROM {table} f WHERE f.content_hash = t.content_hash) "
                f"GROUP BY t.content_hash ORDER BY 1", (kind,)).fetchall()

    # -- a field worker's own tasks (sync/client/field.py registers them on the server) ---------------------------

    @staticmethod
    def awaits_registration(conn: sqlite3.Connection, local_task_id: int) -> bool:
        """Whether a local task without a server task will get one (a file added on this device): the sealing of
        its annotations waits for that instead of refusing them."""
        return conn.execute(f"SELECT 1 FROM tasks t WHERE id = ? AND {UNREGISTERED}", (local_task_id,)
                            ).fetchone() is not None


def normalized_digest(items: Iterable[dict[str, Any]]) -> str:
    """The digest of server annotation items (GET /tasks/{id}/annotations) with their fields as a local row holds
    them: another client may have left fields out, or written 1 where a row reads back 1.0."""
    return digest((i["id"], row_fields(annotation_row(fields_annotation(i["id"], 0, i["fields"], "", 0), 0)))
                  for i in items if not i.get("deleted"))
