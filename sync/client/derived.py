"""The media of a task as a decoder reads it, and what is built from it once and kept by content hash (a video's
frame index, a recording's peaks pyramid), for local and synced tasks alike.

A synced task's media lives only in the encrypted media cache, so it is decoded from there: `task_source` hands the
decoder a read-only, seekable file object that decrypts one chunk at a time in memory (media_reader.py), and no
plaintext reaches the disk. What a decoder derives in one pass over the media comes with `annodesk add` for a file
added on this device; for media that arrived by sync the round that downloaded it builds it (`derive_downloaded`,
off the UI thread), so opening the task needs no pass either; `derived` builds it on the spot where that has not
happened yet (a workspace synced by an older version). video.py and audio.py each describe theirs as a `Derivation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.annotation import Task
from core.av_open import Source
from core.media import MediaError
from core.messages import error_text, translate
from sync.client.at_rest import MediaCache
from sync.client.media import MediaPending, media_sha
from sync.client.media_reader import CachedMediaReader
from sync.client.store import SyncStore
from sync.workspace import Workspace

Cancel = Callable[[], bool]


def task_source(task: Task, cache: MediaCache | None, what: str) -> Source:
    """What core.video or core.audio opens for a task (`what` names its media in messages): the file of a local
    task, or for a synced one a new reader over the encrypted cache (one per decoder: a reader's position is its
    own; closing it is optional, it holds no file).

    MediaPending while synced media is not downloaded yet (a round brings it); MediaError when the workspace is
    locked (`cache` None) or the cached copy cannot be read."""
    sha = media_sha(task)
    if sha is None:
        return task.media_path
    if cache is None:
        raise MediaError(task.media_path, translate("sync", "a synced {what} is read from the encrypted media "
                                                    "cache: unlock the workspace first").format(what=what))
    if not cache.has(sha):
        raise MediaPending(task.media_path, translate("sync", "{what} not downloaded yet: waiting for sync").format(
            what=what))
    try:
        return cache.reader(sha, name=task.name)
    except OSError as exc:
        raise MediaError(task.media_path, error_text(exc)) from None


@dataclass(frozen=True)
class Derivation[T]:
    """What one media kind derives from its media and where the workspace keeps it."""

    kind: str  # the media kind (core.media_kinds) of the tasks it serves
    source: Callable[[Task, MediaCache | None], Source]  # task_source for this kind
    table: str  # the workspace table that keeps it by content hash (SyncStore.underived)
    failed: str  # sync_state key prefix (+ SHA-256) of downloaded media that did not derive: not tried again
    load: Callable[[Workspace, str], T | None]  # the stored value of a content hash, None when there is none
    build: Callable[[Source, Cancel | None], T]  # one pass over the media; raises `cancelled` when cancelled
    keep: Callable[[Workspace, str, T], None]  # store it under a content hash
    failures: tuple[type[Exception], ...]  # what media that does not derive raises (with a `reason`)
    cancelled: type[Exception]


def derived[T](ws: Workspace, task: Task, cache: MediaCache | None, how: Derivation[T]) -> T:
    """The task's derived value: the stored one, else built from `how.source` (one pass; call it from a worker)
    and stored when `ws` is writable. `how.failures` when the media does not derive; MediaPending/MediaError as
    `task_source`."""
    if task.content_hash:
        found = how.load(ws, task.content_hash)
        if found is not None:
            return found
    source = how.source(task, cache)
    try:
        value = how.build(source, None)
    finally:
        if isinstance(source, CachedMediaReader):
            source.close()
    if task.content_hash and not ws.readonly:
        how.keep(ws, task.content_hash, value)
    return value


def derive_downloaded[T](store: SyncStore, cache: MediaCache, how: Derivation[T], cancel: Cancel | None = None
                      ) -> list[str]:
    """Build and store the derived value of every downloaded synced task of `how.kind` that has none (a round's
    last steps); returns one error per media that does not derive. Such media is not tried again each round (its
    reason stays in sync_state); `derived` still tries when the task is opened."""
    errors: list[str] = []
    failures: tuple[type[Exception], ...] = (*how.failures, OSError)
    for sha, name in store.underived(how.kind, how.table):
        if (cancel is not None and cancel()) or not cache.has(sha) or store.get(how.failed + sha):
            continue
        try:
            with cache.reader(sha, name=name) as reader:
                value = how.build(reader, cancel)
        except how.cancelled:
            break
        except failures as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            store.put_now(**{how.failed + sha: reason})
            errors.append(f"{how.kind} {name}: {reason}")
            continue
        how.keep(store.ws, sha, value)
    return errors
