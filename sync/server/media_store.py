"""Where media bytes live: one interface for the blob folder (sync/server/blobs.py, the default) and for
S3-compatible object storage (sync/server/media_s3.py, `--media s3://bucket/prefix`).

Both are content-addressed by SHA-256 and make an object visible only once its bytes hash to its name; both take
resumable uploads in chunks that must continue where the stored part ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from sync.server.config import ServerConfig
from sync.server.db import Store
from sync.server.errors import ApiError
from sync.server.media_seal import NO_KEYS, MediaKeys, load_keys


class MediaStore(Protocol):
    def describe(self) -> str:
        """Where the media are, for the start-up line and error messages."""
        ...

    def check(self) -> None:
        """Raise ApiError with a message naming the store when it cannot be used (a wrong bucket, say)."""
        ...

    def exists(self, sha: str) -> bool: ...

    def size(self, sha: str) -> int | None:
        """The stored media's size in bytes; None when there is none."""
        ...

    def offset(self, sha: str) -> int:
        """Bytes already received of an unfinished upload (0 when none)."""
        ...

    def write_chunk(self, sha: str, start: int, data: bytes, total: int) -> bool:
        """Take bytes at `start` (which must equal offset(sha): 409 bad_offset otherwise); True once the upload is
        complete and its SHA-256 matched (422 hash_mismatch, and the upload discarded, when it did not)."""
        ...

    def put_file(self, source: Path) -> tuple[str, int]:
        """Store a local file (the CLI's add-media); returns (sha256, size)."""
        ...

    def local_path(self, sha: str) -> Path | None:
        """A file to serve as is (the blob folder), or None."""
        ...

    def presigned_url(self, sha: str) -> str | None:
        """A short-lived URL the client may fetch the bytes from itself, or None to stream them through the server."""
        ...

    def read(self, sha: str, start: int, end: int) -> Iterator[bytes]:
        """The plaintext bytes [start, end) of stored media."""
        ...


def open_media(config: ServerConfig, keys: MediaKeys = NO_KEYS) -> MediaStore:
    """The store `config.media` names (None: the blob folder under the data folder); settings that cannot go
    together are refused here, before anything is served."""
    from sync.server.blobs import BlobStore

    if config.media_download not in ("server", "presigned"):
        raise ApiError(422, "bad_config", f"media download mode {config.media_download!r}: use server or presigned")
    if not config.media:
        if config.seal_media:
            raise ApiError(422, "bad_config", "--seal-media seals objects in S3-compatible storage: it needs "
                           "--media s3://bucket/prefix (the blob folder is on the server's own disk)")
        if config.media_download == "presigned":
            raise ApiError(422, "bad_config", "presigned downloads need --media s3://bucket/prefix")
        return BlobStore(config.blob_dir)
    from sync.server.media_s3 import S3MediaStore

    return S3MediaStore.from_config(config, keys)


def media_for(config: ServerConfig, store: Store) -> MediaStore:
    """The configured store with the media seal keys from the database (made on the first start with
    --seal-media), checked: a wrong bucket or an unreachable endpoint fails here with a message naming it."""
    keys = NO_KEYS
    if config.media:
        with store.write() if config.seal_media else store.read() as conn:
            keys = load_keys(conn, create=config.seal_media)
    media = open_media(config, keys)
    media.check()
    return media
