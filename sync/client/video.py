"""Video tasks of a synced workspace: what core.video opens for them, and their frame indexes.

A synced video lives only in the encrypted media cache, so it is decoded from there: `video_source` hands core.video
a read-only, seekable file object that decrypts one chunk at a time in memory (sync/client/media_reader.py), and no
plaintext frame or file ever reaches the disk. A video task's frame index (core.video.FrameIndex, kept by content
hash: the SHA-256 for a synced task) comes with `annodesk add` for a file added on this device; for a video that
arrived by sync it is built by the round that downloaded it (`index_downloaded`: one demux pass through the reader,
off the UI thread), so opening it needs no demux pass either. `video_index` builds one on the spot where that has
not happened yet (a workspace synced by an older version).
"""

from __future__ import annotations

from collections.abc import Callable

from core.annotation import Task
from core.media import MediaError
from core.video import FrameIndex, IndexCancelled, Source, VideoError, build_index
from sync.client.at_rest import MediaCache
from sync.client.media import MediaPending, media_sha
from sync.client.media_reader import CachedMediaReader
from sync.client.store import SyncStore
from sync.workspace import Workspace

NOT_DOWNLOADED = "video not downloaded yet: waiting for sync"
_FAILED = "frame_index_error:"  # sync_state key prefix: a downloaded video that did not index (not tried again)


def video_source(task: Task, cache: MediaCache | None) -> Source:
    """What core.video opens for a video task: the file of a local task, or for a synced one a new reader over the
    encrypted cache (one per decoder: a reader's position is its own; closing it is optional, it holds no file).

    MediaPending while a synced video is not downloaded yet (a round brings it); MediaError when the workspace is
    locked (`cache` None) or the cached copy cannot be read."""
    sha = media_sha(task)
    if sha is None:
        return task.media_path
    if cache is None:
        raise MediaError(task.media_path, "a synced video is read from the encrypted media cache: unlock the "
                         "workspace first")
    if not cache.has(sha):
        raise MediaPending(task.media_path, NOT_DOWNLOADED)
    try:
        return cache.reader(sha, name=task.name)
    except OSError as exc:
        raise MediaError(task.media_path, str(exc)) from None


def video_index(ws: Workspace, task: Task, cache: MediaCache | None) -> FrameIndex:
    """The task's frame index: the stored one, else built from `video_source` (one demux pass; call it from a
    worker) and stored when `ws` is writable. VideoError when the video does not index, MediaPending/MediaError as
    `video_source`."""
    data = ws.frame_index(task.content_hash) if task.content_hash else None
    if data is not None:
        return FrameIndex.from_bytes(data)
    source = video_source(task, cache)
    try:
        index = build_index(source)
    finally:
        if isinstance(source, CachedMediaReader):
            source.close()
    if task.content_hash and not ws.readonly:
        ws.store_frame_index(task.content_hash, index.to_bytes())
    return index


def index_downloaded(store: SyncStore, cache: MediaCache, cancel: Callable[[], bool] | None = None) -> list[str]:
    """Build and store the frame index of every downloaded synced video that has none (a round's last step);
    returns one error per video that does not index. Such a video is not tried again each round (its reason stays
    in sync_state); `video_index` still tries when the task is opened."""
    errors: list[str] = []
    for sha, name in store.unindexed_videos():
        if (cancel is not None and cancel()) or not cache.has(sha) or store.get(_FAILED + sha):
            continue
        try:
            with cache.reader(sha, name=name) as reader:
                index = build_index(reader, cancel=cancel)
        except IndexCancelled:
            break
        except (VideoError, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            store.put_now(**{_FAILED + sha: reason})
            errors.append(f"video {name}: {reason}")
            continue
        store.ws.store_frame_index(sha, index.to_bytes())
    return errors
