"""Predictions kept as the model made them, in a synced workspace, until the server has been sent them.

Each new prediction's row is copied into sync_annotations as a shadow of revision -1, in the transaction that stores
it, so what the annotator changes or deletes before the first sync still reaches the server as a change of that
prediction (sync/client/batcher.py sends the prediction first): the dashboard's pre-label acceptance per model counts
edited and rejected predictions (sync/server/dashboard_facts.py). A commit that deletes a model's predictions and
adds new ones of the same model is a rerun (tools/predictions.py replace_predictions): the replaced ones are
forgotten, not sent as rejected.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from core.document import Change, ChangeOp
from sync.migrations import SHADOW_COLUMNS

_KEEP = (f"INSERT INTO sync_annotations (id, revision, {SHADOW_COLUMNS}) SELECT id, -1, {SHADOW_COLUMNS} FROM "
         "annotations WHERE {rows} AND source_kind = 'model' AND EXISTS (SELECT 1 FROM sync_state WHERE key = "
         "'server') ON CONFLICT (id) DO NOTHING")
_KEEP_RANGE = _KEEP.format(rows="rowid BETWEEN ? AND ?")
_KEEP_IDS = _KEEP.format(rows="id IN (SELECT value FROM json_each(?))")
_FORGET = "DELETE FROM sync_annotations WHERE revision = -1 AND id IN (SELECT value FROM json_each(?))"


def keep_range(conn: sqlite3.Connection, first_row: int, last_row: int) -> None:
    """Keep the predictions among annotation rows first_row..last_row (a bulk insert; a workspace that is not synced
    is not scanned)."""
    if conn.execute("SELECT 1 FROM sync_state WHERE key = 'server'").fetchone():
        conn.execute(_KEEP_RANGE, (first_row, last_row))


def keep_committed(conn: sqlite3.Connection, changes: Sequence[Change]) -> None:
    """Keep the predictions a commit adds; forget those a rerun of their model replaces."""
    made = [c.annotation for c in changes if c.op is ChangeOp.UPSERT and c.annotation.source.is_model]
    if not made:
        return
    conn.execute(_KEEP_IDS, (json.dumps([a.id for a in made]),))
    models = {a.source.model_id for a in made}
    replaced = [c.annotation.id for c in changes if c.op is ChangeOp.DELETE and c.annotation.source.is_model
                and c.annotation.source.model_id in models]
    if replaced:
        conn.execute(_FORGET, (json.dumps(replaced),))
