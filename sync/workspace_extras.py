"""What a workspace keeps beside its tasks and annotations: data derived from media by content hash (a video's frame
index, a recording's peaks pyramid), the record of which model ran on which task, and its counts.

A mixin of sync.workspace.Workspace, so these read as the workspace's own methods; `_Base` names what they use of it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from core.annotation import TaskStatus
from sync.peaks_at_rest import open_peaks, seal_peaks


class _Base(Protocol):
    codec: Any

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...
    def pending_changes(self) -> int: ...


class WorkspaceExtras:
    def frame_index(self: _Base, content_hash: str) -> bytes | None:
        """A video's stored frame index (core.video.FrameIndex.to_bytes), or None before it is built."""
        rows = self._rows("SELECT data FROM frame_indexes WHERE content_hash = ?", (content_hash,))
        return bytes(rows[0][0]) if rows else None

    def store_frame_index(self: _Base, content_hash: str, data: bytes) -> None:
        """Keep a frame index built after import (a synced video indexed from the encrypted cache)."""
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO frame_indexes (content_hash, data) VALUES (?, ?)",
                         (content_hash, data))

    def audio_peaks(self: _Base, content_hash: str) -> bytes | None:
        """A recording's stored peaks pyramid (core.audio.PeaksPyramid.to_bytes; unsealed in a synced workspace), or
        None before it is built."""
        rows = self._rows("SELECT data FROM audio_peaks WHERE content_hash = ?", (content_hash,))
        return open_peaks(self.codec, content_hash, bytes(rows[0][0])) if rows else None

    def audio_duration(self: _Base, content_hash: str) -> float | None:
        """A recording's length in seconds (samples / rate of its stored pyramid), None before it is built."""
        rows = self._rows("SELECT samples * 1.0 / sample_rate FROM audio_peaks WHERE content_hash = ?", (content_hash,))
        return float(rows[0][0]) if rows else None

    def store_audio_peaks(self: _Base, content_hash: str, sample_rate: int, channels: int, samples: int,
                          data: bytes) -> None:
        """Keep a pyramid built after import (a synced recording decoded from the cache); sealed in a synced
        workspace (sync/peaks_at_rest.py)."""
        sealed = seal_peaks(self.codec, content_hash, data)
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO audio_peaks (content_hash, sample_rate, channels, samples, data) "
                         "VALUES (?, ?, ?, ?, ?)", (content_hash, sample_rate, channels, samples, sealed))

    def model_ran(self: _Base, model_id: str, task_id: int) -> bool:
        """Has this model run on this task (pre-labeling), whether it found something or not?"""
        return bool(self._rows("SELECT 1 FROM model_runs WHERE model_id = ? AND task_id = ?", (model_id, task_id)))

    def record_model_runs(self: _Base, model_id: str, task_ids: Iterable[int]) -> None:
        """Remember that this model ran on these tasks, so a later run skips them even where it found nothing."""
        rows = [(model_id, task_id, time.time()) for task_id in task_ids]
        with self.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO model_runs (model_id, task_id, at) VALUES (?, ?, ?)", rows)

    def stats(self: _Base) -> dict[str, Any]:
        """Counts for `annodesk stats`: tasks by status, media by kind, annotations by label and source, tracks."""
        tasks: dict[str, int] = {s.value: 0 for s in TaskStatus}
        tasks.update(self._rows("SELECT status, count(*) FROM tasks GROUP BY status"))
        by_label: dict[str, int] = {}
        by_source = {"human": 0, "model": 0}
        rows = self._rows(
            "SELECT label, source_kind, count(*) FROM annotations WHERE deleted = 0 GROUP BY label, source_kind"
        )
        for label, source, n in rows:
            label = self.codec.decode_label(label) if self.codec else label
            by_label[label] = by_label.get(label, 0) + n
            by_source[source] = by_source.get(source, 0) + n
        media = {kind: {"tasks": n, "frames": frames}
                 for kind, n, frames in self._rows("SELECT kind, count(*), sum(frames) FROM tasks GROUP BY kind")}
        if "audio" in media:  # hours of the recordings whose peaks (and so their sample rate) are stored
            seconds, segments = self._rows(
                "SELECT (SELECT coalesce(sum(t.frames * 1.0 / p.sample_rate), 0) FROM tasks t JOIN audio_peaks p "
                "USING (content_hash) WHERE t.kind = 'audio'), (SELECT count(*) FROM annotations "
                "WHERE deleted = 0 AND kind IN ('segment', 'instant'))")[0]
            media["audio"].update(seconds=round(seconds, 3), hours=round(seconds / 3600, 3), segments=segments)
        tracks, keyframes = self._rows(
            "SELECT count(DISTINCT track_id), count(track_id) FROM annotations WHERE deleted = 0")[0]
        return {
            "tasks": {"total": sum(tasks.values()), **tasks},
            "media": media,
            "annotations": {"total": sum(by_label.values()), "by_label": by_label, "by_source": by_source},
            "tracks": {"tracks": tracks, "keyframes": keyframes},
            "pending_changes": self.pending_changes(),
        }
