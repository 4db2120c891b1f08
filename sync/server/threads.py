"""Review threads: comments pinned to a shape, a point, an area, a frame range or a time range, with replies, that
anyone on the task can resolve; and the decisions and comments that clients make offline and push as ops.

A client names each comment and decision itself (a uid), so a resent op finds what it made the first time. A root
comment carries the pin and the resolved flag; a reply names its root as `parent` (one level, as in CVAT's issues).
Only the author edits a comment's text; the assignee or any lead may resolve or reopen a thread.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from sync.server import db, service
from sync.server.errors import ApiError
from sync.server.journal import audit, emit
from sync.server.security import Principal

UID = re.compile(r"[0-9a-f]{32}")  # core.annotation.new_id: what clients make; "c<id>" names server-made comments
MAX_TEXT = 10_000
COMMENT_FIELDS = frozenset({"text", "parent", "pin", "resolved"})
PIN_KINDS = {"annotation_id": 1, "point": 2, "box": 4, "frames": 2, "times": 2}  # key -> how many values


def uid_problem(uid: str) -> str | None:
    return None if UID.fullmatch(uid) else "an id made by the client is 32 lowercase hex digits"


def pin_problem(pin: Any, task: RowMapping) -> str | None:
    """Why `pin` cannot mark a place on this task (None when it can): a dict of some of annotation_id (a shape),
    point [x, y], box [x1, y1, x2, y2], frames [first, last] (a video) and times [start, end] (seconds)."""
    if pin is None:
        return None
    if not isinstance(pin, dict) or not pin or set(pin) - set(PIN_KINDS):
        return f"a pin is an object with some of {', '.join(PIN_KINDS)}"
    for key, value in pin.items():
        if key == "annotation_id":
            if not isinstance(value, str) or not 0 < len(value) <= 64:
                return "pin.annotation_id must be an annotation id"
            continue
        if (not isinstance(value, list) or len(value) != PIN_KINDS[key]
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                           for v in value)):
            return f"pin.{key} must be {PIN_KINDS[key]} finite numbers"
        backwards = value[0] > value[2] or value[1] > value[3] if key == "box" else value[0] > value[-1]
        if key != "point" and backwards:
            return f"pin.{key} must go from its start to its end"
        if key == "frames" and (task["kind"] != "video" or not all(isinstance(v, int) for v in value)
                                or value[0] < 0 or value[1] >= task["frames"]):
            return f"pin.frames must be frame numbers of the video (0..{task['frames'] - 1})"
        if key == "times" and (task["kind"] not in ("video", "audio") or value[0] < 0):
            return "pin.times must be seconds from 0 on, on a video or a recording"
    return None


def comment_json(row: Any) -> dict[str, Any]:
    """A comment as pull sends it; comments made before pins get one from their annotation or point."""
    r = dict(row)
    pin = r.get("pin")
    if pin is None and r.get("parent") is None:
        if r.get("annotation_id"):
            pin = {"annotation_id": r["annotation_id"]}
        elif r.get("x") is not None and r.get("y") is not None:
            pin = {"point": [r["x"], r["y"]]}
    return {"id": r["id"], "uid": r.get("uid") or f"c{r['id']}", "task_id": r["task_id"],
            "review_id": r["review_id"], "author": r["author"], "at": r["at"], "text": r["text"],
            "parent": r.get("parent"), "pin": pin, "resolved": bool(r.get("resolved")),
            "resolved_by": r.get("resolved_by"), "annotation_id": r["annotation_id"], "x": r["x"], "y": r["y"]}


def _pin_columns(pin: dict[str, Any] | None) -> dict[str, Any]:
    """The columns older clients read: the pinned shape, or the point (the centre of a box)."""
    pin = pin or {}
    point = pin.get("point") or ([(pin["box"][0] + pin["box"][2]) / 2, (pin["box"][1] + pin["box"][3]) / 2]
                                 if "box" in pin else [None, None])
    return {"annotation_id": pin.get("annotation_id"), "x": point[0], "y": point[1]}


def put_comment(conn: Connection, principal: Principal, task: RowMapping, uid: str, fields: dict[str, Any],
                review_id: int | None = None) -> dict[str, Any]:
    """Create the comment `uid` or change it (text by its author; resolved by anyone on the task)."""
    if problem := uid_problem(uid):
        raise ApiError(422, "bad_comment", problem, field="uid")
    unknown = set(fields) - COMMENT_FIELDS
    if unknown:
        raise ApiError(422, "bad_comment", f"a comment has no field {sorted(unknown)[0]!r}")
    text = fields.get("text")
    if text is not None and (not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_TEXT):
        raise ApiError(422, "bad_comment", f"a comment's text is 1-{MAX_TEXT:,} characters", field="text")
    if "resolved" in fields and not isinstance(fields["resolved"], bool):
        raise ApiError(422, "bad_comment", "resolved is true or false", field="resolved")
    c = db.comments
    row = conn.execute(sa.select(c).where(c.c.uid == uid)).mappings().first()
    now = time.time()
    if row is None:
        values = _new_comment(conn, task, fields)
        values.update(uid=uid, task_id=task["id"], review_id=review_id, author=principal.name, at=now, updated_at=now)
        cid = db.insert_id(conn, c.insert().values(**values))
        action = "comment.reply" if values["parent"] else "comment.create"
    else:
        if row["task_id"] != task["id"]:
            raise ApiError(409, "task_mismatch", f"comment {uid} is on task {row['task_id']}")
        values = _changed_comment(principal, row, fields)
        if not values:
            return comment_json(row)
        values["updated_at"] = now
        conn.execute(c.update().where(c.c.id == row["id"]).values(**values))
        cid = row["id"]
        action = "comment.resolve" if "resolved" in values else "comment.edit"
    emit(conn, "comment", cid, task["project_id"], task["id"])
    audit(conn, principal.name, action, f"task:{task['id']}", comment=uid,
          **({"resolved": values["resolved"]} if "resolved" in values else {}))
    return comment_json(conn.execute(sa.select(c).where(c.c.id == cid)).mappings().one())


def _new_comment(conn: Connection, task: RowMapping, fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("text") is None:
        raise ApiError(422, "bad_comment", "a new comment needs its text", field="text")
    parent, pin = fields.get("parent"), fields.get("pin")
    if parent is not None:
        c = db.comments
        root = conn.execute(sa.select(c.c.task_id, c.c.parent).where(
            sa.or_(c.c.uid == parent, c.c.id == _server_made(parent)))).first() if isinstance(parent, str) else None
        if root is None or root.task_id != task["id"] or root.parent is not None:
            raise ApiError(422, "bad_comment", "a reply's parent must be a thread's first comment on the same task",
                           field="parent")
        if pin is not None or fields.get("resolved"):
            raise ApiError(422, "bad_comment", "a reply has no pin and no resolved flag of its own", field="pin")
    if problem := pin_problem(pin, task):
        raise ApiError(422, "bad_comment", problem, field="pin")
    return {"text": fields["text"], "parent": parent, "pin": pin, "resolved": bool(fields.get("resolved")),
            **_pin_columns(pin)}


def _server_made(uid: str) -> int:
    """The id in a "c<id>" name (-1 for any other), so a reply can name a comment made through the API."""
    return int(uid[1:]) if re.fullmatch(r"c[0-9]{1,15}", uid) else -1


def _changed_comment(principal: Principal, row: RowMapping, fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if any(name in fields and fields[name] != row[name] for name in ("parent", "pin")):
        raise ApiError(422, "bad_comment", "a comment's thread and pin are set when it is made")
    if fields.get("text") is not None and fields["text"] != row["text"]:
        if row["author"] != principal.name:
            raise ApiError(403, "forbidden", "only its author can change a comment's text")
        values["text"] = fields["text"]
    if "resolved" in fields and fields["resolved"] != row["resolved"]:
        if row["parent"] is not None:
            raise ApiError(422, "bad_comment", "resolve the thread's first comment, not a reply", field="resolved")
        values.update(resolved=fields["resolved"], resolved_by=principal.name if fields["resolved"] else None)
    return values


def decide(conn: Connection, principal: Principal, task: RowMapping, uid: str,
           fields: dict[str, Any]) -> dict[str, Any]:
    """A decision made offline: accept (fixed or not) or reject with a reason; a resend returns the first answer."""
    if problem := uid_problem(uid):
        raise ApiError(422, "bad_review", problem, field="uid")
    r = db.reviews
    done = conn.execute(sa.select(r.c.id, r.c.task_id).where(r.c.uid == uid)).first()
    if done is not None:
        return {"review_id": done.id, "task": service.task_json(service.get_task(conn, None, done.task_id))}
    decision, fixed, reason = fields.get("decision"), fields.get("fixed", False), fields.get("reason", "")
    if set(fields) - {"decision", "fixed", "reason"} or decision not in ("accept", "reject") \
            or not isinstance(fixed, bool) or not isinstance(reason, str) or len(reason) > MAX_TEXT:
        raise ApiError(422, "bad_review", "a decision is accept or reject, fixed true or false, and a reason of at "
                       f"most {MAX_TEXT:,} characters")
    return service.review(conn, principal, task["id"], decision, [], uid=uid, fixed=fixed and decision == "accept",
                          reason=reason)
