"""The facts the dashboard counts, written in the transaction of the work they describe (db.py's dashboard tables).

- Every submission of a task (service.set_status): who, when, and whether it had been submitted before.
- A task's labels and its pre-labels as submitted last, so no chart reads the annotations' JSON. A push applies its
  status ops before its annotation writes are flushed, so merge.BatchApplier.flush takes these snapshots again.
- A reviewer's change of the label an annotator gave a shape (merge.BatchApplier._write): the old label is gone from
  the annotation once the new one is written, so it is kept here, for the error-pattern matrix.

Pre-label states, from an annotation whose `source_model` is set, as its task is submitted: **rejected** when it is
deleted; **edited** when its label, kind, geometry or attributes changed at a later revision than its
`source_model` was set (field_meta holds the revision of each field's last change); else **pending** while its
`source_kind` is still "model" (neither accepted nor deleted), or **accepted** (confirmed unchanged).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from sync.fastjson import loads
from sync.server import db
from sync.server.field_meta import FieldMeta
from sync.server.security import Principal

PRELABEL_STATES = ("pending", "accepted", "edited", "rejected")
CONTENT_FIELDS = ("label", "kind", "geometry", "attributes")  # an edit of a prediction changes one of these
_PENDING = "annodesk.dashboard.submitted"  # conn.info: the tasks submitted in the running transaction


class AnnotationState(Protocol):
    """What label_corrections reads of merge.Ann before a write changes it."""

    id: str
    task_id: int
    fields: dict[str, Any]
    meta: FieldMeta
    is_new: bool


def task_submitted(conn: Connection, task: RowMapping, username: str) -> None:
    """A task was submitted by `username`: one submissions row, and the snapshot of its labels and pre-labels."""
    s = db.submissions
    now = time.time()
    before = conn.execute(sa.select(s.c.id).where(s.c.task_id == task["id"]).limit(1)).first() is not None
    conn.execute(s.insert().values(project_id=task["project_id"], task_id=task["id"], username=username, at=now,
                                   resubmitted=before))
    snapshot(conn, task["id"], task["project_id"], now)
    _pending(conn)[task["id"]] = (task["project_id"], now)


def label_corrections(ann: AnnotationState, changed: dict[str, Any], principal: Principal) -> list[dict[str, Any]]:
    """The correction `changed` makes, as a corrections row (none or one): a reviewer replaces the label of a shape
    whose label an annotator set last."""
    if "label" not in changed or not principal.is_reviewer or ann.is_new:
        return []
    meta, before, after = ann.meta.get("label"), ann.fields.get("label"), changed["label"]
    if meta is None or meta[2] or not isinstance(before, str) or not isinstance(after, str) or before == after:
        return []
    return [{"task_id": ann.task_id, "annotation_id": ann.id, "label_from": before, "label_to": after,
             "annotator": str(meta[1]), "reviewer": principal.name, "at": time.time()}]


def flush(conn: Connection, corrections: list[dict[str, Any]]) -> None:
    """The end of a push batch: store its corrections, and snapshot again the tasks it submitted, now that its
    annotations are written."""
    if corrections:
        conn.execute(db.corrections.insert(), corrections)
    for task_id, (project_id, at) in _pending(conn).items():
        snapshot(conn, task_id, project_id, at)
    conn.info.pop(_PENDING, None)


def snapshot(conn: Connection, task_id: int, project_id: int, at: float) -> None:
    """Replace the task's submitted labels (shapes per label) and pre-labels (states per model)."""
    labels: Counter[str] = Counter()
    models: dict[str, Counter[str]] = {}
    for deleted, fields_text, meta_text in db.fetch(conn, "SELECT deleted, CAST(fields AS TEXT), CAST(field_meta AS "
                                                    "TEXT) FROM annotations WHERE task_id = ?", (task_id,)):
        fields, meta = loads(fields_text), FieldMeta.parse(meta_text)
        if not deleted and isinstance(fields.get("label"), str):
            labels[fields["label"]] += 1
        model = fields.get("source_model")
        if isinstance(model, str) and model:
            models.setdefault(model, Counter())[prelabel_state(bool(deleted), fields, meta)] += 1
    sl, sm = db.submitted_labels, db.submitted_models
    conn.execute(sl.delete().where(sl.c.task_id == task_id))
    conn.execute(sm.delete().where(sm.c.task_id == task_id))
    if labels:
        conn.execute(sl.insert(), [{"task_id": task_id, "label": k, "shapes": n, "project_id": project_id}
                                   for k, n in sorted(labels.items())])
    if models:
        conn.execute(sm.insert(), [{"task_id": task_id, "model": k, "project_id": project_id, "at": at,
                                    **{state: n[state] for state in PRELABEL_STATES}}
                                   for k, n in sorted(models.items())])


def prelabel_state(deleted: bool, fields: dict[str, Any], meta: FieldMeta) -> str:
    """pending, accepted, edited or rejected (the module's docstring has the rules)."""
    if deleted:
        return "rejected"
    born = (meta.get("source_model") or [0])[0]
    if any(meta[name][0] > born for name in CONTENT_FIELDS if name in meta):
        return "edited"
    return "pending" if fields.get("source_kind") == "model" else "accepted"


def _pending(conn: Connection) -> dict[int, tuple[int, float]]:
    """The tasks submitted in this connection's running transaction (a pooled connection's info outlives it)."""
    held = conn.info.get(_PENDING)
    transaction = conn.get_transaction()
    if held is None or held[0] is not transaction:
        held = conn.info[_PENDING] = (transaction, {})
    tasks: dict[int, tuple[int, float]] = held[1]
    return tasks
