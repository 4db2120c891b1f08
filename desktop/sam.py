"""SAM-style clicking in the app: the image encoder runs in the background, each click runs only the decoder.

Once the segment tool has been used (or a segmentation model chosen), every task that opens is encoded on a worker
thread, and so is the next task, so that the first click there waits for nothing. Embeddings are kept by task id in
a small LRU. The click logic is the Qt-free `tools.segment.SegmentTool`; this module gives it a `PromptSegmenter`
for the task on show (`TaskPrompter`) and draws its preview (`widgets.mask_preview`).

A click that comes before the image's encoding is done waits for it (the encoder started when the task opened).
A model that cannot be loaded, or fails on an image, gives a message naming the file; the app goes on.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from core.geometry import Point, Rect
from core.media import MediaError
from core.shapes import Mask
from desktop.prelabel import warn
from inference import ImageEmbedding, InteractiveSegmenter, ModelError
from tools.editor import Editor
from widgets.mask_preview import MaskPreviewItem
from widgets.messages import translated

if TYPE_CHECKING:
    from desktop.session import TaskSession
    from desktop.window_api import SegmentWindow

CACHE_SIZE = 4  # embeddings kept (a real SAM embedding is 4 MB)
_ImageSource = np.ndarray | Future[np.ndarray]


class TaskPrompter:
    """The segment tool's model for one task: waits for that task's embedding, then runs the decoder."""

    def __init__(self, model: Future[InteractiveSegmenter], embedding: Future[ImageEmbedding], as_polygon: bool,
                 on_error: Callable[[str], None]) -> None:  # fmt: skip
        self._model = model
        self._embedding = embedding
        self._as_polygon = as_polygon
        self._on_error = on_error
        self.last_decode_seconds = 0.0

    @property
    def as_polygon(self) -> bool:
        return self._as_polygon

    def segment(self, points: tuple[Point, ...], labels: tuple[int, ...], box: Rect | None) -> Mask | None:
        try:
            embedding = self._embedding.result()
            start = time.perf_counter()
            corners = None if box is None else (box.x1, box.y1, box.x2, box.y2)
            mask = self._model.result().decode(embedding, points, labels, corners)
            self.last_decode_seconds = time.perf_counter() - start
            return mask
        except (ModelError, MediaError, OSError, ValueError) as exc:
            self._on_error(translated(exc))
        except CancelledError:
            self._on_error("the image's encoding was cancelled; open the task again")
        return None


class SegmentController(QObject):
    """Owns the segmentation model, the encoder thread and the embedding cache; binds them to each task shown."""

    failed = Signal(str)  # a decode or encode error during a click: shown as a warning
    load_failed = Signal(str)
    loaded = Signal(str)  # what runs the model

    def __init__(self, window: SegmentWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sam-encoder")
        self._model: Future[InteractiveSegmenter] | None = None
        self._model_path = ""
        self._session: TaskSession | None = None
        self._embeddings: OrderedDict[int, Future[ImageEmbedding]] = OrderedDict()
        self.active = False  # encode each task shown: from the first use of the tool on
        self.preview = MaskPreviewItem()
        window.canvas.scene().addItem(self.preview)
        self.failed.connect(lambda message: warn(self.window.canvas.window(), message))
        self.load_failed.connect(self._load_failed)
        self.loaded.connect(lambda message: window.statusBar().showMessage(message, 10000))

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"segment.choose_model": self.choose_model}

    # --- model ------------------------------------------------------------------------------------------------------

    def choose_model(self, path: Path | None = None) -> None:
        """Use a SAM-style encoder (its card names the decoder); remembered in the settings."""
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self.window,
                "Choose a segmentation model (SAM image encoder)",
                self.window.settings.segment_model,
                "ONNX models (*.onnx)",
            )
            if not name:
                return
            path = Path(name)
        self.window.settings.segment_model = str(path)
        self._drop_embeddings()
        self._model = None
        self.activate()

    def _segmenter(self) -> Future[InteractiveSegmenter] | None:
        path = self.window.settings.segment_model
        if not path:
            return None
        if self._model is None or self._model_path != path:
            self._model_path = path
            provider = self.window.settings.inference_provider
            self._model = self._pool.submit(InteractiveSegmenter.load, path, provider=provider)
            self._model.add_done_callback(self._loaded)
        return self._model

    def _loaded(self, future: Future[InteractiveSegmenter]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            self.load_failed.emit(translated(exc))
        else:
            self.loaded.emit(f"Segmentation model {Path(self._model_path).stem} runs on "
                             f"{future.result().runtime.describe()}")  # fmt: skip

    # --- tasks -----------------------------------------------------------------------------------------------------

    def activate(self) -> None:
        """Start encoding (this task and, from now on, each task shown); says how to choose a model without one."""
        if not self.window.settings.segment_model:
            self.window.statusBar().showMessage(
                self.tr("Segment: choose a model first (Model → Choose segmentation model…)"))
            return
        self.active = True
        self.task_shown()

    def task_shown(self) -> None:
        """Bind the tool to the task on show, and encode it and the next task in the background."""
        session = self.window.session
        if session is None or session.editor is None or session.task is None:
            return
        if session is not self._session:  # another workspace: task ids mean other images
            self._session = session
            self._drop_embeddings()
        editor = session.editor
        editor.subscribe(lambda what: self._editor_changed(editor, what))
        if editor.tool == "segment":
            self.active = True
        model = self._segmenter() if self.active else None
        if model is None or session.image is None:
            editor.segmenter = None
            return
        current = self._embedding(session.task.id, session.image, model)
        editor.segmenter = TaskPrompter(model, current, self.window.settings.segment_as_polygon, self.failed.emit)
        following = session.neighbour(1)
        if following is not None and following.error == "":
            self._embedding(following.id, session.images.request(following.media_path), model)

    def embedding(self, task_id: int) -> Future[ImageEmbedding] | None:
        """The cached (or pending) embedding of a task, if it was asked for."""
        return self._embeddings.get(task_id)

    def _embedding(
        self, task_id: int, image: _ImageSource, model: Future[InteractiveSegmenter]
    ) -> Future[ImageEmbedding]:
        future = self._embeddings.pop(task_id, None)
        if future is None or (future.done() and (future.cancelled() or future.exception() is not None)):
            future = self._pool.submit(_encode, model, image)
        self._embeddings[task_id] = future
        while len(self._embeddings) > CACHE_SIZE:
            self._embeddings.popitem(last=False)[1].cancel()
        return future

    def _drop_embeddings(self) -> None:
        for future in self._embeddings.values():
            future.cancel()
        self._embeddings.clear()

    def _editor_changed(self, editor: Editor, what: str) -> None:
        session = self.window.session
        if session is None or editor is not session.editor:
            return
        if what == "tool" and editor.tool == "segment" and editor.segmenter is None:
            self.activate()
        if what in ("overlay", "tool", "label"):
            overlay = editor.overlay
            mask = overlay.drawing if editor.tool == "segment" and isinstance(overlay.drawing, Mask) else None
            prompts = overlay.prompts if editor.tool == "segment" else ()
            self.preview.show_preview(mask, self.window.canvas.layer.color_of(editor.current_label), prompts)
            if editor.tool == "segment" and overlay.hint:
                self.window.statusBar().showMessage(overlay.hint, 4000)

    def _load_failed(self, message: str) -> None:
        """Forget a model that cannot be used (so the next start does not fail again) and say why."""
        self.window.settings.segment_model = ""
        self._model = None
        self.active = False
        self._drop_embeddings()
        session = self.window.session
        if session is not None and session.editor is not None:
            session.editor.segmenter = None
        warn(self.window.canvas.window(), f"Cannot use the segmentation model: {message}")

    def close(self) -> None:
        self._drop_embeddings()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _encode(model: Future[InteractiveSegmenter], image: _ImageSource) -> ImageEmbedding:
    """On the encoder thread: the model (loading first if needed), the image (decoded ahead if a future), encode."""
    pixels = image.result() if isinstance(image, Future) else image
    return model.result().encode(pixels)
