"""The local workspace: one SQLite file per project holding tasks, annotations and the outbox of unsynced changes.

Every edit is one transaction that writes the annotation rows and their outbox rows together, so sync can never miss
an edit nor send one that was not stored. WAL with synchronous=FULL: a commit is on disk when `commit` returns (the
benchmark measures its cost), and readers on other connections never wait for the writer. There is one writer
connection per workspace, guarded by a lock so the app may commit from a worker thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from core.annotation import Annotation, Task, TaskStatus
from core.document import Change, ChangeOp
from core.messages import compose, error_text, translate
from core.schema import LabelSchema, SchemaError
from sync import kept_predictions, outbox
from sync.database import (
    BULK_CACHE_KIB,
    CACHE_KIB,
    DB_NAME,
    NewerWorkspaceError,
    WorkspaceError,
    connect,
    default_author,
    stored_version,
)
from sync.media_import import ImportReport, import_media
from sync.migrations import SCHEMA_VERSION, migrate
from sync.outbox import OutboxEntry
from sync.records import (
    ANNOTATION_COLUMNS,
    TASK_COLUMNS,
    PayloadCodec,
    RecordError,
    annotation_from_row,
    annotation_row,
    task_from_row,
)
from sync.workspace_extras import WorkspaceExtras

__all__ = [
    "DB_NAME",
    "SCHEMA_VERSION",
    "ImportReport",
    "NewerWorkspaceError",
    "OutboxEntry",
    "Workspace",
    "WorkspaceError",
]

_UNFINISHED = f"status IN ('{TaskStatus.NEW}', '{TaskStatus.IN_PROGRESS}')"
_PLACEHOLDERS = ", ".join("?" * len(ANNOTATION_COLUMNS.split(",")))
_WRITTEN = [c.strip() for c in ANNOTATION_COLUMNS.split(",")] + ["deleted", "updated_at"]
# Only a newer revision replaces a stored row: a stale document (the task edited elsewhere) fails loudly.
_UPSERT_ANNOTATION = (
    f"INSERT INTO annotations ({', '.join(_WRITTEN)}) VALUES ({_PLACEHOLDERS}, ?, ?) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _WRITTEN if c != "id")
    + " WHERE excluded.revision > annotations.revision"
)
_LOG = "INSERT INTO changes (txn, entity, entity_id, op, revision, created_at) VALUES (?, ?, ?, ?, ?, ?)"
class Workspace(WorkspaceExtras):
    """One open workspace; `open(readonly=True)` gives a second, read-only connection for the UI's reads.

    A workspace whose meta has an `encryption` entry keeps its annotation payloads encrypted: the process installs
    `codec_provider` (sync/client/at_rest.py), which returns the codec for it once its key is unlocked.
    """

    codec_provider: ClassVar[Callable[[Path, str, str], PayloadCodec] | None] = None

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._conn = conn
        self._lock = threading.RLock()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self.workspace_id: str = meta["workspace_id"]
        self.created: str = meta["created"]
        self._author: str = meta["author"]
        self.codec: PayloadCodec | None = None
        if "encryption" in meta:
            if Workspace.codec_provider is None:
                raise WorkspaceError(translate("workspace", "{file}: the workspace is encrypted and no key is "
                                               "available; log in (annodesk login) or unlock it with its "
                                               "passphrase").format(file=path / DB_NAME))
            self.codec = Workspace.codec_provider(path, self.workspace_id, meta["encryption"])
        try:
            schema_text = self.codec.decode_text("schema", meta["schema"]) if self.codec else meta["schema"]
            self._schema = LabelSchema.from_json(json.loads(schema_text))
        except (ValueError, SchemaError) as exc:
            raise WorkspaceError(_bad_schema(path / DB_NAME, exc)) from None

    # -- opening and closing -------------------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: str | Path, schema: LabelSchema | None = None) -> Workspace:
        """Make a new workspace in `directory`; built under a temporary name and renamed, so it appears whole."""
        directory = Path(directory)
        db = directory / DB_NAME
        if db.exists():
            raise WorkspaceError(translate("workspace", "{folder}: a workspace already exists here").format(
                folder=directory))
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / (DB_NAME + ".partial")
        partial.unlink(missing_ok=True)
        conn = connect(partial, readonly=False)
        try:
            migrate(conn)
            meta = {
                "workspace_id": uuid.uuid4().hex,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "author": default_author(),
                "schema": json.dumps((schema or LabelSchema()).to_json()),
                "last_txn": 0,
            }
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            conn.execute("COMMIT")
        finally:
            conn.close()  # the last connection checkpoints the WAL into the file
        partial.replace(db)
        return cls.open(directory)

    @classmethod
    def open(cls, directory: str | Path, *, readonly: bool = False) -> Workspace:
        directory = Path(directory)
        db = directory / DB_NAME
        version = stored_version(db)
        if readonly and version < SCHEMA_VERSION:
            cls.open(directory).close()  # forward migrations run once on a writer connection; then read as asked
        try:
            conn = connect(db, readonly)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(translate("workspace", "{file}: cannot open: {error}").format(
                file=db, error=exc)) from None
        try:
            if not readonly:
                migrate(conn)
            return cls(directory, conn, readonly)
        except BaseException:
            conn.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The writer connection inside one write transaction (committed on exit, rolled back on an exception).

        Reentrant on one thread: a block inside another is a savepoint of the outer transaction (its own failure
        undoes only its writes), so a caller can make several writes all or nothing (an import); other threads wait
        on the lock until the outer block ends."""
        if self.readonly:
            raise WorkspaceError(translate("workspace", "{folder}: opened read-only").format(folder=self.path))
        with self._lock:
            if self._conn.in_transaction:  # this thread's outer block: the lock is reentrant
                yield from self._savepoint()
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("SAVEPOINT nested")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK TO nested")
            self._conn.execute("RELEASE nested")
            raise
        self._conn.execute("RELEASE nested")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one consistent read: a read transaction on a read-only workspace (the UI's, which
        never waits for the writer), a write transaction otherwise."""
        if not self.readonly:
            with self.transaction() as conn:
                yield conn
            return
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()[0]

    @contextmanager
    def _bulk_settings(self) -> Iterator[None]:
        """For one bulk write: a 256 MiB page cache (it keeps the id and task indexes in memory), freed afterwards,
        and no per-row foreign key lookup (the caller checks the keys once)."""
        with self._lock:
            self._conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
            self._conn.execute("PRAGMA foreign_keys = OFF")
            try:
                yield
            finally:
                self._conn.execute("PRAGMA foreign_keys = ON")
                self._conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
                self._conn.execute("PRAGMA shrink_memory")

    def log_change(self, conn: sqlite3.Connection, entity: str, entity_id: str, op: str) -> None:
        """One outbox row, in the caller's transaction, for a change the sync client reads from its entity."""
        conn.execute(_LOG, (self._next_txn(conn), entity, entity_id, op, 0, time.time()))

    @staticmethod
    def _next_txn(conn: sqlite3.Connection) -> int:
        return outbox.next_txn(conn)

    # -- metadata ------------------------------------------------------------------------------------------------

    @property
    def author(self) -> str:
        return self._author

    @author.setter
    def author(self, name: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'author'", (name,))
        self._author = name

    @property
    def schema(self) -> LabelSchema:
        return self._schema

    def reload_schema(self) -> LabelSchema:
        """Read the stored schema again: a sync round on another connection may have stored the server's."""
        with self.reading() as conn:
            stored = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        try:
            text = self.codec.decode_text("schema", stored) if self.codec else stored
            self._schema = LabelSchema.from_json(json.loads(text))
        except (ValueError, SchemaError) as exc:
            raise WorkspaceError(_bad_schema(self.path / DB_NAME, exc)) from None
        return self._schema

    def set_schema(self, schema: LabelSchema) -> None:
        with self.transaction() as conn:
            self.store_schema(conn, schema)
            self.log_change(conn, "schema", "labels", "set")

    def store_schema(self, conn: sqlite3.Connection, schema: LabelSchema) -> None:
        """Write the schema inside the caller's transaction, without an outbox row (sync applies the server's)."""
        text = json.dumps(schema.to_json())
        stored = self.codec.encode_text("schema", text) if self.codec else text
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (stored,))
        self._schema = schema

    # -- tasks ---------------------------------------------------------------------------------------------------

    def add_media(
        self,
        paths: Iterable[str | Path],
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        kind: str | None = None,
    ) -> ImportReport:
        """Files and folders (recursive) become tasks; bad files become ERROR tasks with the reason. `kind` adds
        every file as that media kind ("audio": the sound track of videos too).

        Files are probed outside any transaction and stored in batches, so a long import neither holds the write
        lock nor pays one transaction per file; a cancelled import keeps what it has stored.
        """
        return import_media(self, paths, progress, cancelled, kind)

    def known_media(self, media_paths: Sequence[str]) -> set[str]:
        """Those of `media_paths` that already have a task."""
        marks = ", ".join("?" * len(media_paths))
        return {r[0] for r in self._rows(f"SELECT media_path FROM tasks WHERE media_path IN ({marks})", media_paths)}

    def task_count(self, status: TaskStatus | None = None) -> int:
        if status is None:
            return int(self._value("SELECT count(*) FROM tasks"))
        return int(self._value("SELECT count(*) FROM tasks WHERE status = ?", (status.value,)))

    def tasks(self, offset: int = 0, limit: int = 100, status: TaskStatus | None = None) -> list[Task]:
        """A page of tasks in id order."""
        where, params = ("WHERE status = ?", [status.value]) if status is not None else ("", [])
        sql = f"SELECT {TASK_COLUMNS} FROM tasks {where} ORDER BY id LIMIT ? OFFSET ?"
        rows = self._rows(sql, [*params, limit, offset])
        return [task_from_row(r) for r in rows]

    def task(self, task_id: int) -> Task:
        rows = self._rows(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        if not rows:
            raise KeyError(f"no task {task_id} in {self.path}")
        return task_from_row(rows[0])

    def task_row(self, task_id: int, status: TaskStatus | None = None) -> int:
        """0-based position of a task in `tasks(status=status)`; KeyError if it is not in that list."""
        task = self.task(task_id)
        if status is None:
            return int(self._value("SELECT count(*) FROM tasks WHERE id < ?", (task_id,)))
        if task.status is not status:
            raise KeyError(f"task {task_id} is {task.status.value}, not {status.value}")
        return int(self._value("SELECT count(*) FROM tasks WHERE status = ? AND id < ?", (status.value, task_id)))

    def neighbour_task(self, task_id: int, step: int, unfinished_only: bool = False) -> Task | None:
        """The task `step` places after (or before, when negative) `task_id` in id order, or None past the end."""
        if step == 0:
            raise ValueError("step must not be 0")
        op, order = (">", "ASC") if step > 0 else ("<", "DESC")
        where = f"id {op} ?" + (f" AND {_UNFINISHED}" if unfinished_only else "")
        rows = self._rows(
            f"SELECT {TASK_COLUMNS} FROM tasks WHERE {where} ORDER BY id {order} LIMIT 1 OFFSET ?",
            (task_id, abs(step) - 1),
        )
        return task_from_row(rows[0]) if rows else None

    def find_task(self, media_path_or_name: str) -> Task | None:
        """The task of a media path (as given or resolved), else of a file name that only one task has."""
        for path in dict.fromkeys((media_path_or_name, str(Path(media_path_or_name).resolve()))):
            rows = self._rows(f"SELECT {TASK_COLUMNS} FROM tasks WHERE media_path = ?", (path,))
            if rows:
                return task_from_row(rows[0])
        name = Path(media_path_or_name).name
        rows = self._rows(f"SELECT {TASK_COLUMNS} FROM tasks WHERE name = ? LIMIT 2", (name,))
        if not rows and name and "." not in name:
            # a recording named without its extension (an RTTM file id, the stem of a TextGrid or label track):
            # the one audio task whose name is that stem plus one extension
            pattern = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"
            rows = self._rows(f"SELECT {TASK_COLUMNS} FROM tasks WHERE kind = 'audio' AND name LIKE ? ESCAPE '\\' "
                              "LIMIT 3", (pattern,))
            rows = [r for r in rows if Path(task_from_row(r).name).stem == name]
        return task_from_row(rows[0]) if len(rows) == 1 else None

    def set_task_status(self, task_id: int, status: TaskStatus, error: str = "") -> None:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE tasks SET status = ?, error = ? WHERE id = ?", (status.value, error, task_id))
            if cur.rowcount == 0:
                raise KeyError(f"no task {task_id} in {self.path}")
            self.log_change(conn, "task", str(task_id), "status")

    # -- annotations ---------------------------------------------------------------------------------------------

    def annotations(self, task_id: int) -> list[Annotation]:
        """Live annotations of a task in drawing (first stored) order."""
        rows = self._rows(
            f"SELECT {ANNOTATION_COLUMNS} FROM annotations WHERE task_id = ? AND deleted = 0 ORDER BY rowid",
            (task_id,),
        )
        if self.codec is not None:
            rows = self.codec.decode_rows(rows)
        try:
            return [annotation_from_row(r) for r in rows]
        except RecordError as exc:
            raise WorkspaceError(compose("{file}: {error}", file=self.path / DB_NAME, error=exc)) from None

    def revisions(self, task_id: int) -> dict[str, int]:
        """id -> revision of a task's live annotations, without decoding them: is an open copy still current?"""
        rows = self._rows("SELECT id, revision FROM annotations WHERE task_id = ? AND deleted = 0", (task_id,))
        return {r[0]: int(r[1]) for r in rows}

    def commit(self, task_id: int, changes: Sequence[Change]) -> int:
        """Store one edit: annotation rows (tombstones for deletes) and their outbox rows in ONE durable transaction.

        Returns the local transaction id the outbox rows share (0 when there is nothing to store). A NEW task
        becomes IN_PROGRESS in the same transaction.
        """
        if not changes:
            return 0
        now = time.time()
        encode = self.codec.encode_row if self.codec else _same
        try:
            rows = [
                (*encode(annotation_row(c.annotation, c.annotation.revision)), c.op is ChangeOp.DELETE, now)
                for c in changes
            ]
        except RecordError as exc:
            raise WorkspaceError(error_text(exc)) from None
        wrong = [c.annotation for c in changes if c.annotation.task_id != task_id]
        if wrong:
            raise WorkspaceError(f"annotation {wrong[0].id} belongs to task {wrong[0].task_id}, not {task_id}")
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM tasks WHERE id = ?", (task_id,)).fetchone() is None:
                raise KeyError(f"no task {task_id} in {self.path}")
            txn = self._next_txn(conn)
            stored = conn.executemany(_UPSERT_ANNOTATION, rows).rowcount
            if stored != len(rows):
                raise WorkspaceError(translate(
                    "workspace", "task {task}: an annotation was changed elsewhere (its stored revision is not "
                    "older); reload the task").format(task=task_id))
            kept_predictions.keep_committed(conn, changes)
            log = [(txn, "annotation", c.annotation.id, c.op.value, c.annotation.revision, now) for c in changes]
            started = conn.execute(
                "UPDATE tasks SET status = ? WHERE id = ? AND status = ?",
                (TaskStatus.IN_PROGRESS.value, task_id, TaskStatus.NEW.value),
            ).rowcount
            if started:
                log.append((txn, "task", str(task_id), "status", 0, now))
            conn.executemany(_LOG, log)
        return txn

    def insert_annotations(self, annotations: Iterable[Annotation]) -> int:
        """Bulk import (pre-labels, dataset import): new annotations and ONE outbox row in one transaction.

        Rows are streamed into `executemany`, so a million boxes never become a million Python tuples at once. Their
        rowids are consecutive and the outbox row names that range instead of copying a million ids. The foreign key
        check is off for the insert (a B-tree lookup per row) and the task ids are checked once instead. Returns the
        number stored.
        """
        now = time.time()
        count = 0
        task_ids: set[int] = set()
        seen = task_ids.add
        encode = self.codec.encode_row if self.codec else _same

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for a in annotations:
                count += 1
                seen(a.task_id)
                yield encode(annotation_row(a, a.revision if a.revision > 0 else 1))

        # The time is the same for every row: a literal costs nothing per row, a parameter does.
        sql = f"INSERT INTO annotations ({ANNOTATION_COLUMNS}, updated_at) VALUES ({_PLACEHOLDERS}, {now!r})"
        try:
            with self._bulk_settings(), self.transaction() as conn:
                txn = self._next_txn(conn)
                conn.executemany(sql, rows())
                missing = conn.execute(
                    "SELECT min(value) FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM tasks WHERE id = value)",
                    (json.dumps(sorted(task_ids)),),
                ).fetchone()[0]
                if missing is not None:
                    raise WorkspaceError(translate("workspace", "nothing imported: no task {task} in {folder}").format(
                        task=missing, folder=self.path))
                if count:
                    last = conn.execute("SELECT max(rowid) FROM annotations").fetchone()[0]
                    outbox.log_range(conn, txn, last - count + 1, last, now)
                    kept_predictions.keep_range(conn, last - count + 1, last)
        except RecordError as exc:
            raise WorkspaceError(translate("workspace", "nothing imported: {error}").format(error=exc)) from None
        except sqlite3.IntegrityError as exc:
            raise WorkspaceError(translate(
                "workspace", "nothing imported: annotation {index} of the batch breaks {error} (an id that is "
                "already stored)").format(index=count, error=exc)) from None
        return count

    # -- sync and health -----------------------------------------------------------------------------------------

    def pending_changes(self) -> int:
        return int(self._value("SELECT coalesce(sum(coalesce(last_row - first_row + 1, 1)), 0) FROM changes"))

    def outbox(self, after_seq: int = 0, limit: int = 1000) -> list[OutboxEntry]:
        """Outbox entries after `after_seq` in seq order, for sealing into batches (sync/outbox.py)."""
        with self._lock:
            return outbox.read(self._conn, after_seq, limit)

    def drop_outbox(self, through_seq: int) -> int:
        """Forget outbox entries the server has acknowledged; returns how many were removed."""
        with self.transaction() as conn:
            return outbox.drop(conn, through_seq)

    def integrity_check(self) -> str:
        return "\n".join(r[0] for r in self._rows("PRAGMA integrity_check"))


def _same(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return row


def _bad_schema(db: Path, exc: Exception) -> str:
    return translate("workspace", "{file}: meta.schema: {error}").format(file=db, error=exc)
