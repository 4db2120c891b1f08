"""Batch pre-labeling of a workspace: decode in worker threads, batched inference, decode and store in a writer thread.

Three stages overlap: worker threads read each image (at reduced JPEG scale when the model needs fewer pixels) and
build its input tensor; the calling thread runs the session on batches (one image at a time where the graph's batch
dimension is fixed); a writer thread turns outputs into predictions, maps classes to labels and stores each group of
finished tasks in one transaction. ONNX Runtime's intra-op threads are told not to spin, so the workers get the CPU
while a batch is being assembled.

Decisions (docs/prelabel.md):
- Resumable: a task this model (id: the .onnx content hash) has run on is skipped, so a cancelled or crashed run
  continues where it stopped and a second run does nothing. The workspace records each run, found something or not
  (model_runs), after storing its predictions; not one whose predictions the label mapping all skipped (a locked
  schema), so a run with another mapping still gets them. A task holding an annotation from this model id counts as
  run too (predictions synced from another device, or stored before runs were recorded).
- A broken image, or a model output with NaN for one image, fails that task only: the task keeps its status (the
  media may still be shown and labelled by hand, and a status change would be synced as an edit) and the failure is
  listed in the report. Tasks with status ERROR (unreadable at import) are not run.
- Cancel (`cancel()` from another thread, or Ctrl+C in the calling thread) stops reading new images; what was
  already inferred is still stored, and the report says the run was cancelled.
- A workspace write that fails stops the run and raises: storing is not optional.
- Media without a file of its own (a synced workspace's encrypted cache) comes through the `media` hook, which
  hands over the encoded bytes (decoded here like a file, reduced JPEG decode included); the hook's MediaError (for
  example "image not downloaded yet") fails that task only.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from core.annotation import Annotation, Task, TaskStatus
from core.media import MediaError
from core.messages import translate
from core.schema import LabelSchema
from inference.errors import ModelError
from inference.families import Prepared
from inference.labels import LabelMapper
from inference.predictor import Predictor
from inference.preprocess import decode_reduced, read_image
from inference.providers import RuntimeInfo, cpu_threads

_PAGE = 500
_COMMIT_INTERVAL = 0.25  # seconds between the writer's transactions
_SWITCH_INTERVAL = 0.0005  # seconds; see `run`
_QUEUE = 8  # inferred batches waiting for the writer (each holds the raw outputs: a few MB per image)

MediaBytes = Callable[[str], bytes | None]
"""A task's media_path -> the encoded bytes of media kept elsewhere than in a file at that path (a synced
workspace's encrypted cache), None to read the file at the path; MediaError when the bytes cannot be had. Called
from several worker threads at once."""


def selected_tasks(store: PrelabelStore, task_ids: Sequence[int] | None, only_new: bool) -> Iterator[Task]:
    """The tasks a run covers: the given ones, else every task (only NEW ones with `only_new`), page by page."""
    if task_ids is not None:
        yield from (store.task(i) for i in task_ids)
        return
    status = TaskStatus.NEW if only_new else None
    offset = 0
    while page := store.tasks(offset, _PAGE, status):
        yield from page
        offset += len(page)


class PrelabelStore(Protocol):
    """What the pipeline needs of a workspace (sync.workspace.Workspace has it)."""

    @property
    def schema(self) -> LabelSchema: ...
    @property
    def author(self) -> str: ...
    def set_schema(self, schema: LabelSchema) -> None: ...
    def task(self, task_id: int) -> Task: ...
    def task_count(self, status: TaskStatus | None = None) -> int: ...
    def tasks(self, offset: int = 0, limit: int = 100, status: TaskStatus | None = None) -> list[Task]: ...
    def annotations(self, task_id: int) -> list[Annotation]: ...
    def insert_annotations(self, annotations: Iterable[Annotation]) -> int: ...
    def model_ran(self, model_id: str, task_id: int) -> bool: ...
    def record_model_runs(self, model_id: str, task_ids: Iterable[int]) -> None: ...


@dataclass(frozen=True)
class PrelabelOptions:
    batch: int = 1  # images per session.run where the model's batch dimension is dynamic
    only_new: bool = False  # only tasks with status NEW
    task_ids: Sequence[int] | None = None  # a selection instead of every task
    renames: Mapping[str, str] = field(default_factory=dict)  # class -> label (over the card's rename)
    locked_schema: bool = False  # the server owns the schema: classes without a label are skipped, not added
    workers: int = 0  # decode threads; 0 = one per core
    reduced_decode: bool = True
    read_priority: int = 10  # nice increment of the read threads (Linux), so inference and storing come first


@dataclass(frozen=True)
class TaskFailure:
    task_id: int
    media_path: str
    reason: str

    def text(self) -> str:
        """The report's line for it (also audio_prelabel's and video_prelabel's)."""
        return translate("inference", "failed: task {task} {path}: {reason}").format(
            task=self.task_id, path=self.media_path, reason=self.reason)


@dataclass
class PrelabelReport:
    model: str
    model_id: str
    runtime: RuntimeInfo
    tasks: int = 0  # tasks considered
    predicted: int = 0  # tasks the model ran on and whose predictions (maybe none) were stored
    already_done: int = 0  # skipped: this model ran on them before
    shapes: int = 0
    failures: list[TaskFailure] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def images_per_second(self) -> float:
        ran = self.predicted + len(self.failures)
        return ran / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> list[str]:
        state = translate("inference", "cancelled") if self.cancelled else translate("inference", "done")
        lines: list[str] = [
            translate("inference", "{state}: {predicted} tasks pre-labelled with {shapes} shapes, {already} already "
                      "done by this model, {failed} failed (of {tasks})").format(
                state=state, predicted=self.predicted, shapes=self.shapes, already=self.already_done,
                failed=len(self.failures), tasks=self.tasks),
            translate("inference", "provider: {provider}; {speed:.1f} images/s").format(
                provider=self.runtime.describe(), speed=self.images_per_second),
        ]
        lines += self.messages
        lines += [failure.text() for failure in self.failures]
        return lines


_NOT_IMAGES = {"video": translate("inference", "a video task, not an image: pre-label its frames with `annodesk "
                                              "prelabel --every K`"),
               "audio": translate("inference", "a recording, not an image: pre-label it with an audio model "
                                              "(`annodesk prelabel WS --model silero_vad.onnx`)")}
_Item = tuple[str, Task, Any]  # ("done", task, (prepared, outputs)) | ("skip", task, None) | ("fail", task, reason)


class PrelabelJob:
    """One pre-labeling run. `run()` blocks; `cancel()` may be called from any thread; `progress(done, total)` is
    called from the writer thread; `media` reads media that has no file of its own (see MediaBytes)."""

    def __init__(self, predictor: Predictor, store: PrelabelStore, options: PrelabelOptions | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 media: MediaBytes | None = None) -> None:  # fmt: skip
        self.predictor = predictor
        self.store = store
        self.options = options or PrelabelOptions()
        self.progress = progress
        self.media = media
        card = predictor.card
        self.mapper = LabelMapper(store.schema, {**card.rename, **self.options.renames},
                                  locked=self.options.locked_schema, keypoints=card.keypoints,
                                  skeleton=card.skeleton)  # fmt: skip
        self.report = PrelabelReport(str(predictor.path), predictor.model_id, predictor.runtime)
        self._cancel = threading.Event()
        self._done = 0
        self._fatal: BaseException | None = None

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> PrelabelReport:
        start = time.perf_counter()
        self.report.tasks = self._total()
        results: queue.Queue[list[_Item] | None] = queue.Queue(maxsize=_QUEUE)
        writer = threading.Thread(target=self._write, args=(results,), name="prelabel-writer", daemon=True)
        switch = sys.getswitchinterval()
        # The inferring thread needs the GIL for a moment between session runs; with Python's default 5 ms switch
        # interval it can wait that long behind the writer, leaving the cores idle.
        sys.setswitchinterval(min(switch, _SWITCH_INTERVAL))
        writer.start()
        try:
            self._infer_all(results)
        except KeyboardInterrupt:
            self.cancel()
        finally:
            results.put(None)
            writer.join()
            sys.setswitchinterval(switch)
        self.report.cancelled = self.cancelled and self._fatal is None
        self.report.seconds = time.perf_counter() - start
        self.report.messages = self.mapper.messages()
        if self._fatal is not None:
            raise self._fatal
        return self.report

    # -- stage 1 and 2: read and prepare in workers, infer here --------------------------------------------------

    def _tasks(self) -> Iterator[Task]:
        return selected_tasks(self.store, self.options.task_ids, self.options.only_new)

    def _total(self) -> int:
        if self.options.task_ids is not None:
            return len(self.options.task_ids)
        if self.options.only_new:
            return self.store.task_count(TaskStatus.NEW)
        return self.store.task_count() - self.store.task_count(TaskStatus.ERROR)

    def _load(self, task: Task) -> _Item:
        """In a worker: skip what this model did already, else read and prepare the image."""
        if self._cancel.is_set():
            return ("cancelled", task, None)
        if task.kind != "image":  # inference/video_prelabel.py and audio_prelabel.py take the other kinds
            return ("fail", task, _NOT_IMAGES.get(task.kind) or translate("inference", "a {kind} task, not an "
                                                                          "image").format(kind=task.kind))
        model_id = self.predictor.model_id
        if self.store.model_ran(model_id, task.id) or any(
            a.source.model_id == model_id for a in self.store.annotations(task.id)
        ):
            return ("skip", task, None)
        size = (task.width, task.height) if self.options.reduced_decode and task.width > 0 else None
        try:
            image, fx, fy = self._read(task.media_path, size)
            return ("ready", task, self.predictor.prepare(image, (fx, fy), size))
        except (MediaError, ModelError) as exc:
            return ("fail", task, getattr(exc, "reason", None) or getattr(exc, "problem", None) or str(exc))

    def _read(self, path: str, size: tuple[int, int] | None) -> tuple[np.ndarray, float, float]:
        data = self.media(path) if self.media is not None else None
        if data is None:
            return read_image(path, size, self.predictor.needed_scale)
        return decode_reduced(data, path, size, self.predictor.needed_scale)

    def _infer_all(self, results: queue.Queue[list[_Item] | None]) -> None:
        batch_size = max(1, self.options.batch if self.predictor.max_batch is None else 1)
        workers = self.options.workers or cpu_threads()
        window = workers * 2 + batch_size
        pending: deque[Future[_Item]] = deque()
        batch: list[tuple[Task, Prepared]] = []
        tasks = (t for t in self._tasks() if t.status is not TaskStatus.ERROR)
        with ThreadPoolExecutor(workers, "prelabel-read", initializer=self._lower_priority) as pool:
            try:
                while not self._cancel.is_set():
                    while len(pending) < window and (task := next(tasks, None)) is not None:
                        pending.append(pool.submit(self._load, task))
                    if not pending:
                        break
                    kind, task, value = pending.popleft().result()
                    if kind == "ready":
                        if batch and batch[0][1].tensor.shape != value.tensor.shape:
                            self._run_batch(batch, results)
                        batch.append((task, value))
                        if len(batch) >= batch_size:
                            self._run_batch(batch, results)
                    elif kind != "cancelled":
                        results.put([(kind, task, value)])
                if batch:
                    self._run_batch(batch, results)
            finally:
                for future in pending:
                    future.cancel()

    def _run_batch(self, batch: list[tuple[Task, Prepared]], results: queue.Queue[list[_Item] | None]) -> None:
        try:
            outputs = self.predictor.infer([p for _, p in batch])
            items: list[_Item] = [("done", t, (p, out)) for (t, p), out in zip(batch, outputs, strict=True)]
        except ModelError as exc:
            items = [("fail", t, exc.problem) for t, _ in batch]
        batch.clear()
        while not self._put(results, items):
            if self._fatal is not None:
                return

    def _put(self, results: queue.Queue[list[_Item] | None], items: list[_Item]) -> bool:
        try:
            results.put(items, timeout=0.5)
            return True
        except queue.Full:
            return False

    # -- stage 3: decode outputs, map labels, store ----------------------------------------------------------------

    def _lower_priority(self) -> None:
        """Make the calling thread yield to inference: on Linux each thread has its own nice value."""
        if self.options.read_priority and hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.options.read_priority)

    def _write(self, results: queue.Queue[list[_Item] | None]) -> None:
        """Store what arrives, at most one transaction per `_COMMIT_INTERVAL` (each commit waits for the disk)."""
        finished = False
        last_commit = 0.0
        while not finished:
            group = results.get()
            if group is None:
                break
            items = list(group)
            while not finished:  # gather more until the interval is over, to store them in the same transaction
                wait = last_commit + _COMMIT_INTERVAL - time.perf_counter()
                try:
                    more = results.get(timeout=wait) if wait > 0 else results.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    finished = True
                else:
                    items += more
            last_commit = time.perf_counter()
            if self._fatal is None:
                try:
                    self._store(items)
                except BaseException as exc:  # storage failed: stop the run, re-raised by run()
                    self._fatal = exc
                    self._cancel.set()

    def _store(self, items: list[_Item]) -> None:
        new: list[Annotation] = []
        ran: list[int] = []
        author = self.store.author
        for kind, task, value in items:
            if kind == "skip":
                self.report.already_done += 1
            elif kind == "fail":
                self.report.failures.append(TaskFailure(task.id, task.media_path, value))
            else:
                prepared, outputs = value
                try:
                    predictions = self.predictor.decode(outputs, prepared)
                except ModelError as exc:
                    self.report.failures.append(TaskFailure(task.id, task.media_path, exc.problem))
                    continue
                stored = self.mapper.annotations(task.id, predictions, self.predictor.model_id, author)
                new += stored
                if stored or not predictions:  # not when the label mapping skipped all: another mapping may keep some
                    ran.append(task.id)
                self.report.predicted += 1
        if self.mapper.schema != self.store.schema:
            self.store.set_schema(self.mapper.schema)
        if new:
            self.store.insert_annotations(new)
        if ran:  # after the predictions: a crash in between leaves them stored, and the annotation check skips them
            self.store.record_model_runs(self.predictor.model_id, ran)
        self.report.shapes += len(new)
        self._done += len(items)
        if self.progress is not None:
            self.progress(self._done, self.report.tasks)
