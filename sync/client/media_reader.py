"""Random access to one media file of the encrypted cache as a read-only, seekable binary file, for decoders that
read file objects (PyAV: core.video takes any seekable binary file).

The cache file is a run of independently encrypted chunks (sync/client/at_rest.py MediaCache): chunk i is
`nonce | ChaCha20-Poly1305(plaintext chunk i, aad="<sha256>:<i>")`, every chunk but the last holding exactly
`chunk` plaintext bytes. So the plaintext size follows from the file size, and a read decrypts only the chunks it
touches; a few decrypted chunks are kept in memory (least recently used dropped first), so a demuxer's many small
reads and its seeks back to a recent position cost one decryption per chunk. Nothing is ever written: the plaintext
lives only in that small LRU and in the buffers handed to the caller.

Every chunk is authenticated, bound to its position and to the media's hash, so a changed byte or a swapped chunk
is refused (OSError, which core.video turns into VideoError). A file cut at a chunk boundary reads as a shorter
file; `MediaCache.read` and `verify()` catch that by the SHA-256.
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from core.chunked_file import LRU_CHUNKS, ChunkedFile
from core.media_kinds import demux_name

_OVERHEAD = 12 + 16  # nonce and tag around each chunk


class CachedMediaReader(ChunkedFile):
    """A read-only, seekable view of one cached media file's plaintext (core.chunked_file: one decryption per
    chunk read, a few kept)."""

    def __init__(self, path: Path, sha: str, aead: ChaCha20Poly1305, chunk: int, *, name: str | None = None,
                 lru_chunks: int = LRU_CHUNKS) -> None:
        self.path = Path(path)
        self.sha = sha
        self._aead = aead
        self._stored = chunk + _OVERHEAD
        stored_size = self.path.stat().st_size
        count = -(-stored_size // self._stored)
        last = stored_size - (count - 1) * self._stored
        if count == 0 or last < _OVERHEAD:
            raise OSError(errno.EIO, f"{self.path}: cached media is damaged (its last chunk is torn)")
        super().__init__((count - 1) * chunk + last - _OVERHEAD, chunk, demux_name(name) if name else f"{sha}.enc",
                         lru_chunks=lru_chunks)  # fmt: skip
        self.decrypted = 0  # chunks decrypted so far (tests and the benchmark read it)

    def verify(self) -> bool:
        """Whether the whole plaintext hashes to the media's SHA-256 (decrypting it chunk by chunk, keeping none)."""
        digest = hashlib.sha256()
        try:
            for index in range(self._count):
                digest.update(self._load(index))
        except OSError:
            return False
        return digest.hexdigest() == self.sha

    def _load(self, index: int) -> bytes:
        # The file is opened for each chunk read rather than held open: no descriptor outlives a read, so a reader
        # a decoder forgot to close pins nothing (and the cache file can be replaced or removed meanwhile).
        with open(self.path, "rb") as fh:
            fh.seek(index * self._stored)
            piece = fh.read(self._stored)
        try:
            plain = self._aead.decrypt(piece[:12], piece[12:], f"{self.sha}:{index}".encode())
        except (InvalidTag, ValueError):
            raise OSError(errno.EIO, f"{self.path}: cached media is damaged (chunk {index} does not decrypt)"
                          ) from None
        if len(plain) != self._expected(index):
            raise OSError(errno.EIO, f"{self.path}: cached media is damaged (chunk {index} has the wrong size)")
        self.decrypted += 1
        return plain
