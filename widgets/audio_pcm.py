"""PCM for playback: decoded with PyAV, sped up or slowed down with FFmpeg's atempo (the pitch kept), converted to
the output's format, made on a worker thread a bounded step ahead of the sink; and a sink for machines without one.

Qt-free, so the samples a play produces are tested without hearing them. A source is a path or a seekable file
object (a synced workspace decrypts its media cache in memory), which is why playback cannot hand Qt a file URL.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

import av.error
import av.filter
import numpy as np
from av.audio.frame import AudioFrame

from core.audio import AudioError, Source, open_audio
from core.audio.source import source_name, translated

AHEAD_S = 0.5  # audio the worker holds ready beyond what the sink has taken
SHORT_S = 0.1  # a stream that ends this much before the recording's known length is truncated or damaged
TEMPO_TAIL_S = 0.1  # atempo holds back about half its window: fed this far past the end, its output is cut there
Chunk = tuple[float, bytes]  # (source time of the first sample, packed PCM)


@dataclass(frozen=True)
class PcmFormat:
    """What the output takes: rate, channels and FFmpeg's name of a packed sample format (flt, s16, s32, u8)."""

    rate: int
    channels: int
    sample_format: str = "flt"

    @property
    def frame_bytes(self) -> int:
        return self.channels * {"u8": 1, "s16": 2, "s32": 4, "flt": 4}[self.sample_format]


def pcm_chunks(
    source: Source,
    start_s: float,
    end_s: float,
    fmt: PcmFormat,
    *,
    speed: float = 1.0,
    duration_s: float | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Generator[Chunk, None, None]:
    """The audio from start_s to end_s as `fmt` PCM at `speed`, in decoder-sized chunks.

    Samples are placed as core.audio.read_range places them (seek 0.5 s early, the first frame's time stamp, then
    counting), so a play hears the samples the waveform shows. A stream that stops short of `duration_s` (the
    length counted when the recording was added) raises AudioError after its last chunk.
    """
    name = source_name(source)
    container, stream = open_audio(source)
    try:
        with translated(name):
            rate, origin, tb = stream.rate, stream.start_time or 0, stream.time_base
            assert tb is not None
            first, last = round(start_s * rate), round(end_s * rate)
            fed = last + (round(TEMPO_TAIL_S * rate) if speed != 1.0 else 0)
            want = round((last - first) / rate * fmt.rate / speed)  # output frames of the range
            if start_s > 0.5:
                try:
                    container.seek(int((start_s - 0.5) / tb) + origin, stream=stream, backward=True)
                except av.error.FFmpegError:  # a demuxer that refuses this seek: decode from the start
                    container.close()
                    container, stream = open_audio(source)
            graph: av.filter.Graph | None = None
            position: int | None = None
            made = 0  # output frames yielded

            def output(graph: av.filter.Graph) -> Iterator[Chunk]:
                nonlocal made
                for data in _drain(graph):
                    data = data[: max(0, want - made) * fmt.frame_bytes]
                    if data:
                        yield start_s + made / fmt.rate * speed, data
                        made += len(data) // fmt.frame_bytes

            for packet in container.demux(stream):
                if cancel is not None and cancel():
                    return
                if (position is not None and position >= fed) or made >= want:
                    break
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:  # a damaged packet is skipped, as read_range does
                    continue
                for frame in frames:
                    if position is None:
                        position = round(float((frame.pts - origin) * tb) * rate) if frame.pts is not None else 0
                    lo, hi = max(first, position), min(fed, position + frame.samples)
                    if hi > lo:
                        piece = _slice(frame, lo - position, hi - position)
                        piece.pts, piece.time_base = lo, Fraction(1, rate)
                        graph = graph or _graph(piece, fmt, speed)
                        graph.push(piece)
                        yield from output(graph)
                    position += frame.samples
            if graph is not None:
                graph.push(None)
                yield from output(graph)
            reached = (position or 0) / rate
            if duration_s is not None and reached < min(end_s, duration_s) - SHORT_S:
                why = f"the audio stops at {reached:.2f} s of {duration_s:.2f} s: truncated or damaged"
                raise AudioError(name, why)
    finally:
        container.close()


def _slice(frame: AudioFrame, lo: int, hi: int) -> AudioFrame:
    """Samples lo..hi of a frame (the frame itself when that is all of it): the range's first and last frames."""
    if (lo, hi) == (0, frame.samples):
        return frame
    data = frame.to_ndarray()
    step = 1 if frame.format.is_planar else len(frame.layout.channels)
    part = np.ascontiguousarray(data[:, lo * step : hi * step])
    out = AudioFrame.from_ndarray(part, format=frame.format.name, layout=frame.layout.name)
    out.sample_rate = frame.sample_rate
    return out


def _graph(template: AudioFrame, fmt: PcmFormat, speed: float) -> av.filter.Graph:
    """abuffer -> atempo (speed != 1) -> aformat (rate, layout, sample format of the output) -> abuffersink."""
    graph = av.filter.Graph()
    nodes = [graph.add_abuffer(sample_rate=template.sample_rate, format=template.format.name,
                               layout=template.layout.name, time_base=Fraction(1, template.sample_rate))]
    if speed != 1.0:
        nodes.append(graph.add("atempo", f"{speed}"))
    nodes.append(graph.add("aformat", sample_fmts=fmt.sample_format, sample_rates=str(fmt.rate),
                           channel_layouts=f"{fmt.channels}c"))
    nodes.append(graph.add("abuffersink"))
    graph.link_nodes(*nodes).configure()
    return graph


def _drain(graph: av.filter.Graph) -> Iterator[bytes]:
    while True:
        try:
            frame = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):  # needs more input / flushed
            return
        yield frame.to_ndarray().tobytes()  # packed: one row, no plane padding


class PcmWorker:
    """pcm_chunks on its own thread into a queue holding at most AHEAD_S of audio; `loop_from` replays
    loop_from..end_s after each pass. The UI thread polls `take` and `ended`: nothing crosses back by signal."""

    def __init__(self, opener: Callable[[], Source], start_s: float, end_s: float, fmt: PcmFormat, *,
                 speed: float = 1.0, loop_from: float | None = None, duration_s: float | None = None) -> None:
        self.error: str | None = None
        self._cond = threading.Condition()
        self._queue: deque[Chunk] = deque()
        self._queued = 0
        self._limit = round(AHEAD_S * fmt.rate) * fmt.frame_bytes
        self._stop = self._done = False
        self._thread = threading.Thread(
            target=self._run, args=(opener, start_s, end_s, fmt, speed, loop_from, duration_s),
            name="audio-pcm", daemon=True)
        self._thread.start()

    def take(self) -> Chunk | None:
        with self._cond:
            if not self._queue:
                return None
            chunk = self._queue.popleft()
            self._queued -= len(chunk[1])
            self._cond.notify_all()
            return chunk

    @property
    def ended(self) -> bool:
        """The stream is over (its end, or `error`) and every chunk has been taken."""
        with self._cond:
            return self._done and not self._queue

    def stop(self, timeout: float = 5.0) -> None:
        """Ends the thread: it checks between packets and while waiting for room, so this takes milliseconds."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self, opener: Callable[[], Source], start_s: float, end_s: float, fmt: PcmFormat, speed: float,
             loop_from: float | None, duration_s: float | None) -> None:
        source: Source | None = None
        try:
            while True:
                source = opener()
                made = False
                with closing(pcm_chunks(source, start_s, end_s, fmt, speed=speed, duration_s=duration_s,
                                        cancel=lambda: self._stop)) as chunks:
                    for chunk in chunks:
                        with self._cond:
                            self._cond.wait_for(lambda: self._stop or self._queued < self._limit)
                            if self._stop:
                                return
                            self._queue.append(chunk)
                            self._queued += len(chunk[1])
                        made = True
                if loop_from is None or not made or self._stop:
                    return
                start_s = loop_from
        except AudioError as exc:
            self.error = str(exc)
        except Exception as exc:  # raised here it would vanish with the thread and leave the player waiting
            self.error = f"{source_name(source) if source is not None else 'audio'}: playback failed ({exc})"
        finally:
            with self._cond:
                self._done = True


class Sink(Protocol):
    """Where PCM goes: Qt's QAudioSink in push mode (widgets.audio_playback) or NullSink."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def write(self, data: bytes) -> int: ...
    def bytes_free(self) -> int: ...
    def consumed_frames(self) -> int: ...
    def failure(self) -> str | None: ...  # why the device stopped working, None while it works


class NullSink:
    """A device that is not there: takes up to `buffer_s` of audio and consumes it at real time, so the playhead,
    the end of a selection and loops behave as with sound."""

    def __init__(self, fmt: PcmFormat, buffer_s: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self._fmt, self._clock = fmt, clock
        self._capacity = round(buffer_s * fmt.rate) * fmt.frame_bytes
        self._written = self._consumed = 0.0  # frames
        self._at = clock()

    def start(self) -> None:
        self._written = self._consumed = 0.0
        self._at = self._clock()

    def stop(self) -> None:
        self.start()

    def write(self, data: bytes) -> int:
        accepted = min(len(data), self.bytes_free())
        accepted -= accepted % self._fmt.frame_bytes
        self._written += accepted // self._fmt.frame_bytes
        return accepted

    def bytes_free(self) -> int:
        return self._capacity - int(self._written - self._advance()) * self._fmt.frame_bytes

    def consumed_frames(self) -> int:
        return int(self._advance())

    def failure(self) -> str | None:
        return None

    def _advance(self) -> float:
        now = self._clock()
        self._consumed = min(self._written, self._consumed + (now - self._at) * self._fmt.rate)
        self._at = now
        return self._consumed
