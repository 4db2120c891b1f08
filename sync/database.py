"""Opening the workspace database: connection settings, and the version check that never writes to the file."""

from __future__ import annotations

import getpass
import sqlite3
from pathlib import Path

from core.messages import translate
from sync.migrations import SCHEMA_VERSION, user_version

DB_NAME = "workspace.db"
CACHE_KIB = 32 * 1024  # the writer's page cache
# 16 KiB pages, set on a new file only (SQLite ignores it on an existing one): a 1M-box import is 15-30 % faster
# (fewer pages to split, write and checksum) and one edit's commit stays near 1 ms at p99 (docs/benchmarks.md)
PAGE_SIZE = 16384
BULK_CACHE_KIB = 256 * 1024  # during a bulk import: 1M rows spill a smaller cache (measured 6.1 s vs 4.5 s)


class WorkspaceError(Exception):
    """A workspace that cannot be opened or an operation it refuses; the message names the path or the field."""


class NewerWorkspaceError(WorkspaceError):
    """The file was written by a newer Annodesk; it is refused and left untouched."""


def default_author() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def connect(db: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)  # fmt: skip
    else:
        conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        conn.execute("PRAGMA journal_size_limit = 67108864")  # the WAL shrinks back to 64 MiB after a big import
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def stored_version(db: Path) -> int:
    """The schema version, read through a read-only connection so a refused file is never written to."""
    if not db.is_file():
        raise WorkspaceError(translate("workspace", "{folder}: no workspace here ({file} is missing)").format(
            folder=db.parent, file=DB_NAME))
    try:
        conn = connect(db, readonly=True)
        try:
            version = user_version(conn)
            has_meta = version > 0 and conn.execute("SELECT 1 FROM meta WHERE key = 'workspace_id'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(translate("workspace", "{file}: not an Annodesk workspace: {error}").format(
            file=db, error=exc)) from None
    if version > SCHEMA_VERSION:
        raise NewerWorkspaceError(translate(
            "workspace", "{file}: written by a newer Annodesk (schema version {version}, this one reads up to "
            "{supported}); update Annodesk to open it").format(file=db, version=version, supported=SCHEMA_VERSION))
    if not has_meta:
        raise WorkspaceError(translate("workspace", "{file}: not an Annodesk workspace (no workspace metadata)").format(
            file=db))
    return version
