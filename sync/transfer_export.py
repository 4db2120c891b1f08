"""Export a workspace as a dataset in any registered format, all or nothing.

The dataset is read in one consistent read, then the format writes it into a new staging folder beside the target,
and only a finished export is moved into place: in one rename when the target does not exist yet, else file by
file, each file of the same name set aside first and put back if a later rename fails. So a failed, cancelled or
killed export never leaves half a dataset, and an existing target keeps its old files (and the ones the export
does not write) until the new ones are complete. A crash can at most leave a `.<name>.*.annodesk-partial` folder
beside the target.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.annotation import Task, TaskStatus
from core.formats import Dataset, DatasetAnnotation, DatasetItem, get_format, media_kinds_of
from core.messages import translate
from core.names import safe_item_name
from core.tracks import Track, tracks_from_rows
from core.video import FrameIndex
from sync.client.review_store import ReviewStore
from sync.transfer_steps import Progress, Steps
from sync.workspace import Workspace

_PAGE = 500
STAGE_SUFFIX = ".annodesk-partial"


def export_dataset(
    ws: Workspace, format_name: str, out_dir: str | Path, messages: list[str] | None = None,
    progress: Progress | None = None, *, task_ids: Collection[int] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """Write every task not in error and not a consensus or gold copy of another (of `task_ids` when given), with its
    annotations and all schema labels, into `out_dir`; returns the files written there. Raises
    transfer_steps.Cancelled when `cancelled()` turns true.

    What the format could not hold (left out or converted, with counts) is appended to `messages` when given.
    """
    fmt = get_format(format_name)
    kinds = media_kinds_of(fmt)
    steps = Steps(progress, cancelled)
    copies = ReviewStore(ws).replica_tasks()
    with ws.reading():  # one snapshot, even while edits are saved
        tasks = [t for t in all_tasks(ws) if t.status is not TaskStatus.ERROR and t.id not in copies]
        if task_ids is not None:
            wanted = set(task_ids)
            tasks = [t for t in tasks if t.id in wanted]
        other = Counter(t.kind for t in tasks if t.kind not in kinds)
        tasks = [t for t in tasks if t.kind in kinds]
        steps.add(len(tasks) + 1)
        root = _common_root([t.media_path for t in tasks if os.path.isabs(t.media_path)])
        labels = {label.name: label for label in ws.schema.labels}
        dataset = Dataset(labels=list(labels), media_root=root, label_defs=labels)
        if copies:
            dataset.issue(format_name, translate("transfer", "{count} consensus or gold copies of other tasks left "
                                                 "out (their work is in the tasks they copy)").format(
                count=len(copies)))
        for kind, count in other.items():
            dataset.issue(format_name, translate("transfer", "{count} {kind} tasks left out ({format} holds "
                                                 "{kinds} tasks)").format(count=count, kind=kind, format=format_name,
                                                                          kinds=" and ".join(kinds)))
        for task in tasks:
            dataset.items.append(_export_item(ws, task, _item_name(task, root), dataset))
            steps.advance()
    target = Path(out_dir)
    dataset.destination = target.absolute()
    with _staged(target) as stage:
        written = fmt.write(dataset, stage)
        steps.check()
        paths = [target / p.relative_to(stage) for p in written]
    steps.finish()
    if messages is not None:
        messages += [issue.text() for issue in dataset.issues]
    return paths


def all_tasks(ws: Workspace) -> list[Task]:
    tasks: list[Task] = []
    while page := ws.tasks(offset=len(tasks), limit=_PAGE):
        tasks += page
    return tasks


def _export_item(ws: Workspace, task: Task, name: str, dataset: Dataset) -> DatasetItem:
    """A task as a dataset item; a video's keyframe rows become its tracks (core.tracks), the rest its shapes."""
    rows = ws.annotations(task.id)
    tracks: list[Track] = []
    if task.kind == "video":
        tracks, rows, problems = tracks_from_rows(rows, ws.schema.track_attributes)
        for problem in problems:
            dataset.issue(name, translate("transfer", "{problem}; left out").format(problem=problem))
    converted = [
        DatasetAnnotation(a.label, a.shape, dict(a.attributes), a.source, a.group, a.z, a.frame, a.occluded)
        for a in rows
    ]
    frames = task.frames if task.kind == "video" else None
    index = ws.frame_index(task.content_hash) if task.kind == "video" and task.content_hash else None
    fps = FrameIndex.from_bytes(index).fps or None if index is not None else None
    return DatasetItem(name, task.width, task.height, converted, kind=task.kind, frames=frames, tracks=tracks,
                       fps=fps)


def _item_name(task: Task, root: Path | None) -> str:
    """A file's path below the media root; for a synced task (its media in the cache, no file) its name, made one
    safe file name: a server chose it, and the writers name files after it."""
    if not os.path.isabs(task.media_path):
        return safe_item_name(task.name, f"task-{task.id}")
    return Path(task.media_path).relative_to(root).as_posix() if root else task.media_path


def _common_root(paths: list[str]) -> Path | None:
    """The deepest folder holding all media, so exported file names stay short and relative; None if there is none."""
    if not paths:
        return None
    try:
        return Path(os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths]))
    except ValueError:  # different drives, or relative and absolute mixed
        return None


@contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A new folder beside `target` to write into; at a clean exit its files are moved into `target`, else it is
    removed (with the folders made for it) and `target` is as it was."""
    target = target.absolute()  # "." has no parent to stage in beside it
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target}: not a folder; choose a folder to export into")
    made = _make_folders(target.parent)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name[:64]}.", suffix=STAGE_SUFFIX, dir=target.parent))
    except BaseException:
        _remove_folders(made)
        raise
    try:
        yield stage
        _move_into(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_folders(made)
        raise


def _move_into(stage: Path, target: Path) -> None:
    """The staged tree into `target`: the whole folder in one rename when `target` does not exist, else file by
    file; a failed rename puts back every file moved and every original set aside, and raises."""
    if not target.exists():
        stage.rename(target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name[:64]}.", suffix=".old", dir=target.parent))
    placed: list[tuple[Path, Path | None]] = []  # (file now in target, the original it replaced, set aside)
    made: list[Path] = []
    settled = True  # False while originals are being put back: if that fails, `aside` keeps what is left there
    try:
        for folder, _dirs, files in os.walk(stage):
            rel = Path(folder).relative_to(stage)
            made += _make_folders(target / rel)
            for name in files:
                placed.append(_place(Path(folder) / name, target / rel / name, aside / rel / name))
    except BaseException:
        settled = False
        for new, old in reversed(placed):
            os.unlink(new)
            if old is not None:
                os.rename(old, new)
        settled = True
        _remove_folders(made)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if settled:
            shutil.rmtree(aside, ignore_errors=True)


def _place(source: Path, dest: Path, aside: Path) -> tuple[Path, Path | None]:
    """Rename `source` to `dest`, a file already there renamed to `aside` first (and back if the rename fails)."""
    if dest.is_dir() and not dest.is_symlink():
        raise IsADirectoryError(f"{dest}: a folder is where the export writes a file; nothing was changed")
    old = None
    if os.path.lexists(dest):
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.rename(dest, aside)
        old = aside
    try:
        os.rename(source, dest)
    except BaseException:
        if old is not None:
            os.rename(old, dest)
        raise
    return dest, old


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the ones made, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    made = []
    try:
        for path in reversed(missing):
            path.mkdir()
            made.append(path)
    except BaseException:
        _remove_folders(made)
        raise
    return made


def _remove_folders(made: list[Path]) -> None:
    for path in reversed(made):
        with contextlib.suppress(OSError):  # not empty: something else put a file there meanwhile
            path.rmdir()
