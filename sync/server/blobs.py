"""Media blobs on disk by SHA-256, with resumable uploads that only become visible once the hash checks out."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sync.server.errors import ApiError

_SHA = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def check_sha(sha: str) -> str:
    if not _SHA.fullmatch(sha):
        raise ApiError(422, "bad_hash", f"media id {sha[:80]!r} is not a lowercase hex SHA-256")
    return sha


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    """blobs/ab/cdef... for complete media, blobs/partial/<sha> for uploads in progress (a MediaStore,
    sync/server/media_store.py)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "partial").mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        return self.root / check_sha(sha)[:2] / sha[2:]

    def partial(self, sha: str) -> Path:
        return self.root / "partial" / check_sha(sha)

    def describe(self) -> str:
        return f"folder {self.root}"

    def check(self) -> None:
        """Nothing to check: the folder was made above."""

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def size(self, sha: str) -> int | None:
        path = self.path(sha)
        return path.stat().st_size if path.is_file() else None

    def local_path(self, sha: str) -> Path | None:
        return self.path(sha)

    def presigned_url(self, sha: str) -> str | None:
        return None

    def read(self, sha: str, start: int, end: int) -> Iterator[bytes]:
        with open(self.path(sha), "rb") as fh:
            fh.seek(start)
            left = end - start
            while left > 0 and (chunk := fh.read(min(_CHUNK, left))):
                left -= len(chunk)
                yield chunk

    def offset(self, sha: str) -> int:
        """Bytes already received of an unfinished upload (0 when none)."""
        part = self.partial(sha)
        return part.stat().st_size if part.exists() else 0

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy a local file in (the CLI's add-media); returns (sha256, size)."""
        sha = file_sha256(source)
        if not self.exists(sha):
            fd, tmp = tempfile.mkstemp(dir=self.root / "partial")
            os.close(fd)
            shutil.copyfile(source, tmp)
            self._publish(Path(tmp), sha)
        return sha, self.path(sha).stat().st_size

    def write_chunk(self, sha: str, start: int, data: bytes, total: int) -> bool:
        """Append bytes at `start` (which must equal what is already there); True once the file is complete."""
        have = self.offset(sha)
        if start != have:
            raise ApiError(409, "bad_offset", f"upload of {sha} continues at byte {have}, not {start}", offset=have)
        if have + len(data) > total:
            raise ApiError(422, "bad_range", f"chunk ends past the declared total of {total} bytes")
        part = self.partial(sha)
        with open(part, "ab") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if have + len(data) < total:
            return False
        if file_sha256(part) != sha:
            part.unlink(missing_ok=True)
            raise ApiError(422, "hash_mismatch", f"uploaded bytes do not hash to {sha}; upload discarded")
        self._publish(part, sha)
        return True

    def _publish(self, tmp: Path, sha: str) -> None:
        target = self.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
