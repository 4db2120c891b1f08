"""Video: a frame index built once by demuxing, exact frame decoding with PyAV, a bounded cache and a prefetcher.

Qt-free. Decoding never runs on the UI thread: callers decode from a worker (or let `Prefetcher` fill the cache) and
the UI takes frames with `VideoDecoder.cached`, which never decodes.
"""

from core.video.container import FrameLost, Source, VideoError
from core.video.decoder import Prefetcher, VideoDecoder
from core.video.index import FrameIndex, IndexCancelled, build_index
from core.video.probe import VideoInfo, probe_video

__all__ = [
    "FrameIndex",
    "FrameLost",
    "IndexCancelled",
    "Prefetcher",
    "Source",
    "VideoDecoder",
    "VideoError",
    "VideoInfo",
    "build_index",
    "probe_video",
]
