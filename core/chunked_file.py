"""A read-only, seekable binary file over fixed-size chunks that a subclass loads (decrypts from the client's
encrypted media cache, fetches from the server's media store), for decoders that read file objects (PyAV).

A demuxer makes many small reads and seeks back to recent positions, so a few loaded chunks are kept (least
recently used dropped first): each chunk costs one load however it is read. Nothing is written anywhere: the
bytes live only in that small LRU and in the buffers handed to the caller.
"""

from __future__ import annotations

import errno
import io
import threading
from collections import OrderedDict
from collections.abc import Buffer

LRU_CHUNKS = 4  # loaded chunks kept


class ChunkedFile(io.RawIOBase):
    """`size` bytes in chunks of `chunk` (the last one shorter); `_load(i)` returns chunk i's bytes or raises
    OSError. Safe to share between threads (one lock), though each decoder should have its own (the position is
    shared state)."""

    def __init__(self, size: int, chunk: int, name: str, *, lru_chunks: int = LRU_CHUNKS) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._lru: OrderedDict[int, bytes] = OrderedDict()
        self._lru_max = max(1, lru_chunks)
        self.size = size
        self._chunk = chunk
        self._count = -(-size // chunk)
        self.name = name  # what errors show, and FFmpeg's format hint
        self._pos = 0

    def _load(self, index: int) -> bytes:
        raise NotImplementedError

    def _expected(self, index: int) -> int:
        """How many bytes chunk `index` holds."""
        return self._chunk if index < self._count - 1 else self.size - index * self._chunk

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

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all the rest when negative) as one bytes object: PyAV reads through this, so a read
        within one chunk is a single slice of the loaded chunk, without RawIOBase's extra buffer."""
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
        lock = getattr(self, "_lock", None)  # None when a subclass's __init__ raised before ours (IOBase's
        if lock is not None:  # finaliser still closes the object)
            with lock:
                self._lru.clear()
        super().close()

    # -- internals ---------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError(f"I/O operation on a closed reader of {self.name}")

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
        plain = self._load(index)
        if len(plain) != self._expected(index):
            raise OSError(errno.EIO, f"{self.name}: chunk {index} has {len(plain)} bytes, not "
                          f"{self._expected(index)}")  # fmt: skip
        self._lru[index] = plain
        while len(self._lru) > self._lru_max:
            self._lru.popitem(last=False)
        return plain
