"""Opening a video with PyAV, and the one error type every FFmpeg failure becomes.

A source is a path or a seekable binary file object (synced workspaces decode from an encrypted cache that offers
random access, never a plain file). FFmpeg reports damage through many exception types (av.error.*, OSError from a
file object, EOFError for a stream that ends in its header); callers see only `VideoError`, with the file's name and
a reason that makes sense without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

import av
import av.error
from av.container import InputContainer
from av.stream import Discard
from av.video.stream import VideoStream


class Readable(Protocol):
    """A seekable binary file object PyAV reads from (a file opened "rb", io.BytesIO, or sync's reader over the
    encrypted media cache); its `name`, when it has one, is what errors show."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


Source = str | os.PathLike[str] | BinaryIO | Readable
# Demuxers that read a still image as a one-frame "video": refused, images are imported as images.
_IMAGE_FORMATS = ("image2", "_pipe")


class VideoError(ValueError):
    """A video that cannot be used; `reason` says why without the path (stored on the task)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class FrameLost(VideoError):
    """One frame of the index that did not decode (a damaged packet); the frames around it still do."""

    def __init__(self, path: str, frame: int, reason: str = "the frame's data is damaged and does not decode") -> None:
        super().__init__(path, f"frame {frame}: {reason}")
        self.frame = frame


def source_name(source: Source) -> str:
    """The name errors show: the path, or the file object's name when it has one."""
    if isinstance(source, str | os.PathLike):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str | os.PathLike) else f"<{type(source).__name__}>"


@contextmanager
def translated(name: str) -> Iterator[None]:
    """Turn what FFmpeg or a file object raises into VideoError naming the file."""
    try:
        yield
    except VideoError:
        raise
    except av.error.InvalidDataError as exc:
        raise VideoError(name, "not a video file, or damaged or truncated (for MP4: no moov atom)") from exc
    except (av.error.FFmpegError, OSError, EOFError) as exc:
        raise VideoError(name, f"cannot read the video ({exc})") from exc


def open_video(source: Source) -> tuple[InputContainer, VideoStream]:
    """Open the first video stream of `source`; every other stream is discarded so demuxing skips its data."""
    name = source_name(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_file() and path.stat().st_size == 0:
            raise VideoError(name, "empty file")
        target: str | BinaryIO | Readable = str(path)
    else:
        source.seek(0)  # av.open reads from the current position; the index build left it at the end
        target = source
    with translated(name):
        container = av.open(target, mode="r")
    try:
        if any(part in container.format.name for part in _IMAGE_FORMATS):
            raise VideoError(name, f"an image ({container.format.name}), not a video")
        if not container.streams.video:
            kinds = sorted({s.type for s in container.streams})
            raise VideoError(name, f"no video stream ({', '.join(kinds) or 'no streams'} only)")
        stream = container.streams.video[0]
        if stream.codec_context is None:
            raise VideoError(name, "unsupported video codec: this build of FFmpeg has no decoder for it")
        for other in container.streams:
            if other.index != stream.index:
                other.discard = Discard.all
        return container, stream
    except BaseException:
        container.close()
        raise
