"""The server's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL) and its transactions.

Writes are serialised: SQLite takes its write lock up front (BEGIN IMMEDIATE) and PostgreSQL takes one transaction-
scoped advisory lock, so the event sequence numbers that pull pages by become visible in commit order and a reader's
cursor never skips a row that commits late.
"""


from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from sync import fastjson
from sync.server.config import ServerConfig

metadata = sa.MetaData()
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrement wants INTEGER PRIMARY KEY

users = sa.Table(
    "users", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)
devices = sa.Table(
    "devices", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("key_id", sa.String(16), nullable=False, unique=True),
    sa.Column("public_key", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float),
    sa.Column("last_batch_hash", sa.String(64), nullable=False, server_default=""),
)
tokens = sa.Table(
    "tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("device_id", sa.ForeignKey("devices.id")),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)
login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(256), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ix_login_failures_who", "username", "ip", "at"),
)
server_keys = sa.Table(
    "server_keys", metadata,
    sa.Column("key_id", sa.String(16), primary_key=True),
    sa.Column("private_key", sa.LargeBinary, nullable=False),
    sa.Column("public_key", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)
media_keys = sa.Table(  # secrets that seal media at rest in object storage (sync/server/media_seal.py)
    "media_keys", metadata,
    sa.Column("key_id", sa.String(16), primary_key=True),
    sa.Column("secret", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)
projects = sa.Table(
    "projects", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("schema", sa.JSON, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("locked", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("qa", sa.JSON),  # spot-review settings (sync/server/lots.py); None: no sampling. Added by _lots
    # review stages (qa_settings.parse_stages); None: one stage "review" by the leads and admins. Added by _stages
    sa.Column("stages", sa.JSON),
)
project_leads = sa.Table(  # who leads which project: a lead sees and manages those only (admins lead every project)
    "project_leads", metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)
media = sa.Table(
    "media", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.ForeignKey("users.id")),
    sa.Column("created_at", sa.Float, nullable=False),
)
tasks = sa.Table(
    "tasks", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("media_sha256", sa.String(64), sa.ForeignKey("media.sha256"), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    # the media kind (core.media_kinds: image, video, audio) and a video's frame count or a recording's samples per
    # channel (past 2**31: 64 bits); added to older stores by _task_kinds, where every task is an image of one frame
    sa.Column("kind", sa.String(16), nullable=False, server_default="image"),
    sa.Column("frames", sa.BigInteger, nullable=False, server_default="1"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("assignee_id", sa.ForeignKey("users.id"), index=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("batch", sa.String(200)),  # the batch it came in, for lots per batch; added by _lots
    # the review stage it waits at (0-based, into its project's stages); 0 again on each submission. Added by _stages
    sa.Column("stage", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_tasks_batch", "project_id", "batch"),
)
annotations = sa.Table(
    "annotations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),
    # who last wrote each field, "_deleted" for tombstones: one entry per write (sync/server/field_meta.py)
    sa.Column("field_meta", sa.JSON, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sqlite_with_rowid=False,  # the text key is the table's own B-tree: one index less to write per row
)
batches = sa.Table(
    "batches", metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("batch_id", sa.String(32), primary_key=True),
    sa.Column("batch_hash", sa.String(64), nullable=False),
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
    sa.Column("response", sa.LargeBinary, nullable=False),  # the answer as zstd-compressed JSON (push.py)
    sa.Column("created_at", sa.Float, nullable=False),
)
op_ranges = sa.Table(  # the exactly-once record: the op ids each accepted batch carried; its answer is in `batches`
    "op_ranges", metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("batch_id", sa.String(32), primary_key=True),
    sa.Column("first_op", sa.BigInteger, nullable=False),
    sa.Column("last_op", sa.BigInteger, nullable=False),
    sa.Index("ix_op_ranges_last", "client_id", "last_op"),
)
conflicts = sa.Table(
    "conflicts", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("annotation_id", sa.String(64), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("losing_value", sa.JSON),
    sa.Column("winning_value", sa.JSON),
    sa.Column("loser", sa.String(64), nullable=False),
    sa.Column("winner", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
reviews = sa.Table(
    "reviews", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reviewer", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    # added by _review_threads: the id a client chose for a decision made offline (a resend finds it), whether the
    # lead fixed the work before accepting it (a defect for sampling), and the reason of a rejection
    sa.Column("uid", sa.String(64), unique=True),
    sa.Column("fixed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("stage", sa.String(32)),  # the stage's name (added by _stages; None before stages, or a lot's verdict)
)
comments = sa.Table(  # threads: a root comment (pinned, resolvable) and its replies (parent = the root's uid)
    "comments", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("review_id", sa.ForeignKey("reviews.id")),  # None for a comment made outside a review
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("annotation_id", sa.String(64)),
    sa.Column("x", sa.Float),
    sa.Column("y", sa.Float),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("uid", sa.String(64), unique=True),  # the client's id; pull names older comments "c<id>"
    sa.Column("parent", sa.String(64)),
    sa.Column("pin", sa.JSON),  # sync/server/threads.py: annotation, point, box, frames, times
    sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("resolved_by", sa.String(64)),
    sa.Column("updated_at", sa.Float),
)
events = sa.Table(  # pointers into the tables above; pull resolves them to the current state
    "events", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("task_id", _ID, index=True),
    sqlite_autoincrement=True,
)
audit = sa.Table(
    "audit", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("user", sa.String(64)),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sqlite_autoincrement=True,
)
task_refs = sa.Table(  # client-chosen keys of created tasks: a repeated create returns the first task
    "task_refs", metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("client_ref", sa.String(64), primary_key=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False),
)

lots = sa.Table(  # spot-review lots (sync/server/lots.py): submitted tasks of a source, sampled when closed
    "lots", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # day (one annotator's day) or batch
    sa.Column("source", sa.String(200), nullable=False),  # the annotator's or the batch's name
    sa.Column("key", sa.String(300), nullable=False),
    sa.Column("round", sa.Integer, nullable=False),  # 0, or how many times its tasks were sent back before
    sa.Column("parent_id", sa.ForeignKey("lots.id")),  # the rejected lot a resubmitted lot's tasks came from
    sa.Column("resubmitted", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("rules", sa.JSON, nullable=False),  # the project's QA settings when the lot opened
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("opened_at", sa.Float, nullable=False),
    sa.Column("due_at", sa.Float),  # a day lot closes at the end of its day
    sa.Column("closed_at", sa.Float),
    sa.Column("decided_at", sa.Float),
    sa.Column("plan", sa.JSON),  # core.sampling.Plan's fields
    sa.Column("severity", sa.String(16)),
    sa.Column("seed", sa.String(64)),
    sa.Column("sample", sa.JSON),  # server task ids, in the order to review them
    sa.Column("defects", sa.Integer, nullable=False),
    sa.Column("reviewed", sa.Integer, nullable=False),
    sa.UniqueConstraint("project_id", "key", name="uq_lots_key"),
    sa.Index("ix_lots_status", "project_id", "status"),
)
lot_tasks = sa.Table(  # a task is in one lot per submission round; its latest lot is the one with the largest id
    "lot_tasks", metadata,
    sa.Column("lot_id", sa.ForeignKey("lots.id"), primary_key=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True, index=True),
    sa.Column("sampled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("outcome", sa.String(16)),  # None until decided: ok, defect (first review), lot_accept, returned
)
qa_sources = sa.Table(  # the switching state (core.sampling.Switching.to_dict) of each stream of lots
    "qa_sources", metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("switching", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
task_time = sa.Table(  # active time pushed by clients (sync/server/time_log.py): one row per piece, added once by uid
    "task_time", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),  # who worked ("user" is reserved in SQL)
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("started", sa.Float, nullable=False),  # the piece's first and last input event, client clock
    sa.Column("ended", sa.Float, nullable=False),
    sa.Column("uid", sa.String(64), nullable=False, unique=True),
    sa.Column("at", sa.Float, nullable=False),  # when the server stored it
    sa.Column("project_id", _ID, nullable=False),  # the task's: the dashboard sums a project's time without a join
    sa.Column("prev_started", sa.Float),  # of the same user's piece before it on the task (rollups.py keeps it)
)

guidelines = sa.Table(  # every saved version of a project's guidelines (core.guidelines JSON; guidelines.py)
    "guidelines", metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("body", sa.JSON, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
guideline_media = sa.Table(  # media that a version of a project's guidelines shows: its members may download it
    "guideline_media", metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("media.sha256"), primary_key=True, index=True),
)

# Consensus and gold tasks (sync/server/replicas.py). A replica is a task of its own, on its origin's media, for one
# annotator; these rows say which tasks are replicas and what they scored, and only leads and admins read them.
replicas = sa.Table(
    "replicas", metadata,
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("origin_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False),  # consensus or gold
    sa.Column("annotator", sa.String(64), nullable=False),  # the assignee; who submitted it, once submitted
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("submitted_at", sa.Float),
    sa.Column("score", sa.Float),  # consensus: mean agreement with the other replicas; gold: with the answer
    sa.Column("result", sa.JSON),  # pairs, or per-label counts and confusions against the gold answer
    sa.Index("ix_replicas_annotator", "project_id", "annotator", "purpose"),
)
consensus_origins = sa.Table(  # a task given to N annotators as replicas, merged by quorum once all are submitted
    "consensus_origins", metadata,
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open, merged
    sa.Column("rules", sa.JSON, nullable=False),  # the consensus settings when it was assigned
    sa.Column("seed", sa.String(64), nullable=False),
    sa.Column("agreement", sa.Float),
    sa.Column("needs_lead", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("result", sa.JSON),  # pairs, per annotator, kept and dropped, per label, confusions
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("merged_at", sa.Float),
    sa.Index("ix_consensus_status", "project_id", "status"),
)
gold_answers = sa.Table(  # a gold task's known answer, copied each time a lead marks it (the latest version holds)
    "gold_answers", metadata,
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("answer", sa.JSON, nullable=False),  # [{"id", "fields"}]: the accepted annotations, predictions aside
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
quality_settings = sa.Table(  # a project's consensus and gold settings (qa_settings.parse_quality)
    "quality_settings", metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

# The dashboard's figures (sync/server/dashboard.py), written where the work happens (dashboard_facts.py), so no
# chart has to read the annotations' JSON: every submission; the labels and the pre-labels of a task as submitted last;
# reviewers' label corrections; and the read-only tokens of wall screens (only their hash).
submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("resubmitted", sa.Boolean, nullable=False),  # the task had been submitted before
    sa.Index("ix_submissions_at", "project_id", "at", "username", "resubmitted"),
)
submitted_labels = sa.Table(
    "submitted_labels", metadata,
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("label", sa.Text, primary_key=True),
    sa.Column("shapes", sa.Integer, nullable=False),
    sa.Column("project_id", _ID, nullable=False),
)
submitted_models = sa.Table(  # per model: its predictions still pending, accepted unchanged, edited, deleted
    "submitted_models", metadata,
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("model", sa.Text, primary_key=True),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    *(sa.Column(name, sa.Integer, nullable=False) for name in ("pending", "accepted", "edited", "rejected")),
    sa.Index("ix_submitted_models_at", "project_id", "at", "model", "pending", "accepted", "edited", "rejected"),
)
corrections = sa.Table(  # a reviewer changed the label that an annotator gave a shape (merge.py)
    "corrections", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), nullable=False, index=True),
    sa.Column("annotation_id", sa.String(64), nullable=False),
    sa.Column("label_from", sa.Text, nullable=False),
    sa.Column("label_to", sa.Text, nullable=False),
    sa.Column("annotator", sa.String(64), nullable=False),
    sa.Column("reviewer", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False, index=True),
)
model_runs = sa.Table(  # server-side pre-labeling (farm/prelabel.py): a model (its .onnx content id) ran on a task,
    "model_runs", metadata,  # written with the task's predictions; found nothing is recorded too; a rerun skips it
    sa.Column("model_id", sa.String(64), primary_key=True),
    sa.Column("task_id", sa.ForeignKey("tasks.id"), primary_key=True, index=True),
    sa.Column("project_id", _ID, nullable=False),
    sa.Column("shapes", sa.Integer, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
frame_indexes = sa.Table(  # a video's frame index (core.video.FrameIndex.to_bytes, ~1 byte a frame) by its media's
    "frame_indexes", metadata,  # SHA-256: written by add-media's probe or the first pre-label run, so server-side
    sa.Column("sha256", sa.String(64), primary_key=True),  # pre-labeling reads each video once, not twice
    sa.Column("data", sa.LargeBinary, nullable=False),
)
dashboard_tokens = sa.Table(
    "dashboard_tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float),
)
# Per-day roll-ups of the facts above (sync/server/rollups.py): kept by triggers in the transaction of each fact,
# keyed by the UTC day (epoch seconds // 86400) of the time the charts filter on, so a 30-day window reads whole days
# here and only its partial first and last day from the facts.
submission_days = sa.Table(
    "submission_days", metadata,
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("day", sa.BigInteger, primary_key=True),
    sa.Column("username", sa.String(64), primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False) for name in ("submitted", "resubmitted")),
)
review_label_days = sa.Table(  # reviews by the labels their task was last submitted with
    "review_label_days", metadata,
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("day", sa.BigInteger, primary_key=True),
    sa.Column("label", sa.Text, primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False)
      for name in ("reviewed", "accepted", "fixed", "rejected", "returned")),
)
review_annotator_days = sa.Table(  # reviews by their task's assignee (its user id, 0 for none)
    "review_annotator_days", metadata,
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("day", sa.BigInteger, primary_key=True),
    sa.Column("assignee", sa.BigInteger, primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False)
      for name in ("reviewed", "accepted", "fixed", "rejected", "returned")),
)
active_days = sa.Table(  # active time by the day of each piece and the day of the piece before it on its task
    "active_days", metadata,
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("day", sa.BigInteger, primary_key=True),
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("prev_day", sa.BigInteger, primary_key=True),  # -1: the user's first piece on the task
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("pieces", sa.BigInteger, nullable=False),
)
task_time_pairs = sa.Table(  # each user's active time on each task, all days, and the span of its pieces' starts
    "task_time_pairs", metadata,
    sa.Column("project_id", _ID, primary_key=True),
    sa.Column("task_id", _ID, primary_key=True),
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("first_started", sa.Float, nullable=False),
    sa.Column("last_started", sa.Float, nullable=False),
    sa.Index("ix_task_time_pairs_seconds", "project_id", "seconds", "task_id", "username", "first_started",
             "last_started"),
)
DASHBOARD_INDEXES = (  # on tables older than the dashboard: Store() adds them to existing stores too
    sa.Index("ix_reviews_at", reviews.c.at, reviews.c.task_id, reviews.c.decision, reviews.c.fixed, reviews.c.reason),
    sa.Index("ix_conflicts_at", conflicts.c.field, conflicts.c.at),
    sa.Index("ix_task_time_started", task_time.c.project_id, task_time.c.started, task_time.c.username,
             task_time.c.task_id, task_time.c.seconds),
    sa.Index("ix_task_time_prev", task_time.c.project_id, task_time.c.prev_started, task_time.c.started,
             task_time.c.username),
    sa.Index("ix_replicas_submitted", replicas.c.project_id, replicas.c.purpose, replicas.c.submitted_at,
             replicas.c.annotator, replicas.c.score),
    sa.Index("ix_lots_decided", lots.c.project_id, lots.c.decided_at, lots.c.status, lots.c.source),
)

_PG_WRITE_LOCK = 0x414E4E4F  # "ANNO": the one advisory lock all writers take
_JSON_CODEC: dict[str, Any] = {"json_serializer": fastjson.dumps_str, "json_deserializer": fastjson.loads}


class Store:
    """The engine plus read/write transaction helpers; creates the schema on first use."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        url = config.database_url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            config.data_dir.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                                                   **_JSON_CODEC)
            sa.event.listen(self.engine, "connect", _sqlite_connect)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = sa.create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True, **_JSON_CODEC)
        config.blob_dir.mkdir(parents=True, exist_ok=True)
        from sync.server.db_upgrades import create_or_upgrade  # it reads this module's tables

        with self.write() as conn:
            create_or_upgrade(conn)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One serialised write transaction; committed when the block ends without an exception."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(annodesk_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_WRITE_LOCK)))
                yield conn

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # an answered push must survive a power cut
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("annodesk_write") else "BEGIN")


def insert_id(conn: Connection, statement: sa.Insert) -> int:
    """Run an INSERT of one row and return its new primary key."""
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def bulk(conn: Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """executemany straight on the driver for the push hot path (SQLAlchemy's per-row processing costs more than
    the database). `sql` uses ? placeholders; JSON values must already be encoded."""
    if rows:
        conn.exec_driver_sql(_driver_sql(conn, sql), rows)


def fetch(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    """All rows of a query straight from the driver (the push hot path); `sql` uses ? placeholders and reads JSON
    columns as text (CAST(... AS TEXT)), to be decoded by the caller."""
    return list(conn.exec_driver_sql(_driver_sql(conn, sql), tuple(params)).fetchall())


def marks(values: Sequence[Any]) -> str:
    """`?, ?, ...`: one placeholder per value, for IN (...)."""
    return ", ".join("?" * len(values))


def _driver_sql(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")
