"""What replicas are worth (sync/server/replicas.py): their answers compared with core.agreement's measures, stored.

- Consensus: when every replica of an origin is submitted, their answers are merged by quorum
  (core.agreement.consensus) into the origin's annotations (author "consensus", human shapes; the origin's earlier
  shapes, such as pre-labels, become tombstones), the origin goes to `submitted` for the lead's review, and the
  figures are stored: the task's agreement, every pair's, each replica's (the mean of its pairs), the counts per
  label and the confusions. Below `min_agreement` the origin is flagged `needs_lead`.
- Gold: a submitted gold replica is matched with the gold task's latest answer as the reference (core.agreement
  .match): the task agreement is its score, with per-label precision, recall and F1 and the label confusions.

An annotator's answer is what they drew or accepted: pending predictions are left out (items_from_annotations), as
`annodesk agreement` does. Every function runs in the caller's write transaction.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from core.agreement import Comparison, Consensus, Item, Merged, Tally, consensus, items_from_annotations, match
from core.annotation import HUMAN, Annotation, Source, SourceKind, new_id
from core.schema import LabelSchema, SchemaError
from core.shapes import ShapeError, shape_from_json
from core.tracks import track_rows
from sync.fastjson import dumps_str, loads
from sync.server import db
from sync.server.bulk_rows import insert_rows, update_rows
from sync.server.field_meta import FieldMeta
from sync.server.journal import audit, emit, emit_many
from sync.server.metrics import count_task_status

AUTHOR = "consensus"
SERVER_CLIENT = "server"  # the client id in the field_meta of rows the server writes itself
R, C, G = db.replicas, db.consensus_origins, db.gold_answers
_CHUNK = 500


# --- reading answers -------------------------------------------------------------------------------------------

def annotation_of(ann_id: str, task_id: int, fields: dict[str, Any], author: str = "") -> Annotation | None:
    """The Annotation a stored state describes (None for one whose shape cannot be read)."""
    try:
        label, shape = str(fields["label"]), shape_from_json(str(fields["kind"]), fields["geometry"])
        source = Source(SourceKind(fields.get("source_kind") or "human"), fields.get("source_score"),
                        fields.get("source_model"))
    except (KeyError, ShapeError, ValueError):
        return None
    group = fields.get("group")
    return Annotation(ann_id, task_id, label, shape, dict(fields.get("attributes") or {}), author,
                      source, 0, group if isinstance(group, int) else None, int(fields.get("z") or 0),
                      bool(fields.get("hidden")), bool(fields.get("locked")), fields.get("frame"),
                      fields.get("track"), bool(fields.get("outside")), bool(fields.get("occluded")))


def live_annotations(conn: Connection, task_ids: Sequence[int]) -> dict[int, list[Annotation]]:
    """Each task's live annotations, in id order (ids are time-ordered: the order they were made); straight from
    the driver, as the last replica of every consensus origin reads three answers."""
    out: dict[int, list[Annotation]] = {t: [] for t in task_ids}
    for i in range(0, len(task_ids), _CHUNK):
        chunk = list(task_ids[i:i + _CHUNK])
        rows = db.fetch(conn, "SELECT id, task_id, CAST(fields AS TEXT), author FROM annotations WHERE task_id IN "
                        f"({db.marks(chunk)}) AND NOT deleted ORDER BY task_id, id", chunk)
        for ann_id, task_id, fields, author in rows:
            found = annotation_of(ann_id, task_id, loads(fields), author)
            if found is not None:
                out[task_id].append(found)
    return out


def project_schema(conn: Connection, project_id: int) -> LabelSchema:
    (text,) = db.fetch(conn, "SELECT CAST(schema AS TEXT) FROM projects WHERE id = ?", [project_id])[0]
    return _schema(text)


@functools.lru_cache(maxsize=64)
def _schema(text: str) -> LabelSchema:
    """A stored schema parsed once (by its text: a new version is new text)."""
    try:
        return LabelSchema.from_json(loads(text))
    except SchemaError:
        return LabelSchema()


def items_of(annotations: Sequence[Annotation], frames: int, schema: LabelSchema) -> list[Item]:
    return items_from_annotations(annotations, frames, schema.track_attributes)


# --- figures as JSON -------------------------------------------------------------------------------------------

def tally_json(tally: Tally) -> dict[str, Any]:
    """Per-label counts (precision, recall, F1, TP, FP, FN) and the label confusions, as stored and sent."""
    labels = {name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                     "tp": s.tp, "fp": s.fp, "fn": s.fn} for name, s in sorted(tally.labels.items())}
    return {"labels": labels,
            "confusions": [{"reference": a, "other": b, "count": n} for (a, b), n in tally.confusions()],
            "transcription_similarity": tally.text_similarity}


def consensus_summary(names: Sequence[str], task_ids: Sequence[int], result: Consensus) -> dict[str, Any]:
    """The stored figures of one merge: the task's agreement, each pair's, each replica's mean, and the counts."""
    pairs: list[dict[str, Any]] = []
    per: list[list[float]] = [[] for _ in names]
    for (i, j), c in zip(itertools.combinations(range(len(names)), 2), result.comparisons, strict=True):
        pairs.append({"a": names[i], "b": names[j], "a_task": task_ids[i], "b_task": task_ids[j],
                      "agreement": round(c.agreement, 4), "matched": len(c.pairs),
                      "unmatched": len(c.only_a) + len(c.only_b)})
        per[i].append(c.agreement)
        per[j].append(c.agreement)
    replicas = [{"task_id": t, "annotator": n, "agreement": round(sum(p) / len(p), 4) if p else 1.0}
                for t, n, p in zip(task_ids, names, per, strict=True)]
    return {"agreement": round(result.agreement, 4), "needs_lead": result.to_lead, "kept": len(result.merged),
            "dropped": len(result.dropped), "pairs": pairs, "replicas": replicas, **tally_json(result.tally())}


def gold_summary(gold: RowMapping, comparison: Comparison) -> dict[str, Any]:
    return {"gold_task_id": gold["task_id"], "gold_version": gold["version"],
            "agreement": round(comparison.agreement, 4), "matched": len(comparison.pairs),
            "missed": len(comparison.only_a), "extra": len(comparison.only_b), **tally_json(comparison.tally())}


# --- consensus -------------------------------------------------------------------------------------------------

def merge_answers(answers: Sequence[Sequence[Item]], rules: dict[str, Any]) -> Consensus:
    """core.agreement.consensus with the origin's settings (the part the benchmark times on its own)."""
    return consensus(answers, rules["quorum"], rules["threshold"], rules["min_agreement"])


def merge_origin(conn: Connection, origin_id: int, now: float | None = None) -> dict[str, Any]:
    """Every replica of the origin is in: compare, merge by quorum into the origin, flag it, store the figures."""
    now = time.time() if now is None else now
    pid, frames, rules = db.fetch(conn, "SELECT t.project_id, t.frames, CAST(c.rules AS TEXT) FROM tasks t JOIN "
                                  "consensus_origins c ON c.task_id = t.id WHERE t.id = ?", [origin_id])[0]
    reps = db.fetch(conn, "SELECT task_id, annotator FROM replicas WHERE origin_id = ? AND purpose = 'consensus' "
                    "ORDER BY task_id", [origin_id])
    ids, names = [r[0] for r in reps], [r[1] for r in reps]
    schema = project_schema(conn, pid)
    found = live_annotations(conn, ids)
    result = merge_answers([items_of(found[t], frames, schema) for t in ids], loads(rules))
    summary = consensus_summary(names, ids, result)
    _replace_annotations(conn, origin_id, pid, [a for m in result.merged for a in merged_rows(origin_id, m)], now)
    db.bulk(conn, "UPDATE tasks SET status = 'submitted', revision = revision + 1, updated_at = ? WHERE id = ?",
            [(now, origin_id)])
    conn.execute(C.update().where(C.c.task_id == origin_id).values(
        status="merged", agreement=summary["agreement"], needs_lead=summary["needs_lead"], result=summary,
        merged_at=now))
    db.bulk(conn, "UPDATE replicas SET score = ? WHERE task_id = ?",
            [(rep["agreement"], rep["task_id"]) for rep in summary["replicas"]])
    emit_many(conn, [("task", str(origin_id), pid, origin_id), ("consensus", str(origin_id), pid, origin_id),
                     *(("replica", str(t), pid, t) for t in ids)])
    count_task_status(conn, pid, "submitted")
    audit(conn, None, "consensus.merge", f"task:{origin_id}", project=pid, agreement=summary["agreement"],
          needs_lead=summary["needs_lead"], kept=summary["kept"], dropped=summary["dropped"], replicas=ids)
    return summary


def merged_rows(task_id: int, merged: Merged) -> list[Annotation]:
    """The origin's new rows for one merged object: a shape, or a track's keyframes."""
    item = merged.item
    if item.track is not None:
        track = dataclasses.replace(item.track.track, id=new_id(), label=item.label,
                                    attributes=dict(item.attributes), source=HUMAN)
        return track_rows(task_id, track, AUTHOR)
    assert item.shape is not None
    return [Annotation(new_id(), task_id, item.label, item.shape, dict(item.attributes), author=AUTHOR,
                       frame=item.frame)]


def annotation_fields(a: Annotation) -> dict[str, Any]:
    """Protocol fields of an annotation (docs/sync.md): the video fields only where set, as clients send them."""
    fields: dict[str, Any] = {
        "label": a.label, "kind": a.kind, "geometry": a.shape.to_json(), "attributes": dict(a.attributes),
        "source_kind": a.source.kind.value, "source_score": a.source.score, "source_model": a.source.model_id,
        "group": a.group, "z": a.z, "hidden": a.hidden, "locked": a.locked}
    for name, value, unset in (("frame", a.frame, None), ("track", a.track, None), ("outside", a.outside, False),
                               ("occluded", a.occluded, False)):
        if value != unset:
            fields[name] = value
    return fields


def _replace_annotations(conn: Connection, task_id: int, project_id: int, rows: list[Annotation], now: float) -> None:
    """The task's live shapes become tombstones and the merged shapes take their place, as if a client wrote them."""
    old = db.fetch(conn, "SELECT id, revision, CAST(field_meta AS TEXT) FROM annotations WHERE task_id = ? AND NOT "
                   "deleted", [task_id])
    gone = [(r + 1, _deleted(meta, [r + 1, AUTHOR, False, SERVER_CLIENT]), AUTHOR, now, i) for i, r, meta in old]
    update_rows(conn, db.annotations, ("deleted", "revision", "field_meta", "author", "updated_at"), "id",
                [(True, *g) for g in gone])
    emit_many(conn, [("annotation", i, project_id, task_id) for i, _r, _m in old])
    insert_server_annotations(conn, project_id, rows, AUTHOR, now)


def _deleted(stored_meta: str, write: list[Any]) -> str:
    meta = FieldMeta.parse(stored_meta)
    meta.set(["_deleted"], write)
    return meta.dumps()


def insert_server_annotations(conn: Connection, project_id: int, rows: Sequence[Annotation], author: str,
                              now: float) -> None:
    """New annotations the server writes itself (merged consensus, server-side pre-labels), stored as a client's
    push would store them (revision 1, every field's meta), with the events that bring them to the next pull."""
    new = []
    for ann in rows:
        fields = annotation_fields(ann)
        meta = FieldMeta.written(fields, [1, author, False, SERVER_CLIENT])
        new.append((ann.id, ann.task_id, 1, False, dumps_str(fields), meta.dumps(), author, now))
    insert_rows(conn, db.annotations, new)
    emit_many(conn, [("annotation", n[0], project_id, n[1]) for n in new])


# --- gold ------------------------------------------------------------------------------------------------------

def latest_gold(conn: Connection, task_id: int) -> RowMapping | None:
    return conn.execute(sa.select(G).where(G.c.task_id == task_id).order_by(G.c.version.desc()).limit(1)
                        ).mappings().first()


def gold_items(gold: RowMapping, frames: int, schema: LabelSchema) -> list[Item]:
    found = (annotation_of(e["id"], gold["task_id"], e["fields"]) for e in gold["answer"])
    return items_of([a for a in found if a is not None], frames, schema)


def score_gold(conn: Connection, replica_id: int, threshold: float, now: float | None = None) -> dict[str, Any] | None:
    """Score a submitted gold replica against the latest answer of its gold task (None: that task has none)."""
    link = conn.execute(sa.select(R).where(R.c.task_id == replica_id)).mappings().one()
    gold = latest_gold(conn, link["origin_id"])
    if gold is None:
        return None
    task = conn.execute(sa.select(db.tasks).where(db.tasks.c.id == replica_id)).mappings().one()
    schema = project_schema(conn, task["project_id"])
    mine = items_of(live_annotations(conn, [replica_id])[replica_id], task["frames"], schema)
    comparison = match(gold_items(gold, task["frames"], schema), mine, threshold)
    summary = gold_summary(gold, comparison)
    conn.execute(R.update().where(R.c.task_id == replica_id).values(score=summary["agreement"], result=summary))
    emit(conn, "replica", replica_id, task["project_id"], replica_id)
    audit(conn, None, "gold.score", f"task:{replica_id}", project=task["project_id"], gold=link["origin_id"],
          version=gold["version"], annotator=link["annotator"], agreement=summary["agreement"])
    return summary
