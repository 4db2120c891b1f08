"""Pre-label a server project on Ray Data: the desktop's model code (inference/) over the server's store (sync/server/).

Stages (docs/deploy.md, "Pre-labeling on a Ray cluster"; steps 2 and 3 live in farm/image_tasks.py):
1. The driver lists the project's open image tasks this model (its .onnx content id) has not run on: not in
   `model_runs`, and holding no annotation from this model (predictions pushed from a desktop count as run).
2. CPU tasks read each task's media from the server's media store by SHA-256 and decode and preprocess it with the
   desktop's own functions (`decode_reduced`, `Preparer.prepare`: reduced JPEG decode, letterbox, tensor).
3. Actors that each hold one ONNX Runtime session (`Predictor`, one per GPU where the cluster has GPUs) run batches
   and decode the outputs into predictions (the family's own `decode`).
4. The driver maps classes to the project's labels (`LabelMapper`, the schema is the server's: classes without a
   label are skipped) and writes each group of tasks in ONE transaction: the annotations as predictions (source
   kind "model", the model id, the score) stored as a push would store them, their pull events, and a `model_runs`
   row per task, found something or not. A task already recorded when its group is written (an item Ray retried
   after a worker died) is skipped there, so a retry never stores twice and a rerun does nothing.
Video and audio tasks go through a second stage (farm/media_tasks.py): one task per item, in actors that run the
desktop's video job (an image model on every k-th frame, `--every K`, linked into tracks with `--link`) or audio job
(an audio model such as Silero VAD), stored by the driver in the same way. An image model takes the images (and the
videos with --every), an audio model the recordings; the tasks a model does not take are counted in the report.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import pickle
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from core.annotation import Annotation
from core.schema import LabelSchema
from farm.image_tasks import ImageInfer, read_images
from farm.media_tasks import MEDIA_KINDS, MediaInfer, Outcome
from inference import LabelMapper, ModelError, Predictor
from inference.audio import AudioModel, open_model
from inference.cards import card_beside
from sync.server import db
from sync.server.agreement_results import insert_server_annotations, live_annotations
from sync.server.config import ServerConfig
from sync.server.errors import ApiError
from sync.server.journal import audit
from sync.server.media_seal import MediaKeys, load_keys
from sync.server.service import keep_frame_index

AUTHOR = "prelabel"  # the author of server-side predictions
OPEN = ("new", "assigned", "in_progress", "rejected")  # submitted and accepted tasks are not pre-labelled
WRITE_GROUP = 32  # tasks per write transaction
READ_BATCH = 4  # tasks per decode task


@dataclass(frozen=True)
class FarmOptions:
    project: str
    model: Path
    card: Path | None = None
    ray_address: str | None = None  # None: a local Ray for the command
    batch: int = 0  # images per session.run; 0: 8 on GPUs, else 1
    every: int | None = None  # video tasks: the model on every k-th frame (None: videos are left alone)
    link: bool = False  # with every: link each video's detections into tracks
    workers: int = 0  # inference actors; 0: one per GPU, else CPUs // 2
    provider: str = "auto"
    cpus: int | None = None  # CPUs of the local Ray (None: all)
    object_store_mb: int = 512  # the local Ray's object store
    write_group: int = WRITE_GROUP  # tasks per write transaction


@dataclass
class FarmFailure:
    task_id: int
    name: str
    reason: str


@dataclass
class FarmReport:
    model_id: str
    tasks: int = 0  # open tasks of the kinds this run takes
    predicted: int = 0  # run and recorded by this command (with or without shapes)
    already_done: int = 0  # recorded before (or holding this model's predictions)
    shapes: int = 0
    other_kinds: Counter[str] = field(default_factory=Counter)  # open tasks of kinds this run does not take
    left_because: str = ""  # why those are left alone
    images: int = 0  # images run
    frames: int = 0  # video frames run
    lost_frames: int = 0
    tracks: int = 0
    audio_seconds: float = 0.0
    skipped: Counter[str] = field(default_factory=Counter)  # video and audio predictions left out, by reason
    failures: list[FarmFailure] = field(default_factory=list)
    workers: int = 0
    device: str = ""
    seconds: float = 0.0  # from the first task read to the last write

    image_seconds: float = 0.0  # from the first image read to the last image stored
    media_seconds: float = 0.0  # the same for the videos and recordings

    @property
    def images_per_second(self) -> float:
        return self.images / self.image_seconds if self.image_seconds > 0 else 0.0

    def summary(self) -> list[str]:
        lines = [f"done: {self.predicted} tasks pre-labelled with {self.shapes} shapes, {self.already_done} already "
                 f"done by this model, {len(self.failures)} failed (of {self.tasks})"]
        if self.workers:
            speed = f"; {self.images_per_second:.1f} images/s" if self.images else ""
            lines.append(f"{self.workers} {self.device} workers{speed}")
        media_s = max(self.media_seconds, 1e-9)
        if self.frames:
            tracks = f" in {self.tracks} track{'s' * (self.tracks != 1)}" if self.tracks else ""
            lost = f", {self.lost_frames} did not decode" if self.lost_frames else ""
            lines.append(f"videos: {self.frames} frames run{tracks}, {self.frames / media_s:.1f} frames/s{lost}")
        if self.audio_seconds:
            lines.append(f"recordings: {_duration(self.audio_seconds)} of audio at "
                         f"{self.audio_seconds / media_s:.0f}x real time")  # fmt: skip
        if self.other_kinds:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.other_kinds.items()))
            lines.append(f"left alone: {kinds} tasks ({self.left_because})")
        lines += [f"skipped {n} predictions: {reason}" for reason, n in sorted(self.skipped.items())]
        lines += [f"failed: task {f.task_id} {f.name}: {f.reason}" for f in self.failures]
        return lines


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.2f} h"


def run_prelabel(config: ServerConfig, options: FarmOptions, say: Callable[[str], None] = print) -> FarmReport:
    """Pre-label the project's open tasks of the kinds the model takes that it has not run on; ApiError for a bad
    project, model or option (the CLI prints it as one line)."""
    if options.every is not None and options.every < 1:
        raise ApiError(422, "bad_option", "--every must be 1 or more")
    if options.link and options.every is None:
        raise ApiError(422, "bad_option", "--link needs --every K (the frames of each video to run the model on)")
    try:
        probe = open_model(options.model, options.card, "cpu", spin=False)
    except ModelError as exc:
        raise ApiError(422, "bad_model", str(exc)) from None
    if isinstance(probe, AudioModel) and options.every is not None:
        raise ApiError(422, "bad_option", f"--every is for video tasks; {probe.path.name} is an audio model "
                       f"({probe.card.family})")  # fmt: skip
    store = db.Store(config)
    try:
        return _run(config, store, options, probe, say)
    finally:
        store.close()


def _kinds(probe: Predictor | AudioModel, options: FarmOptions) -> tuple[tuple[str, ...], str]:
    """The task kinds this run takes, and why the others are left alone."""
    if isinstance(probe, AudioModel):
        return ("audio",), f"{probe.path.name} is an audio model"
    if options.every is None:
        return ("image",), "give --every K to run the model on every K-th frame of the videos; audio needs an " \
                           "audio model"
    return ("image", "video"), "audio needs an audio model"


def _run(config: ServerConfig, store: db.Store, options: FarmOptions, probe: Predictor | AudioModel,
         say: Callable[[str], None]) -> FarmReport:  # fmt: skip
    model_id = probe.model_id
    report = FarmReport(model_id)
    kinds, report.left_because = _kinds(probe, options)
    with store.read() as conn:
        project_id, schema = _project(conn, options.project)
        todo, report.already_done, report.other_kinds = pending_tasks(conn, project_id, model_id, kinds)
        live = live_annotations(conn, [t["task_id"] for t in todo if t["kind"] == "audio"])
        indexes = _frame_indexes(conn, [t["sha"] for t in todo if t["kind"] == "video"])
    report.tasks = len(todo) + report.already_done
    what = f"{len(probe.card.classes)} classes" if isinstance(probe, Predictor) else "audio"
    say(f"model {probe.path.name}: {probe.card.family}, {what}; {len(todo)} of {report.tasks} "
        f"{' and '.join(kinds)} tasks to run")  # fmt: skip
    if not todo:
        return report
    keys = _media_keys(config, store)
    images = [t for t in todo if t["kind"] == "image"]
    media = [{**t, "live": pickle.dumps(live[t["task_id"]]) if live.get(t["task_id"]) else b"",
              "index": indexes.get(t["sha"], b"")} for t in todo if t["kind"] in MEDIA_KINDS]  # fmt: skip
    names = {t["task_id"]: t["name"] for t in todo}
    shas = {t["task_id"]: t["sha"] for t in todo}
    with _ray(options) as ray:
        if images:
            assert isinstance(probe, Predictor)
            mapper = LabelMapper(schema, probe.card.rename, locked=True, keypoints=probe.card.keypoints,
                                 skeleton=probe.card.skeleton)  # fmt: skip
            dataset, report.workers, report.device = _dataset(ray, images, config, keys, options, probe)
            start = time.perf_counter()
            for group in dataset.iter_batches(batch_size=options.write_group, batch_format="numpy"):
                _store(store, project_id, model_id, functools.partial(_mapped, mapper, report), group, names,
                       report)  # fmt: skip
                report.image_seconds = time.perf_counter() - start
                say(f"prelabel: {report.predicted + len(report.failures)}/{len(todo)} tasks, "
                    f"{report.images_per_second:.1f} images/s")  # fmt: skip
            report.skipped.update(mapper.skipped)
        if media:
            dataset, report.workers, report.device = _media_dataset(ray, media, config, keys, options, probe, schema)
            start = time.perf_counter()
            for group in dataset.iter_batches(batch_size=1, batch_format="numpy"):
                _store(store, project_id, model_id, functools.partial(_outcome, report, shas), group, names, report)
                report.media_seconds = time.perf_counter() - start
                say(f"prelabel: {report.predicted + len(report.failures)}/{len(todo)} tasks")
    with store.write() as conn:
        audit(conn, "cli", "prelabel.run", f"project:{project_id}", model=model_id, predicted=report.predicted,
              shapes=report.shapes, failed=len(report.failures))  # fmt: skip
    return report


def _project(conn: sa.Connection, ref: str) -> tuple[int, LabelSchema]:
    p = db.projects
    cond = p.c.id == int(ref) if ref.isdigit() else p.c.name == ref
    row = conn.execute(sa.select(p.c.id, p.c.schema).where(cond)).first()
    if row is None:
        raise ApiError(404, "not_found", f"no project {ref!r}")
    return int(row.id), LabelSchema.from_json(row.schema)


def pending_tasks(conn: sa.Connection, project_id: int, model_id: str, kinds: Sequence[str] = ("image",)
                  ) -> tuple[list[dict[str, Any]], int, Counter[str]]:  # fmt: skip
    """The open tasks of these kinds to run (id, name, kind, media, size, frames), how many of them this model has
    run on, and the open tasks of other kinds."""
    t, m, r = db.tasks, db.media, db.model_runs
    rows = conn.execute(
        sa.select(t.c.id, t.c.name, t.c.kind, t.c.media_sha256, t.c.width, t.c.height, t.c.frames, m.c.size)
        .join(m, m.c.sha256 == t.c.media_sha256)
        .where(t.c.project_id == project_id, t.c.status.in_(OPEN)).order_by(t.c.id)
    ).all()
    ran = set(conn.execute(sa.select(r.c.task_id).where(r.c.model_id == model_id, r.c.project_id == project_id))
              .scalars())  # fmt: skip
    # predictions of this model that reached the server another way (a desktop run, pushed): the model id is a hash
    ran |= {row[0] for row in db.fetch(conn, "SELECT DISTINCT a.task_id FROM annotations a JOIN tasks t ON "
                                       "t.id = a.task_id WHERE t.project_id = ? AND NOT a.deleted AND "
                                       "CAST(a.fields AS TEXT) LIKE ?", [project_id, f"%{model_id}%"])}
    others: Counter[str] = Counter(row.kind for row in rows if row.kind not in kinds)
    todo = [{"task_id": row.id, "name": row.name, "kind": row.kind, "sha": row.media_sha256, "size": row.size,
             "width": row.width, "height": row.height, "frames": row.frames}
            for row in rows if row.kind in kinds and row.id not in ran]  # fmt: skip
    done = sum(1 for row in rows if row.kind in kinds and row.id in ran)
    return todo, done, others


def _frame_indexes(conn: sa.Connection, shas: Sequence[str]) -> dict[str, bytes]:
    f = db.frame_indexes
    return {row.sha256: bytes(row.data) for row in conn.execute(sa.select(f).where(f.c.sha256.in_(shas)))}


def _media_keys(config: ServerConfig, store: db.Store) -> MediaKeys:
    from sync.server.media_seal import NO_KEYS

    if not config.media:
        return NO_KEYS
    with store.read() as conn:
        return load_keys(conn, create=False)


# -- Ray ---------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _ray(options: FarmOptions) -> Iterator[Any]:
    """The cluster at --ray, or a small local one for this command (no dashboard, bounded object store)."""
    import ray

    if options.ray_address:
        ray.init(address=options.ray_address, logging_level=logging.ERROR, log_to_driver=False)
    else:
        ray.init(num_cpus=options.cpus or os.cpu_count() or 1, num_gpus=_local_gpus(), include_dashboard=False,
                 object_store_memory=options.object_store_mb << 20, logging_level=logging.ERROR, log_to_driver=False)
    quiet = logging.getLogger("ray.data")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # no "execution finished" lines between the progress lines
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        yield ray
    finally:
        ray.shutdown()  # a local Ray stops; a cluster is only disconnected from
        quiet.setLevel(level)


def _local_gpus() -> int:
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return 0
    with contextlib.suppress(Exception):
        import subprocess

        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
        return sum(1 for line in out.splitlines() if line.startswith("GPU "))
    return 0


@dataclass(frozen=True)
class _Actors:
    """How many inference actors run, what each reserves and its session's threads, on this cluster."""

    workers: int
    on_gpu: bool
    resources: dict[str, Any]
    threads: int
    provider: str
    cpus: float

    @classmethod
    def plan(cls, ray: Any, options: FarmOptions, reads: float, most: int | None = None) -> _Actors:
        """`reads`: the CPU the decode tasks beside the actors reserve; `most`: no more actors than that."""
        resources = ray.cluster_resources()
        cpus, gpus = float(resources.get("CPU", 1)), int(resources.get("GPU", 0))
        workers = min(options.workers or (gpus if gpus else max(1, int(cpus) // 2)), most or 1 << 30)
        on_gpu = gpus > 0 and options.provider != "cpu"
        if on_gpu:
            return cls(workers, True, {"num_gpus": 1, "num_cpus": 1}, 1, options.provider, cpus)
        # leave the decode tasks room on small machines: CPU is a logical reservation
        reserve = {"num_cpus": max(0.25, min(1.0, (cpus - reads) / workers))}
        provider = options.provider if options.provider != "auto" else "cpu"
        return cls(workers, False, reserve, max(1, int(cpus) // workers), provider, cpus)

    @property
    def device(self) -> str:
        return "GPU" if self.on_gpu else "CPU"


def _quiet_retry_warnings() -> None:
    # retries (max_retries, max_restarts, max_task_retries) are still remote args in Ray 2.x, which warns about them
    warnings.filterwarnings("ignore", message=".*ray_remote_args.*is deprecated", category=DeprecationWarning)


def _dataset(ray: Any, todo: list[dict[str, Any]], config: ServerConfig, keys: MediaKeys, options: FarmOptions,
             probe: Predictor) -> tuple[Any, int, str]:  # fmt: skip
    read_cpus = 0.25
    actors = _Actors.plan(ray, options, 2 * read_cpus)
    batch = options.batch or (8 if actors.on_gpu else 1)
    model_bytes = [ray.put(_model_files(options, probe))]  # nested: each actor (and a restarted one) gets it
    preparer = probe.preparer
    dataset = ray.data.from_items(todo, override_num_blocks=-(-len(todo) // READ_BATCH))
    _quiet_retry_warnings()
    dataset = dataset.map_batches(read_images, batch_size=READ_BATCH, fn_kwargs={"config": config, "keys": keys,
                                  "preparer": preparer}, num_cpus=read_cpus, max_retries=3,
                                  compute=ray.data.TaskPoolStrategy(size=max(2, int(actors.cpus))))  # fmt: skip
    dataset = dataset.map_batches(
        ImageInfer, batch_size=max(batch, READ_BATCH), batch_format="numpy",
        fn_constructor_kwargs={"files": model_bytes, "provider": actors.provider, "threads": actors.threads,
                               "batch": batch, "model_id": probe.model_id},
        compute=ray.data.ActorPoolStrategy(size=actors.workers), max_restarts=3, max_task_retries=3,
        **actors.resources,
    )  # fmt: skip
    return dataset, actors.workers, actors.device


def _media_dataset(ray: Any, todo: list[dict[str, Any]], config: ServerConfig, keys: MediaKeys,
                   options: FarmOptions, probe: Predictor | AudioModel, schema: LabelSchema) -> tuple[Any, int, str]:
    """One video or recording per item, read, decoded and run inside the actor (farm/media_tasks.py): no more
    actors than tasks."""
    actors = _Actors.plan(ray, options, 0.0, most=len(todo))
    model_bytes = [ray.put(_model_files(options, probe))]
    _quiet_retry_warnings()
    dataset = ray.data.from_items(todo, override_num_blocks=len(todo))
    dataset = dataset.map_batches(
        MediaInfer, batch_size=1, batch_format="numpy",
        fn_constructor_kwargs={"files": model_bytes, "provider": actors.provider, "threads": actors.threads,
                               "model_id": probe.model_id, "every": options.every or 0, "link": options.link,
                               "batch": options.batch or (8 if actors.on_gpu else 1),
                               "config": config, "keys": keys, "schema": schema.to_json()},
        compute=ray.data.ActorPoolStrategy(size=actors.workers), max_restarts=3, max_task_retries=3,
        **actors.resources,
    )  # fmt: skip
    return dataset, actors.workers, actors.device


def _model_files(options: FarmOptions, probe: Predictor | AudioModel) -> dict[str, bytes]:
    """The model (and its card) as bytes: actors on other nodes need not see the driver's files."""
    files = {probe.path.name: probe.path.read_bytes()}
    card = options.card or card_beside(probe.path)
    if card is not None:
        files["card.json"] = Path(card).read_bytes()
    return files


# -- storing -----------------------------------------------------------------------------------------------------

Rows = tuple[list[Annotation], bool, str]  # a task's annotations to store, whether to record its run, its failure


def _store(store: db.Store, project_id: int, model_id: str, rows_of: Callable[[sa.Connection, int, bytes], Rows],
           group: dict[str, np.ndarray], names: dict[int, str], report: FarmReport) -> None:  # fmt: skip
    """One transaction: the group's rows (`rows_of(connection, task id, result)`), their events and a model_runs
    row per task run; a task recorded meanwhile (a retried item, a concurrent run) is left as it is."""
    now = time.time()
    ids = [int(i) for i in group["task_id"]]
    with store.write() as conn:
        r = db.model_runs
        done = set(conn.execute(sa.select(r.c.task_id).where(r.c.model_id == model_id, r.c.task_id.in_(ids)))
                   .scalars())  # fmt: skip
        new, runs = [], []
        for task_id, data, error in zip(ids, group["result"], group["error"], strict=True):
            if task_id in done:
                report.already_done += 1
                continue
            stored, record, failure = rows_of(conn, task_id, data) if not error else ([], False, str(error))
            if failure:
                report.failures.append(FarmFailure(task_id, names.get(task_id, ""), failure))
                continue
            new += stored
            report.predicted += 1
            done.add(task_id)
            if record:
                runs.append({"model_id": model_id, "task_id": task_id, "project_id": project_id,
                             "shapes": len(stored), "at": now})
        insert_server_annotations(conn, project_id, new, AUTHOR, now)
        if runs:
            conn.execute(r.insert(), runs)
    report.shapes += len(new)


def _mapped(mapper: LabelMapper, report: FarmReport, _conn: sa.Connection, task_id: int, data: bytes) -> Rows:
    """An image's pickled predictions mapped to the project's labels; its run is recorded when something was kept
    or nothing was found (not when the label mapping skipped all: as the desktop, pipeline.py)."""
    predictions = pickle.loads(data)
    stored = mapper.annotations(task_id, predictions, report.model_id, AUTHOR)
    report.images += 1
    return stored, bool(stored or not predictions), ""


def _outcome(report: FarmReport, shas: dict[int, str], conn: sa.Connection, task_id: int, data: bytes) -> Rows:
    """A video's or a recording's pickled Outcome (farm/media_tasks.py), its counts added to the report and a frame
    index it built kept."""
    outcome: Outcome = pickle.loads(data)
    if outcome.new_index is not None:
        keep_frame_index(conn, shas[task_id], outcome.new_index)
    if not outcome.error:
        report.frames += outcome.frames
        report.lost_frames += outcome.lost_frames
        report.tracks += outcome.tracks
        report.audio_seconds += outcome.audio_seconds
        report.skipped.update(outcome.skipped)
    return outcome.rows, outcome.record_run, outcome.error
