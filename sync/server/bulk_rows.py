"""Many rows into one table in one go, for the push hot path: executemany on SQLite, one statement on PostgreSQL.

On SQLite a statement per row is cheap (no round trip, prepared once). On PostgreSQL each row of an executemany is
still a bind, an execute and a result, ~30 us in psycopg and as much again in the backend: a 1,000-op batch spent
more there than in everything else. There the rows go as one JSON array (written by orjson in one call, with JSON
columns' text embedded as is) that `json_to_recordset` turns into rows of the table's column types, in a single
INSERT or UPDATE. (psycopg's arrays, one per column, cost as much again: its text dumper quotes each item in
Python.) Values are what the driver takes, JSON columns already encoded as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.fastjson import Encoded, dumps_str
from sync.server import db


def insert_rows(conn: Connection, table: sa.Table, rows: list[tuple[Any, ...]],
                columns: Sequence[str] | None = None) -> None:
    """Insert `rows`, one value per column of `columns` (every column of the table, in its order, by default)."""
    if not rows:
        return
    columns = columns or [c.name for c in table.c]
    names = ", ".join(columns)
    if conn.dialect.name != "postgresql":
        db.bulk(conn, f"INSERT INTO {table.name} ({names}) VALUES ({db.marks(columns)})", rows)
        return
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {_recordset(conn, table, columns)}",
                         (_payload(table, columns, rows),))


def update_rows(conn: Connection, table: sa.Table, columns: Sequence[str], key: str,
                rows: list[tuple[Any, ...]]) -> None:
    """Set `columns` of the rows whose `key` is each row's last value."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        sets = ", ".join(f"{c} = ?" for c in columns)
        db.bulk(conn, f"UPDATE {table.name} SET {sets} WHERE {key} = ?", rows)
        return
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    every = [*columns, key]
    conn.exec_driver_sql(f"UPDATE {table.name} AS t SET {sets} FROM {_recordset(conn, table, every)} "
                         f"WHERE t.{key} = v.{key}", (_payload(table, every, rows),))


def _recordset(conn: Connection, table: sa.Table, columns: Sequence[str]) -> str:
    types = ", ".join(f"{c} {table.c[c].type.compile(dialect=conn.dialect)}" for c in columns)
    return f"json_to_recordset(%s::json) AS v({types})"


def _payload(table: sa.Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> str:
    """The rows as one JSON array of objects, column name -> value."""
    encoded = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, sa.JSON)]
    names = [str(c) for c in columns]  # plain str: orjson refuses subclasses (SQLAlchemy's quoted_name) as keys
    objects = []
    for row in rows:
        values = list(row)
        for i in encoded:
            values[i] = Encoded(values[i])
        objects.append(dict(zip(names, values, strict=True)))
    return dumps_str(objects)
