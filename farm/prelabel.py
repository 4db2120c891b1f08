"""Pre-label a server project on Ray Data: the desktop's model code (inference/) over the server's store (sync/server/).

Stages (docs/deploy.md, "Pre-labeling on a Ray cluster"):
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
Video (every k-th frame) and audio (VAD) tasks are not run here yet: they are counted and left to `annodesk prelabel`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from core.media import MediaError
from core.schema import LabelSchema
from inference import LabelMapper, ModelError, Predictor
from inference.cards import card_beside
from inference.families import Prepared
from inference.predictor import Preparer
from inference.preprocess import Transform, decode_reduced
from sync.server import db
from sync.server.agreement_results import insert_server_annotations
from sync.server.config import ServerConfig
from sync.server.errors import ApiError
from sync.server.journal import audit
from sync.server.media_seal import MediaKeys, load_keys
from sync.server.media_store import MediaStore, open_media

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
    every: int | None = None  # video frames: not run on the server yet
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
    tasks: int = 0  # open image tasks of the project
    predicted: int = 0  # run and recorded by this command (with or without shapes)
    already_done: int = 0  # recorded before (or holding this model's predictions)
    shapes: int = 0
    other_kinds: Counter[str] = field(default_factory=Counter)  # video and audio tasks, not run here
    failures: list[FarmFailure] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    workers: int = 0
    device: str = ""
    seconds: float = 0.0  # from the first task read to the last write

    @property
    def images_per_second(self) -> float:
        ran = self.predicted + len(self.failures)
        return ran / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> list[str]:
        lines = [f"done: {self.predicted} tasks pre-labelled with {self.shapes} shapes, {self.already_done} already "
                 f"done by this model, {len(self.failures)} failed (of {self.tasks})"]
        if self.workers:
            lines.append(f"{self.workers} {self.device} workers; {self.images_per_second:.1f} images/s")
        lines += [f"not run: {n} {kind} tasks (server-side {kind} pre-labeling is not built yet; use `annodesk "
                  "prelabel` on a clone)" for kind, n in sorted(self.other_kinds.items())]
        lines += self.messages
        lines += [f"failed: task {f.task_id} {f.name}: {f.reason}" for f in self.failures]
        return lines


def run_prelabel(config: ServerConfig, options: FarmOptions, say: Callable[[str], None] = print) -> FarmReport:
    """Pre-label the project's open image tasks that this model has not run on; ApiError for a bad project, model
    or option (the CLI prints it as one line)."""
    if options.every is not None:
        raise ApiError(422, "not_supported", "--every: video tasks are not pre-labelled on the server yet; use "
                       "`annodesk prelabel CLONE --every K`")  # fmt: skip
    try:
        probe = Predictor.load(options.model, options.card, "cpu", threads=1)
    except ModelError as exc:
        raise ApiError(422, "bad_model", str(exc)) from None
    store = db.Store(config)
    try:
        return _run(config, store, options, probe, say)
    finally:
        store.close()


def _run(config: ServerConfig, store: db.Store, options: FarmOptions, probe: Predictor,
         say: Callable[[str], None]) -> FarmReport:  # fmt: skip
    model_id = probe.model_id
    report = FarmReport(model_id)
    with store.read() as conn:
        project_id, schema = _project(conn, options.project)
        todo, report.already_done, report.other_kinds = pending_tasks(conn, project_id, model_id)
    report.tasks = len(todo) + report.already_done
    say(f"model {probe.path.name}: {probe.card.family}, {len(probe.card.classes)} classes; "
        f"{len(todo)} of {report.tasks} image tasks to run")  # fmt: skip
    if not todo:
        return report
    keys = _media_keys(config, store)
    mapper = LabelMapper(schema, probe.card.rename, locked=True, keypoints=probe.card.keypoints,
                         skeleton=probe.card.skeleton)  # fmt: skip
    with _ray(options) as ray:
        dataset, report.workers, report.device = _dataset(ray, todo, config, keys, options, probe)
        start = time.perf_counter()
        names = {t["task_id"]: t["name"] for t in todo}
        for group in dataset.iter_batches(batch_size=options.write_group, batch_format="numpy"):
            _store(store, project_id, model_id, mapper, group, names, report)
            report.seconds = time.perf_counter() - start
            say(f"prelabel: {report.predicted + len(report.failures)}/{len(todo)} tasks, "
                f"{report.images_per_second:.1f} images/s")  # fmt: skip
    report.messages = mapper.messages()
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


def pending_tasks(conn: sa.Connection, project_id: int, model_id: str) -> tuple[list[dict[str, Any]], int,
                                                                                 Counter[str]]:  # fmt: skip
    """The open image tasks to run (id, name, media, size), how many this model has run on, and the open tasks of
    other kinds."""
    t, m, r = db.tasks, db.media, db.model_runs
    rows = conn.execute(
        sa.select(t.c.id, t.c.name, t.c.kind, t.c.media_sha256, t.c.width, t.c.height, m.c.size)
        .join(m, m.c.sha256 == t.c.media_sha256)
        .where(t.c.project_id == project_id, t.c.status.in_(OPEN)).order_by(t.c.id)
    ).all()
    ran = set(conn.execute(sa.select(r.c.task_id).where(r.c.model_id == model_id, r.c.project_id == project_id))
              .scalars())  # fmt: skip
    # predictions of this model that reached the server another way (a desktop run, pushed): the model id is a hash
    ran |= {row[0] for row in db.fetch(conn, "SELECT DISTINCT a.task_id FROM annotations a JOIN tasks t ON "
                                       "t.id = a.task_id WHERE t.project_id = ? AND NOT a.deleted AND "
                                       "CAST(a.fields AS TEXT) LIKE ?", [project_id, f"%{model_id}%"])}
    others: Counter[str] = Counter(row.kind for row in rows if row.kind != "image")
    todo = [{"task_id": row.id, "name": row.name, "sha": row.media_sha256, "size": row.size, "width": row.width,
             "height": row.height} for row in rows if row.kind == "image" and row.id not in ran]
    done = sum(1 for row in rows if row.kind == "image" and row.id in ran)
    return todo, done, others


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


def _dataset(ray: Any, todo: list[dict[str, Any]], config: ServerConfig, keys: MediaKeys, options: FarmOptions,
             probe: Predictor) -> tuple[Any, int, str]:  # fmt: skip
    resources = ray.cluster_resources()
    cpus, gpus = float(resources.get("CPU", 1)), int(resources.get("GPU", 0))
    workers = options.workers or (gpus if gpus else max(1, int(cpus) // 2))
    on_gpu = gpus > 0 and options.provider != "cpu"
    batch = options.batch or (8 if on_gpu else 1)
    model_bytes = [ray.put(_model_files(options, probe))]  # nested: each actor (and a restarted one) gets it
    preparer = probe.preparer
    dataset = ray.data.from_items(todo, override_num_blocks=-(-len(todo) // READ_BATCH))
    read_cpus = 0.25
    # retries (max_retries, max_restarts, max_task_retries) are still remote args in Ray 2.x, which warns about them
    warnings.filterwarnings("ignore", message=".*ray_remote_args.*is deprecated", category=DeprecationWarning)
    dataset = dataset.map_batches(_read_batch, batch_size=READ_BATCH, fn_kwargs={"config": config, "keys": keys,
                                  "preparer": preparer}, num_cpus=read_cpus, max_retries=3,
                                  compute=ray.data.TaskPoolStrategy(size=max(2, int(cpus))))  # fmt: skip
    if on_gpu:
        actor_resources: dict[str, Any] = {"num_gpus": 1, "num_cpus": 1}
        threads = 1
    else:  # leave the decode tasks room on small machines: CPU is a logical reservation
        actor_resources = {"num_cpus": max(0.25, min(1.0, (cpus - 2 * read_cpus) / workers))}
        threads = max(1, int(cpus) // workers)
    provider = options.provider if options.provider != "auto" or on_gpu else "cpu"
    dataset = dataset.map_batches(
        _Infer, batch_size=max(batch, READ_BATCH), batch_format="numpy",
        fn_constructor_kwargs={"files": model_bytes, "provider": provider, "threads": threads, "batch": batch,
                               "model_id": probe.model_id},
        compute=ray.data.ActorPoolStrategy(size=workers), max_restarts=3, max_task_retries=3, **actor_resources,
    )  # fmt: skip
    return dataset, workers, "GPU" if on_gpu else "CPU"


def _model_files(options: FarmOptions, probe: Predictor) -> dict[str, bytes]:
    """The model (and its card) as bytes: actors on other nodes need not see the driver's files."""
    files = {probe.path.name: probe.path.read_bytes()}
    card = options.card or card_beside(probe.path)
    if card is not None:
        files["card.json"] = Path(card).read_bytes()
    return files


_MEDIA: dict[tuple[Any, ...], MediaStore] = {}
_LOW = threading.local()


def _read_batch(batch: dict[str, np.ndarray], config: ServerConfig, keys: MediaKeys,
                preparer: Preparer) -> dict[str, np.ndarray]:  # fmt: skip
    """In a CPU task: each task's media bytes from the store, decoded (reduced where the model needs fewer pixels)
    and preprocessed; a task that cannot be read carries its reason instead."""
    if not getattr(_LOW, "done", False) and hasattr(os, "setpriority"):  # decode yields to inference, as on the desktop
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        _LOW.done = True
    key = (config.data_dir, config.media, config.s3_endpoint)
    media = _MEDIA.get(key)
    if media is None:
        media = _MEDIA[key] = open_media(config, keys)
    tensors: list[np.ndarray | None] = []
    transforms, errors = [], []
    for sha, name, size, width, height in zip(batch["sha"], batch["name"], batch["size"], batch["width"],
                                               batch["height"], strict=True):  # fmt: skip
        try:
            data = b"".join(media.read(str(sha), 0, int(size)))
            full = (int(width), int(height)) if int(width) > 0 else None
            image, fx, fy = decode_reduced(data, str(name), full, preparer.needed_scale)
            prepared = preparer.prepare(image, (fx, fy), full)
            tensors.append(prepared.tensor[0])
            t = prepared.transform
            transforms.append((t.gain_x, t.gain_y, t.pad_x, t.pad_y, t.width, t.height))
            errors.append("")
        except (MediaError, ModelError, ApiError, OSError) as exc:
            tensors.append(None)
            transforms.append((1.0, 1.0, 0.0, 0.0, 0, 0))
            errors.append(getattr(exc, "reason", None) or getattr(exc, "problem", None)
                          or getattr(exc, "detail", None) or str(exc))  # fmt: skip
    return {"task_id": batch["task_id"], "tensor": _tensor_column(tensors),
            "transform": np.array(transforms, np.float64), "error": np.array(errors, dtype=object)}


def _tensor_column(tensors: list[np.ndarray | None]) -> np.ndarray:
    """One array (Ray Data keeps it as an Arrow tensor column, no pickling) where the inputs share a shape, which
    letterboxing models make the rule; an object array of arrays (a variable-shaped column) otherwise. A failed task
    holds zeros of its neighbours' shape."""
    ok = [t for t in tensors if t is not None]
    like = ok[0] if ok else np.zeros((1, 1, 1), np.float32)
    filled = [t if t is not None else np.zeros_like(like) for t in tensors]
    if all(t.shape == like.shape and t.dtype == like.dtype for t in filled):
        return np.stack(filled)
    column = np.empty(len(filled), dtype=object)
    column[:] = filled
    return column


class _Infer:
    """A Ray actor holding one ONNX Runtime session: batches in, each task's predictions (or its failure) out."""

    def __init__(self, files: Any, provider: str, threads: int, batch: int, model_id: str) -> None:
        import ray

        if isinstance(files, list):  # [ref]: put once in the object store, fetched by each actor
            files = ray.get(files[0])
        self._dir = tempfile.TemporaryDirectory(prefix="annodesk-model-")
        folder = Path(self._dir.name)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        model = next(folder / n for n in files if n != "card.json")
        card = folder / "card.json" if "card.json" in files else None
        self.predictor = Predictor.load(model, card, provider, spin=False, threads=threads)
        if self.predictor.model_id != model_id:
            raise ModelError(model, "the model's bytes changed on the way to the worker")
        self.batch = 1 if self.predictor.max_batch == 1 else max(1, batch)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(batch["task_id"])
        predictions: list[bytes] = [b""] * n
        errors = [str(e) for e in batch["error"]]
        ready = [(i, Prepared(np.asarray(batch["tensor"][i])[None], _transform(batch["transform"][i])))
                 for i in range(n) if not errors[i]]
        while ready:
            shape = ready[0][1].tensor.shape
            chunk = [item for item in ready if item[1].tensor.shape == shape][: self.batch]
            ready = [item for item in ready if item not in chunk]
            try:
                outputs = self.predictor.infer([p for _, p in chunk])
            except ModelError as exc:
                for i, _ in chunk:
                    errors[i] = exc.problem
                continue
            for (i, prepared), out in zip(chunk, outputs, strict=True):
                try:
                    predictions[i] = pickle.dumps(self.predictor.decode(out, prepared), protocol=5)
                except ModelError as exc:
                    errors[i] = exc.problem
        return {"task_id": batch["task_id"], "predictions": np.array(predictions, dtype=object),
                "error": np.array(errors, dtype=object)}


def _transform(values: np.ndarray) -> Transform:
    gain_x, gain_y, pad_x, pad_y, width, height = (float(v) for v in values)
    return Transform(gain_x, gain_y, pad_x, pad_y, int(width), int(height))


# -- storing -----------------------------------------------------------------------------------------------------

def _store(store: db.Store, project_id: int, model_id: str, mapper: LabelMapper, group: dict[str, np.ndarray],
           names: dict[int, str], report: FarmReport) -> None:  # fmt: skip
    """One transaction: the group's predictions, their events and a model_runs row per task run; a task recorded
    meanwhile (a retried item, a concurrent run) is left as it is."""
    now = time.time()
    ids = [int(i) for i in group["task_id"]]
    with store.write() as conn:
        r = db.model_runs
        done = set(conn.execute(sa.select(r.c.task_id).where(r.c.model_id == model_id, r.c.task_id.in_(ids)))
                   .scalars())  # fmt: skip
        new, runs = [], []
        for task_id, data, error in zip(ids, group["predictions"], group["error"], strict=True):
            if task_id in done:
                report.already_done += 1
                continue
            if error:
                report.failures.append(FarmFailure(task_id, names.get(task_id, ""), str(error)))
                continue
            predictions = pickle.loads(data)
            stored = mapper.annotations(task_id, predictions, model_id, AUTHOR)
            new += stored
            report.predicted += 1
            done.add(task_id)
            if stored or not predictions:  # not when the label mapping skipped all: as the desktop (pipeline.py)
                runs.append({"model_id": model_id, "task_id": task_id, "project_id": project_id,
                             "shapes": len(stored), "at": now})
        insert_server_annotations(conn, project_id, new, AUTHOR, now)
        if runs:
            conn.execute(r.insert(), runs)
    report.shapes += len(new)
