"""Workspace database schema as a list of forward migrations.

`MIGRATIONS[i]` takes a database from version i to i + 1; the version is `PRAGMA user_version`. A migration runs in
the same transaction as its version bump, so a crash leaves the old or the new schema, never half of one. Never edit a
released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

Migration = Sequence[str]

_V1: Migration = (
    # meta: schema JSON, author, workspace id, created time, and the local transaction counter (untyped `value`).
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID",
    """CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        media_path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        content_hash TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'done', 'error')),
        error TEXT NOT NULL DEFAULT ''
    )""",
    # (status, id) serves both counting by status and paging a status filter in id order.
    "CREATE INDEX tasks_by_status ON tasks (status, id)",
    "CREATE INDEX tasks_by_name ON tasks (name)",
    # The rowid keeps insertion (drawing) order, and one bulk import's rows get consecutive rowids, which its single
    # outbox row names as a range. A box keeps its numbers in x, y, w, h (exact doubles, no text formatting when a
    # million are imported; untyped columns, so -0.0 stays -0.0); other kinds keep their JSON in geometry_json.
    # `geometry` is the JSON of either, computed for SQL readers (17 significant digits, exact in any realistic range
    # but not for every double in SQLite 3.40); the app reads the exact columns. attributes is NULL when empty.
    """CREATE TABLE annotations (
        id TEXT NOT NULL UNIQUE,
        task_id INTEGER NOT NULL REFERENCES tasks (id),
        label TEXT NOT NULL,
        kind TEXT NOT NULL,
        x, y, w, h,
        geometry_json TEXT,
        attributes TEXT,
        author TEXT NOT NULL DEFAULT '',
        source_kind TEXT NOT NULL DEFAULT 'human',
        source_score REAL,
        source_model TEXT,
        revision INTEGER NOT NULL,
        group_id INTEGER,
        z INTEGER NOT NULL DEFAULT 0,
        hidden INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        updated_at REAL NOT NULL,
        geometry TEXT GENERATED ALWAYS AS (
            coalesce(geometry_json, printf('[%!.17g,%!.17g,%!.17g,%!.17g]', x, y, w, h))
        ) VIRTUAL
    )""",
    "CREATE INDEX annotations_by_task ON annotations (task_id)",
    # The outbox: one small row per stored change; sync reads the current payload when it seals a batch. A bulk
    # import writes ONE row for all its annotations: first_row..last_row are their annotation rowids and the row
    # stands for as many seq numbers, ending at its own (see Workspace.outbox). AUTOINCREMENT: a seq is never
    # reused, even after the outbox was emptied, so a reader's `after_seq` stays valid.
    """CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        txn INTEGER NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        op TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        first_row INTEGER,
        last_row INTEGER
    )""",
)

# Sync with a server (sync/client). A plain local workspace keeps these tables empty.
_V2: Migration = (
    # key/value state of the sync client: server url, user, client id, pull cursor, batch chain head, last error.
    "CREATE TABLE sync_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    # Local task <-> server task. Pulled tasks get a local row (media in the encrypted cache) and this mapping.
    """CREATE TABLE sync_tasks (
        local_id INTEGER PRIMARY KEY REFERENCES tasks (id),
        server_id INTEGER NOT NULL UNIQUE,
        project_id INTEGER NOT NULL,
        media_sha256 TEXT NOT NULL,
        server_status TEXT NOT NULL,
        assignee TEXT,
        revision INTEGER NOT NULL
    )""",
    # Per annotation: the server revision last seen and a copy of the row as last sent or received (the shadow,
    # encoded like the row; kind is NULL when there is none), which the next op is diffed against so it carries only
    # what changed. A copy made in SQL costs no decoding or encryption per row.
    """CREATE TABLE sync_annotations (
        id TEXT PRIMARY KEY, revision INTEGER NOT NULL, label, kind TEXT, x, y, w, h, geometry_json, attributes,
        source_kind, source_score, source_model, group_id, z, hidden, locked, deleted
    ) WITHOUT ROWID""",
    # Sealed batches not yet acknowledged, in chain order: a retry resends exactly these bytes. `ops` is what they
    # carry (encoded like the payloads), to keep a refused op's values; a batch of no ops only advances the outbox.
    """CREATE TABLE sync_batches (
        seq INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL UNIQUE,
        first_op INTEGER NOT NULL,
        last_op INTEGER NOT NULL,
        through_seq INTEGER NOT NULL,
        op_count INTEGER NOT NULL,
        body BLOB NOT NULL,
        ops BLOB,
        sealed_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
    )""",
    # Ops the server refused or merged against us (reviewer_wins, task_closed...): kept for the user to see.
    """CREATE TABLE sync_rejections (
        op_id INTEGER PRIMARY KEY,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        task_id INTEGER,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        payload BLOB,
        at REAL NOT NULL
    )""",
    # Review decisions and comments pulled from the server (comment text encoded like the payload columns).
    """CREATE TABLE sync_reviews (
        id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, decision TEXT NOT NULL, reviewer TEXT NOT NULL,
        at REAL NOT NULL
    )""",
    """CREATE TABLE sync_comments (
        id INTEGER PRIMARY KEY, review_id INTEGER, task_id INTEGER NOT NULL, author TEXT NOT NULL, at REAL NOT NULL,
        body BLOB NOT NULL
    )""",
    # Media to fetch for offline work (down) or to send (up, added by field workers); `offset` is what is stored.
    """CREATE TABLE sync_media (
        sha256 TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN ('down', 'up')), size INTEGER,
        path TEXT, done INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (sha256, direction)
    ) WITHOUT ROWID""",
)

# Values that lost a merge on the server (pulled by leads and admins): losing and winning value in `body`, encoded
# like the comments; the field and who lost or won stay readable, like the authors of annotations.
_V3: Migration = (
    """CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, annotation_id TEXT NOT NULL, field TEXT NOT NULL,
        loser TEXT NOT NULL, winner TEXT NOT NULL, at REAL NOT NULL, body BLOB NOT NULL
    )""",
    "CREATE INDEX sync_conflicts_by_task ON sync_conflicts (task_id)",
)

# Tasks a model has run on, whether it found something or not (model_id: the .onnx content hash), so a repeated or
# resumed pre-labeling run skips the images where it found nothing too. Local bookkeeping: never synced.
_V4: Migration = (
    """CREATE TABLE model_runs (
        model_id TEXT NOT NULL, task_id INTEGER NOT NULL REFERENCES tasks (id), at REAL NOT NULL,
        PRIMARY KEY (model_id, task_id)
    ) WITHOUT ROWID""",
)

# Media kinds (core.media_kinds): a task is an image or a video; `frames` is 1 for an image. A video's frame index
# (pts and keyframe flags of every frame, core.video) is built once and kept by content hash, so a reopen needs no
# demux pass.
# A video annotation is on a frame (NULL on an image). Each keyframe of a track is a row of its own with the track id,
# so the server merges concurrent edits of two keyframes of one track; a shape on one frame only has no track.
# The frame index is partial: image rows (most of them, and every bulk import of images) never enter it, and a
# `frame = ?` query implies `frame IS NOT NULL`, so SQLite uses it. The shadows get the same columns.
_V5: Migration = (
    "ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'image'",
    "ALTER TABLE tasks ADD COLUMN frames INTEGER NOT NULL DEFAULT 1",
    "CREATE TABLE frame_indexes (content_hash TEXT PRIMARY KEY, data BLOB NOT NULL)",
    "ALTER TABLE annotations ADD COLUMN frame INTEGER",
    "ALTER TABLE annotations ADD COLUMN track_id TEXT",
    "ALTER TABLE annotations ADD COLUMN outside INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE annotations ADD COLUMN occluded INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX annotations_by_frame ON annotations (task_id, frame) WHERE frame IS NOT NULL",
    "ALTER TABLE sync_annotations ADD COLUMN frame INTEGER",
    "ALTER TABLE sync_annotations ADD COLUMN track_id TEXT",
    "ALTER TABLE sync_annotations ADD COLUMN outside INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sync_annotations ADD COLUMN occluded INTEGER NOT NULL DEFAULT 0",
)

# The columns of sync_annotations's copy of a row (the shadow), in one place for every SQL that copies a row in.
# Revision -1 marks a prediction kept as the model made it, which the server has not been sent yet
# (Workspace.insert_annotations; sync/client/batcher.py sends it before what the annotator changed).
SHADOW_COLUMNS = ("label, kind, x, y, w, h, geometry_json, attributes, source_kind, source_score, source_model, "
                  "group_id, z, hidden, locked, frame, track_id, outside, occluded, deleted")

# Audio (core.audio): a task of kind 'audio' keeps its samples per channel in `frames` (width and height 0); its peaks
# pyramid (core.audio.PeaksPyramid.to_bytes, ~6.6 MB for an hour of 44.1 kHz stereo) is built by the decode pass at
# import and kept by content hash, like a video's frame index, so a reopen draws at once. The sample rate and channel
# count sit beside it as columns, so `stats` sums hours in SQL. A cache: derived from the media, never synced.
_V6: Migration = (
    """CREATE TABLE audio_peaks (
        content_hash TEXT PRIMARY KEY, sample_rate INTEGER NOT NULL, channels INTEGER NOT NULL,
        samples INTEGER NOT NULL, data BLOB NOT NULL
    )""",
)

# Reviews made offline (sync/client/review_store.py): a lead's decisions wait in review_decisions until the server
# answers; comments form threads (uid: the client's id, "c<id>" for one made on the server; parent: the thread's first
# comment) that anyone on the task can resolve; a comment written here and not yet on the server has a negative id.
# The server's lots (spot-review samples) reach leads as sync_lots. Bodies are sealed like the other payloads.
_V7: Migration = (
    "ALTER TABLE sync_comments ADD COLUMN uid TEXT",
    "ALTER TABLE sync_comments ADD COLUMN parent TEXT",
    "ALTER TABLE sync_comments ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sync_comments ADD COLUMN resolved_by TEXT",
    "UPDATE sync_comments SET uid = 'c' || id",
    "CREATE UNIQUE INDEX sync_comments_by_uid ON sync_comments (uid)",
    "CREATE INDEX sync_comments_by_task ON sync_comments (task_id)",
    "ALTER TABLE sync_reviews ADD COLUMN fixed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sync_reviews ADD COLUMN body BLOB",
    "ALTER TABLE sync_tasks ADD COLUMN updated_at REAL",
    """CREATE TABLE review_decisions (
        uid TEXT PRIMARY KEY, task_id INTEGER NOT NULL, decision TEXT NOT NULL, fixed INTEGER NOT NULL,
        at REAL NOT NULL, body BLOB NOT NULL, answer TEXT
    )""",
    "CREATE INDEX review_decisions_by_task ON review_decisions (task_id)",
    "CREATE TABLE sync_lots (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, body TEXT NOT NULL)",
)

# Time tracking (core/active_time.py, sync/time_log.py): each stored piece of active time on a task, in seconds, with
# the times of its first and last input event (seconds since the epoch) and who worked; uid names it on the server,
# so a resent piece is added once. `answer` is None until the server answers: "applied", or why it was refused.
_V8: Migration = (
    """CREATE TABLE task_time (
        id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id), seconds REAL NOT NULL,
        started REAL NOT NULL, ended REAL NOT NULL, author TEXT NOT NULL, uid TEXT NOT NULL UNIQUE, answer TEXT
    )""",
    "CREATE INDEX task_time_by_task ON task_time (task_id)",
)

# Guidelines (sync/client/guidelines.py): the project's current guidelines as pulled (core.guidelines' JSON), sealed
# like the other payloads; their example images go into the encrypted media cache like task media (sync_media down).
_V9: Migration = (
    "CREATE TABLE sync_guidelines (project_id INTEGER PRIMARY KEY, version INTEGER NOT NULL, body BLOB NOT NULL)",
)

# What the server tells leads only about consensus and gold tasks (sync/server/replicas.py): `replica` (a task that is
# a copy of another for consensus or gold), `consensus` (an origin's agreement and whether it needs a lead) and `gold`
# items, by kind and server task id. A lead's queue puts origins that need a lead first; an export leaves replicas out.
_V10: Migration = (
    "CREATE TABLE sync_quality (kind TEXT NOT NULL, task_id INTEGER NOT NULL, body TEXT NOT NULL, "
    "PRIMARY KEY (kind, task_id)) WITHOUT ROWID",
)

# Review stages (sync/server/qa_settings.py parse_stages): the stage a pulled task waits at (0-based, into the
# project's stages, which sync_state keeps as `stages`), and the stage each pulled decision was made at.
_V11: Migration = (
    "ALTER TABLE sync_tasks ADD COLUMN stage INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sync_reviews ADD COLUMN stage TEXT",
)

# Each task's latest lot (of the highest id holding it; ReviewStore.put_lot keeps it): the lot's key and status and
# the task's place in its drawn sample (-1: not drawn), so the review queue filters and orders in SQL instead of
# reading every submitted task of a big project. Filled in from the lots already pulled.
_V12: Migration = (
    "CREATE TABLE sync_lot_tasks (task_id INTEGER PRIMARY KEY, lot_id INTEGER NOT NULL, key TEXT NOT NULL, "
    "rank INTEGER NOT NULL, status TEXT NOT NULL)",
    "CREATE INDEX sync_lot_tasks_by_lot ON sync_lot_tasks (lot_id)",
    "INSERT INTO sync_lot_tasks (task_id, lot_id, key, rank, status) SELECT j.value, l.id, "
    "coalesce(json_extract(l.body, '$.key'), ''), -1, coalesce(json_extract(l.body, '$.status'), '') "
    "FROM sync_lots l, json_each(l.body, '$.task_ids') j WHERE true ORDER BY l.id ON CONFLICT (task_id) DO UPDATE "
    "SET lot_id = excluded.lot_id, key = excluded.key, status = excluded.status",
    "UPDATE sync_lot_tasks SET rank = d.key FROM (SELECT l.id AS lot_id, s.key, s.value FROM sync_lots l, "
    "json_each(l.body, '$.sample') s) d WHERE sync_lot_tasks.task_id = d.value AND sync_lot_tasks.lot_id = d.lot_id",
)

MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10, _V11, _V12)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the missing migrations in order, each in its own transaction; returns the final version.

    `conn` must be in autocommit mode (isolation_level=None). The caller has already refused newer files.
    """
    version = user_version(conn)
    for target in range(version + 1, len(migrations) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) >= target:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in migrations[target - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return user_version(conn)
