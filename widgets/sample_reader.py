"""Samples for the waveform zoomed past the finest peaks level, read on a worker (never on the UI thread).

The view asks for the samples around what it shows; the worker reads them with core.audio.read_range from its own
source (a path, or a reader over the encrypted media cache), and only the newest request is read: scrolling fast
never queues reads. A window three views wide is read, so a short scroll draws from what is already there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QObject, Signal

from core.audio import AudioError, read_range
from core.av_open import Source

MAX_SAMPLES = 1 << 20  # per channel and window; past the finest level a view needs far fewer


class SampleReader(QObject):
    ready = Signal()  # a window arrived: repaint
    failed = Signal(str)

    def __init__(self, opener: Callable[[], Source], sample_rate: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self.rate = sample_rate
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="samples")
        self._lock = threading.Lock()
        self._wanted: tuple[float, float] | None = None
        self.start = 0.0  # the time of the first sample held
        self.samples: np.ndarray | None = None  # float32 (channels, n)

    def covers(self, t0: float, t1: float) -> bool:
        if self.samples is None:
            return False
        return self.start <= t0 and t1 <= self.start + self.samples.shape[1] / self.rate

    def request(self, t0: float, t1: float) -> None:
        """Make sure samples of [t0, t1] arrive (with a view's width on each side)."""
        if self.covers(t0, t1):
            return
        span = t1 - t0
        start = max(0.0, t0 - span)
        end = min(t1 + span, start + MAX_SAMPLES / self.rate)
        with self._lock:
            fresh = self._wanted is None
            self._wanted = (start, end)
        if fresh:
            self._pool.submit(self._work)

    def close(self) -> None:
        with self._lock:
            self._wanted = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _work(self) -> None:
        while True:
            with self._lock:
                wanted = self._wanted
            if wanted is None:
                return
            try:
                data = read_range(self._opener(), *wanted)
            except (AudioError, OSError, ValueError) as exc:
                self.failed.emit(str(exc))
                data = None
            with self._lock:
                if self._wanted == wanted:
                    self._wanted = None
                    if data is not None:
                        self.start, self.samples = wanted[0], data
                    done = True
                else:
                    done = False  # a newer window was asked for meanwhile: read that one
            if done:
                self.ready.emit()
                return
