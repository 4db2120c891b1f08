"""Renders image tiles on a worker thread ahead of need, so a zoom step or a pan paints tiles already in memory.

The UI thread submits a plan (tile keys in priority order; each new plan replaces the rest of the last one) and
takes the finished tiles as QImages: QImage may be made on any thread, QPixmap only on the GUI thread, so the canvas
turns a tile into a QPixmap when it first paints it. Nothing here waits for the worker: `take` returns what is ready,
and `delivered` (a queued signal) says when there is more. The worker thread ends when it runs out of work and
starts again with the next plan, so idle canvases hold no threads.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from core.pyramid import Pyramid

NICE = 5  # the worker's priority below the UI thread (Linux)
TileKey = tuple[float, int, int]  # (scale, tx, ty): tile (tx, ty) of the image drawn at that scale


class TilePrefetcher(QObject):
    """One worker thread that runs `render(pyramid, key)` for each planned key and keeps the results until taken."""

    delivered = Signal()  # the first tile since the last `take` is ready

    def __init__(self, render: Callable[[Pyramid, TileKey], QImage]) -> None:
        super().__init__()
        self._render = render
        self._lock = threading.Condition()
        self._plan: deque[TileKey] = deque()
        self._pyramid: Pyramid | None = None
        self._ready: dict[TileKey, QImage] = {}
        self._in_flight: TileKey | None = None
        self._generation = 0  # bumped by reset: tiles of an older generation are thrown away
        self._thread: threading.Thread | None = None
        self.rendered = 0  # tiles made on the worker (tests and benchmarks)

    def submit(self, pyramid: Pyramid, keys: Iterable[TileKey]) -> None:
        """Render these tiles of `pyramid` next, in this order, instead of what the last plan has left."""
        with self._lock:
            self._pyramid = pyramid
            self._plan = deque(k for k in keys if k not in self._ready and k != self._in_flight)
            if self._plan and self._thread is None:
                # Not a daemon: at exit Python waits for the plan's last tiles (a fraction of a second) instead of
                # killing the thread inside Qt, which aborts the process.
                self._thread = threading.Thread(target=self._work, name="tile-prefetch")
                self._thread.start()

    def reset(self) -> None:
        """Forget the plan and every tile not yet taken (another image, or a more complete pyramid of it)."""
        with self._lock:
            self._generation += 1
            self._plan.clear()
            self._ready.clear()
            self._pyramid = None
            self._in_flight = None  # its tile will be thrown away: a new plan must not count on it

    def take(self) -> list[tuple[TileKey, QImage]]:
        """The tiles finished since the last call."""
        with self._lock:
            ready, self._ready = list(self._ready.items()), {}
        return ready

    def idle(self) -> bool:
        """True when no tile is planned or being rendered (benchmarks and tests wait for this, never the UI)."""
        with self._lock:
            return self._thread is None

    def _work(self) -> None:
        if sys.platform == "linux":  # a thread's own nice value: the UI thread wins a core both want
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        while True:
            with self._lock:
                if not self._plan or self._pyramid is None:
                    self._thread = None
                    return
                key = self._in_flight = self._plan.popleft()
                generation, pyramid = self._generation, self._pyramid
            try:
                image: QImage | None = self._render(pyramid, key)
            except Exception:  # the UI thread renders the tile again when it is shown, and reports why
                image = None
            with self._lock:
                self._in_flight = None
                if image is None or generation != self._generation:
                    continue
                first = not self._ready
                self._ready[key] = image
                self.rendered += 1
            if first:
                self.delivered.emit()
