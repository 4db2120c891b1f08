"""The open workspace and task: loads media ahead, builds the editor, saves every edit at once.

Reads go through a read-only connection on the UI thread (WAL: never blocked by the writer); every write goes through
the single `WorkspaceWriter` thread. The next tasks' images are decoded in the background so that pressing D never
waits on a decoder.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.annotation import Task, TaskStatus
from core.document import AnnotationDoc, Change
from core.media import MediaError, decode_image
from core.pyramid_cache import is_huge
from core.schema import LabelSchema
from desktop.jobs import WorkspaceWriter
from sync.workspace import Workspace
from tools.editor import Editor

log = logging.getLogger(__name__)
PREFETCH = 2
CACHE_SIZE = 6


class ImageCache:
    """Decoded images by path, decoded on worker threads, least recently used dropped first."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="decode")
        self._items: OrderedDict[str, Future[np.ndarray]] = OrderedDict()

    def request(self, path: str) -> Future[np.ndarray]:
        future = self._items.pop(path, None) or self._pool.submit(decode_image, path)
        self._items[path] = future
        while len(self._items) > CACHE_SIZE:
            self._items.popitem(last=False)[1].cancel()
        return future

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class TaskSession(QObject):
    """Owns the workspace connections, the current task and its editor."""

    task_opened = Signal(object)  # Task
    save_state = Signal(str)  # "saving" | "saved" | "failed: ..."
    tasks_changed = Signal()

    def __init__(self, workspace_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(workspace_dir)
        self.writer_ws = Workspace.open(self.path)
        self.reader = Workspace.open(self.path, readonly=True)
        self.writer = WorkspaceWriter(self.writer_ws, self)
        self.writer.saved.connect(self._saved)
        self.writer.failed.connect(lambda message: self.save_state.emit(f"failed: {message}"))
        self.images = ImageCache()
        self.task: Task | None = None
        self.editor: Editor | None = None
        self.image: np.ndarray | None = None
        self.image_error = ""

    @property
    def schema(self) -> LabelSchema:
        """The writer's copy: a schema change (labels a pre-label run adds) shows here at once."""
        return self.writer_ws.schema

    def open_task(self, task_id: int, label: str | None = None) -> Task:
        """Show a task: waits for pending saves, loads its annotations and image, prefetches the next ones."""
        self.writer.flush()
        task = self.reader.task(task_id)
        self.task = task
        self.image, self.image_error = self._image_of(task)
        height, width = self.image.shape[:2] if self.image is not None else (task.height, task.width)
        doc = AnnotationDoc(task.id, self.reader.annotations(task.id))
        previous_tool = self.editor.tool if self.editor else "select"
        self.editor = Editor(
            doc, self.schema, author=self.reader.author, image_size=(width, height), on_commit=self._commit
        )
        self.editor.set_tool(previous_tool)
        chosen = label if label and self.schema.get(label) else next(iter(self.schema.names()), None)
        if chosen:
            self.editor.set_label(chosen)
        self._prefetch(task)
        self.task_opened.emit(task)
        return task

    def neighbour(self, step: int, unfinished_only: bool = False) -> Task | None:
        if self.task is None:
            return None
        return self.reader.neighbour_task(self.task.id, step, unfinished_only)

    def set_status(self, status: TaskStatus) -> None:
        if self.task is None:
            return
        self.writer.call(self.writer_ws.set_task_status, self.task.id, status).result()
        self.task = self.reader.task(self.task.id)
        self.tasks_changed.emit()

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
        self.images.close()
        self.writer_ws.close()
        self.reader.close()

    @property
    def huge(self) -> bool:
        """The current image is shown from a tile pyramid (the canvas opens it), not decoded here."""
        return self.task is not None and is_huge(self.task.width, self.task.height)

    def _image_of(self, task: Task) -> tuple[np.ndarray | None, str]:
        if task.status is TaskStatus.ERROR:
            return None, task.error
        if is_huge(task.width, task.height):
            return None, ""
        try:
            return self.images.request(task.media_path).result(), ""
        except (MediaError, OSError) as exc:
            log.warning("cannot show %s: %s", task.media_path, exc)
            return None, str(exc)

    def _prefetch(self, task: Task) -> None:
        current = task
        for _ in range(PREFETCH):
            nxt = self.reader.neighbour_task(current.id, 1)
            if nxt is None:
                break
            if nxt.status is not TaskStatus.ERROR and not is_huge(nxt.width, nxt.height):
                self.images.request(nxt.media_path)
            current = nxt

    def _commit(self, changes: list[Change]) -> None:
        if changes and self.task is not None:
            self.save_state.emit("saving")
            self.writer.commit(self.task.id, changes)

    def _saved(self, left: int) -> None:
        if left == 0:
            self.save_state.emit("saved")
            self.tasks_changed.emit()
