"""Audio tasks of a synced workspace: what core.audio opens for them, and their peaks pyramids.

A synced recording is decoded from the encrypted media cache through a seekable reader (`audio_source`,
derived.py), so no plaintext sample or file reaches the disk. Its peaks pyramid (core.audio.PeaksPyramid, kept by
content hash: the SHA-256 for a synced task, sealed with the workspace key in a synced workspace) comes with
`annodesk add` for a file added on this device (and follows the task to the SHA-256 when it is registered:
field.py); for a recording that arrived by sync the round that downloaded it decodes it once (`peaks_downloaded`),
so opening it draws at once. `audio_peaks` decodes on the spot where that has not happened yet.
"""

from __future__ import annotations

from core.annotation import Task
from core.audio import AudioCancelled, AudioError, PeaksPyramid, Source, build_peaks
from core.messages import translate
from sync.client.at_rest import MediaCache
from sync.client.derived import Cancel, Derivation, derive_downloaded, derived, task_source
from sync.client.store import SyncStore
from sync.workspace import Workspace


def _load(ws: Workspace, content_hash: str) -> PeaksPyramid | None:
    data = ws.audio_peaks(content_hash)
    try:
        return PeaksPyramid.from_bytes(data) if data is not None else None
    except ValueError:  # a damaged row: a cache, decoded again
        return None


def _keep(ws: Workspace, content_hash: str, peaks: PeaksPyramid) -> None:
    ws.store_audio_peaks(content_hash, peaks.sample_rate, peaks.channels, peaks.samples, peaks.to_bytes())


def audio_source(task: Task, cache: MediaCache | None) -> Source:
    """What core.audio opens for an audio task (derived.task_source): its file, or a new reader over the encrypted
    cache; MediaPending while not downloaded, MediaError when the workspace is locked (`cache` None)."""
    return task_source(task, cache, translate("sync", "recording"))


PEAKS = Derivation(
    "audio", audio_source, "audio_peaks", "audio_peaks_error:", _load,
    lambda source, cancel: build_peaks(source, cancel=cancel),
    _keep, (AudioError,), AudioCancelled,
)


def audio_peaks(ws: Workspace, task: Task, cache: MediaCache | None) -> PeaksPyramid:
    """The task's peaks pyramid: the stored one, else decoded from `audio_source` (one pass, ~3 s an hour of MP3:
    call it from a worker) and stored when `ws` is writable. AudioError when the recording does not decode,
    MediaPending/MediaError as `audio_source`."""
    return derived(ws, task, cache, PEAKS)


def peaks_downloaded(store: SyncStore, cache: MediaCache, cancel: Cancel | None = None) -> list[str]:
    """Decode and store the peaks of every downloaded synced recording that has none (a round's last steps);
    returns one error per recording that does not decode (not tried again each round; `audio_peaks` still tries)."""
    return derive_downloaded(store, cache, PEAKS, cancel)
