"""One stored media file of the server as a read-only, seekable binary file, for PyAV (server-side video and audio
pre-labeling): the blob folder's own file, or ranged reads of the object store (S3, sealed or not) one MiB at a
time (core.chunked_file keeps a few), so an hour of video is never held in memory nor written to disk."""

from __future__ import annotations

import errno
from typing import BinaryIO

from core.chunked_file import ChunkedFile
from core.media_kinds import demux_name
from sync.server.errors import ApiError
from sync.server.media_store import MediaStore

READ_CHUNK = 1 << 20


class StoredMediaFile(ChunkedFile):
    def __init__(self, media: MediaStore, sha: str, size: int, name: str) -> None:
        super().__init__(size, READ_CHUNK, demux_name(name))
        self._media = media
        self.sha = sha

    def _load(self, index: int) -> bytes:
        start = index * READ_CHUNK
        try:
            return b"".join(self._media.read(self.sha, start, start + self._expected(index)))
        except ApiError as exc:
            raise OSError(errno.EIO, f"{self.name}: {exc.detail}") from None


def open_stored(media: MediaStore, sha: str, size: int, name: str) -> BinaryIO | StoredMediaFile:
    """The media's bytes as a file PyAV reads: the blob folder's file itself, else ranged reads of the store."""
    path = media.local_path(sha)
    if path is None:
        return StoredMediaFile(media, sha, size, name)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise OSError(errno.ENOENT, f"{name}: its media ({sha}) is missing from {media.describe()}") from None
