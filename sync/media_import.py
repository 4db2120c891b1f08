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
    as `kind` when one is named (a video's sound as a recording). Stored batch by batch, so a long import neither
    holds the write lock nor pays one transaction per file; a cancelled import keeps what it has stored."""
    report = ImportReport()
    probed = Probed(report, _files(paths, kind, report), kind)
    while probed.left and not report.cancelled:
        probed.probe(workspace, progress, cancelled, BATCH)
        store_probed(workspace, probed)
    return probed.report


@dataclass
class Probed:
    """Files probed and not stored yet: their task rows and derived data (probing is the slow part: hashing,
    indexing videos, decoding recordings), so a caller can probe outside a transaction and store inside one."""

    report: ImportReport
    files: list[Path]
    kind: str | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    cached: _Cached = field(default_factory=_Cached)
    done: int = 0  # files[:done] are probed

    @property
    def left(self) -> int:
        return len(self.files) - self.done

    def probe(self, workspace: Workspace, progress: Callable[[int, int], None] | None,
              cancelled: Callable[[], bool] | None, limit: int | None = None) -> None:
        """Probe the files not probed yet (at most `limit`, fewer once their derived data passes BATCH_BYTES)."""
        batch = self.files[self.done : self.done + limit] if limit else self.files[self.done :]
        known = workspace.known_media([str(p) for p in batch])
        for path in batch:
            if cancelled is not None and cancelled():
                self.report.cancelled = True
                break
            self.done += 1
            if str(path) in known:
                self.report.skipped += 1
            else:
                self.rows.append(_task_row(path, self.report, self.cached, self.kind))
            if progress is not None:
                progress(self.done, len(self.files))
            if limit and self.cached.size >= BATCH_BYTES:  # long recordings: write before their peaks fill memory
                break


def probe_files(workspace: Workspace, paths: Iterable[str | Path], progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> Probed:
    """Every file probed, nothing stored (store_probed does, in the caller's transaction)."""
    report = ImportReport()
    probed = Probed(report, _files(paths, None, report))
    probed.probe(workspace, progress, cancelled)
    return probed


def store_probed(workspace: Workspace, probed: Probed) -> None:
    """Write the probed rows in one transaction (the caller's when it holds one: Workspace.transaction is
    reentrant) and forget them."""
    if not probed.rows:
        return
    with workspace.transaction() as conn:
        added = conn.executemany(_INSERT_TASK, probed.rows).rowcount
        conn.executemany(_INSERT_INDEX, probed.cached.indexes.items())
        conn.executemany(_INSERT_PEAKS, ((h, rate, channels, samples, seal_peaks(workspace.codec, h, data))
                                         for h, (rate, channels, samples, data) in probed.cached.peaks.items()))
    probed.report.added += added
    probed.report.skipped += len(probed.rows) - added
    probed.rows, probed.cached = [], _Cached()


def _files(paths: Iterable[str | Path], kind: str | None, report: ImportReport) -> list[Path]:
    files = []
    for path in dict.fromkeys(p.resolve() for p in iter_all_media(paths, kind)):
        try:
            str(path).encode("utf-8")
            files.append(path)
        except UnicodeEncodeError:  # bytes that are not UTF-8 in a name (Linux allows them; SQLite cannot store them)
            shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
            report.errors.append((shown, "the file name is not valid UTF-8; rename the file to add it"))
    return files
