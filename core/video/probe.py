"""Checking a video at import: one demux pass (the frame index, kept for reopening) and, on request, a full decode.

Every problem is a `VideoError` naming the file: no moov atom (a truncated MP4), an empty file or stream, audio
only, an image or no video at all, a codec this FFmpeg cannot decode. A truncated MKV or TS is no error: it is indexed
up to its last frame that decodes (`VideoInfo.trimmed` frames left out). A damaged packet midway is no error either:
decoding goes on past it and `check_frames=True` reports the frames lost (`VideoInfo.lost_frames`); without the full
check the decoder reports them as they are met (`FrameLost`). Frames that change size midway are scaled to the first
frame's size by the decoder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.video.container import Source
from core.video.decoder import VideoDecoder
from core.video.index import FrameIndex, build_index


@dataclass(frozen=True)
class VideoInfo:
    width: int  # as shown: rotation applied
    height: int
    frames: int
    duration_s: float
    fps: float  # average, for display only
    codec: str
    rotation: int  # degrees counter-clockwise the decoder turns the stored frames by
    index: FrameIndex  # for the workspace to store (FrameIndex.to_bytes) and reuse on reopen
    lost_frames: tuple[int, ...] = ()  # frames whose data does not decode (found by check_frames)

    @property
    def trimmed(self) -> int:
        """Frames at the end of a truncated file that do not decode, left out of the index."""
        return self.index.trimmed


def probe_video(
    source: Source,
    *,
    check_frames: bool = False,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> VideoInfo:
    """Index `source` and describe it; with `check_frames`, decode every frame too and list those lost."""
    index = build_index(source, progress=progress, cancel=cancel)
    lost: tuple[int, ...] = ()
    if check_frames:
        with VideoDecoder(source, index, cache_mb=0) as decoder:
            lost = tuple(sorted(decoder.scan(cancel=cancel)))
    width, height = index.display_size
    return VideoInfo(width, height, index.frames, index.duration_s, index.fps, index.codec, index.rotation, index, lost)
