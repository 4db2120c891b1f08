"""Video tasks of a synced workspace: what core.video opens for them, and their frame indexes.

A synced video is decoded from the encrypted media cache through a seekable reader (`video_source`, derived.py), so
no plaintext frame or file reaches the disk. A video task's frame index (core.video.FrameIndex, kept by content hash:
the SHA-256 for a synced task) comes with `annodesk add` for a file added on this device; for a video that arrived by
sync it is built by the round that downloaded it (`index_downloaded`: one demux pass through the reader), so opening
it needs no demux pass either. `video_index` builds one on the spot where that has not happened yet.
"""

from __future__ import annotations

from core.annotation import Task
from core.messages import translate
from core.video import FrameIndex, IndexCancelled, Source, VideoError, build_index
from sync.client.at_rest import MediaCache
from sync.client.derived import Cancel, Derivation, derive_downloaded, derived, task_source
from sync.client.store import SyncStore
from sync.workspace import Workspace


def _load(ws: Workspace, content_hash: str) -> FrameIndex | None:
    data = ws.frame_index(content_hash)
    return FrameIndex.from_bytes(data) if data is not None else None


def video_source(task: Task, cache: MediaCache | None) -> Source:
    """What core.video opens for a video task (derived.task_source): its file, or a new reader over the encrypted
    cache; MediaPending while not downloaded, MediaError when the workspace is locked (`cache` None)."""
    return task_source(task, cache, translate("sync", "video"))


FRAME_INDEX = Derivation(
    "video", video_source, "frame_indexes", "frame_index_error:", _load,
    lambda source, cancel: build_index(source, cancel=cancel),
    lambda ws, content_hash, index: ws.store_frame_index(content_hash, index.to_bytes()),
    (VideoError,), IndexCancelled,
)


def video_index(ws: Workspace, task: Task, cache: MediaCache | None) -> FrameIndex:
    """The task's frame index: the stored one, else built from `video_source` (one demux pass; call it from a
    worker) and stored when `ws` is writable. VideoError when the video does not index, MediaPending/MediaError as
    `video_source`."""
    return derived(ws, task, cache, FRAME_INDEX)


def index_downloaded(store: SyncStore, cache: MediaCache, cancel: Cancel | None = None) -> list[str]:
    """Build and store the frame index of every downloaded synced video that has none (a round's last steps);
    returns one error per video that does not index (not tried again each round; `video_index` still tries)."""
    return derive_downloaded(store, cache, FRAME_INDEX, cancel)
