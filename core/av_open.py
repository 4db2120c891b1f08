"""Opening a video or a recording with PyAV, shared by core/video and core/audio, and the errors FFmpeg's become.

A source is a path or a seekable binary file object (synced workspaces decode from an encrypted cache that offers
random access, never a plain file). FFmpeg reports damage through many exception types (av.error.*, OSError from a
file object, EOFError for a stream that ends in its header); callers see one error type per media kind, with the
file's name and a reason that makes sense without it (the workspace stores the reason on the task).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import av
import av.error
from av.container import InputContainer
from av.stream import Discard


class Readable(Protocol):
    """A seekable binary file object PyAV reads from (a file opened "rb", io.BytesIO, or sync's reader over the
    encrypted media cache); its `name`, when it has one, is what errors show."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


Source = str | os.PathLike[str] | BinaryIO | Readable
MediaErrorType = type[ValueError]  # constructed as error(path, reason): VideoError, AudioError


def source_name(source: Source) -> str:
    """The name errors show: the path, or the file object's name when it has one."""
    if isinstance(source, str | os.PathLike):
        return str(source)
    name = getattr(source, "name", None)
    return str(name) if isinstance(name, str | os.PathLike) else f"<{type(source).__name__}>"


@contextmanager
def translated(name: str, error: MediaErrorType, what: str, damaged: str) -> Iterator[None]:
    """Turn what FFmpeg or a file object raises into `error` naming the file; `damaged` is the reason for data
    FFmpeg finds invalid, `what` names the media ("video", "audio") in the others."""
    try:
        yield
    except error:
        raise
    except av.error.InvalidDataError as exc:
        raise error(name, damaged) from exc
    except (av.error.FFmpegError, OSError, EOFError) as exc:
        raise error(name, f"cannot read the {what} ({exc})") from exc


def open_first_stream(
    source: Source, kind: str, error: MediaErrorType, damaged: str, check: Callable[[str, InputContainer, Any], None]
) -> tuple[InputContainer, Any]:
    """The container and its first stream of `kind` ("video", "audio"), every other stream discarded so that
    demuxing skips its data; `check(name, container, stream)` raises `error` for what the kind cannot use."""
    name = source_name(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.is_file() and path.stat().st_size == 0:
            raise error(name, "empty file (0 bytes)")
        target: str | BinaryIO | Readable = str(path)
    else:
        source.seek(0)  # av.open reads from the current position; an index build leaves it at the end
        target = source
    with translated(name, error, kind, damaged):
        container = av.open(target, mode="r")
    try:
        streams = getattr(container.streams, kind)
        if not streams:
            held = sorted({s.type for s in container.streams})
            raise error(name, f"no {kind} stream (it holds {', '.join(held) or 'no streams'} only)")
        stream = streams[0]
        for other in container.streams:
            if other.index != stream.index:
                other.discard = Discard.all
        check(name, container, stream)
        stream.codec_context.thread_type = "AUTO"
        return container, stream
    except BaseException:
        container.close()
        raise
