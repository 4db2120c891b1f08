"""Video and audio tasks of a server project on Ray: one task per item, in actors that hold the model and run the
desktop's own job on it (inference/video_prelabel.py: every k-th frame, linked into tracks on request;
inference/audio_prelabel.py: an audio model such as Silero VAD), so the server's predictions are the desktop's.

The job sees a store of that one task (`OneTask`): the server's schema (locked: classes without a label are
skipped), the task's live annotations (a person's audio segments are not predicted again), and it hands back the
rows it would insert. The media is read from the server's media store by SHA-256 through a seekable file
(sync/server/media_file.py), never written to disk. A video's frame index is the server's (frame_indexes: from
add-media's probe, or an earlier run), else built by one demux pass in the actor and handed back to be kept.
The driver (farm/prelabel.py) stores each task's rows in one transaction, as for images.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.annotation import Annotation, Task, TaskStatus
from core.schema import LabelSchema
from core.video import FrameIndex, VideoDecoder, build_index
from inference import ModelError, Predictor
from inference.audio import AudioModel
from inference.audio_prelabel import AudioPrelabelJob, AudioPrelabelOptions, AudioPrelabelReport
from inference.video_prelabel import VideoPrelabelJob, VideoPrelabelOptions, VideoPrelabelReport
from sync.server.config import ServerConfig
from sync.server.media_file import open_stored
from sync.server.media_seal import MediaKeys
from sync.server.media_store import MediaStore, open_media

MEDIA_KINDS = ("video", "audio")  # the kinds this stage runs, one task per item


@dataclass
class Outcome:
    """What one video or recording gave: the rows to store, whether to record the run, and the job's counts."""

    rows: list[Annotation] = field(default_factory=list)
    record_run: bool = False
    error: str = ""
    frames: int = 0
    lost_frames: int = 0
    tracks: int = 0
    audio_seconds: float = 0.0
    skipped: Counter[str] = field(default_factory=Counter)  # why predictions were left out (LabelMapper.skipped)
    new_index: bytes | None = None  # a video's frame index built here, for the server to keep


class OneTask:
    """The store a desktop job runs against for one server task (inference.pipeline.PrelabelStore and the video
    and audio additions): reads come from the task's row and the server's annotations, writes are collected."""

    author = "prelabel"

    def __init__(self, task: Task, schema: LabelSchema, live: list[Annotation], index: bytes | None) -> None:
        self._task = task
        self._live = live
        self._index = index
        self.schema = schema
        self.rows: list[Annotation] = []
        self.ran = False

    def set_schema(self, schema: LabelSchema) -> None:  # the schema is locked: nothing is ever added
        self.schema = schema

    def task(self, task_id: int) -> Task:
        return self._task

    def task_count(self, status: TaskStatus | None = None) -> int:
        return 1

    def tasks(self, offset: int = 0, limit: int = 100, status: TaskStatus | None = None) -> list[Task]:
        return [self._task][offset:offset + limit]

    def annotations(self, task_id: int) -> list[Annotation]:
        return self._live

    def insert_annotations(self, annotations: Iterable[Annotation]) -> int:
        self.rows += annotations
        return len(self.rows)

    def model_ran(self, model_id: str, task_id: int) -> bool:
        return False  # the driver left out the tasks this model ran on

    def record_model_runs(self, model_id: str, task_ids: Iterable[int]) -> None:
        self.ran = True

    def frame_index(self, content_hash: str) -> bytes | None:
        return self._index

    def audio_duration(self, content_hash: str) -> float | None:
        return None


def unpack_model(files: Any) -> tuple[tempfile.TemporaryDirectory[str], Path, Path | None]:
    """In an actor: the model (and its card) the driver sent as bytes, written to a folder the actor keeps; `files`
    is [ref] (put once in the object store, fetched by each actor, a restarted one too) or the dict itself."""
    import ray

    if isinstance(files, list):
        files = ray.get(files[0])
    folder = tempfile.TemporaryDirectory(prefix="annodesk-model-")
    for name, data in files.items():
        (Path(folder.name) / name).write_bytes(data)
    model = next(Path(folder.name) / n for n in files if n != "card.json")
    return folder, model, Path(folder.name) / "card.json" if "card.json" in files else None


class MediaInfer:
    """A Ray actor holding one model: an image detector for the videos, an audio model for the recordings. Each
    call takes one task (its row, with its live annotations pickled) and returns its pickled Outcome."""

    def __init__(self, files: Any, provider: str, threads: int, model_id: str, every: int, link: bool, batch: int,
                 config: ServerConfig, keys: MediaKeys, schema: dict[str, Any]) -> None:  # fmt: skip
        self._dir, path, card = unpack_model(files)
        self.model: Predictor | AudioModel
        if every:
            self.model = Predictor.load(path, card, provider, spin=False, threads=threads)
        else:
            self.model = AudioModel.load(path, card, provider, spin=False)
        if self.model.model_id != model_id:
            raise ModelError(path, "the model's bytes changed on the way to the worker")
        self.every, self.link, self.batch = every, link, batch  # batch: frames per session run
        self.media: MediaStore = open_media(config, keys)
        self.schema = LabelSchema.from_json(schema)
        self._opened: list[Any] = []
        self._new_index: bytes | None = None

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        outcomes = [pickle.dumps(self._guarded(item), protocol=5) for item in _items(batch)]
        return {"task_id": batch["task_id"], "result": np.array(outcomes, dtype=object),
                "error": np.array([""] * len(outcomes), dtype=object)}

    def _guarded(self, item: dict[str, Any]) -> Outcome:
        """The task's outcome; whatever one task raises fails that task alone (an item that raised out of the actor
        would be retried, then end the whole run), with the reason."""
        try:
            return self._run(item)
        except Exception as exc:  # the boundary of one task
            reason = getattr(exc, "reason", None) or getattr(exc, "detail", None) or str(exc) or type(exc).__name__
            return Outcome(error=str(reason))

    def _run(self, item: dict[str, Any]) -> Outcome:
        task = Task(int(item["task_id"]), str(item["name"]), str(item["sha"]), int(item["size"]), int(item["width"]),
                    int(item["height"]), kind=str(item["kind"]), frames=int(item["frames"]))  # fmt: skip
        store = OneTask(task, self.schema, pickle.loads(item["live"]) if item["live"] else [], item["index"] or None)
        job: VideoPrelabelJob | AudioPrelabelJob
        if isinstance(self.model, Predictor):
            options = VideoPrelabelOptions(every=self.every, link=self.link, locked_schema=True, batch=self.batch)
            job = VideoPrelabelJob(self.model, store, options,
                                   open_video=lambda t: self._open_video(t, store.frame_index(t.content_hash)))
        else:
            job = AudioPrelabelJob(self.model, store, AudioPrelabelOptions(locked_schema=True), open_audio=self._open)
        self._new_index = None
        try:
            report = job.run()
        finally:
            while self._opened:  # PyAV leaves a file object open when it closes its container
                self._opened.pop().close()
        outcome = Outcome(store.rows, store.ran, report.failures[0].reason if report.failures else "",
                          skipped=job.mapper.skipped, new_index=self._new_index)  # fmt: skip
        if isinstance(report, VideoPrelabelReport):
            outcome.frames, outcome.lost_frames, outcome.tracks = report.frames, report.lost_frames, report.tracks
        elif isinstance(report, AudioPrelabelReport):
            outcome.audio_seconds = report.audio_seconds
        return outcome

    def _open_video(self, task: Task, stored: bytes | None) -> VideoDecoder:
        """The stored frame index, else one demux pass (kept by the driver for the next run); a stored index that
        does not read is built again too."""
        try:
            index = FrameIndex.from_bytes(stored) if stored is not None else None
        except ValueError:
            index = None
        if index is None:
            index = build_index(self._open(task))
            self._new_index = index.to_bytes()
        return VideoDecoder(self._open(task), index, cache_mb=64)

    def _open(self, task: Task) -> Any:
        reader = open_stored(self.media, task.content_hash, task.size, task.media_path)
        self._opened.append(reader)
        return reader


def _items(batch: dict[str, np.ndarray]) -> Iterator[dict[str, Any]]:
    columns = list(batch)
    for i in range(len(batch["task_id"])):
        yield {name: batch[name][i] for name in columns}
