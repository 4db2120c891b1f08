"""Plays a recording: PCM made by widgets.audio_pcm on a worker, pushed into a QAudioSink from a UI-thread timer.

The playhead is the audio being heard, not a wall clock: each chunk written to the sink is marked with its source
time, and `position_s` maps the frames the sink has consumed back through those marks (so speed changes, loops and
seeks need no arithmetic of their own). Pause, seek and a speed change stop the pipeline and start a new one at the
playhead: the worker stops between packets, the sink drops its buffer, and sound resumes within tens of ms. With no
output device a NullSink consumes at real time, `no_device` says so once per process, and everything else works.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QIODevice, QObject, QTimer, Signal
from PySide6.QtMultimedia import QAudio, QAudioDevice, QAudioFormat, QAudioSink, QMediaDevices

from core.audio import Source
from widgets.audio_pcm import NullSink, PcmFormat, PcmWorker, Sink

TICK_MS = 33  # feed the sink and report the position about 30 times a second
FIRST_TICK_MS = 5  # until the first chunk is written after a (re)start: sound starts as soon as it is decoded
SINK_BUFFER_S = 0.5  # what the sink holds: UI-thread stalls up to this long are not heard (a seek drops it)
SPEED_RANGE = (0.5, 2.0)  # atempo keeps the pitch over this range in one filter
NO_DEVICE = QT_TRANSLATE_NOOP("AudioPlayback", "No audio output device: playing silently (the playhead, selections and "
                                               "loops still work)")
_AV_FORMATS = {QAudioFormat.SampleFormat.Float: "flt", QAudioFormat.SampleFormat.Int16: "s16",
               QAudioFormat.SampleFormat.Int32: "s32", QAudioFormat.SampleFormat.UInt8: "u8"}


class QtSink:
    """QAudioSink in push mode; consumed frames are written minus buffered, smoothed by the clock between the
    sink's period-sized steps so the playhead moves evenly."""

    def __init__(self, device: QAudioDevice, qformat: QAudioFormat, fmt: PcmFormat) -> None:
        self._sink = QAudioSink(device, qformat)
        self._sink.setBufferSize(round(SINK_BUFFER_S * fmt.rate) * fmt.frame_bytes)
        self._fmt = fmt
        self._io: QIODevice | None = None
        self._written = self._seen = self._shown = 0
        self._seen_at = time.monotonic()

    def start(self) -> None:
        self._io = self._sink.start()
        self._written = self._seen = self._shown = 0
        self._seen_at = time.monotonic()

    def failure(self) -> str | None:
        if self._io is None or self._sink.error() not in (QAudio.Error.NoError, QAudio.Error.UnderrunError):
            return f"The audio output failed ({self._sink.error().name}): playing silently"
        return None

    def stop(self) -> None:
        self._sink.stop()
        self._io = None

    def write(self, data: bytes) -> int:
        written = int(self._io.write(data)) if self._io is not None else 0
        self._written += max(written, 0) // self._fmt.frame_bytes
        return max(written, 0)

    def bytes_free(self) -> int:
        return int(self._sink.bytesFree()) if self._io is not None else 0

    def consumed_frames(self) -> int:
        now = time.monotonic()
        buffered = (self._sink.bufferSize() - self._sink.bytesFree()) // self._fmt.frame_bytes
        measured = max(0, self._written - buffered)
        if measured != self._seen:
            self._seen, self._seen_at = measured, now
        running = self._sink.state() == QAudio.State.ActiveState
        guess = self._seen + (int((now - self._seen_at) * self._fmt.rate) if running else 0)
        self._shown = max(self._shown, min(guess, self._written))
        return self._shown


class AudioPlayback(QObject):
    """Play, pause, play a selection (once or looped), seek, speed 0.5x-2x with the pitch kept, for one recording
    at a time; every signal is emitted on the UI thread and nothing decodes there."""

    position_changed = Signal(float)
    playing_changed = Signal(bool)
    finished = Signal()
    no_device = Signal(str)
    error = Signal(str)

    _no_device_said = False  # per process: one status message, however many recordings are opened

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._opener: Callable[[], Source] | None = None
        self._duration = 0.0
        self._sink: Sink | None = None
        self._fmt = self._source_format = PcmFormat(1, 1)  # the output's; the recording's rate and channels
        self._worker: PcmWorker | None = None
        self._position = 0.0
        self._speed = 1.0
        self._range: tuple[float, float, bool] | None = None  # (start, end, loop) of the play under way or paused
        self._marks: list[tuple[int, float]] = []  # (frames written before the chunk, its source time)
        self._written = 0
        self._pending: tuple[float, bytes] | None = None  # the part of a chunk the sink had no room for
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    @property
    def playing(self) -> bool:
        return self._worker is not None

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def position_s(self) -> float:
        """The time being heard: the sink's consumed frames mapped through the mark of the chunk they are in."""
        if self._worker is None or self._sink is None or not self._marks:
            return self._position
        consumed = self._sink.consumed_frames()
        while len(self._marks) > 1 and self._marks[1][0] <= consumed:
            self._marks.pop(0)
        offset, time_s = self._marks[0]
        return time_s + max(0, consumed - offset) / self._fmt.rate * self._speed

    def open(self, opener: Callable[[], Source], sample_rate: int, channels: int, duration_s: float) -> None:
        """A recording to play; `opener` gives its source (a path or a seekable file object) for each pass."""
        self.close()
        self._opener, self._duration, self._position = opener, duration_s, 0.0
        self._source_format = PcmFormat(sample_rate, min(channels, 2))
        self._sink, self._fmt = self._make_sink()

    def close(self) -> None:
        """Stops playing and joins the worker: no thread is left behind."""
        self._halt()
        self._opener, self._sink, self._range = None, None, None

    def play(self, start_s: float | None = None, end_s: float | None = None, loop: bool = False) -> None:
        """From start_s (None: the playhead; at the end, the beginning) to end_s (None: the end), looped if asked."""
        if self._opener is None:
            return
        end = self._duration if end_s is None else min(max(end_s, 0.0), self._duration)
        start = self.position_s if start_s is None else start_s
        if start_s is None and start >= end:
            start = 0.0
        start = min(max(start, 0.0), end)
        self._range = (start, end, loop)
        self._restart(start)

    def pause(self) -> None:
        """Holds the playhead where it is heard; the worker is joined and the sink's buffer dropped."""
        if self.playing:
            self._position = self.position_s
            self._halt()
            self.position_changed.emit(self._position)

    def toggle(self) -> None:
        """Pause, or go on with what was paused (its selection and loop included)."""
        if self.playing:
            self.pause()
        elif self._opener is not None and self._range is not None and self._range[0] <= self._position < self._range[1]:
            self._restart(self._position)
        else:
            self.play()

    def seek(self, t: float) -> None:
        """Moves the playhead; while playing, sound goes on from there (a seek outside the selection leaves it)."""
        t = min(max(t, 0.0), self._duration)
        if self._range is not None and not self._range[0] <= t <= self._range[1]:
            self._range = (t, self._duration, False)
        if self.playing:
            self._restart(t)
        else:
            self._position = t
            self.position_changed.emit(t)

    def set_speed(self, x: float) -> None:
        """0.5 to 2.0 (clamped); the pitch stays. While playing, sound goes on from the playhead at the new speed."""
        x = min(max(x, SPEED_RANGE[0]), SPEED_RANGE[1])
        if x != self._speed:
            position = self.position_s
            self._speed = x
            if self.playing:
                self._restart(position)

    def _make_sink(self) -> tuple[Sink, PcmFormat]:
        """The default output in the recording's rate and channels as float, else in the device's own format."""
        device = QMediaDevices.defaultAudioOutput()
        if QMediaDevices.audioOutputs() and not device.isNull():
            qformat = QAudioFormat()
            qformat.setSampleRate(self._source_format.rate)
            qformat.setChannelCount(self._source_format.channels)
            qformat.setSampleFormat(QAudioFormat.SampleFormat.Float)
            if not device.isFormatSupported(qformat):
                qformat = device.preferredFormat()
            if qformat.sampleFormat() in _AV_FORMATS:
                fmt = PcmFormat(qformat.sampleRate(), qformat.channelCount(), _AV_FORMATS[qformat.sampleFormat()])
                return QtSink(device, qformat, fmt), fmt
        return self._silent(self.tr(NO_DEVICE))

    def _silent(self, why: str) -> tuple[Sink, PcmFormat]:
        """The null sink, and `no_device` the first time in the process."""
        if not AudioPlayback._no_device_said:
            AudioPlayback._no_device_said = True
            self.no_device.emit(why)
        return NullSink(self._source_format, SINK_BUFFER_S), self._source_format

    def _restart(self, t: float) -> None:
        assert self._opener is not None and self._sink is not None and self._range is not None
        was_playing = self.playing
        self._stop_pipeline()
        start, end, loop = self._range
        self._position = t
        self._sink.start()
        if (why := self._sink.failure()) is not None:
            self._sink.stop()
            self._sink, self._fmt = self._silent(why)
            self._sink.start()
        self._worker = PcmWorker(self._opener, t, end, self._fmt, speed=self._speed,
                                 loop_from=start if loop else None, duration_s=self._duration)
        self._timer.start(FIRST_TICK_MS)
        if not was_playing:
            self.playing_changed.emit(True)
        self.position_changed.emit(t)

    def _tick(self) -> None:
        worker, sink = self._worker, self._sink
        if worker is None or sink is None:
            return
        if (why := sink.failure()) is not None:  # the device went away: go on silently from the playhead
            position = self.position_s
            sink.stop()
            self._sink, self._fmt = self._silent(why)
            self._restart(position)
            return
        while sink.bytes_free() >= self._fmt.frame_bytes:
            chunk = self._pending or worker.take()
            if chunk is None:
                break
            time_s, data = chunk
            n = sink.write(data[: sink.bytes_free()])
            if n:
                self._marks.append((self._written, time_s))
                self._written += n // self._fmt.frame_bytes
            done = n // self._fmt.frame_bytes
            self._pending = (time_s + done / self._fmt.rate * self._speed, data[n:]) if n < len(data) else None
            if self._pending is not None:
                break
        if worker.ended and self._pending is None and sink.consumed_frames() >= self._written:
            self._end(worker.error)
        elif self._written:
            if self._timer.interval() != TICK_MS:
                self._timer.setInterval(TICK_MS)
            self.position_changed.emit(self.position_s)

    def _end(self, error: str | None) -> None:
        """The play ran out: at the range's end (finished) or at damage in the file (error, where it stopped)."""
        assert self._range is not None
        self._position = self.position_s if error else self._range[1]
        self._halt()
        self.position_changed.emit(self._position)
        if error:
            self.error.emit(error)
        else:
            self._range = None
            self.finished.emit()

    def _halt(self) -> None:
        was_playing = self.playing
        self._stop_pipeline()
        self._timer.stop()
        if was_playing:
            self.playing_changed.emit(False)

    def _stop_pipeline(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._sink is not None:
            self._sink.stop()
        self._marks, self._written, self._pending = [], 0, None
