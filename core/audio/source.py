"""Opening audio with PyAV, turning its frames into float32 arrays, and the one error type for every failure.

A source is a path or a seekable binary file object (a synced workspace decodes from its encrypted cache). FFmpeg
reports damage through many exception types; callers see `AudioError` with the file's name and a reason that makes
sense without it (the workspace stores the reason on the task).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import av
import av.error
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer

from core import av_open
from core.av_open import Source

MAX_CHANNELS = 64  # past any real recording (Ambisonics orders 1-7 need up to 64); more is a damaged header
MAX_RATE = 768_000  # the highest rate real converters offer
# Full scale of each integer sample format, to bring every format to float32 in [-1, 1].
_SCALE = {"u8": 128.0, "s16": 32768.0, "s32": 2147483648.0, "s64": 9223372036854775808.0}


class AudioError(ValueError):
    """Audio that cannot be used; `reason` says why without the path."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class AudioCancelled(Exception):
    """The caller's cancel callback asked decoding to stop."""


source_name = av_open.source_name
_DAMAGED = "not an audio file, or damaged or truncated"


def translated(name: str) -> AbstractContextManager[None]:
    """What FFmpeg or a file object raises, as AudioError naming the file."""
    return av_open.translated(name, AudioError, "audio", _DAMAGED)


def open_audio(source: Source) -> tuple[InputContainer, AudioStream]:
    """The container and its first audio stream; every other stream is discarded so demuxing skips its data."""
    return av_open.open_first_stream(source, "audio", AudioError, _DAMAGED, _check_stream)


def _check_stream(name: str, _container: InputContainer, stream: AudioStream) -> None:
    ctx = stream.codec_context
    if ctx is None:
        tag = getattr(stream, "codec_tag", "") or "unknown"
        raise AudioError(name, f"the audio codec ({tag}) is not supported by this FFmpeg")
    if not 1 <= stream.channels <= MAX_CHANNELS:
        raise AudioError(name, f"{stream.channels} channels: expected 1 to {MAX_CHANNELS}")
    if not 1 <= (stream.rate or 0) <= MAX_RATE:
        raise AudioError(name, f"sample rate {stream.rate} Hz: expected 1 to {MAX_RATE:,} Hz")


def frame_array(frame: AudioFrame, channels: int) -> np.ndarray:
    """A decoded frame as float32 (channels, samples) in [-1, 1], whatever its sample format."""
    fmt = frame.format.name
    data = frame.to_ndarray()
    if not fmt.endswith("p"):  # packed: one row of interleaved samples
        data = data.reshape(-1, channels).T
    base = fmt.rstrip("p")
    if base in ("flt", "dbl"):
        return np.asarray(data, dtype=np.float32)
    out = data.astype(np.float32)
    if base == "u8":
        out -= 128.0
    out *= 1.0 / _SCALE[base]
    return out


def declared_samples(stream: AudioStream, container: InputContainer) -> int | None:
    """Samples per channel the header claims (stream or container duration), or None when it says nothing."""
    if stream.duration is not None and stream.time_base is not None:
        return round(float(stream.duration * stream.time_base) * stream.rate)
    if container.duration is not None and container.duration > 0:
        return round(container.duration / av.time_base * stream.rate)
    return None
