"""Encryption at rest of a synced workspace: annotation payloads, texts, and the media cache.

A workspace made for sync has a random 32-byte key kept in the credential store (OS keyring or passphrase vault),
never in the workspace. Sub-keys come from HKDF. Per annotation row, label + geometry + attributes are one
ChaCha20-Poly1305 ciphertext bound to the annotation id; the label column holds a deterministic ciphertext of the
label (nonce = HMAC of the label) so that counting by label still works in SQL: it reveals which rows share a label,
not the label. Kind, author, source, z order, flags, ids, task names, and a video annotation's frame, track id and
outside/occluded flags stay plain (docs/sync.md, threat model): they are where a shape is, not what it shows, and
they pass through the codec by position like the other columns after `attributes`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync import fastjson
from sync.client.credentials import Credentials, CredentialsError, workspace_key_name
from sync.client.media_reader import CachedMediaReader
from sync.database import DB_NAME, WorkspaceError, connect, stored_version
from sync.envelope import b64d, b64e
from sync.workspace import Workspace

ENCRYPTION_V1 = "chacha20poly1305-v1"
CHUNK = 1 << 20  # media cache: plaintext bytes per encrypted chunk
_CHUNK_STORED = 12 + CHUNK + 16
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _subkey(key: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"annodesk-at-rest:" + purpose.encode()
                ).derive(key)


class AtRestCodec:
    """The Workspace's PayloadCodec (sync/records.py) plus opaque blobs for the sync tables."""

    def __init__(self, key: bytes) -> None:
        self._rows = ChaCha20Poly1305(_subkey(key, "rows"))
        self._labels = ChaCha20Poly1305(_subkey(key, "labels"))
        self._label_nonce_key = _subkey(key, "label-nonce")
        self._texts = ChaCha20Poly1305(_subkey(key, "texts"))
        self._label_cache: dict[bytes, str] = {}
        self._label_enc: dict[str, bytes] = {}

    # -- annotation rows (ANNOTATION_COLUMNS order) -------------------------------------------------------------

    def encode_row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        ann_id, task_id, label, kind, x, y, w, h, data, attributes = row[:10]
        geometry = data if data is not None else json.dumps([x, y, w, h])
        payload = f"{geometry}\0{attributes or ''}".encode()  # JSON never holds a raw NUL
        nonce = os.urandom(12)
        sealed = nonce + self._rows.encrypt(nonce, payload, ann_id.encode())
        return (ann_id, task_id, self.encode_label(label), kind, None, None, None, None, sealed, None, *row[10:])

    def decode_rows(self, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        out = []
        for row in rows:
            ann_id, task_id, label, kind, _x, _y, _w, _h, sealed = row[:9]
            geometry, attributes = self.decode_payload(ann_id, sealed)
            out.append((ann_id, task_id, self.decode_label(label), kind, None, None, None, None,
                        geometry, attributes, *row[10:]))
        return out

    def decode_payload(self, ann_id: str, sealed: Any) -> tuple[str, str | None]:
        """(geometry JSON, attributes JSON or None) of one row's sealed payload."""
        try:
            payload = self._rows.decrypt(sealed[:12], sealed[12:], ann_id.encode())
        except (InvalidTag, TypeError) as exc:
            raise WorkspaceError(f"annotation {ann_id}: stored payload does not decrypt with this key") from exc
        geometry, _, attributes = payload.decode().partition("\0")
        return geometry, attributes or None

    def encode_label(self, label: str) -> bytes:
        stored = self._label_enc.get(label)
        if stored is None:
            nonce = hmac.new(self._label_nonce_key, label.encode(), hashlib.sha256).digest()[:12]
            stored = self._label_enc[label] = nonce + self._labels.encrypt(nonce, label.encode(), b"label")
        return stored

    def decode_label(self, stored: Any) -> str:
        label = self._label_cache.get(stored)
        if label is None:
            try:
                label = self._labels.decrypt(stored[:12], stored[12:], b"label").decode()
            except (InvalidTag, TypeError) as exc:
                raise WorkspaceError("a stored label does not decrypt with this key") from exc
            self._label_cache[stored] = label
        return label

    # -- texts and blobs ----------------------------------------------------------------------------------------

    def encode_text(self, what: str, text: str) -> bytes:
        return self.seal(what, text.encode())

    def decode_text(self, what: str, stored: Any) -> str:
        return self.open(what, stored).decode()

    def seal(self, what: str, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._texts.encrypt(nonce, data, what.encode())

    def open(self, what: str, stored: Any) -> bytes:
        try:
            return self._texts.decrypt(stored[:12], stored[12:], what.encode())
        except (InvalidTag, TypeError) as exc:
            raise WorkspaceError(f"stored {what} does not decrypt with this key") from exc

    def seal_json(self, what: str, value: Any) -> bytes:
        return self.seal(what, fastjson.dumps(value))

    def open_json(self, what: str, stored: Any) -> Any:
        return fastjson.loads(self.open(what, stored))


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def _checked(sha: str) -> str:
    """The media id as a cache file name; anything but a SHA-256 (a server's path, say) is refused."""
    if not is_sha256(sha):
        raise WorkspaceError(f"media id {sha!r:.80} is not a SHA-256; not stored in the media cache")
    return sha


class MediaCache:
    """Media files by SHA-256, stored as independently encrypted 1 MiB chunks (index in the associated data), so a
    download can resume from the last whole chunk and no plaintext byte is ever written to disk."""

    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self._aead = ChaCha20Poly1305(_subkey(key, "media"))

    def path(self, sha: str) -> Path:
        return self.directory / f"{_checked(sha)}.enc"

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def partial(self, sha: str) -> Path:
        return self.directory / f"{_checked(sha)}.part"

    def _chunk(self, sha: str, index: int, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, f"{sha}:{index}".encode())

    def _chunks(self, path: Path, sha: str) -> list[bytes]:
        """Plaintext chunks of a cache file; a trailing incomplete chunk (an interrupted write) is left out."""
        raw = path.read_bytes()
        chunks = []
        for index, start in enumerate(range(0, len(raw), _CHUNK_STORED)):
            piece = raw[start:start + _CHUNK_STORED]
            try:
                chunks.append(self._aead.decrypt(piece[:12], piece[12:], f"{sha}:{index}".encode()))
            except (InvalidTag, ValueError):  # a torn tail (or a short piece) ends the readable part
                break
        return chunks

    def resume_point(self, sha: str) -> tuple[int, Any]:
        """(plaintext bytes already stored, sha256 state over them) of a partial download; trims a torn tail."""
        part = self.partial(sha)
        digest = hashlib.sha256()
        if not part.exists():
            return 0, digest
        chunks = [c for c in self._chunks(part, sha) if len(c) == CHUNK]
        with open(part, "r+b") as fh:
            fh.truncate(len(chunks) * _CHUNK_STORED)
        for chunk in chunks:
            digest.update(chunk)
        return len(chunks) * CHUNK, digest

    def append(self, sha: str, index: int, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.partial(sha), "ab") as fh:
            fh.write(self._chunk(sha, index, data))
            fh.flush()
            os.fsync(fh.fileno())

    def finish(self, sha: str) -> None:
        self.partial(sha).replace(self.path(sha))

    def discard(self, sha: str) -> None:
        self.partial(sha).unlink(missing_ok=True)

    def read(self, sha: str) -> bytes:
        """The plaintext, checked against its SHA-256 (a damaged or swapped file is refused)."""
        data = b"".join(self._chunks(self.path(sha), sha))
        if hashlib.sha256(data).hexdigest() != sha:
            raise WorkspaceError(f"{self.path(sha)}: cached media is damaged (hash mismatch)")
        return data

    def put(self, sha: str, data: bytes) -> None:
        """Store bytes already in memory (for example media this device adds)."""
        self.discard(sha)
        for index, start in enumerate(range(0, max(len(data), 1), CHUNK)):
            self.append(sha, index, data[start:start + CHUNK])
        self.finish(sha)

    def put_file(self, sha: str, source: Path) -> None:
        """Copy a file in chunk by chunk (a video can be larger than memory); WorkspaceError, with nothing kept,
        when its bytes do not hash to `sha` (the file changed since it was hashed)."""
        self.discard(sha)
        digest, index = hashlib.sha256(), 0
        with open(source, "rb") as fh:
            while True:
                data = fh.read(CHUNK)
                if not data and index:
                    break
                digest.update(data)
                self.append(sha, index, data)
                index += 1
                if len(data) < CHUNK:
                    break
        if digest.hexdigest() != sha:
            self.discard(sha)
            raise WorkspaceError(f"{source}: the file changed while it was copied into the media cache")
        self.finish(sha)

    def reader(self, sha: str, name: str | None = None) -> CachedMediaReader:
        """A read-only, seekable file object over the cached plaintext, decrypted a chunk at a time in memory (for
        PyAV: core.video decodes from it); FileNotFoundError when the media is not downloaded."""
        return CachedMediaReader(self.path(sha), sha, self._aead, CHUNK, name=name)


# -- keys and the Workspace hook -----------------------------------------------------------------------------------


class KeyRing:
    """Workspace keys by workspace id, from the credential store, cached in memory; the Workspace's codec_provider."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self._keys: dict[str, bytes] = {}

    def key(self, workspace_id: str) -> bytes:
        key = self._keys.get(workspace_id)
        if key is None:
            text = self.credentials.get(workspace_key_name(workspace_id))
            if text is None:
                raise CredentialsError(f"the key of workspace {workspace_id} is not in {self.credentials.where}")
            key = self._keys[workspace_id] = b64d(text, 32, "workspace key")
        return key

    def new_key(self, workspace_id: str) -> bytes:
        key = os.urandom(32)
        self.credentials.set(workspace_key_name(workspace_id), b64e(key))
        self._keys[workspace_id] = key
        return key

    def codec(self, path: Path, workspace_id: str, encryption: str) -> AtRestCodec:
        if encryption != ENCRYPTION_V1:
            raise WorkspaceError(f"{path}: unknown workspace encryption {encryption!r}")
        try:
            return AtRestCodec(self.key(workspace_id))
        except CredentialsError as exc:
            raise WorkspaceError(f"{path}: {exc}") from None

    def media_cache(self, workspace: Workspace) -> MediaCache:
        return MediaCache(workspace.path / "media-cache", self.key(workspace.workspace_id))

    def install(self) -> None:
        """Let every Workspace.open in this process unlock encrypted workspaces with these keys."""
        Workspace.codec_provider = self.codec


def is_encrypted(directory: Path) -> bool:
    """Whether opening the workspace in `directory` needs its key, found without the key and without writing (so
    the app can fetch the key off the UI thread first); WorkspaceError when no readable workspace is there."""
    db = Path(directory) / DB_NAME
    stored_version(db)
    conn = connect(db, readonly=True)
    try:
        return conn.execute("SELECT 1 FROM meta WHERE key = 'encryption'").fetchone() is not None
    finally:
        conn.close()


def create_encrypted(directory: Path, keys: KeyRing) -> Workspace:
    """A new, empty workspace whose payloads are encrypted from its first row (no plaintext ever reaches the file)."""
    ws = Workspace.create(directory)
    try:
        keys.new_key(ws.workspace_id)
        with ws.transaction() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('encryption', ?)", (ENCRYPTION_V1,))
            plain = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
            schema = AtRestCodec(keys.key(ws.workspace_id)).encode_text("schema", plain)
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (schema,))
    finally:
        ws.close()
    keys.install()
    return Workspace.open(directory)
