"""A whole-recording overview in a fraction of a second, before the pyramid is done: sparse seeks.

`stream_peaks` covers a recording from its start (an hour of MP3 in about 3.5 s), so a view of the whole file
would fill from the left. `preview_peaks` seeks to `points` evenly spaced times and decodes one frame at each (the
second after the seek, about a thousand samples), an approximate envelope of the whole file in about 0.1 s for an
hour of MP3. It samples a small share of the audio, so it can miss a short loud event between two probes: a view
draws it as a placeholder (muted) and replaces it by the pyramid's levels as they arrive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import av.error
import numpy as np

from core.audio.source import Source, declared_samples, frame_array, open_audio, source_name, translated

_FULL = 32767.0


@dataclass(frozen=True)
class Preview:
    """Probe times (seconds, where each decoded frame starts: strictly increasing) and the (min, max) int16 of
    that frame, per channel."""

    sample_rate: int
    channels: int
    duration_s: float  # as the header says: an estimate until the pyramid has counted the samples
    times: np.ndarray  # float64 (n,)
    peaks: np.ndarray  # int16 (channels, n, 2)


def preview_peaks(source: Source, points: int = 1000, budget_s: float = 0.3) -> Preview:
    """Up to `points` probes spread over the recording, stopping early when `budget_s` of wall time is spent (slow
    seeking containers) or a seek lands past the end (a header that overstates the length). Containers that seek
    coarsely (Ogg: by page, about a second) give fewer probes, each at the time it really decoded."""
    name = source_name(source)
    container, stream = open_audio(source)
    try:
        rate, channels = stream.rate, stream.channels
        total = declared_samples(stream, container) or 0
        duration = total / rate
        tb = stream.time_base
        assert tb is not None
        origin = stream.start_time or 0
        times: list[float] = []
        peaks: list[np.ndarray] = []
        deadline = time.perf_counter() + budget_s
        with translated(name):
            for i in range(points if duration > 0 else 0):
                if time.perf_counter() > deadline:
                    break
                target = duration * (i + 0.5) / points
                try:
                    container.seek(int(target / tb) + origin, stream=stream, backward=True)
                except av.error.FFmpegError:  # FLAC refuses some seeks near its start: skip this probe
                    continue
                found = _first_frame(container, stream, channels)
                if found is None:
                    break
                data, pts = found
                at = float((pts - origin) * tb) if pts is not None else target  # where the seek really landed
                if times and at <= times[-1]:
                    continue  # a coarse seek (Ogg pages) landed on the frame of the probe before
                times.append(at)
                peaks.append(np.stack((data.min(axis=1), data.max(axis=1)), axis=-1))
        shaped = np.stack(peaks, axis=1) if peaks else np.zeros((channels, 0, 2), np.float32)
        quantized = np.clip(np.rint(shaped * _FULL), -32768, 32767).astype(np.int16)
        return Preview(rate, channels, duration, np.asarray(times, dtype=np.float64), quantized)
    finally:
        container.close()


def _first_frame(container: av.container.InputContainer, stream: av.audio.stream.AudioStream,
                 channels: int) -> tuple[np.ndarray, int | None] | None:
    """The second frame decoded after the seek and its time stamp (the first may be silence: an MP3 decoder lacks
    its bit reservoir right after a seek), or the first when the stream ends after it."""
    found: tuple[np.ndarray, int | None] | None = None
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            continue
        for frame in frames:
            if found is not None:
                return frame_array(frame, channels), frame.pts
            found = frame_array(frame, channels), frame.pts
    return found
