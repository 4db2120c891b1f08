"""Pre-labeling in the app: run a model on this task (one key) or on many in the background, review its predictions.

- The model is chosen with Model → Choose model… and remembered in the settings; without a choice the demo PP-OCR
  text detector is used where it is installed (packaging/fetch_demo_model.py), so the demo works out of the box.
- This task: the model runs on a worker thread; its predictions replace this model's pending predictions on the
  task in one undo step (pre-labelling twice leaves one set).
- Selected or all tasks: `inference.PrelabelJob` on a worker thread, with progress and Cancel in the status bar. It
  writes to the workspace directly; the task on show is reloaded afterwards when it received predictions. A synced
  workspace's images are read from its encrypted media cache (the session's decoder); one not downloaded yet fails
  that task only.
- Audio tasks (Ctrl+L on a recording, and the recordings among selected or all tasks) get the VAD model instead (the
  vad_model setting, else the installed Silero VAD) with the vad_* settings, through AudioPrelabelJob in the same
  background job; its segments are predictions on the vad_tier tier, reviewed like any others.
- Review (tools/predictions.py): Enter accepts the selected predictions, Shift+Enter all on show, Delete rejects;
  a slider hides predictions scored below a threshold (view state, remembered in the settings).
- The status bar says what runs the model and, when it is not the GPU, why (`RuntimeInfo.describe()`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QSlider, QToolBar, QWidget

from core.annotation import Annotation, Task
from core.schema import LabelSchema
from core.video import VideoDecoder
from desktop.jobs import Job, JobState
from desktop.session import CachedMedia
from inference import LabelMapper, Prediction, Predictor, PrelabelJob, PrelabelOptions, PrelabelReport
from inference.audio import AudioModel
from inference.audio_prelabel import AudioPrelabelJob, AudioPrelabelOptions
from inference.models import demo_model_path, vad_model_path
from inference.pipeline import PrelabelStore, selected_tasks
from inference.video_prelabel import VideoPrelabelJob, VideoPrelabelOptions
from sync.client.audio import audio_source
from sync.client.video import video_index, video_source
from widgets.messages import translated

if TYPE_CHECKING:
    from desktop.window_api import PrelabelWindow

log = logging.getLogger(__name__)
LABEL_WIDTH = 560  # pixels of the status bar's model and provider label
GPU_BATCH = 8  # images per session.run on a GPU (where the model's batch dimension is dynamic)
MENU = ["prelabel.task", "prelabel.selected", "prelabel.all", None, "prediction.accept", "prediction.accept_all",
        "prediction.reject", None, "prelabel.choose_model", "segment.choose_model"]  # fmt: skip


def warn(parent: QWidget, text: str) -> QMessageBox:
    """A warning that does not block the app (the work behind it goes on); also logged."""
    log.warning("%s", text)
    box = QMessageBox(QMessageBox.Icon.Warning, "Annodesk", text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    box.show()
    return box


class PrelabelController(QObject):
    def __init__(self, window: PrelabelWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.settings = window.settings
        self._predictor: Predictor | None = None  # loaded on first use, on a worker thread
        self._audio_model: tuple[tuple[Any, ...], AudioModel] | None = None  # (what it was loaded with, the model)
        self._lock = threading.Lock()
        self.job: Job | None = None  # the pre-label run in progress (one at a time)
        self.last_report: PrelabelReport | None = None
        self.last_reports: list[PrelabelReport] = []  # of the last background run (images, then recordings)
        self.model_label = QLabel()
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold_label = QLabel()

    def handlers(self) -> dict[str, Callable[[], object]]:
        def editor_call(name: str) -> Callable[[], object]:
            return lambda: self._review(name)

        return {
            "prelabel.task": self.prelabel_task,
            "prelabel.selected": lambda: self.prelabel_tasks(self.window.tasks.selected_task_ids()),
            "prelabel.all": lambda: self.prelabel_tasks(None),
            "prelabel.choose_model": self.choose_model,
            "prediction.accept": editor_call("accept_selected"),
            "prediction.accept_all": editor_call("accept_all"),
            "prediction.reject": editor_call("reject_selected"),
        }

    def install(self) -> None:
        """The Model menu, the predictions toolbar (pre-label, accept all, score threshold) and the status label."""
        actions = self.window.actions_by_id
        bar = self.window.menuBar()
        menu = bar.addMenu(self.tr("&Model"))
        help_menu = next((a for a in bar.actions() if a.menu() and a.menu().objectName() == "help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, menu)
        for action_id in MENU:
            menu.addSeparator() if action_id is None else menu.addAction(actions[action_id])
        toolbar = QToolBar(self.tr("Predictions"))
        toolbar.setObjectName("predictions")
        for action_id in ("prelabel.task", "prediction.accept_all"):
            toolbar.addAction(actions[action_id])
        self.threshold.setRange(0, 100)
        self.threshold.setFixedWidth(160)
        self.threshold.setToolTip(self.tr("Hide predictions scored below this (they are kept, not deleted)"))
        self.threshold.setValue(round(self.settings.prediction_threshold * 100))
        self.threshold.valueChanged.connect(self._threshold_changed)
        toolbar.addWidget(QLabel(" " + self.tr("Min score") + " "))
        toolbar.addWidget(self.threshold)
        toolbar.addWidget(self.threshold_label)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.window.statusBar().addPermanentWidget(self.model_label)
        self._threshold_changed(self.threshold.value())
        self._show_model()

    # --- model -----------------------------------------------------------------------------------------------------

    def model_path(self) -> Path | None:
        """The chosen model, else the installed demo model, else None."""
        return Path(self.settings.prelabel_model) if self.settings.prelabel_model else demo_model_path()

    def choose_model(self, path: Path | None = None) -> None:
        if path is None:
            current = str(self.model_path() or "")
            name, _ = QFileDialog.getOpenFileName(self.window.canvas.window(), "Choose a model for pre-labelling",
                                                  current, "ONNX models (*.onnx)")
            if not name:
                return
            path = Path(name)
        self.settings.prelabel_model = str(path)
        with self._lock:
            self._predictor = None
        self._show_model()

    @property
    def predictor(self) -> Predictor | None:
        """The model as loaded by the last run (None before the first)."""
        return self._predictor

    def _load(self) -> Predictor:
        """The model, loaded once (on a worker thread; ModelError names the file when it cannot be used)."""
        path = self.model_path()
        if path is None:
            raise FileNotFoundError("no model chosen: Model → Choose model… (or install the demo model with "
                                    "packaging/fetch_demo_model.py)")  # fmt: skip
        with self._lock:
            wanted = (path, self.settings.inference_provider)
            if self._predictor is None or (self._predictor.path, self._predictor.runtime.requested) != wanted:
                self._predictor = Predictor.load(path, provider=self.settings.inference_provider)
            return self._predictor

    def vad_model_path(self) -> Path | None:
        """The chosen audio model, else the installed Silero VAD, else None."""
        return Path(self.settings.vad_model) if self.settings.vad_model else vad_model_path()

    def _load_audio(self) -> AudioModel:
        """The audio model with the VAD settings, loaded once per model and settings (on a worker thread)."""
        path = self.vad_model_path()
        if path is None:
            raise FileNotFoundError("no VAD model: install Silero VAD with packaging/fetch_demo_model.py (or set "
                                    "vad_model in the settings)")  # fmt: skip
        s = self.settings
        settings = {"conf": s.vad_threshold, "tier": s.vad_tier, "min_speech_ms": s.vad_min_speech_ms,
                    "min_silence_ms": s.vad_min_silence_ms, "speech_pad_ms": s.vad_pad_ms}  # fmt: skip
        wanted = (path, s.inference_provider, tuple(settings.items()))
        with self._lock:
            if self._audio_model is None or self._audio_model[0] != wanted:
                model = AudioModel.load(path, provider=s.inference_provider, settings=settings)
                self._audio_model = (wanted, model)
            return self._audio_model[1]

    def _show_model(self, predictor: Predictor | None = None) -> None:
        path = self.model_path()
        if path is None:
            self.model_label.setText(self.tr("No model"))
            self.model_label.setToolTip(self.tr("Model → Choose model… picks an ONNX model for pre-labelling"))
        elif predictor is None:
            self.model_label.setText(self.tr("Model: {0}").format(path.stem))
            self.model_label.setToolTip(f"{path}\n" + self.tr("Loads on the first pre-label (Ctrl+L)"))
        else:  # the note on why the GPU is not used can be long: elided here, whole in the tooltip
            text = self.tr("Model: {0}").format(path.stem) + f" · {predictor.runtime.describe()}"
            metrics = self.model_label.fontMetrics()
            self.model_label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, LABEL_WIDTH))
            self.model_label.setToolTip(f"{path}\n" + self.tr("Runs on {0}").format(predictor.runtime.describe()))

    # --- running ---------------------------------------------------------------------------------------------------

    def prelabel_task(self) -> Job | None:
        """Run the model on the task on show, in the background; its predictions arrive as one undo step."""
        session = self.window.session
        if session is None or session.task is None or self._busy():
            return None
        image, task = session.image, session.task
        if task.kind == "video":
            return self._prelabel_video(task)
        if task.kind == "audio":
            return self._start(Job(f"Pre-labelling {task.name} (VAD)", self._run_tasks([task.id]), self),
                               self._tasks_done)  # fmt: skip
        if image is None:
            message = self.tr("Cannot pre-label {0}: {1}").format(task.name, session.image_error)
            self.window.statusBar().showMessage(message, 6000)
            return None

        def run(state: JobState) -> tuple[Any, ...]:
            predictor = self._load()
            return session, task.id, predictor, predictor.predict(image)

        return self._start(Job(f"Pre-labelling {task.name}", run, self), self._task_done)

    def _prelabel_video(self, task: Task) -> Job:
        """A video task: the model on every k-th frame (the video_prelabel_every setting), its detections linked
        into tracks, stored as predictions; a second run of the same model on it is skipped, as on images."""
        session = self.window.session
        assert session is not None

        def run(state: JobState) -> tuple[Any, list[PrelabelReport]]:
            return session, [_run_cancellable(state, self._video_job(self._load(), [task.id], state))]

        every = max(1, self.settings.video_prelabel_every)
        return self._start(Job(f"Pre-labelling {task.name} (every {every} frames)", run, self), self._tasks_done)

    def _video_job(self, predictor: Predictor, task_ids: list[int], state: JobState) -> VideoPrelabelJob:
        """The model on every k-th frame of these videos (the video_prelabel_every setting), linked into tracks."""
        session = self.window.session
        assert session is not None
        store, cache = session.writer_ws, session.media_cache

        def open_cached(t: Task) -> VideoDecoder:  # a synced video: decoded from the encrypted cache
            return VideoDecoder(video_source(t, cache), video_index(store, t, cache), cache_mb=64)

        options = VideoPrelabelOptions(every=max(1, self.settings.video_prelabel_every), link=True, task_ids=task_ids,
                                       locked_schema=cache is not None,
                                       batch=GPU_BATCH if predictor.runtime.on_gpu else 1)
        opener = open_cached if cache is not None else None
        return VideoPrelabelJob(predictor, store, options, state.set_progress, opener)

    def prelabel_tasks(self, task_ids: list[int] | None) -> Job | None:
        """Run the model on these tasks (None: all) in the background, with progress and Cancel; resumable."""
        session = self.window.session
        if session is None or self._busy():
            return None
        if task_ids is not None and not task_ids:
            self.window.statusBar().showMessage(self.tr("Select tasks in the task list first"), 5000)
            return None
        count = "all tasks" if task_ids is None else f"{len(task_ids)} tasks"
        return self._start(Job(f"Pre-labelling {count}", self._run_tasks(task_ids), self), self._tasks_done)

    def _run_tasks(self, task_ids: list[int] | None) -> Callable[[JobState], tuple[Any, list[PrelabelReport]]]:
        """The job: the image model on the images, then on every k-th frame of the videos, then the audio model on
        the recordings."""
        session = self.window.session
        assert session is not None
        store = session.writer_ws
        media = session.decode.read if isinstance(session.decode, CachedMedia) else None  # a synced workspace
        cache = session.media_cache

        def run(state: JobState) -> tuple[Any, list[PrelabelReport]]:
            by_kind = _by_kind(store, task_ids)
            audio, images, videos = by_kind.pop("audio", []), by_kind.pop("image", []), by_kind.pop("video", [])
            others = images + videos + [i for ids in by_kind.values() for i in ids]
            reports: list[PrelabelReport] = []
            if others and (not audio or self.model_path() is not None):
                predictor = self._load()
                batch = GPU_BATCH if predictor.runtime.on_gpu else 1
                if images:
                    options = PrelabelOptions(batch=batch, task_ids=images, locked_schema=media is not None)
                    reports.append(_run_cancellable(state, PrelabelJob(predictor, store, options, state.set_progress,
                                                                       media=media)))  # fmt: skip
                if videos and not state.cancelled():
                    reports.append(_run_cancellable(state, self._video_job(predictor, videos, state)))
            if audio and not state.cancelled():
                model = self._load_audio()
                renames = {model.card.classes[0]: self.settings.vad_label} if len(model.card.classes) == 1 else {}
                audio_options = AudioPrelabelOptions(task_ids=audio, renames=renames, locked_schema=cache is not None)
                opener = (lambda t: audio_source(t, cache)) if cache is not None else None
                job = AudioPrelabelJob(model, store, audio_options, state.set_progress, opener)
                reports.append(_run_cancellable(state, job))
                if others and self.model_path() is None:
                    reports[-1].messages.append(f"{len(others)} other tasks left alone: no model chosen for them "
                                                "(Model → Choose model…)")  # fmt: skip
            return session, reports

        return run

    def _busy(self) -> bool:
        if self.job is not None:
            self.window.statusBar().showMessage(self.tr("A pre-labelling run is in progress"), 4000)
        return self.job is not None

    def _start(self, job: Job, done: Callable[[Any], None]) -> Job:
        self.job = job
        self.window.progress.track(job)
        job.finished.connect(done)
        job.failed.connect(self._failed)
        self.window.jobs.append(job)
        job.start()
        return job

    def _failed(self, message: str) -> None:
        self.job = None
        warn(self.window.canvas.window(), message)

    def _task_done(self, result: tuple[Any, ...]) -> None:
        self.job = None
        session, task_id, predictor, predictions = result
        self._show_model(predictor)
        if session is not self.window.session:  # the workspace was closed meanwhile
            return
        new, messages = self._annotations(task_id, predictor, predictions)
        editor = session.editor
        if session.task is not None and session.task.id == task_id and editor is not None:
            editor.replace_predictions(predictor.model_id, new)
        elif new:  # the person moved on: store them on their task
            session.writer.call(session.writer_ws.insert_annotations, new).result()
        if new or not predictions:  # after the predictions (in order); "pre-label all" then skips this task
            session.writer.call(session.writer_ws.record_model_runs, predictor.model_id, [task_id]).result()
        name = session.reader.task(task_id).name
        summary = [self.tr("{0} predictions on {1} ({2})").format(len(new), name, predictor.runtime.active),
                   *map(translated, messages)]
        if new:
            summary.append(self.tr("Enter accepts the selected, Shift+Enter all, Delete rejects"))
        self.window.statusBar().showMessage("; ".join(summary), 10000)

    def _annotations(
        self, task_id: int, predictor: Predictor, predictions: list[Prediction]
    ) -> tuple[list[Annotation], list[str]]:
        session = self.window.session
        assert session is not None
        card = predictor.card
        locked = isinstance(session.decode, CachedMedia)  # a synced workspace: the server owns the schema
        mapper = LabelMapper(session.schema, card.rename, locked=locked, keypoints=card.keypoints,
                             skeleton=card.skeleton)
        new = mapper.annotations(task_id, predictions, predictor.model_id, session.reader.author)
        if mapper.schema != session.schema:
            session.writer.call(session.writer_ws.set_schema, mapper.schema).result()
            self._schema_changed(mapper.schema)
        return new, mapper.messages()

    def _tasks_done(self, result: tuple[Any, list[PrelabelReport]]) -> None:
        self.job = None
        started_on, reports = result
        self.last_reports = reports
        self.last_report = reports[-1] if reports else None
        session = self.window.session
        if session is None or session is not started_on:
            return
        self._schema_changed(session.schema)
        self.window.tasks.refresh()
        if not reports:
            self.window.statusBar().showMessage(self.tr("Nothing to pre-label"), 5000)
            return
        self.window.statusBar().showMessage("; ".join(self.tr("Pre-labelling {0}").format(translated(r.summary()[0]))
                                                      for r in reports), 15000)
        failed = [translated(line) for r in reports if r.failures for line in r.summary()]
        if failed:
            warn(self.window.canvas.window(), "\n".join(failed))
        self._reload_if_changed()

    def _reload_if_changed(self) -> None:
        """Show what a background run stored on the task on show (its undo history starts again)."""
        session = self.window.session
        if session is None or session.task is None or session.editor is None:
            return
        stored = {a.id for a in session.reader.annotations(session.task.id)}
        if stored - set(session.editor.stored.ids()):
            self.window.show_task(session.task.id)

    def _schema_changed(self, schema: LabelSchema) -> None:
        session = self.window.session
        if session is not None and session.editor is not None and session.editor.schema != schema:
            session.editor.schema = schema
            self.window.labels.set_schema(schema)
            self.window.labels.select_label(session.editor.current_label)

    # --- review ----------------------------------------------------------------------------------------------------

    def task_shown(self) -> None:
        session = self.window.session
        if session is not None and session.editor is not None:
            session.editor.set_score_threshold(self.settings.prediction_threshold)

    def _threshold_changed(self, value: int) -> None:
        self.settings.prediction_threshold = value / 100
        self.threshold_label.setText(f" {value}% ")
        session = self.window.session
        if session is not None and session.editor is not None:
            session.editor.set_score_threshold(value / 100)

    def _review(self, name: str) -> None:
        session = self.window.session
        if session is None or session.editor is None:
            return
        count = getattr(session.editor, name)()
        verb = {"accept_selected": "Accepted", "accept_all": "Accepted", "reject_selected": "Rejected"}[name]
        none = "No predictions on show" if name == "accept_all" else "No predictions selected"
        text = f"{verb} {count} prediction{'s' if count != 1 else ''}" if count else none
        self.window.statusBar().showMessage(text, 4000)


def _by_kind(store: PrelabelStore, task_ids: list[int] | None) -> dict[str, list[int]]:
    """These tasks (None: all) by media kind."""
    found: dict[str, list[int]] = {}
    for task in selected_tasks(store, task_ids, False):
        found.setdefault(task.kind, []).append(task.id)
    return found


def _run_cancellable(state: JobState, job: PrelabelJob | VideoPrelabelJob | AudioPrelabelJob) -> PrelabelReport:
    """Run `job`, passing the Cancel button on to it (it checks its own flag between images or frames)."""
    done = threading.Event()

    def forward() -> None:
        while not state.cancelled():
            if done.wait(0.05):
                return
        job.cancel()

    threading.Thread(target=forward, daemon=True).start()
    try:
        return job.run()
    finally:
        done.set()
