"""Opening a video with PyAV (core/av_open.py), and `VideoError`, the one error type every FFmpeg failure becomes."""

from __future__ import annotations

from contextlib import AbstractContextManager

from av.container import InputContainer
from av.video.stream import VideoStream

from core import av_open
from core.av_open import Source

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


source_name = av_open.source_name
_DAMAGED = "not a video file, or damaged or truncated (for MP4: no moov atom)"


def translated(name: str) -> AbstractContextManager[None]:
    """Turn what FFmpeg or a file object raises into VideoError naming the file."""
    return av_open.translated(name, VideoError, "video", _DAMAGED)


def open_video(source: Source) -> tuple[InputContainer, VideoStream]:
    """Open the first video stream of `source`; every other stream is discarded so demuxing skips its data."""
    return av_open.open_first_stream(source, "video", VideoError, _DAMAGED, _check_video)


def _check_video(name: str, container: InputContainer, stream: VideoStream) -> None:
    if any(part in container.format.name for part in _IMAGE_FORMATS):
        raise VideoError(name, f"an image ({container.format.name}), not a video")
    if stream.codec_context is None:
        raise VideoError(name, "unsupported video codec: this build of FFmpeg has no decoder for it")
