"""Pre-labeling video tasks: a detector on every k-th frame, its detections stored per frame or linked into tracks.

Decisions (docs/prelabel.md):
- Predictions, never confirmed shapes: each stored row's source is the model (its id and a score), as for images.
  Without linking a row is a one-frame shape (`frame` set, no track). With linking (inference/linking.py) a track is
  one row per keyframe (core/tracks/rows.py) whose source is the model with the track's mean score.
- Resumable like the image path: a video this model ran on (model_runs, or holding one of its annotations) is
  skipped. A video is stored in one transaction when all its sampled frames are done; a run cancelled midway keeps
  the videos finished and drops the one in progress (kept half-done, it would count as run and never be finished).
- A frame that does not decode is left out and counted; a video that does not open fails that task only.
- One reader thread decodes and prepares the sampled frames ahead of the inference on the calling thread.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.annotation import Annotation, Source, SourceKind, Task, TaskStatus, new_id
from core.media import MediaError
from core.tracks import Keyframe, Track, track_rows
from core.video import FrameIndex, FrameLost, VideoDecoder, VideoError, build_index
from inference.errors import ModelError
from inference.families import Prepared
from inference.labels import LabelMapper
from inference.linking import Detection, LinkedTrack, LinkOptions, link
from inference.pipeline import PrelabelReport, PrelabelStore, TaskFailure, selected_tasks
from inference.predictor import Predictor

_AHEAD = 8  # prepared frames waiting for inference


class Video(Protocol):
    """An open video (core.video.VideoDecoder)."""

    index: FrameIndex

    def frame(self, n: int, *, timeout: float = 10.0) -> Any: ...
    def close(self, timeout: float = 5.0) -> None: ...


VideoOpener = Callable[[Task], Video]
"""A video task -> its open decoder; MediaError or VideoError when it cannot be had (fails that task only)."""


class VideoStore(PrelabelStore, Protocol):
    def frame_index(self, content_hash: str) -> bytes | None: ...


@dataclass(frozen=True)
class VideoPrelabelOptions:
    every: int = 1  # run the model on frames 0, k, 2k, ...
    link: bool = False  # link detections into tracks
    linking: LinkOptions = field(default_factory=LinkOptions)
    only_new: bool = False
    task_ids: Sequence[int] | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    locked_schema: bool = False
    batch: int = 1


@dataclass
class VideoPrelabelReport(PrelabelReport):
    frames: int = 0  # frames the model ran on
    lost_frames: int = 0
    tracks: int = 0

    @property
    def images_per_second(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> list[str]:
        lines = super().summary()
        lines[0] = lines[0].replace(" tasks pre-labelled", " videos pre-labelled")
        tracks = f", {self.tracks} tracks" if self.tracks else ""
        lines[1] = lines[1].replace("images/s", "frames/s") + f"; {self.frames} frames{tracks}"
        if self.lost_frames:
            lines.insert(2, f"{self.lost_frames} frames did not decode and were left out")
        return lines


def open_local_video(store: VideoStore) -> VideoOpener:
    """Videos read from their files, with the frame index the workspace stored at import (else built now)."""

    def opener(task: Task) -> Video:
        data = store.frame_index(task.content_hash) if task.content_hash else None
        index = FrameIndex.from_bytes(data) if data is not None else build_index(task.media_path)
        return VideoDecoder(task.media_path, index, cache_mb=64)

    return opener


class VideoPrelabelJob:
    """One run over the video tasks. `run()` blocks; `cancel()` from any thread; `progress(frames done, total)`."""

    def __init__(self, predictor: Predictor, store: VideoStore, options: VideoPrelabelOptions,
                 progress: Callable[[int, int], None] | None = None,
                 open_video: VideoOpener | None = None) -> None:  # fmt: skip
        if options.every < 1:
            raise ValueError("every must be 1 or more")
        self.predictor = predictor
        self.store = store
        self.options = options
        self.progress = progress
        self.open_video = open_video or open_local_video(store)
        card = predictor.card
        self.mapper = LabelMapper(store.schema, {**card.rename, **options.renames}, locked=options.locked_schema,
                                  keypoints=card.keypoints, skeleton=card.skeleton)  # fmt: skip
        self.report = VideoPrelabelReport(str(predictor.path), predictor.model_id, predictor.runtime)
        self._cancel = threading.Event()
        self._done = 0
        self._total = 0

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> VideoPrelabelReport:
        start = time.perf_counter()
        tasks = [t for t in self._tasks() if t.kind == "video" and t.status is not TaskStatus.ERROR]
        self.report.tasks = len(tasks)
        todo = []
        for task in tasks:
            if self._ran(task):
                self.report.already_done += 1
            else:
                todo.append(task)
        self._total = sum(len(range(0, t.frames, self.options.every)) for t in todo)
        try:
            for task in todo:
                if self._cancel.is_set():
                    break
                self._run_task(task)
        except KeyboardInterrupt:
            self.cancel()
        self.report.cancelled = self._cancel.is_set()
        self.report.seconds = time.perf_counter() - start
        self.report.messages = self.mapper.messages()
        return self.report

    def _tasks(self) -> Iterator[Task]:
        return selected_tasks(self.store, self.options.task_ids, self.options.only_new)

    def _ran(self, task: Task) -> bool:
        model_id = self.predictor.model_id
        return self.store.model_ran(model_id, task.id) or any(
            a.source.model_id == model_id for a in self.store.annotations(task.id))

    def _fail(self, task: Task, reason: str) -> None:
        self.report.failures.append(TaskFailure(task.id, task.media_path, reason))

    def _run_task(self, task: Task) -> None:
        try:
            video = self.open_video(task)
        except (MediaError, VideoError) as exc:
            self._fail(task, getattr(exc, "reason", None) or str(exc))
            return
        try:
            samples = self._infer_video(task, video)
        except (VideoError, ModelError) as exc:
            self._fail(task, getattr(exc, "reason", None) or getattr(exc, "problem", None) or str(exc))
            return
        finally:
            video.close()
        if samples is None:  # cancelled midway: nothing of this video is kept
            return
        rows = self._rows(task, samples)
        if self.mapper.schema != self.store.schema:
            self.store.set_schema(self.mapper.schema)
        if rows:
            self.store.insert_annotations(rows)
        predicted = any(predictions for _, predictions in samples)
        if rows or not predicted:
            self.store.record_model_runs(self.predictor.model_id, [task.id])
        self.report.predicted += 1
        self.report.shapes += len(rows)

    def _infer_video(self, task: Task, video: Video) -> list[tuple[int, list[Annotation]]] | None:
        """The mapped predictions of each sampled frame, in frame order; None when cancelled."""
        frames = range(0, min(task.frames, video.index.frames), self.options.every)
        ready: queue.Queue[Any] = queue.Queue(_AHEAD)
        stop = threading.Event()
        reader = threading.Thread(target=self._read, args=(video, frames, ready, stop), daemon=True,
                                  name="video-prelabel-read")  # fmt: skip
        reader.start()
        samples: list[tuple[int, list[Annotation]]] = []
        author, model_id = self.store.author, self.predictor.model_id
        size = max(1, self.options.batch if self.predictor.max_batch is None else 1)
        try:
            for batch in _batches(ready, size):
                prepared = [p for _, p in batch if p is not None]
                outputs = iter(self.predictor.infer(prepared)) if prepared else iter(())
                for n, p in batch:
                    if p is None:
                        self.report.lost_frames += 1
                    else:
                        predictions = self.predictor.decode(next(outputs), p)
                        mapped = self.mapper.annotations(task.id, predictions, model_id, author)
                        samples.append((n, [dataclasses.replace(a, frame=n) for a in mapped]))
                        self.report.frames += 1
                    self._done += 1
                if self.progress is not None:
                    self.progress(self._done, self._total)
                if self._cancel.is_set():
                    return None
            return samples
        finally:
            stop.set()
            while reader.is_alive():  # unblock a reader waiting on a full queue
                try:
                    ready.get_nowait()
                except queue.Empty:
                    reader.join(0.05)

    def _read(self, video: Video, frames: range, ready: queue.Queue[Any], stop: threading.Event) -> None:
        try:
            for n in frames:
                if stop.is_set():
                    return
                try:
                    item: tuple[int, Prepared | None] = (n, self.predictor.prepare(video.frame(n)))
                except FrameLost:
                    item = (n, None)
                ready.put(item)
            ready.put(None)
        except BaseException as exc:  # handed to the inferring thread, which fails the task
            ready.put(exc)

    def _rows(self, task: Task, samples: list[tuple[int, list[Annotation]]]) -> list[Annotation]:
        if not self.options.link:
            return [a for _, mapped in samples for a in mapped]
        by_detection: dict[int, Annotation] = {}
        linked_samples = []
        for n, mapped in samples:
            detections = []
            for a in mapped:
                b = a.shape.bounds()
                d = Detection((b.x1, b.y1, b.x2, b.y2), a.source.score or 0.0, a.label, a.shape)
                by_detection[id(d)] = a
                detections.append(d)
            linked_samples.append((n, detections))
        rows: list[Annotation] = []
        for linked in link(linked_samples, self.options.linking):
            track = self._track(linked, by_detection)
            rows += track_rows(task.id, track, self.store.author)
            self.report.tracks += 1
        return rows

    def _track(self, linked: LinkedTrack, by_detection: dict[int, Annotation]) -> Track:
        keyframes = [Keyframe(n, d.shape) for n, d in linked.hits]
        if linked.end is not None:
            keyframes.append(Keyframe(linked.end, linked.hits[-1][1].shape, outside=True))
        first = by_detection[id(linked.hits[0][1])]
        source = Source(SourceKind.MODEL, round(linked.score, 6), self.predictor.model_id)
        return Track(new_id(), linked.label, tuple(keyframes), dict(first.attributes), source)


def _batches(ready: queue.Queue[Any], size: int) -> Iterator[list[tuple[int, Prepared | None]]]:
    """The reader's frames in groups of up to `size` (what is ready now; never waiting to fill a group); re-raises
    the reader's error."""
    end = False
    while not end:
        batch: list[tuple[int, Prepared | None]] = []
        item = ready.get()
        while True:
            if item is None:
                end = True
                break
            if isinstance(item, BaseException):
                raise item
            batch.append(item)
            if len(batch) >= size:
                break
            try:
                item = ready.get_nowait()
            except queue.Empty:
                break
        if batch:
            yield batch
