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
import io
import threading
from collections import OrderedDict
from collections.abc import Buffer
from pathlib import Path, PurePath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from core.media_kinds import all_extensions

_OVERHEAD = 12 + 16  # nonce and tag around each chunk
LRU_CHUNKS = 4  # decrypted chunks kept (1 MiB each in the media cache)


def demux_name(name: str) -> str:
    """The name a reader shows PyAV. FFmpeg picks demuxers by it too, and a playlist demuxer (HLS, for .m3u8 and
    .m3u) opens the files and URLs its playlist names: a name (a server's task name) without a media suffix of ours
    gets one that FFmpeg ignores, so media from the cache is only ever demuxed as the one file it is."""
    return name if PurePath(name).suffix.lower() in all_extensions() else f"{name}.media"


class CachedMediaReader(io.RawIOBase):
    """A read-only, seekable view of one cached media file's plaintext; safe to share between threads (one lock),
    though each decoder should have its own (a file position is shared state)."""

    def __init__(self, path: Path, sha: str, aead: ChaCha20Poly1305, chunk: int, *, name: str | None = None,
                 lru_chunks: int = LRU_CHUNKS) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._lru: OrderedDict[int, bytes] = OrderedDict()
        self.path = Path(path)
        self.sha = sha
        self.name = demux_name(name) if name else f"{sha}.enc"  # what errors show, and FFmpeg's format hint
        self._aead = aead
        self._chunk = chunk
        self._stored = chunk + _OVERHEAD
        stored_size = self.path.stat().st_size
        self._count = -(-stored_size // self._stored)
        last = stored_size - (self._count - 1) * self._stored
        if self._count == 0 or last < _OVERHEAD:
            raise OSError(errno.EIO, f"{self.path}: cached media is damaged (its last chunk is torn)")
        self.size = (self._count - 1) * chunk + last - _OVERHEAD
        self._pos = 0
        self._lru_max = max(1, lru_chunks)
        self.decrypted = 0  # chunks decrypted so far (tests and the benchmark read it)

    # -- io.RawIOBase ------------------------------------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        with self._lock:
            base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}.get(whence)
            if base is None:
                raise ValueError(f"invalid whence ({whence})")
            if base + offset < 0:
                raise OSError(errno.EINVAL, "negative seek position")
            self._pos = base + offset
            return self._pos

    def readinto(self, buffer: Buffer) -> int:
        out = memoryview(buffer).cast("B")
        with self._lock:
            n = self._copy(out)
        return n

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all the rest when negative) as one bytes object: PyAV reads through this, so a read
        within one chunk is a single slice of the decrypted chunk, without RawIOBase's extra buffer."""
        self._check_open()
        with self._lock:
            left = max(0, self.size - self._pos)
            size = left if size is None or size < 0 else min(size, left)
            index, offset = divmod(self._pos, self._chunk)
            if size == 0:
                return b""
            if offset + size <= self._chunk:
                data = self._plain(index)[offset:offset + size]
                self._pos += len(data)
                return data
            out = bytearray(size)
            n = self._copy(memoryview(out))
            return bytes(out[:n])

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        with self._lock:
            self._lru.clear()
        super().close()

    # -- checks ------------------------------------------------------------------------------------------------

    def verify(self) -> bool:
        """Whether the whole plaintext hashes to the media's SHA-256 (decrypting it chunk by chunk, keeping none)."""
        digest = hashlib.sha256()
        try:
            for index in range(self._count):
                digest.update(self._decrypt(index))
        except OSError:
            return False
        return digest.hexdigest() == self.sha

    # -- internals ---------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on a closed cached media reader")

    def _copy(self, out: memoryview) -> int:
        """Fill `out` from the position on (the lock held); the number of bytes copied, 0 at the end."""
        self._check_open()
        done = 0
        while done < len(out) and self._pos < self.size:
            index, offset = divmod(self._pos, self._chunk)
            plain = self._plain(index)
            n = min(len(out) - done, len(plain) - offset)
            out[done:done + n] = plain[offset:offset + n]
            done += n
            self._pos += n
        return done

    def _plain(self, index: int) -> bytes:
        plain = self._lru.get(index)
        if plain is not None:
            self._lru.move_to_end(index)
            return plain
        plain = self._decrypt(index)
        self._lru[index] = plain
        while len(self._lru) > self._lru_max:
            self._lru.popitem(last=False)
        return plain

    def _decrypt(self, index: int) -> bytes:
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
        expected = self._chunk if index < self._count - 1 else self.size - index * self._chunk
        if len(plain) != expected:
            raise OSError(errno.EIO, f"{self.path}: cached media is damaged (chunk {index} has the wrong size)")
        self.decrypted += 1
        return plain
