"""Adding media files of every kind (core.media_kinds) to a workspace as tasks: probe outside any transaction, store
in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.annotation import TaskStatus
from core.media import MediaError
from core.media_kinds import iter_all_media, kind_for, probe_media
from sync.peaks_at_rest import seal_peaks

if TYPE_CHECKING:
    from sync.workspace import Workspace

BATCH = 200  # files per transaction: few fsyncs, yet a cancelled or crashed import keeps most of its work
_INSERT_TASK = (
    "INSERT INTO tasks (media_path, name, content_hash, size, width, height, status, error, kind, frames) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (media_path) DO NOTHING"
)
_INSERT_INDEX = "INSERT OR REPLACE INTO frame_indexes (content_hash, data) VALUES (?, ?)"
_INSERT_PEAKS = (
    "INSERT OR REPLACE INTO audio_peaks (content_hash, sample_rate, channels, samples, data) VALUES (?, ?, ?, ?, ?)"
)
BATCH_BYTES = 64 << 20  # cached media data (frame indexes, peaks) a batch holds before it is written


@dataclass
class ImportReport:
    added: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


@dataclass
class _Cached:
    """Derived data of a batch's files, written in the batch's transaction: video frame indexes, audio peaks."""

    indexes: dict[str, bytes] = field(default_factory=dict)
    peaks: dict[str, tuple[int, int, int, bytes]] = field(default_factory=dict)
    size: int = 0


def _task_row(path: Path, report: ImportReport, cached: _Cached, kind: str | None) -> tuple[Any, ...]:
    """Row for one file: its probe (as `kind` when one is named), or an ERROR task with the reason (the import
    goes on)."""
    try:
        info = probe_media(path, kind)
        if info.frame_index is not None:
            cached.indexes[info.content_hash] = info.frame_index
            cached.size += len(info.frame_index)
        if info.peaks is not None:
            cached.peaks[info.content_hash] = (info.sample_rate, info.channels, info.frames, info.peaks)
            cached.size += len(info.peaks)
        return (str(path), path.name, info.content_hash, info.size, info.width, info.height, TaskStatus.NEW.value, "",
                info.kind, info.frames)
    except MediaError as exc:
        report.errors.append((str(path), exc.reason))
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        found = kind_for(path)
        kind_name = kind or (found.name if found else "image")
        return (str(path), path.name, "", size, 0, 0, TaskStatus.ERROR.value, exc.reason, kind_name, 0)  # no frames


def import_media(
    workspace: Workspace,
    paths: Iterable[str | Path],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    kind: str | None = None,
) -> ImportReport:
    """Add files and folders (recursive) as tasks, skipping paths already present (compared resolved); every file
    as `kind` when one is named (a video's sound as a recording)."""
    report = ImportReport()
    files = []
    for path in dict.fromkeys(p.resolve() for p in iter_all_media(paths, kind)):
        try:
            str(path).encode("utf-8")
            files.append(path)
        except UnicodeEncodeError:  # bytes that are not UTF-8 in a name (Linux allows them; SQLite cannot store them)
            shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
            report.errors.append((shown, "the file name is not valid UTF-8; rename the file to add it"))
    start = 0
    while start < len(files) and not report.cancelled:
        batch = files[start : start + BATCH]
        known = workspace.known_media([str(p) for p in batch])
        rows = []
        cached = _Cached()  # by content hash: frame indexes and peaks of this batch's videos and recordings
        done = start
        for path in batch:
            if cancelled is not None and cancelled():
                report.cancelled = True
                break
            done += 1
            if str(path) in known:
                report.skipped += 1
            else:
                rows.append(_task_row(path, report, cached, kind))
            if progress is not None:
                progress(done, len(files))
            if cached.size >= BATCH_BYTES:  # long recordings: write before their peaks fill memory
                break
        start = done
        if rows:
            with workspace.transaction() as conn:
                added = conn.executemany(_INSERT_TASK, rows).rowcount
                conn.executemany(_INSERT_INDEX, cached.indexes.items())
                conn.executemany(_INSERT_PEAKS, ((h, rate, channels, samples, seal_peaks(workspace.codec, h, data))
                                                 for h, (rate, channels, samples, data) in cached.peaks.items()))
            report.added += added
            report.skipped += len(rows) - added
    return report
