"""Opening audio with PyAV, turning its frames into float32 arrays, and the one error type for every failure.

A source is a path or a seekable binary file object (a synced workspace decodes from its encrypted cache). FFmpeg
reports damage through many exception types; callers see `AudioError` with the file's name and a reason that makes
sense without it (the workspace stores the reason on the task).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import av
import av.error
import numpy as np
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer

Source = str | os.PathLike[str] | BinaryIO
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


def source_name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str | os.PathLike) else f"<{type(source).__name__}>"


@contextmanager
def translated(name: str) -> Iterator[None]:
    """What FFmpeg or a file object raises, as AudioError naming the file."""
    try:
        yield
    except AudioError:
        raise
    except av.error.InvalidDataError as exc:
        raise AudioError(name, "not an audio file, or damaged or truncated") from exc
    except (av.error.FFmpegError, OSError, EOFError) as exc:
        raise AudioError(name, f"cannot read the audio ({exc})") from exc


def open_audio(source: Source) -> tuple[InputContainer, AudioStream]:
    """The container and its first audio stream; every other stream is discarded so demuxing skips its data."""
    name = source_name(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_file() and path.stat().st_size == 0:
            raise AudioError(name, "empty file (0 bytes)")
        target: str | BinaryIO = str(path)
    else:
        source.seek(0)
        target = source
    with translated(name):
        container = av.open(target, mode="r")
    try:
        if not container.streams.audio:
            others = sorted({s.type for s in container.streams})
            held = f" (it holds {', '.join(others)} only)" if others else ""
            raise AudioError(name, f"no audio stream{held}")
        stream = container.streams.audio[0]
        for other in container.streams:
            if other is not stream:
                other.discard = "all"  # type: ignore[assignment]  # av's stubs type it as an enum
        _check_stream(name, stream)
        stream.codec_context.thread_type = "AUTO"
        return container, stream
    except BaseException:
        container.close()
        raise


def _check_stream(name: str, stream: AudioStream) -> None:
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
