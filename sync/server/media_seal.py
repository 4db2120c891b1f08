"""Media sealed at rest (`--seal-media`): AES-256-GCM in frames of 1 MiB, so the object store's operator cannot read
the media and the server can still serve any byte range by opening only the frames it covers.

An object is HEADER (magic, key id, a random salt) then frames; frame i holds plaintext bytes [i*FRAME, (i+1)*FRAME)
as nonce (12 random bytes) + ciphertext + tag. Its key is HKDF-SHA256(server secret, salt, sha256 of the plaintext),
one key per object; each frame's associated data binds the object's SHA-256, the frame index and whether it is the
last frame, so frames cannot be swapped, reordered or cut off unnoticed. The server secrets live in the database
(`media_keys`), never in the bucket.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Connection

from sync.server import db
from sync.server.errors import ApiError

MAGIC = b"ADSEAL01"
FRAME = 1 << 20
NONCE = 12
OVERHEAD = NONCE + 16  # nonce + GCM tag per frame
HEADER = len(MAGIC) + 8 + 16  # magic, key id, salt
SEALED_FRAME = FRAME + OVERHEAD


@dataclass(frozen=True)
class MediaKeys:
    """The server's media secrets by key id, and the one new objects are sealed with (None: sealing is off)."""

    secrets: dict[bytes, bytes]
    current: bytes | None

    @property
    def sealing(self) -> bool:
        return self.current is not None


NO_KEYS = MediaKeys({}, None)


def load_keys(conn: Connection, create: bool) -> MediaKeys:
    """Every media secret; with `create`, make the first one (inside the serialised write, so processes agree).
    Once a server has a secret it keeps sealing, so no object is stored in plaintext by a process started without
    the flag (an `add-media` run, say)."""
    k = db.media_keys
    rows: list[tuple[str, bytes]] = [(r.key_id, r.secret) for r in conn.execute(
        sa.select(k.c.key_id, k.c.secret).order_by(k.c.created_at))]
    if not rows and create:
        key_id, secret = os.urandom(8), os.urandom(32)
        conn.execute(k.insert().values(key_id=key_id.hex(), secret=secret, created_at=time.time()))
        rows = [(key_id.hex(), secret)]
    secrets = {bytes.fromhex(r[0]): bytes(r[1]) for r in rows}
    return MediaKeys(secrets, bytes.fromhex(rows[-1][0]) if rows else None)


def frame_count(total: int) -> int:
    return max(1, -(-total // FRAME))


def sealed_size(total: int) -> int:
    return HEADER + total + OVERHEAD * frame_count(total)


def plain_size(sealed: int) -> int:
    """The plaintext size of a sealed object of `sealed` bytes."""
    full, rest = divmod(sealed - HEADER, SEALED_FRAME)
    return full * FRAME + (rest - OVERHEAD if rest else 0)


def key_id_of(header: bytes) -> bytes:
    if len(header) != HEADER or not header.startswith(MAGIC):
        raise ApiError(500, "bad_seal", "a sealed media object has no valid header")
    return header[len(MAGIC):len(MAGIC) + 8]


class ObjectSeal:
    """The key of one object: seals and opens its frames (and the server's staged tail of an unfinished upload)."""

    def __init__(self, keys: MediaKeys, key_id: bytes, salt: bytes, sha: str) -> None:
        secret = keys.secrets.get(key_id)
        if secret is None:
            raise ApiError(500, "unknown_seal_key", f"media {sha} is sealed with key {key_id.hex()}, which this "
                           "server's database does not hold")
        self.key_id, self.salt, self.sha = key_id, salt, sha
        self._frames = AESGCM(_derive(secret, salt, b"annodesk media frames v1 " + sha.encode()))
        self._tail = AESGCM(_derive(secret, salt, b"annodesk media staged tail v1 " + sha.encode()))

    @classmethod
    def new(cls, keys: MediaKeys, sha: str) -> ObjectSeal:
        assert keys.current is not None
        return cls(keys, keys.current, os.urandom(16), sha)

    @classmethod
    def from_header(cls, keys: MediaKeys, header: bytes, sha: str) -> ObjectSeal:
        return cls(keys, key_id_of(header), header[-16:], sha)

    def header(self) -> bytes:
        return MAGIC + self.key_id + self.salt

    def _aad(self, index: int, last: bool) -> bytes:
        return self.sha.encode() + struct.pack(">QB", index, last)

    def seal_frame(self, index: int, plain: bytes, last: bool) -> bytes:
        nonce = os.urandom(NONCE)  # random, not a counter: a resent chunk after a crash may differ
        return nonce + self._frames.encrypt(nonce, plain, self._aad(index, last))

    def open_frame(self, index: int, blob: bytes, last: bool) -> bytes:
        try:
            return self._frames.decrypt(blob[:NONCE], blob[NONCE:], self._aad(index, last))
        except InvalidTag:
            raise ApiError(500, "bad_seal", f"media {self.sha}: sealed frame {index} does not authenticate "
                           "(changed in the object store?)") from None

    def seal_tail(self, plain: bytes) -> bytes:
        nonce = os.urandom(NONCE)
        return nonce + self._tail.encrypt(nonce, plain, self.sha.encode())

    def open_tail(self, blob: bytes) -> bytes:
        try:
            return self._tail.decrypt(blob[:NONCE], blob[NONCE:], self.sha.encode())
        except InvalidTag:
            raise ApiError(500, "bad_seal", f"upload of {self.sha}: its staged bytes do not authenticate") from None

    def seal_frames(self, pending: bytearray, first_index: int, total: int, final: bool) -> bytes:
        """Seal the whole frames at the front of `pending` (removing them), and with `final` the last, short one."""
        out, index = bytearray(), first_index
        while len(pending) >= FRAME or (final and (pending or index < frame_count(total))):
            plain = bytes(pending[:FRAME])
            del pending[:FRAME]
            out += self.seal_frame(index, plain, index == frame_count(total) - 1)
            index += 1
        return bytes(out)

    def open_frames(self, chunks: Iterator[bytes], first_index: int, total: int) -> Iterator[bytes]:
        """Plaintext of the sealed frames streamed in `chunks`, starting at frame `first_index`."""
        buffer, index, last_index = bytearray(), first_index, frame_count(total) - 1
        for chunk in chunks:
            buffer += chunk
            while len(buffer) >= SEALED_FRAME:
                yield self.open_frame(index, bytes(buffer[:SEALED_FRAME]), index == last_index)
                del buffer[:SEALED_FRAME]
                index += 1
        if buffer:
            yield self.open_frame(index, bytes(buffer), index == last_index)


def frame_span(start: int, end: int, total: int) -> tuple[int, int, int]:
    """For plaintext bytes [start, end): the first frame and the sealed byte range [begin, stop) that holds them."""
    first, last = start // FRAME, max(start, end - 1) // FRAME
    stop = min(HEADER + (last + 1) * SEALED_FRAME, sealed_size(total))
    return first, HEADER + first * SEALED_FRAME, stop


class SealingReader:
    """A file read as its sealed form (header, then frames), hashing the plaintext as it goes: what the transfer
    manager uploads for `add-media` on a sealing server."""

    def __init__(self, source: BinaryIO, seal: ObjectSeal, total: int) -> None:
        self.source, self.seal, self.total = source, seal, total
        self.digest = hashlib.sha256()
        self._out, self._pending = bytearray(seal.header()), bytearray()
        self._read, self._done = 0, False

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else 1 << 62
        while len(self._out) < want and not self._done:
            data = self.source.read(FRAME)
            self.digest.update(data)
            index = (self._read - len(self._pending)) // FRAME
            self._read += len(data)
            self._pending += data
            self._done = not data
            self._out += self.seal.seal_frames(self._pending, index, self.total, self._done)
        out = bytes(self._out[:want])
        del self._out[:want]
        return out

    def readable(self) -> bool:
        return True


def _derive(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)
