"""The open workspace and task: loads media ahead, builds the editor, saves every edit at once.

Reads go through a read-only connection on the UI thread (WAL: never blocked by the writer); every write goes through
the single `WorkspaceWriter` thread. The next tasks' images are decoded in the background so that pressing D never
waits on a decoder. A synced workspace's images have no file: they are decoded from its encrypted media cache
(`CachedMedia`), and after a sync round the open task is reloaded in place when the round changed it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.annotation import Annotation, Task, TaskStatus
from core.document import AnnotationDoc, Change
from core.media import MediaError, decode_image, decode_image_bytes
from core.media_kinds import IMAGE
from core.pyramid_cache import is_huge
from core.schema import LabelSchema
from desktop.jobs import WorkspaceWriter
from desktop.rebase import RebasingWorkspace
from sync.client.at_rest import MediaCache
from sync.client.media import MediaPending, cached_media_bytes, media_sha, media_sha_of_path
from sync.workspace import Workspace
from tools.editor import Editor
from tools.edits import Clipboard
from widgets.messages import translated

log = logging.getLogger(__name__)
PREFETCH = 2
CACHE_SIZE = 6
PENDING = "image not downloaded yet: waiting for sync"

Decoder = Callable[[str], np.ndarray]  # a task's media_path -> pixels, as core.media.decode_image gives them


class CachedMedia:
    """The decoder of a synced workspace: a synced task's image comes from the encrypted media cache (by its
    SHA-256, decoded from memory: no plaintext file is ever written), anything else from its file."""

    def __init__(self, cache: MediaCache) -> None:
        self.cache = cache

    def __call__(self, media_path: str) -> np.ndarray:
        data = self.read(media_path)
        return decode_image(media_path) if data is None else decode_image_bytes(data, media_path)

    def read(self, media_path: str) -> bytes | None:
        """A synced task's encoded bytes (None for a file): the pre-labeling pipeline's `media` hook."""
        return cached_media_bytes(self.cache, media_path, PENDING)


def has_file(task: Task) -> bool:
    """False for a synced task, whose media lives in the encrypted cache (so no tile pyramid is built from a file)."""
    return media_sha_of_path(task.media_path) is None


class ImageCache:
    """Decoded images by path, decoded on worker threads, least recently used dropped first; a failed decode is
    tried again on the next request (a synced image may have arrived since)."""

    def __init__(self, decode: Decoder = decode_image) -> None:
        self._decode = decode
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="decode")
        self._items: OrderedDict[str, Future[np.ndarray]] = OrderedDict()

    def request(self, path: str) -> Future[np.ndarray]:
        future = self._items.pop(path, None)
        if future is None or (future.done() and (future.cancelled() or future.exception() is not None)):
            future = self._pool.submit(self._decode, path)
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
    closing = Signal()  # before the writer stops: the last writes (time tracking's) still go in order

    def __init__(self, workspace_dir: Path, parent: QObject | None = None, decode: Decoder = decode_image) -> None:
        super().__init__(parent)
        self.path = Path(workspace_dir)
        self.writer_ws = RebasingWorkspace.open(self.path)
        self.reader = Workspace.open(self.path, readonly=True)
        self.writer = WorkspaceWriter(self.writer_ws, self)
        self.writer.saved.connect(self._saved)
        self.writer.failed.connect(lambda message: self.save_state.emit(f"failed: {message}"))
        self.decode = decode  # CachedMedia for a synced workspace (pre-labelling reads its bytes through it)
        self.images = ImageCache(decode)
        self.task: Task | None = None
        self.editor: Editor | None = None
        self.image: np.ndarray | None = None
        self.image_error = ""
        self.image_pending = False  # a synced task's image is not downloaded yet

    @property
    def media_cache(self) -> MediaCache | None:
        """A synced workspace's encrypted media cache (its videos are decoded from there), None for a local one."""
        return self.decode.cache if isinstance(self.decode, CachedMedia) else None

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
        previous = self.editor
        self._edit(task, self.reader.annotations(task.id), previous.tool if previous else "select", label)
        self._prefetch(task)
        self.task_opened.emit(task)
        return task

    def catch_up(self) -> bool:
        """After a sync round: re-read the open task (a review may have changed its status) and retry an image that
        was not downloaded; True when the task must be shown again (its annotations as stored differ from the
        editor's copy, by ids and revisions, or its image arrived). Pending saves are stored first."""
        if self.task is None or self.editor is None:
            return False
        self.writer.flush()
        self.task = self.reader.task(self.task.id)
        self.tasks_changed.emit()  # the list too: tasks assigned, statuses changed
        shown = {a.id: a.revision for a in self.editor.stored}
        return (self.image_pending and self._image_arrived()) or shown != self.reader.revisions(self.task.id)

    def reload_task(self) -> Task:
        """The open task again, as stored now, keeping the tool, label, selection (where the ids still exist),
        clipboard and view state. The undo history starts afresh: its steps would undo what others changed."""
        old = self.editor
        assert self.task is not None and old is not None, "reload_task needs an open task"
        self.writer.flush()
        task = self.task = self.reader.task(self.task.id)
        if self.image_pending:
            self.image, self.image_error = self._image_of(task)
        editor = self._edit(task, self.reader.annotations(task.id), old.tool, old.current_label, old.clipboard)
        editor.hidden_labels, editor.locked_labels = old.hidden_labels, old.locked_labels
        editor.all_hidden, editor.brush_size = old.all_hidden, old.brush_size
        editor.score_threshold = old.score_threshold
        editor.select(old.selection)
        self.task_opened.emit(task)
        return task

    def _edit(self, task: Task, annotations: list[Annotation], tool: str, label: str | None,
              clipboard: Clipboard | None = None) -> Editor:
        """A new editor on `annotations`; the writer learns the copy it starts from (to replay edits on newer
        versions a sync round stores meanwhile, desktop/rebase.py), in order with the commits."""
        height, width = self.image.shape[:2] if self.image is not None else (task.height, task.width)
        self.writer.call(self.writer_ws.remember, annotations)
        editor = self.editor = Editor(AnnotationDoc(task.id, annotations), self.schema, author=self.reader.author,
                                      image_size=(width, height), on_commit=self._commit, clipboard=clipboard)
        editor.set_tool(tool)
        chosen = label if label and self.schema.get(label) else next(iter(self.schema.names()), None)
        if chosen:
            editor.set_label(chosen)
        return editor

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
        self.closing.emit()
        self.writer.flush()
        self.writer.close()
        self.images.close()
        self.writer_ws.close()
        self.reader.close()

    @property
    def huge(self) -> bool:
        """The current image is shown from a tile pyramid (the canvas opens its file), not decoded here. A synced
        task's image has no file: it is decoded from the cache whatever its size."""
        return self.task is not None and has_file(self.task) and is_huge(self.task.width, self.task.height)

    def _image_of(self, task: Task) -> tuple[np.ndarray | None, str]:
        self.image_pending = False
        if task.status is TaskStatus.ERROR:
            return None, task.error
        if task.kind != IMAGE.name:  # a video's frames come from its player (desktop/video.py), a recording's
            self.image_pending = self._not_downloaded(task)  # from desktop/audio.py; a sync round may bring them
            return None, ""
        if has_file(task) and is_huge(task.width, task.height):
            return None, ""
        try:
            return self.images.request(task.media_path).result(), ""
        except MediaPending as exc:
            self.image_pending = True
            return None, translated(exc.reason)
        except MediaError as exc:
            log.warning("cannot show %s: %s", task.media_path, exc)
            return None, translated(exc if has_file(task) else exc.reason)  # a synced task's path is no use to the user
        except OSError as exc:
            log.warning("cannot show %s: %s", task.media_path, exc)
            return None, str(exc)

    def _image_arrived(self) -> bool:
        """Whether the open task's image, not downloaded before, decodes now (it stays cached for the reload)."""
        assert self.task is not None
        if self.task.kind != IMAGE.name:
            return not self._not_downloaded(self.task)
        try:
            self.images.request(self.task.media_path).result()
        except (MediaError, OSError):
            return False
        return True

    def _not_downloaded(self, task: Task) -> bool:
        """A synced task whose media has not reached the encrypted cache yet."""
        sha, cache = media_sha(task), self.media_cache
        return sha is not None and cache is not None and not cache.has(sha)

    def _prefetch(self, task: Task) -> None:
        current = task
        for _ in range(PREFETCH):
            nxt = self.reader.neighbour_task(current.id, 1)
            if nxt is None:
                break
            if nxt.status is not TaskStatus.ERROR and nxt.kind == IMAGE.name and not is_huge(nxt.width, nxt.height):
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
