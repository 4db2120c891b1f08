"""Plays one video frame-exactly without ever decoding on the UI thread.

A frame in the decoder's cache is shown at once (the UI thread only converts it); any other is asked of one worker
thread, which always decodes the newest request and drops the ones it had no time for, so a fast scrub or a 4x play
never queues up work: frames are skipped, never shown late. The prefetcher (core.video) fills the cache ahead of
the playhead in the direction of play, so stepping and normal-speed play are cache hits. Play follows the wall
clock through the frames' own timestamps (variable frame rates included), not a frame counter.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal

from core.video import FrameIndex, FrameLost, Prefetcher, Source, VideoDecoder, VideoError

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
MIN_TICK_MS = 8  # the play timer never ticks faster than this (about 120 Hz)


class FrameWorker(QObject):
    """Decodes the latest requested frame on its own thread; results come back to the UI thread by signal."""

    delivered = Signal(int, int, object)  # request number, frame number, BGR array
    failed = Signal(int, int, str)  # request number, frame number, why

    def __init__(self, decoder: VideoDecoder) -> None:
        super().__init__()
        self._decoder = decoder
        self._cond = threading.Condition()
        self._pending: tuple[int, int] | None = None  # (request number, frame)
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="video-frames", daemon=True)
        self._thread.start()

    def request(self, seq: int, frame: int) -> None:
        with self._cond:
            self._pending = (seq, frame)  # replaces a request not started yet: the decoder is never flooded
            self._cond.notify_all()

    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or self._pending is not None)
                if self._stop:
                    return
                assert self._pending is not None
                (seq, frame), self._pending, self._busy = self._pending, None, True
            try:
                image = self._decoder.frame(frame)
            except (FrameLost, VideoError, TimeoutError, IndexError) as exc:
                self.failed.emit(seq, frame, str(exc))
            else:
                self.delivered.emit(seq, frame, image)
            finally:
                with self._cond:
                    self._busy = False


class VideoPlayer(QObject):
    """The playhead of one open video: seek, step, play at a speed; `frame_shown` carries each frame put on screen."""

    frame_shown = Signal(int, object)  # frame number, HxWx3 BGR array
    frame_failed = Signal(int, str)
    playing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, cache_mb: float = 512.0) -> None:
        super().__init__(parent)
        self.cache_mb = cache_mb
        self.decoder: VideoDecoder | None = None
        self.index: FrameIndex | None = None
        self.frame = -1  # on screen
        self.wanted = 0  # asked for (the playhead)
        self.speed = 1.0
        self.direction = 1
        self.shown_at = 0.0  # time.perf_counter() when the last frame was handed over (latency checks)
        self.failed_frame = -1  # the last wanted frame that did not decode
        self._prefetcher: Prefetcher | None = None
        self._worker: FrameWorker | None = None
        self._seq = 0
        self._shown_seq = -1
        self._times = np.empty(0)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._play_from = (0.0, 0.0)  # (video seconds, perf_counter) when play started or the speed changed

    @property
    def frames(self) -> int:
        return self.index.frames if self.index is not None else 0

    @property
    def fps(self) -> float:
        return self.index.fps if self.index is not None and self.index.fps > 0 else 25.0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def open(self, source: Source, index: FrameIndex, frame: int = 0) -> None:
        """Open a video (VideoError when it cannot be) and show `frame`."""
        self.close()
        self.decoder = VideoDecoder(source, index, cache_mb=self.cache_mb)
        self.index = index
        self._times = (index.pts - index.pts[0]).astype(np.float64) * float(index.time_base)
        self._prefetcher = Prefetcher(self.decoder)
        self._worker = FrameWorker(self.decoder)
        self._worker.delivered.connect(self._delivered, Qt.ConnectionType.QueuedConnection)
        self._worker.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.frame, self._shown_seq = -1, self._seq  # a late result of the last video (queued) is older than this
        self.failed_frame = -1
        self.seek(frame)

    def close(self) -> None:
        self.pause()
        if self._worker is not None:
            self._worker.delivered.disconnect(self._delivered)
            self._worker.failed.disconnect(self._failed)
            self._worker.close()
        if self._prefetcher is not None:
            self._prefetcher.close()
        if self.decoder is not None:
            self.decoder.close()
        self.decoder = self.index = self._worker = self._prefetcher = None
        self.frame = -1

    # --- the playhead ---------------------------------------------------------------------------------------------

    def seek(self, frame: int) -> None:
        """Put frame `frame` (clamped) on screen: now from the cache, else as soon as the worker has it."""
        if self.decoder is None:
            return
        frame = min(max(int(frame), 0), self.frames - 1)
        if frame != self.wanted:
            self.direction = 1 if frame > self.wanted else -1
        self.wanted = frame
        self._seq += 1
        if frame == self.frame:
            self._shown_seq = self._seq
        else:
            image = self.decoder.cached(frame)
            if image is not None:
                self._show(self._seq, frame, image)
            else:
                assert self._worker is not None
                self._worker.request(self._seq, frame)
        if self._prefetcher is not None:
            self._prefetcher.update(frame, self.direction)

    def step(self, count: int) -> None:
        self.pause()
        self.seek(self.wanted + count)

    def play(self) -> None:
        if self.decoder is None or self.playing:
            return
        if self.wanted >= self.frames - 1:
            self.seek(0)
        self.direction = 1
        self._restart_clock()
        self._timer.start(max(MIN_TICK_MS, round(1000 / (self.fps * self.speed))))
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, speed: float) -> None:
        self.speed = min(max(speed, SPEEDS[0]), SPEEDS[-1])
        if self.playing:
            self._restart_clock()
            self._timer.setInterval(max(MIN_TICK_MS, round(1000 / (self.fps * self.speed))))

    def faster(self, step: int = 1) -> float:
        """The next speed in SPEEDS up (step 1) or down (step -1)."""
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        self.set_speed(SPEEDS[min(max(i + step, 0), len(SPEEDS) - 1)])
        return self.speed

    def wait_shown(self, timeout: float = 10.0) -> bool:
        """Process events until the wanted frame is on screen (tests, screenshots); False on timeout or failure."""
        deadline = time.monotonic() + timeout
        while self.frame != self.wanted and self.failed_frame != self.wanted and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.001)
        return self.frame == self.wanted

    # --- internals ------------------------------------------------------------------------------------------------

    def _restart_clock(self) -> None:
        self._play_from = (float(self._times[self.wanted]), time.perf_counter())

    def _tick(self) -> None:
        """Where the wall clock says the playhead is now; frames the decoder had no time for are skipped."""
        start_s, start_t = self._play_from
        now_s = start_s + (time.perf_counter() - start_t) * self.speed
        frame = int(np.searchsorted(self._times, now_s, side="right")) - 1
        if frame >= self.frames - 1:
            self.seek(self.frames - 1)
            self.pause()
        elif frame != self.wanted:
            self.seek(frame)

    def _delivered(self, seq: int, frame: int, image: np.ndarray) -> None:
        if seq > self._shown_seq:  # newer than what is on screen: while scrubbing, frames on the way show too
            self._show(seq, frame, image)

    def _failed(self, seq: int, frame: int, reason: str) -> None:
        if seq == self._seq:
            self.failed_frame = frame
            self.frame_failed.emit(frame, reason)

    def _show(self, seq: int, frame: int, image: np.ndarray) -> None:
        self._shown_seq = seq
        self.frame = frame
        self.frame_shown.emit(frame, image)
        self.shown_at = time.perf_counter()  # after the canvas and the editor took the frame
