"""Reviews in the workspace: what the server said (decisions, comment threads, lots) and what a person decided or
wrote here, offline, until the server answers.

A lead's decision and anyone's comment are stored at once with an outbox row (entity "review" or "comment", the
client's uid as entity id), so they are sealed and pushed like edits and survive a crash or days offline. A comment
written here has a negative id until the server's copy arrives by pull and replaces it. A pulled copy never
overwrites a comment with an unsent local change (that change reaches the server first, its result comes back).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.annotation import new_id
from sync.client.store import SyncStore
from sync.outbox import OutboxEntry
from sync.workspace import Workspace

DECISIONS = {"accept": "accepted", "reject": "rejected"}
SAMPLED = ("sampling", "inspecting")  # lot states whose sample waits for review
# a consensus or gold copy (of the `s` row of sync_tasks): submitted, it waits on no lead (sync/server/replicas.py)
_REPLICA = "(SELECT 1 FROM sync_quality q WHERE q.kind = 'replica' AND q.task_id = s.server_id)"
QUALITY_KINDS = ("replica", "consensus", "gold")  # leads' news of consensus and gold tasks (sync/server/replicas.py)
DEFAULT_STAGES: tuple[dict[str, Any], ...] = ({"name": "review", "who": ["lead", "admin"]},)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One submitted task waiting for a lead: its annotator, lot and place in the lot's sample."""

    task_id: int  # local
    server_id: int
    name: str
    annotator: str
    submitted_at: float
    lot: str  # the lot's key, "" outside any lot
    rank: int  # the place in the lot's sample (the draw's order), or -1 when not sampled
    agreement: float | None = None  # a consensus origin's agreement when it is below the project's minimum
    stage: str = ""  # the review stage it waits at (the project's stages: sync_state "stages")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    annotator: str = ""
    lot: str = ""
    label: str = ""
    since: float = 0.0  # submitted at or after (seconds since the epoch)
    sampled_only: bool = True  # only the samples of closed lots (and tasks in no lot), not every submitted task
    stage: str = ""  # only tasks waiting at this review stage


class ReviewStore:
    """Review reads and writes of one workspace (writes need a writable one; reads also work read-only)."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.sync = SyncStore(workspace)

    # -- what the server says (inside a pull page's transaction) -------------------------------------------------

    def put_review(self, conn: sqlite3.Connection, item: dict[str, Any]) -> None:
        conn.execute("INSERT OR REPLACE INTO sync_reviews (id, task_id, decision, reviewer, at, fixed, body, stage) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (item["id"], item["task_id"], item["decision"], item["reviewer"], item["at"],
                      bool(item.get("fixed")), self.sync.seal(f"review:{item['id']}",
                                                              {"reason": item.get("reason") or ""}),
                      item.get("stage")))

    def put_comment(self, conn: sqlite3.Connection, item: dict[str, Any]) -> None:
        uid = str(item.get("uid") or f"c{item['id']}")
        if _pending(conn, "comment", uid):
            return
        conn.execute("DELETE FROM sync_comments WHERE uid = ? AND id != ?", (uid, item["id"]))
        self._write_comment(conn, item["id"], uid, item)

    def _write_comment(self, conn: sqlite3.Connection, cid: int, uid: str, item: dict[str, Any]) -> None:
        pin = item.get("pin")
        if pin is None and item.get("parent") is None:  # from a server before pins
            if item.get("annotation_id"):
                pin = {"annotation_id": item["annotation_id"]}
            elif item.get("x") is not None and item.get("y") is not None:
                pin = {"point": [item["x"], item["y"]]}
        conn.execute("INSERT OR REPLACE INTO sync_comments (id, uid, review_id, task_id, author, at, parent, resolved, "
                     "resolved_by, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (cid, uid, item.get("review_id"), item["task_id"], item.get("author", ""), item.get("at", 0.0),
                      item.get("parent"), bool(item.get("resolved")), item.get("resolved_by"),
                      self.sync.seal(f"comment:{cid}", {"text": item.get("text", ""), "pin": pin})))

    @staticmethod
    def put_quality(conn: sqlite3.Connection, kind: str, item: dict[str, Any]) -> None:
        conn.execute("INSERT OR REPLACE INTO sync_quality (kind, task_id, body) VALUES (?, ?, ?)",
                     (kind, item["task_id"], json.dumps(item)))

    @staticmethod
    def put_lot(conn: sqlite3.Connection, item: dict[str, Any]) -> None:
        """A lot as the server sent it, and its tasks' rows in sync_lot_tasks (a task's latest lot wins)."""
        lot_id = item["id"]
        conn.execute("INSERT OR REPLACE INTO sync_lots (id, project_id, body) VALUES (?, ?, ?)",
                     (lot_id, item["project_id"], json.dumps(item)))
        conn.execute("DELETE FROM sync_lot_tasks WHERE lot_id = ?", (lot_id,))
        key, status = str(item.get("key", "")), str(item.get("status", ""))
        sample = {t: i for i, t in enumerate(item.get("sample") or ())}
        conn.executemany(
            "INSERT INTO sync_lot_tasks (task_id, lot_id, key, rank, status) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
            "(task_id) DO UPDATE SET lot_id = excluded.lot_id, key = excluded.key, rank = excluded.rank, status = "
            "excluded.status WHERE excluded.lot_id >= sync_lot_tasks.lot_id",
            [(t, lot_id, key, sample.get(t, -1), status) for t in item.get("task_ids") or ()])

    # -- what a person does here (one transaction each, with its outbox row) -------------------------------------

    def decide(self, local_task_id: int, decision: str, reason: str = "", fixed: bool = False) -> str:
        """Accept (`fixed`: after correcting it) or reject a submitted task; sent with the next push."""
        if decision not in DECISIONS:
            raise ValueError(f"a decision is accept or reject, not {decision!r}")
        uid = new_id()
        now = time.time()
        with self.ws.transaction() as conn:
            server_id = self._server_id(conn, local_task_id)
            conn.execute("INSERT INTO review_decisions (uid, task_id, decision, fixed, at, body) VALUES "
                         "(?, ?, ?, ?, ?, ?)", (uid, server_id, decision, fixed and decision == "accept", now,
                                                self.sync.seal(f"decision:{uid}", {"reason": reason})))
            self.ws.log_change(conn, "review", uid, "decide")
        return uid

    def comment(self, local_task_id: int, text: str, pin: dict[str, Any] | None = None,
                parent: str | None = None) -> str:
        """A new thread (its pin as sync/server/threads.py describes) or a reply to one; returns its uid."""
        if not text.strip():
            raise ValueError("a comment needs some text")
        uid = new_id()
        now = time.time()
        with self.ws.transaction() as conn:
            server_id = self._server_id(conn, local_task_id)
            local_id = min(0, conn.execute("SELECT min(id) FROM sync_comments").fetchone()[0] or 0) - 1
            self._write_comment(conn, local_id, uid, {"task_id": server_id, "author": self.ws.author, "at": now,
                                                      "text": text, "pin": None if parent else pin,
                                                      "parent": parent})
            self.ws.log_change(conn, "comment", uid, "upsert")
        return uid

    def resolve(self, uid: str, resolved: bool = True) -> None:
        """Resolve (or reopen) a thread by its first comment."""
        with self.ws.transaction() as conn:
            cur = conn.execute("UPDATE sync_comments SET resolved = ?, resolved_by = ? WHERE uid = ? AND parent IS "
                               "NULL", (resolved, self.ws.author if resolved else None, uid))
            if cur.rowcount == 0:
                raise KeyError(f"no thread {uid} in {self.ws.path}")
            self.ws.log_change(conn, "comment", uid, "upsert")

    @staticmethod
    def _server_id(conn: sqlite3.Connection, local_task_id: int) -> int:
        row = conn.execute("SELECT server_id FROM sync_tasks WHERE local_id = ?", (local_task_id,)).fetchone()
        if row is None:
            raise KeyError(f"task {local_task_id} is not a server's task: it cannot be reviewed or commented")
        return int(row[0])

    # -- sealing and answers (sync/client/batcher.py, apply.py) --------------------------------------------------

    def op(self, conn: sqlite3.Connection, entry: OutboxEntry, first_id: int) -> dict[str, Any] | None:
        """The op of a review or comment outbox entry (None when there is nothing left to send)."""
        if entry.entity == "review":
            row = conn.execute("SELECT task_id, decision, fixed, body FROM review_decisions WHERE uid = ?",
                               (entry.entity_id,)).fetchone()
            if row is None:
                return None
            fields = {"decision": row[1], "fixed": bool(row[2]),
                      "reason": self.sync.open(f"decision:{entry.entity_id}", row[3])["reason"]}
            task_id = row[0]
        else:
            row = conn.execute("SELECT id, task_id, parent, resolved, body FROM sync_comments WHERE uid = ?",
                               (entry.entity_id,)).fetchone()
            if row is None:
                return None
            fields = {"resolved": bool(row[3])}
            if row[0] < 0:  # not on the server yet: all of it
                body = self.sync.open(f"comment:{row[0]}", row[4])
                fields.update(text=body["text"], parent=row[2], pin=body["pin"])
                if row[2] is not None:
                    del fields["resolved"], fields["pin"]
            task_id = row[1]
        return {"op_id": first_id + entry.seq, "txn": entry.txn, "entity": entry.entity,
                "entity_id": entry.entity_id, "task_id": task_id, "op": entry.op, "base_revision": 0,
                "fields": fields, "author": self.ws.author}

    @staticmethod
    def answered(conn: sqlite3.Connection, op: dict[str, Any], result: dict[str, Any]) -> None:
        """The server's answer to a review or comment op: a decision records it (and the task's state it made); a
        refused new comment goes (its text stays in the rejections, shown with the task's refused edits)."""
        applied = result["status"] != "rejected"
        if op["entity"] == "review":
            conn.execute("UPDATE review_decisions SET answer = ? WHERE uid = ?",
                         ("applied" if applied else result.get("reason") or "refused", op["entity_id"]))
            if applied:  # an accept before the last stage moves the task to the next one, still submitted
                last = len(_stages(conn)) - 1
                conn.execute("UPDATE sync_tasks SET server_status = CASE WHEN ? = 'accept' AND stage < ? THEN "
                             "'submitted' ELSE ? END, stage = CASE WHEN ? = 'accept' AND stage < ? THEN stage + 1 "
                             "ELSE stage END, revision = ? WHERE server_id = ?",
                             (op["fields"]["decision"], last, DECISIONS[op["fields"]["decision"]],
                              op["fields"]["decision"], last, result["revision"], op["task_id"]))
        elif not applied:
            conn.execute("DELETE FROM sync_comments WHERE uid = ? AND id < 0", (op["entity_id"],))

    # -- reads (also on the UI's read-only connection) -----------------------------------------------------------

    def comments(self, server_task_id: int) -> list[dict[str, Any]]:
        """A task's comments, threads in the order they began, each followed by its replies: id, uid, review_id,
        author, at, parent, resolved, resolved_by, text, pin, sent (False until the server has it)."""
        with self.ws.reading() as conn:
            rows = conn.execute("SELECT id, uid, review_id, author, at, parent, resolved, resolved_by, body FROM "
                                "sync_comments WHERE task_id = ? ORDER BY at, id", (server_task_id,)).fetchall()
        keys = ("id", "uid", "review_id", "author", "at", "parent", "resolved", "resolved_by")
        items = [{**dict(zip(keys, r[:8], strict=True)), "resolved": bool(r[6]), "sent": r[0] > 0,
                  **self.sync.open(f"comment:{r[0]}", r[8])} for r in rows]
        roots = [c for c in items if c["parent"] is None]
        replies: dict[str, list[dict[str, Any]]] = {}
        for c in items:
            if c["parent"] is not None:
                replies.setdefault(c["parent"], []).append(c)
        named = {c["uid"] for c in roots}
        orphans = [c for parent, group in replies.items() if parent not in named for c in group]
        return [x for c in roots for x in (c, *replies.get(c["uid"], ()))] + orphans

    def decision(self, server_task_id: int) -> dict[str, Any] | None:
        """The decision that stands on a task: one made here and not yet answered, else the latest pulled one;
        keys decision, fixed, reviewer, at, reason, pending, refused (why the server refused a later decision made
        here, or "")."""
        with self.ws.reading() as conn:
            local = conn.execute("SELECT uid, decision, fixed, at, body, answer FROM review_decisions WHERE "
                                 "task_id = ? AND (answer IS NULL OR answer != 'applied') ORDER BY answer IS NULL "
                                 "DESC, at DESC LIMIT 1", (server_task_id,)).fetchone()
            pulled = conn.execute("SELECT id, decision, fixed, reviewer, at, body FROM sync_reviews WHERE task_id = ? "
                                  "ORDER BY at DESC, id DESC LIMIT 1", (server_task_id,)).fetchone()
        if local is not None and local[5] is None:
            reason = self.sync.open(f"decision:{local[0]}", local[4])["reason"]
            return {"decision": local[1], "fixed": bool(local[2]), "reviewer": self.ws.author, "at": local[3],
                    "reason": reason, "pending": True, "refused": ""}
        refused = local[5] if local is not None and (pulled is None or local[3] >= pulled[4]) else ""
        if pulled is None:
            return None if not refused else {"decision": None, "fixed": False, "reviewer": "", "at": 0.0,
                                             "reason": "", "pending": False, "refused": refused}
        body = self.sync.open(f"review:{pulled[0]}", pulled[5]) or {}
        return {"decision": pulled[1], "fixed": bool(pulled[2]), "reviewer": pulled[3], "at": pulled[4],
                "reason": body.get("reason", ""), "pending": False, "refused": refused}

    def stages(self) -> list[dict[str, Any]]:
        """The project's review stages in order, each {"name", "who"} (one "review" by the leads and admins before
        the server sent any)."""
        with self.ws.reading() as conn:
            return _stages(conn)

    def may_act(self, stage: dict[str, Any], role: str | None = None) -> bool:
        """Whether this workspace's user may decide at the stage: a lead or an admin whose role or name it lists."""
        role = self.role() if role is None else role
        return role in ("lead", "admin") and (role in stage["who"] or self.ws.author in stage["who"])

    def stage_history(self, server_task_id: int) -> list[tuple[str, str, str]]:
        """(stage, state, who) of each stage of a task's current round, in order, when the project has several:
        state is "accepted" or "rejected" (who decided) or "waiting" (the stage it is at); empty with one stage."""
        with self.ws.reading() as conn:
            stages = _stages(conn)
            task = conn.execute("SELECT server_status, stage FROM sync_tasks WHERE server_id = ?",
                                (server_task_id,)).fetchone()
            rows = conn.execute("SELECT decision, reviewer, at, stage FROM sync_reviews WHERE task_id = ? ORDER BY "
                                "at, id", (server_task_id,)).fetchall()
        if len(stages) < 2 or task is None:
            return []
        names = [s["name"] for s in stages]
        status, at = task[0], min(int(task[1] or 0), len(stages) - 1)
        if status == "submitted":
            upto, until, last = at, float("inf"), ("waiting", "")
        elif rows and rows[-1][3] in names and status in ("accepted", "rejected"):
            upto, until = names.index(rows[-1][3]), rows[-1][2]
            last = (DECISIONS.get(rows[-1][0], rows[-1][0]), rows[-1][1])
        else:
            return []
        out = []
        for j in range(upto):
            accepts = [r for r in rows if r[3] == names[j] and r[0] == "accept" and r[2] <= until]
            out.append((names[j], "accepted", accepts[-1][1]) if accepts else (names[j], "accepted", ""))
        return [*out, (names[upto], *last)]

    def role(self) -> str:
        """The role the server gave this workspace's user at the last sync ("" before any)."""
        with self.ws.reading() as conn:
            return str(SyncStore.get_in(conn, "role", ""))

    def waiting(self, server_task_ids: Sequence[int]) -> int:
        """How many of these tasks have a decision made here that the server has not answered yet."""
        with self.ws.reading() as conn:
            return int(conn.execute("SELECT count(DISTINCT task_id) FROM review_decisions WHERE answer IS NULL AND "
                                    "task_id IN (SELECT value FROM json_each(?))",
                                    (json.dumps(list(server_task_ids)),)).fetchone()[0])

    def version(self) -> tuple[Any, ...]:
        """What the queue is read from, in brief: equal before and after a sync round that changed none of it (the
        submitted tasks, their stages and revisions, the lots, the decisions waiting, the consensus and gold news),
        so the app need not read a big queue again after every round."""
        with self.ws.reading() as conn:
            tasks = conn.execute("SELECT count(*), total(revision), total(stage), total(updated_at) FROM sync_tasks "
                                 "WHERE server_status = 'submitted'").fetchone()
            counts = conn.execute("SELECT (SELECT count(*) FROM review_decisions WHERE answer IS NULL), "
                                  "(SELECT count(*) FROM sync_quality), (SELECT count(*) FROM sync_lots)").fetchone()
            lots = hashlib.blake2b(b"".join(str(r[0]).encode() for r in conn.execute(
                "SELECT body FROM sync_lots ORDER BY id")), digest_size=16).digest()
        return (*tasks, *counts, lots)

    def replica_tasks(self) -> set[int]:
        """Local ids of the tasks that are consensus or gold copies of others (an export leaves them out)."""
        with self.ws.reading() as conn:
            return {r[0] for r in conn.execute("SELECT s.local_id FROM sync_quality q JOIN sync_tasks s ON "
                                               "s.server_id = q.task_id WHERE q.kind = 'replica'")}

    def _needs_lead(self) -> dict[int, float]:
        """Server ids of consensus origins whose agreement is below the minimum -> that agreement."""
        with self.ws.reading() as conn:
            items = [json.loads(r[0]) for r in conn.execute("SELECT body FROM sync_quality WHERE kind = 'consensus'")]
        return {i["task_id"]: float(i.get("agreement") or 0.0) for i in items if i.get("needs_lead")}

    def submitters(self) -> list[str]:
        """The annotators with submitted work waiting, by name (the queue's annotator filter offers them)."""
        with self.ws.reading() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT assignee FROM sync_tasks s WHERE server_status = "
                                               f"'submitted' AND assignee IS NOT NULL AND NOT EXISTS {_REPLICA} "
                                               "ORDER BY assignee")]

    def lots(self) -> list[dict[str, Any]]:
        with self.ws.reading() as conn:
            return [json.loads(r[0]) for r in conn.execute("SELECT body FROM sync_lots ORDER BY id")]

    def queue(self, where: QueueFilter = QueueFilter()) -> list[QueueRow]:
        """Submitted tasks waiting for a decision: consensus origins whose agreement is too low first, then a closed
        lot's sample in its drawn order (lots oldest first), then the others (in no lot, or in a decided lot) by
        submission time; a task decided here and not yet answered is left out, and with `sampled_only` the tasks
        waiting on their lot's sample. Filtered in SQL (sync_lot_tasks holds each task's lot), so a big project's
        tasks waiting on open lots are never read."""
        stages = self.stages()
        role = self.role()
        # a reviewer sees the stages they may act at (annotators and a workspace before its first sync: every one)
        mine = [i for i, stage in enumerate(stages) if role not in ("lead", "admin") or self.may_act(stage, role)]
        mine = [i for i in mine if not where.stage or stages[i]["name"] == where.stage]
        last = len(stages) - 1
        sql = ("SELECT t.id, s.server_id, t.name, coalesce(s.assignee, ''), coalesce(s.updated_at, 0), "
               "min(s.stage, ?), coalesce(l.key, ''), coalesce(l.rank, -1), coalesce(l.lot_id, -1), "
               "coalesce(l.status, '') FROM sync_tasks s JOIN tasks t ON t.id = s.local_id LEFT JOIN sync_lot_tasks l "
               "ON l.task_id = s.server_id WHERE s.server_status = 'submitted' AND NOT EXISTS "
               "(SELECT 1 FROM review_decisions d WHERE d.task_id = s.server_id AND d.answer IS NULL) AND NOT EXISTS "
               f"{_REPLICA} AND min(s.stage, ?) IN (SELECT value FROM json_each(?))")
        params: list[Any] = [last, last, json.dumps(mine)]
        if where.sampled_only:  # waiting on its lot: not drawn yet (open), or outside the sample being reviewed
            sql += (" AND NOT (min(s.stage, ?) = 0 AND coalesce(l.status = 'open' OR (l.status IN "
                    f"{SAMPLED!r} AND l.rank < 0), 0))")  # a task in no lot has no status
            params.append(last)
        if where.lot:
            sql += " AND l.key = ?"
            params.append(where.lot)
        if where.annotator:
            sql += " AND s.assignee = ?"
            params.append(where.annotator)
        if where.since:
            sql += " AND s.updated_at >= ?"
            params.append(where.since)
        if where.label:
            codec = self.sync.codec
            sql += " AND EXISTS (SELECT 1 FROM annotations a WHERE a.task_id = t.id AND a.deleted = 0 AND a.label = ?)"
            params.append(codec.encode_label(where.label) if codec else where.label)
        with self.ws.reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        needs_lead = self._needs_lead()
        # a submitted task of a decided lot (resubmitted, or reviewed apart) waits for the lead directly; lots sample
        # the first stage only, later stages review whatever passed it
        out = [(QueueRow(local, server, name, annotator, at, key, rank if status in SAMPLED and stage == 0 else -1,
                         needs_lead.get(server), stages[stage]["name"]), lot)
               for local, server, name, annotator, at, stage, key, rank, lot, status in rows]
        out.sort(key=lambda r: (r[0].agreement is None, r[1] if r[0].rank >= 0 else 1 << 62, r[0].rank,
                                r[0].submitted_at, r[0].task_id))
        return [row for row, _lot in out]


def _stages(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    stored = SyncStore.get_in(conn, "stages", None)
    stages = json.loads(stored) if stored else None
    return list(stages) if stages else [dict(s) for s in DEFAULT_STAGES]


def _pending(conn: sqlite3.Connection, entity: str, entity_id: str) -> bool:
    return conn.execute("SELECT 1 FROM changes WHERE entity = ? AND entity_id = ? LIMIT 1",
                        (entity, entity_id)).fetchone() is not None
