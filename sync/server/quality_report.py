"""Per-annotator quality of a project (issue 12, item 10): consensus agreement, gold accuracy and review outcomes.

- consensus agreement: the mean, over the annotator's merged consensus replicas, of each replica's agreement (the
  mean of its pairs with the other replicas of its origin);
- gold accuracy: the mean agreement of their scored gold replicas with the gold answers;
- reviews (the `reviews` table; a review's annotator is its task's assignee): the tasks reviewed, and the decisions
  accepted (as they were), rejected and fixed (accepted after the lead's fixes). A task rejected and accepted later
  counts in both.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.server import db

COLUMNS = ("annotator", "consensus_tasks", "consensus_agreement", "gold_tasks", "gold_accuracy", "reviewed",
           "accepted", "rejected", "fixed")


def rows(conn: Connection, project_id: int) -> list[dict[str, Any]]:
    """One row per annotator with a scored replica or a reviewed task in the project, by name."""
    R, t, u, rv = db.replicas, db.tasks, db.users, db.reviews
    out: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        return out.setdefault(name, dict.fromkeys(COLUMNS, 0) | {"annotator": name, "consensus_agreement": None,
                                                                  "gold_accuracy": None})

    scores = conn.execute(sa.select(R.c.annotator, R.c.purpose, sa.func.count(), sa.func.avg(R.c.score)).where(
        R.c.project_id == project_id, R.c.score.is_not(None)).group_by(R.c.annotator, R.c.purpose)).all()
    for name, purpose, n, mean in scores:
        row(name)[f"{purpose}_tasks"] = int(n)
        row(name)["consensus_agreement" if purpose == "consensus" else "gold_accuracy"] = round(float(mean), 4)
    decisions = conn.execute(
        sa.select(u.c.name, sa.func.count(sa.distinct(rv.c.task_id)),
                  sa.func.sum(sa.case(((rv.c.decision == "accept") & ~rv.c.fixed, 1), else_=0)),
                  sa.func.sum(sa.case((rv.c.decision == "reject", 1), else_=0)),
                  sa.func.sum(sa.case(((rv.c.decision == "accept") & rv.c.fixed, 1), else_=0)))
        .select_from(rv.join(t, t.c.id == rv.c.task_id).join(u, u.c.id == t.c.assignee_id))
        .where(t.c.project_id == project_id).group_by(u.c.name)).all()
    for name, reviewed, accepted, rejected, fixed in decisions:
        row(name).update(reviewed=int(reviewed), accepted=int(accepted or 0), rejected=int(rejected or 0),
                         fixed=int(fixed or 0))
    return [out[name] for name in sorted(out)]


def to_csv(items: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    """The rows as CSV with a header line (empty cells for figures not measured)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow({k: "" if item.get(k) is None else item[k] for k in columns})
    return buffer.getvalue()
