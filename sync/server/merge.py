"""Applying one opened batch: per-op permission checks, field-level merge in server order, conflict records.

Rules (docs/sync.md): an op applies when its base revision is current; otherwise each field merges on its own: a
field unchanged since the base takes the op's value, a field changed since by another client goes to the later op
(this one) unless the stored value came from a reviewer and this op is an annotator's, then this op loses. A client's
own earlier ops never conflict with its later ones. Every losing value is kept in the conflicts table.
The batch's annotations are read in one query and all its writes are collected and flushed with executemany, so a
1,000-op batch costs a handful of statements; JSON goes through orjson (sync/fastjson.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.annotation import video_field_error
from core.schema import LabelSchema, SchemaError
from core.shapes import ShapeError, shape_from_json
from sync.fastjson import dumps_str, loads
from sync.server import dashboard_facts, db, threads, time_log
from sync.server.bulk_rows import insert_rows, update_rows
from sync.server.errors import ApiError
from sync.server.field_meta import FieldMeta
from sync.server.journal import emit_many
from sync.server.security import Principal
from sync.server.service import set_status, task_query

ANNOTATION_FIELDS = frozenset({"label", "kind", "geometry", "attributes", "source_kind", "source_score",
                               "source_model", "group", "z", "hidden", "locked", "frame", "track", "outside",
                               "occluded"})
REQUIRED_ON_CREATE = ("label", "kind", "geometry")
DELETED = "_deleted"
_OPT_STR = (str, type(None))
_OPT_NUM = (int, float, type(None))
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "label": (str,), "kind": (str,), "attributes": (dict,), "source_kind": _OPT_STR, "source_model": _OPT_STR,
    "source_score": _OPT_NUM, "group": (int, str, type(None)), "z": _OPT_NUM, "hidden": (bool,), "locked": (bool,),
    "frame": (int, type(None)), "track": _OPT_STR, "outside": (bool,), "occluded": (bool,),
}
_WRITTEN = ("revision", "deleted", "fields", "field_meta", "author", "updated_at")  # what a push changes in a row
_CHECKED_VALUES = ("frame", "track")  # their range and form too (core.annotation.video_field_error)
Result = dict[str, Any]


class OpRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Ann:
    """The working copy of one annotation while a batch is applied."""

    id: str
    task_id: int
    revision: int
    deleted: bool
    fields: dict[str, Any]
    meta: FieldMeta
    author: str
    is_new: bool = False
    dirty: bool = False


@dataclass
class BatchApplier:
    conn: Connection
    principal: Principal
    client_id: str
    anns: dict[str, Ann] = field(default_factory=dict)
    tasks: dict[int, Any] = field(default_factory=dict)
    schemas: dict[int, LabelSchema | None] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)  # conflicts of the op being applied
    corrections: list[dict[str, Any]] = field(default_factory=list)  # reviewers' label changes (dashboard_facts)
    origin: str = ""  # the workspace of the op being applied: its client id and op-id range (OP_SPACE)
    reviewing: bool = False  # the caller leads the project of the op being applied (a lead's value wins merges)

    def load(self, ops: list[dict[str, Any]]) -> None:
        """Read every annotation and task the batch touches: one query each (a batch has at most 1,000 ops)."""
        ann_ids = list({op["entity_id"] for op in ops if op["entity"] == "annotation"})
        if ann_ids:
            rows = db.fetch(self.conn, "SELECT id, task_id, revision, deleted, CAST(fields AS TEXT), "
                            f"CAST(field_meta AS TEXT), author FROM annotations WHERE id IN ({db.marks(ann_ids)})",
                            ann_ids)
            for i, task_id, revision, deleted, fields, meta, author in rows:
                self.anns[i] = Ann(i, task_id, revision, bool(deleted), loads(fields), FieldMeta.parse(meta), author)
        task_ids = {op["task_id"] for op in ops}
        if task_ids:
            self._load_tasks(task_ids)

    def _load_tasks(self, task_ids: set[int]) -> None:
        rows = self.conn.execute(task_query().where(db.tasks.c.id.in_(sorted(task_ids)))).mappings().all()
        self.tasks.update({r["id"]: r for r in rows})
        project_ids = {r["project_id"] for r in rows} - set(self.schemas)
        if project_ids:
            p = db.projects
            for pr in self.conn.execute(sa.select(p.c.id, p.c.schema, p.c.locked).where(p.c.id.in_(project_ids))):
                self.schemas[pr.id] = LabelSchema.from_json(pr.schema) if pr.locked else None

    def apply(self, op: dict[str, Any]) -> Result:
        """One op's result; an op refused by a check leaves no trace, one that lost a merge leaves its conflicts."""
        self.pending = []
        # a device's workspaces share its client id; each uses its own range of 2^40 op ids (sync/client/commands.py)
        self.origin = f"{self.client_id}:{int(op['op_id']) >> 40}"
        try:
            task = self._task_for(op)
            if op["entity"] in _THREAD_OPS:
                return self._apply_thread(op, task)
            if op["entity"] == "task":
                return self._apply_task(op, task)
            if op["op"] not in ("upsert", "delete"):
                raise OpRejected(f"bad_op: an annotation op is upsert or delete, not {op['op']!r}")
            result = self._apply_annotation(op, task)
            self.conflicts += self.pending
            return result
        except OpRejected as exc:
            ann = self.anns.get(op["entity_id"])
            return _result(op, "rejected", exc.reason, ann.revision if ann else 0)

    def _task_for(self, op: dict[str, Any]) -> Any:
        task = self.tasks.get(op["task_id"])
        if task is None:
            raise OpRejected(f"unknown_task: {op['task_id']}")
        self.reviewing = self.principal.leads(task["project_id"])
        if not self.reviewing:
            if task["assignee_id"] != self.principal.user_id:
                raise OpRejected(f"not_assigned: task {op['task_id']}")
            if op["entity"] == "annotation" and task["status"] in ("submitted", "accepted"):
                raise OpRejected(f"task_closed: task {op['task_id']} is {task['status']}")
        return task

    def _apply_task(self, op: dict[str, Any], task: Any) -> Result:
        status = op["fields"].get("status")
        if op["op"] != "status" or op["entity_id"] != str(op["task_id"]) or set(op["fields"]) != {"status"}:
            raise OpRejected("bad_op: a task op is 'status' with fields {'status'} on its own task id")
        if status == "submitted":
            self.flush()  # a submitted replica is scored at once (replicas.py): its shapes must be written first
        try:
            result = set_status(self.conn, self.principal, task, str(status))
        except ApiError as exc:
            raise OpRejected(f"{exc.code}: {exc.detail}") from exc
        self._load_tasks({task["id"]})
        return _result(op, "applied", None, result["revision"])

    def _apply_thread(self, op: dict[str, Any], task: Any) -> Result:
        """A review decision, a comment or a piece of active time made offline (sync/server/threads.py and
        time_log.py have the rules)."""
        name, apply = _THREAD_OPS[op["entity"]]
        if op["op"] != name or not isinstance(op["fields"], dict):
            raise OpRejected(f"bad_op: a {op['entity']} op is {name!r} with a fields object")
        try:
            apply(self.conn, self.principal, task, str(op["entity_id"]), op["fields"])
        except ApiError as exc:
            raise OpRejected(f"{exc.code}: {exc.detail}") from exc
        self._load_tasks(set(self.tasks))  # a decision that ends a lot moves its other tasks too
        return _result(op, "applied", None, self.tasks[task["id"]]["revision"])

    def _apply_annotation(self, op: dict[str, Any], task: Any) -> Result:
        fields = op["fields"]
        unknown = set(fields) - ANNOTATION_FIELDS
        if unknown:
            raise OpRejected(f"unknown_field: {sorted(unknown)[0]}")
        ann = self.anns.get(op["entity_id"])
        if ann is not None and ann.task_id != task["id"]:
            raise OpRejected(f"task_mismatch: annotation belongs to task {ann.task_id}")
        if ann is None:
            ann = Ann(op["entity_id"], task["id"], 0, op["op"] == "delete", {}, FieldMeta([], {}),
                      self.principal.name, is_new=True)
            if op["op"] == "upsert":
                missing = [f for f in REQUIRED_ON_CREATE if f not in fields]
                if missing:
                    raise OpRejected(f"incomplete: a new annotation needs {', '.join(missing)}")
        outcome = self._delete(op, ann) if op["op"] == "delete" else self._upsert(op, ann, task)
        self.anns[ann.id] = ann
        if outcome[0] != "rejected" and not self.reviewing and task["status"] in ("assigned", "rejected"):
            set_status(self.conn, self.principal, task, "in_progress")
            self._load_tasks({task["id"]})
        return _result(op, outcome[0], outcome[1], ann.revision)

    def _concurrent(self, ann: Ann, name: str, base: int) -> bool:
        """Changed after the op's base by someone else (a workspace's own earlier ops are in its causal past; another
        workspace of the same device is someone else)."""
        meta = ann.meta.get(name)
        return meta is not None and meta[0] > base and meta[3] != self.origin

    def _reviewer_beats_me(self, ann: Ann, name: str) -> bool:
        return bool(ann.meta[name][2]) and not self.reviewing

    def _delete(self, op: dict[str, Any], ann: Ann) -> tuple[str, str | None]:
        if ann.is_new:
            self._write(ann, {DELETED: True})
            return "applied", None
        if ann.deleted:
            return "applied", None
        base = op["base_revision"]
        newer = [n for n in ann.meta if n != DELETED and self._concurrent(ann, n, base)]
        if any(self._reviewer_beats_me(ann, n) for n in newer):
            self._conflict(ann, DELETED, True, False, loser=self.principal.name, winner=ann.author)
            return "rejected", "reviewer_wins"
        if newer:
            self._conflict(ann, DELETED, {n: ann.fields.get(n) for n in newer}, True, loser=ann.author,
                           winner=self.principal.name)
        self._write(ann, {DELETED: True})
        return "applied", None

    def _upsert(self, op: dict[str, Any], ann: Ann, task: Any) -> tuple[str, str | None]:
        base = op["base_revision"]
        wanted = dict(op["fields"])
        if ann.revision <= base and not ann.deleted:  # the common case: nothing happened since the base
            self._check_values(ann, wanted, task)
            self._write(ann, wanted)
            return "applied", None
        merged = any(self._concurrent(ann, n, base) for n in ann.meta)  # someone else changed it since the base
        if ann.deleted and not ann.is_new:
            if self._concurrent(ann, DELETED, base):
                if self._reviewer_beats_me(ann, DELETED):
                    self._conflict(ann, DELETED, wanted, True, loser=self.principal.name, winner=ann.meta[DELETED][1])
                    return "rejected", "reviewer_wins"
                self._conflict(ann, DELETED, True, False, loser=ann.meta[DELETED][1], winner=self.principal.name)
            wanted[DELETED] = False
        lost = []
        for name, value in list(wanted.items()):
            if name == DELETED or not self._concurrent(ann, name, base):
                continue
            current = ann.fields.get(name)
            if value == current:
                continue
            if self._reviewer_beats_me(ann, name):
                self._conflict(ann, name, value, current, loser=self.principal.name, winner=ann.meta[name][1])
                lost.append(name)
                del wanted[name]
            else:
                self._conflict(ann, name, current, value, loser=ann.meta[name][1], winner=self.principal.name)
        if lost and not wanted:
            return "rejected", "reviewer_wins"
        self._check_values(ann, wanted, task)
        self._write(ann, wanted)
        reason = f"reviewer_wins: {', '.join(lost)}" if lost else None
        return ("merged" if merged else "applied"), reason

    def _check_values(self, ann: Ann, wanted: dict[str, Any], task: Any) -> None:
        for name, value in wanted.items():
            types = _FIELD_TYPES.get(name)
            if types and not (isinstance(value, types) and not (bool not in types and isinstance(value, bool))):
                raise OpRejected(f"bad_value: field {name!r} has the wrong type")
        for name in _CHECKED_VALUES:
            problem = video_field_error(name, wanted[name]) if name in wanted else None
            if problem:
                raise OpRejected(f"bad_value: {problem}")
        frame = wanted.get("frame")
        if frame is not None and task["kind"] == "video" and frame >= task["frames"]:
            raise OpRejected(f"bad_value: field 'frame' is {frame}, past the video's {task['frames']} frames")
        fields = ann.fields
        if "kind" in wanted or "geometry" in wanted:
            kind, geometry = wanted.get("kind", fields.get("kind")), wanted.get("geometry", fields.get("geometry"))
            if kind != fields.get("kind") or geometry != fields.get("geometry"):
                try:
                    shape_from_json(str(kind), geometry)
                except ShapeError as exc:
                    raise OpRejected(f"bad_geometry: {exc}") from exc
        schema = self.schemas.get(task["project_id"])
        if schema is not None and ("label" in wanted or "kind" in wanted or "attributes" in wanted):
            after = {**fields, **{k: v for k, v in wanted.items() if k != DELETED}}
            label = schema.get(str(after.get("label")))
            if label is None or not label.allows(str(after.get("kind"))):
                raise OpRejected(f"unknown_label: {after.get('label')!r} ({after.get('kind')}) is not in the schema")
            try:
                label.validate_attributes(after.get("attributes") or {})
            except SchemaError as exc:
                raise OpRejected(f"bad_attributes: {exc}") from exc

    def _write(self, ann: Ann, changes: dict[str, Any]) -> None:
        """Apply changed values and bump the revision once per op."""
        changed = {k: v for k, v in changes.items() if (ann.deleted if k == DELETED else ann.fields.get(k)) != v
                   or k not in ann.meta}
        if not changed and not ann.is_new:
            return
        self.corrections += dashboard_facts.label_corrections(ann, changed, self.principal)
        ann.revision += 1
        meta = [ann.revision, self.principal.name, self.reviewing, self.origin]
        for name, value in changed.items():
            if name == DELETED:
                ann.deleted = bool(value)
            else:
                ann.fields[name] = value
        ann.meta.set(changed, meta)
        ann.author = self.principal.name
        ann.dirty = True

    def _conflict(self, ann: Ann, name: str, losing: Any, winning: Any, *, loser: str, winner: str) -> None:
        self.pending.append({"task_id": ann.task_id, "annotation_id": ann.id, "field": name,
                               "losing_value": losing, "winning_value": winning, "loser": loser, "winner": winner,
                               "at": time.time()})

    def flush(self) -> None:
        """Write every touched annotation, its pull event, and the conflicts, since the last flush."""
        now = time.time()
        dirty = [a for a in self.anns.values() if a.dirty]
        insert_rows(self.conn, db.annotations,
                    [(a.id, a.task_id, a.revision, a.deleted, dumps_str(a.fields), a.meta.dumps(), a.author, now)
                     for a in dirty if a.is_new])
        update_rows(self.conn, db.annotations, _WRITTEN, "id",
                    [(a.revision, a.deleted, dumps_str(a.fields), a.meta.dumps(), a.author, now, a.id)
                     for a in dirty if not a.is_new])
        events = [("annotation", a.id, self.tasks[a.task_id]["project_id"], a.task_id) for a in dirty]
        if self.conflicts:
            self.conn.execute(db.conflicts.insert(), self.conflicts)
            # a wholly refused op changes no annotation, so its conflict needs an event of its own to reach leads
            quiet = {c["annotation_id"]: c["task_id"] for c in self.conflicts
                     if not self.anns[c["annotation_id"]].dirty}
            events += [("conflict", i, self.tasks[t]["project_id"], t) for i, t in quiet.items()]
        emit_many(self.conn, events)
        dashboard_facts.flush(self.conn, self.corrections)
        for a in dirty:
            a.dirty = a.is_new = False
        self.conflicts, self.corrections = [], []  # written: a flush before a submit (_apply_task) is not the last


_THREAD_OPS = {"review": ("decide", threads.decide), "comment": ("upsert", threads.put_comment),
               "time": ("add", time_log.add_time)}


def _result(op: dict[str, Any], status: str, reason: str | None, revision: int) -> Result:
    return {"op_id": op["op_id"], "status": status, "reason": reason, "revision": revision,
            "entity_id": op["entity_id"]}
