"""Pre-labeling audio tasks: an audio model (Silero VAD, or a team's own audio family) over the workspace's recordings.

Decisions (as for images and videos, inference/pipeline.py and video_prelabel.py):
- Predictions, never confirmed shapes: each segment is stored with the model as its source (its id and the
  segment's score: the mean speech probability for the VAD), on the card's tier, to be accepted or fixed in the app.
- Resumable: a recording this model ran on (model_runs, or holding one of its annotations) is skipped; one where
  nothing was found is recorded as run too, so a rerun does nothing. A recording is stored when it is finished; a
  run cancelled midway keeps the finished ones and drops the one in progress.
- A recording that does not decode fails that task only, with the reason (the report names the file); the rest go
  on. Tasks of other kinds are left alone (the image and video paths take them) and counted in one message.
- Decoding streams (inference/audio/stream.py): an hour is never held in memory; one model run at a time.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core.annotation import Annotation, Task, TaskStatus
from core.audio import AudioCancelled, AudioError, Source
from core.media import MediaError
from core.shapes import Segment
from inference.audio import AudioModel
from inference.errors import ModelError
from inference.labels import LabelMapper
from inference.pipeline import PrelabelReport, PrelabelStore, TaskFailure, selected_tasks

AudioOpener = Callable[[Task], Source]
"""An audio task -> what core.audio decodes (its path, or a reader over a synced workspace's encrypted cache);
MediaError when it cannot be had (fails that task only)."""


class AudioStore(PrelabelStore, Protocol):
    def audio_duration(self, content_hash: str) -> float | None: ...


@dataclass(frozen=True)
class AudioPrelabelOptions:
    only_new: bool = False  # only tasks with status NEW
    task_ids: Sequence[int] | None = None  # a selection instead of every task
    renames: Mapping[str, str] = field(default_factory=dict)  # class -> label (over the card's rename)
    locked_schema: bool = False  # the server owns the schema: classes without a label are skipped, not added


@dataclass
class AudioPrelabelReport(PrelabelReport):
    audio_seconds: float = 0.0  # of the recordings the model ran on

    @property
    def realtime_factor(self) -> float:
        return self.audio_seconds / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> list[str]:
        state = "cancelled" if self.cancelled else "done"
        lines = [
            f"{state}: {self.predicted} recordings pre-labelled with {self.shapes} segments, {self.already_done} "
            f"already done by this model, {len(self.failures)} failed (of {self.tasks})",
            f"provider: {self.runtime.describe()}; {self.audio_seconds / 3600:.2f} hours of audio at "
            f"{self.realtime_factor:.0f}x real time",
        ]
        lines += self.messages
        lines += [failure.text() for failure in self.failures]
        return lines


class AudioPrelabelJob:
    """One run over the audio tasks. `run()` blocks; `cancel()` from any thread; `progress(seconds of audio done,
    total)` as whole seconds (the total counts the recordings whose length the workspace knows)."""

    def __init__(self, model: AudioModel, store: AudioStore, options: AudioPrelabelOptions | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 open_audio: AudioOpener | None = None) -> None:  # fmt: skip
        self.model = model
        self.store = store
        self.options = options or AudioPrelabelOptions()
        self.progress = progress
        self.open_audio = open_audio or (lambda task: task.media_path)
        self.mapper = LabelMapper(store.schema, {**model.card.rename, **self.options.renames},
                                  locked=self.options.locked_schema)  # fmt: skip
        self.report = AudioPrelabelReport(str(model.path), model.model_id, model.runtime)
        self._tiers = {t.name: t for t in store.schema.tiers}
        self._cancel = threading.Event()
        self._done_s = 0.0
        self._total_s = 0
        self._tier_skipped: Counter[str] = Counter()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> AudioPrelabelReport:
        start = time.perf_counter()
        others: Counter[str] = Counter()
        todo = []
        for task in self._tasks():
            if task.kind != "audio":
                others[task.kind] += 1
            elif task.status is not TaskStatus.ERROR:
                self.report.tasks += 1
                if self._ran(task):
                    self.report.already_done += 1
                else:
                    todo.append(task)
        self._total_s = round(sum(self._duration(t) for t in todo))
        try:
            for task in todo:
                if self._cancel.is_set():
                    break
                self._run_task(task)
        except KeyboardInterrupt:
            self.cancel()
        self.report.cancelled = self._cancel.is_set()
        self.report.seconds = time.perf_counter() - start
        self.report.messages = self.mapper.messages() + self._messages(others)
        return self.report

    def _tasks(self) -> Iterator[Task]:
        return selected_tasks(self.store, self.options.task_ids, self.options.only_new)

    def _ran(self, task: Task) -> bool:
        model_id = self.model.model_id
        return self.store.model_ran(model_id, task.id) or any(
            a.source.model_id == model_id for a in self.store.annotations(task.id))

    def _duration(self, task: Task) -> float:
        return (self.store.audio_duration(task.content_hash) if task.content_hash else None) or 0.0

    def _run_task(self, task: Task) -> None:
        before = self._done_s
        decoded = [0.0]

        def progress(seconds: float) -> None:
            decoded[0] = seconds
            self._progress(before + seconds)

        try:
            predictions = self.model.detect(self.open_audio(task), cancel=self._cancel.is_set, progress=progress)
        except AudioCancelled:
            return  # nothing of this recording is kept: a rerun does it whole
        except (MediaError, AudioError, ModelError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "problem", None) or str(exc)
            self.report.failures.append(TaskFailure(task.id, task.media_path, reason))
            return
        finally:
            self._done_s = before + self._duration(task)
        done = _human_spans(self.store.annotations(task.id))
        rows = [a for a in self.mapper.annotations(task.id, predictions, self.model.model_id, self.store.author)
                if self._tier_allows(a) and self._not_done(a, done)]  # fmt: skip
        if self.mapper.schema != self.store.schema:
            self.store.set_schema(self.mapper.schema)
        if rows:
            self.store.insert_annotations(rows)
        if rows or not predictions:  # not when the label mapping skipped all: another mapping may keep some
            self.store.record_model_runs(self.model.model_id, [task.id])
        self.report.predicted += 1
        self.report.shapes += len(rows)
        self.report.audio_seconds += decoded[0]
        self._progress(self._done_s)

    def _tier_allows(self, annotation: Annotation) -> bool:
        """A declared tier that does not take the label refuses the segment (counted in the report)."""
        tier = self._tiers.get(getattr(annotation.shape, "tier", ""))
        if tier is None or tier.allows(annotation.label):
            return True
        self._tier_skipped[f"tier {tier.name!r} does not take label {annotation.label!r}"] += 1
        return False

    def _not_done(self, annotation: Annotation, done: Mapping[str, list[tuple[float, float]]]) -> bool:
        """A prediction mostly (over half) under a segment a person made on its tier says nothing new: skipped."""
        shape = annotation.shape
        if not isinstance(shape, Segment) or shape.duration <= 0:
            return True
        covered = sum(max(0.0, min(b, shape.end) - max(a, shape.start)) for a, b in done.get(shape.tier, ()))
        if covered <= shape.duration / 2:
            return True
        self._tier_skipped[f"a person's segment is already there on tier {shape.tier!r}"] += 1
        return False

    def _progress(self, seconds: float) -> None:
        if self.progress is not None:
            self.progress(min(round(seconds), self._total_s), self._total_s)

    def _messages(self, others: Counter[str]) -> list[str]:
        lines = [f"skipped {n} segments: {reason}" for reason, n in sorted(self._tier_skipped.items())]
        if others:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(others.items()))
            lines.append(f"left alone: {kinds} tasks ({self.model.family.name} takes audio)")
        return lines


def _human_spans(annotations: Sequence[Annotation]) -> dict[str, list[tuple[float, float]]]:
    spans: dict[str, list[tuple[float, float]]] = {}
    for a in annotations:
        if isinstance(a.shape, Segment) and not a.source.is_model:
            spans.setdefault(a.shape.tier, []).append((a.shape.start, a.shape.end))
    return spans
