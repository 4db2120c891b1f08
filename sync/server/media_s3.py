"""Media in S3-compatible object storage (AWS S3, MinIO, Ceph RGW) through boto3: `--media s3://bucket/prefix`.

Layout under the prefix: `ab/cdef...` for complete media (content-addressed, as the blob folder), and `partial/`
for uploads in progress: `partial/<sha>` is the upload's state (S3 metadata) plus the bytes not yet in a part,
`partial/<sha>.data` the multipart upload the parts go to (kept by S3 until completed, aborted or expired by a
lifecycle rule). Client chunks of any size are gathered into parts of PART bytes (S3 wants >= 5 MiB but for the last).
When the last byte arrives the multipart upload is completed at the staging key, its SHA-256 checked (the one
computed while receiving when every chunk came to this process, else by reading the staged object back), and only
then copied to its content key: no object is ever visible under a wrong hash. Sealed media (media_seal.py) are
sealed before they leave the server, staged bytes included.

The state lives in the bucket, so any server process can take the next chunk; two processes writing the same upload
at the same moment can spoil it, which the hash check catches (the client then starts again).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from sync.server.blobs import check_sha, file_sha256
from sync.server.config import MiB, ServerConfig
from sync.server.errors import ApiError
from sync.server.media_seal import (
    FRAME,
    HEADER,
    MediaKeys,
    ObjectSeal,
    SealingReader,
    frame_span,
    plain_size,
)

PART = 8 * MiB
MAX_PARTS = 10_000
STATE = "annodesk-upload"  # S3 user metadata of partial/<sha>
SEALED = "annodesk-seal"  # S3 user metadata of a sealed object: the key id
_KNOWN = 100_000  # how many stored objects' sizes are remembered (they never change)
_DIGESTS = 1_000  # how many running upload hashes are kept


@dataclass
class _Upload:
    upload_id: str
    total: int
    received: int = 0
    parts: int = 0
    part_size: int = PART
    staged: int = 0  # bytes of the state object's body that go into the next part
    tail: int = 0  # bytes after those: the sealed plaintext not yet a whole frame (sealed media only)
    key_id: str = ""  # sealed with this key ("" unsealed)
    salt: str = ""


def parse_media_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of s3://bucket/prefix."""
    if not url.startswith("s3://"):
        raise ApiError(422, "bad_config", f"--media {url!r}: only s3://bucket/prefix is supported (or leave it out "
                       "for the blob folder)")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise ApiError(422, "bad_config", f"--media {url!r} names no bucket")
    return bucket, prefix.strip("/")


class S3MediaStore:
    """A MediaStore (sync/server/media_store.py) in one bucket under one prefix."""

    def __init__(self, client: Any, bucket: str, prefix: str, *, where: str, keys: MediaKeys,
                 download: str = "server", presign_ttl_s: int = 300, part_size: int = PART) -> None:
        self.client, self.bucket, self.prefix, self.where = client, bucket, prefix, where
        self.keys, self.download, self.presign_ttl_s, self.part_size = keys, download, presign_ttl_s, part_size
        self.transfer = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size,
                                       max_concurrency=4)
        self._locks = [threading.Lock() for _ in range(64)]
        self._guard = threading.Lock()
        self._known: OrderedDict[str, tuple[int, str]] = OrderedDict()  # sha -> (plain size, seal key id or "")
        self._headers: OrderedDict[str, bytes] = OrderedDict()  # sha -> seal header
        self._digests: OrderedDict[str, tuple[int, Any]] = OrderedDict()  # sha -> (bytes hashed, running sha256)
        if keys.sealing and download == "presigned":
            raise ApiError(422, "bad_config", "media are sealed (--seal-media, or this server's database holds a "
                           "media seal key), so presigned downloads are not available: a URL would hand out the "
                           "sealed bytes; use --media-download server")

    @classmethod
    def from_config(cls, config: ServerConfig, keys: MediaKeys) -> S3MediaStore:
        """A client from the usual boto3 sources (environment, ~/.aws, an instance role) and --s3-endpoint."""
        assert config.media
        bucket, prefix = parse_media_url(config.media)
        session = boto3.session.Session()
        region = session.region_name or "us-east-1"
        options: dict[str, Any] = {"connect_timeout": 5, "read_timeout": 60, "signature_version": "s3v4",
                                   "retries": {"max_attempts": 4, "mode": "standard"}}
        if config.s3_endpoint:  # MinIO and Ceph want path-style addressing, and no checksums they do not know
            options.update(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                           response_checksum_validation="when_required")
        client = session.client("s3", endpoint_url=config.s3_endpoint or None, region_name=region,
                                config=BotoConfig(**options))
        where = config.s3_endpoint or f"AWS S3 ({region})"
        return cls(client, bucket, prefix, where=where, keys=keys, download=config.media_download,
                   presign_ttl_s=config.presign_ttl_s)

    # -- naming ----------------------------------------------------------------------------------------------------

    def _key(self, rest: str) -> str:
        return f"{self.prefix}/{rest}" if self.prefix else rest

    def content_key(self, sha: str) -> str:
        return self._key(f"{check_sha(sha)[:2]}/{sha[2:]}")

    def state_key(self, sha: str) -> str:
        return self._key(f"partial/{check_sha(sha)}")

    def staging_key(self, sha: str) -> str:
        return self._key(f"partial/{check_sha(sha)}.data")

    def describe(self) -> str:
        seal = ", sealed" if self.keys.sealing else ""
        how = "presigned URLs" if self.download == "presigned" else "through the server"
        return f"s3://{self.bucket}/{self.prefix} at {self.where}{seal}, downloads {how}"

    # -- checks and lookups ----------------------------------------------------------------------------------------

    def check(self) -> None:
        """HEAD the bucket: a wrong bucket, missing credentials or an unreachable endpoint fail here, named."""
        name = f"media store s3://{self.bucket}/{self.prefix} at {self.where}"
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            raise ApiError(503, "media_unavailable", f"{name}: no S3 credentials found (AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)") from None
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = exc.response.get("Error", {}).get("Code", "")
            if status == 404 or code in ("404", "NoSuchBucket"):
                detail = f"bucket {self.bucket!r} does not exist"
            elif status == 403 or code in ("403", "AccessDenied"):
                detail = f"access to bucket {self.bucket!r} is denied to these credentials"
            else:
                detail = f"bucket {self.bucket!r}: {code or status}"
            raise ApiError(503, "media_unavailable", f"{name}: {detail}") from None
        except BotoCoreError as exc:
            raise ApiError(503, "media_unavailable", f"{name}: cannot reach it ({exc})") from None

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            head: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise
        return head

    def _info(self, sha: str) -> tuple[int, str] | None:
        """(plaintext size, seal key id or "") of stored media; remembered, since content-addressed bytes never
        change."""
        with self._guard:
            if sha in self._known:
                return self._known[sha]
        head = self._head(self.content_key(sha))
        if head is None:
            return None
        key_id = head.get("Metadata", {}).get(SEALED, "")
        size = int(head["ContentLength"])
        info = (plain_size(size) if key_id else size, key_id)
        with self._guard:
            self._known[sha] = info
            while len(self._known) > _KNOWN:
                self._known.popitem(last=False)
        return info

    def exists(self, sha: str) -> bool:
        return self._info(sha) is not None

    def size(self, sha: str) -> int | None:
        info = self._info(sha)
        return None if info is None else info[0]

    def local_path(self, sha: str) -> Path | None:
        return None

    def presigned_url(self, sha: str) -> str | None:
        """A GET URL valid for presign_ttl_s, in presigned mode and for unsealed media only."""
        info = self._info(sha)
        if self.download != "presigned" or info is None or info[1]:
            return None
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self.content_key(sha)},
            ExpiresIn=self.presign_ttl_s)
        return url

    # -- reading ---------------------------------------------------------------------------------------------------

    def read(self, sha: str, start: int, end: int) -> Iterator[bytes]:
        info = self._info(sha)
        if info is None:
            raise ApiError(404, "not_found", f"media {sha} is not in the object store")
        total, key_id = info
        end = min(end, total)
        if start >= end:
            return
        yield from self._read_key(self.content_key(sha), sha, start, end, total, key_id)

    def _read_key(self, key: str, sha: str, start: int, end: int, total: int, key_id: str) -> Iterator[bytes]:
        if not key_id:
            yield from self._get(key, start, end)
            return
        seal = ObjectSeal.from_header(self.keys, self._header(key, sha, key == self.content_key(sha)), sha)
        first, begin, stop = frame_span(start, end, total)
        skip, left = start - first * FRAME, end - start
        for plain in seal.open_frames(self._get(key, begin, stop), first, total):
            piece = plain[skip:skip + left]
            skip = max(0, skip - len(plain))
            left -= len(piece)
            if piece:
                yield piece
            if left <= 0:
                return
        if left > 0:
            raise ApiError(500, "bad_seal", f"media {sha}: the sealed object ends early")

    def _header(self, key: str, sha: str, remember: bool) -> bytes:
        """A sealed object's header; remembered for stored media (a staging key is reused by the next upload)."""
        with self._guard:
            if key in self._headers:
                return self._headers[key]
        header = b"".join(self._get(key, 0, HEADER))
        if not remember:
            return header
        with self._guard:
            self._headers[key] = header
            while len(self._headers) > _KNOWN:
                self._headers.popitem(last=False)
        return header

    def _get_all(self, key: str) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            data: bytes = body.read()
        finally:
            body.close()
        return data

    def _get(self, key: str, start: int, end: int) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={start}-{end - 1}")["Body"]
        try:
            yield from body.iter_chunks(1 << 16)
        finally:
            body.close()

    # -- resumable uploads -----------------------------------------------------------------------------------------

    def _state(self, sha: str) -> _Upload | None:
        head = self._head(self.state_key(sha))
        if head is None:
            return None
        raw = head.get("Metadata", {}).get(STATE)
        return _Upload(**json.loads(raw)) if raw else None

    def offset(self, sha: str) -> int:
        state = self._state(sha)
        return state.received if state else 0

    def write_chunk(self, sha: str, start: int, data: bytes, total: int) -> bool:
        check_sha(sha)
        with self._locks[int(sha[:8], 16) % len(self._locks)]:
            state = self._state(sha)
            have = state.received if state else 0
            if start != have:
                raise ApiError(409, "bad_offset", f"upload of {sha} continues at byte {have}, not {start}",
                               offset=have)
            if have + len(data) > total or (state is not None and state.total != total):
                raise ApiError(422, "bad_range", f"chunk ends past the declared total of {total} bytes" if state is
                               None or state.total == total else f"upload of {sha} declared {state.total} bytes, "
                               f"not {total}")
            if state is None and len(data) == total and total <= self.part_size:
                if hashlib.sha256(data).hexdigest() != sha:
                    raise ApiError(422, "hash_mismatch", f"uploaded bytes do not hash to {sha}; upload discarded")
                self._put_whole(sha, data)
                return True
            state = state or self._begin(sha, total)
            try:
                return self._continue(sha, state, data)
            except ClientError:
                if not self._lost(sha, state):
                    raise
                self._discard(sha, None)
                raise ApiError(409, "bad_offset", f"the object store dropped the unfinished upload of {sha} (a "
                               "lifecycle rule, or MinIO's stale upload expiry); start again at byte 0",
                               offset=0) from None

    def _begin(self, sha: str, total: int) -> _Upload:
        part_size = max(self.part_size, -(-total // MAX_PARTS))
        metadata = {SEALED: self.keys.current.hex()} if self.keys.current else {}
        seal = ObjectSeal.new(self.keys, sha) if self.keys.current else None
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.staging_key(sha),
                                                     Metadata=metadata)
        return _Upload(upload["UploadId"], total, part_size=part_size, key_id=seal.key_id.hex() if seal else "",
                       salt=seal.salt.hex() if seal else "")

    def _continue(self, sha: str, state: _Upload, data: bytes) -> bool:
        seal = (ObjectSeal(self.keys, bytes.fromhex(state.key_id), bytes.fromhex(state.salt), sha)
                if state.key_id else None)
        body = self._get_all(self.state_key(sha)) if state.staged + state.tail else b""
        if len(body) != state.staged + state.tail:  # another process rewrote it between our HEAD and GET
            self._discard(sha, state)
            raise ApiError(409, "bad_offset", f"the staged bytes of the upload of {sha} changed under it; start "
                           "again at byte 0", offset=0)
        staged, pending = bytearray(body[:state.staged]), bytearray()
        start, received = state.received, state.received + len(data)
        final = received == state.total
        if seal is None:
            staged += data
        else:
            if not state.received:
                staged += seal.header()
            if state.tail:
                pending += seal.open_tail(body[state.staged:])
            first_index = (start - len(pending)) // FRAME
            pending += data
            staged += seal.seal_frames(pending, first_index, state.total, final)
        digest = self._digest_after(sha, start, data)
        while len(staged) >= state.part_size or (final and staged):
            part, staged = bytes(staged[:state.part_size]), staged[state.part_size:]
            state.parts += 1
            self.client.upload_part(Bucket=self.bucket, Key=self.staging_key(sha), UploadId=state.upload_id,
                                    PartNumber=state.parts, Body=part)
        state.received = received
        if not final:
            tail = seal.seal_tail(bytes(pending)) if seal is not None and pending else b""
            state.staged, state.tail = len(staged), len(tail)
            self.client.put_object(Bucket=self.bucket, Key=self.state_key(sha), Body=bytes(staged) + tail,
                                   Metadata={STATE: json.dumps(asdict(state), separators=(",", ":"))})
            self._keep_digest(sha, received, digest)
            return False
        self._complete(sha, state)
        if digest is None:  # chunks came to other processes too (or before a restart): hash what was staged
            digest = hashlib.sha256()
            for piece in self._read_key(self.staging_key(sha), sha, 0, state.total, state.total, state.key_id):
                digest.update(piece)
        if digest.hexdigest() != sha:
            self._discard(sha, None)
            raise ApiError(422, "hash_mismatch", f"uploaded bytes do not hash to {sha}; upload discarded")
        self._publish(self.staging_key(sha), sha)
        self.client.delete_object(Bucket=self.bucket, Key=self.state_key(sha))
        return True

    def _lost(self, sha: str, state: _Upload) -> bool:
        """Whether the multipart upload is gone (S3 says NoSuchUpload; some stores fail the part upload otherwise)."""
        try:
            self.client.list_parts(Bucket=self.bucket, Key=self.staging_key(sha), UploadId=state.upload_id,
                                   MaxParts=1)
        except ClientError as exc:
            error = exc.response.get("Error", {}).get("Code")
            return error in ("NoSuchUpload", "404") or exc.response.get("ResponseMetadata", {}).get(
                "HTTPStatusCode") == 404
        return False

    def _complete(self, sha: str, state: _Upload) -> None:
        parts: list[dict[str, Any]] = []
        for page in self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=self.staging_key(sha), UploadId=state.upload_id):
            parts += [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in page.get("Parts", [])]
        parts = [p for p in parts if p["PartNumber"] <= state.parts]  # a part a crashed request left past the end
        self.client.complete_multipart_upload(Bucket=self.bucket, Key=self.staging_key(sha),
                                              UploadId=state.upload_id, MultipartUpload={"Parts": parts})

    def _digest_after(self, sha: str, start: int, data: bytes) -> Any:
        """The running SHA-256 with `data` added, when this process hashed every byte before it; else None."""
        with self._guard:
            held = self._digests.pop(sha, None)
        if start == 0:
            digest = hashlib.sha256()
        elif held is not None and held[0] == start:
            digest = held[1]
        else:
            return None
        digest = digest.copy()
        digest.update(data)
        return digest

    def _keep_digest(self, sha: str, upto: int, digest: Any) -> None:
        if digest is None:
            return
        with self._guard:
            self._digests[sha] = (upto, digest)
            while len(self._digests) > _DIGESTS:
                self._digests.popitem(last=False)

    def _discard(self, sha: str, state: _Upload | None) -> None:
        """Drop an upload's state and staged bytes (best effort: a lifecycle rule sweeps what is left)."""
        state = state or self._state(sha)
        if state is not None:
            with contextlib.suppress(ClientError):  # already completed or aborted
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.staging_key(sha),
                                                   UploadId=state.upload_id)
        for key in (self.staging_key(sha), self.state_key(sha)):
            self.client.delete_object(Bucket=self.bucket, Key=key)
        with self._guard:
            self._digests.pop(sha, None)

    def _put_whole(self, sha: str, data: bytes) -> None:
        """Media whose hash was checked in memory: one PUT to its content key (a PUT is all or nothing)."""
        metadata, body = {}, data
        if self.keys.current:
            seal = ObjectSeal.new(self.keys, sha)
            body = seal.header() + seal.seal_frames(bytearray(data), 0, len(data), True)
            metadata = {SEALED: seal.key_id.hex()}
        self.client.put_object(Bucket=self.bucket, Key=self.content_key(sha), Body=body, Metadata=metadata)

    def _publish(self, staged: str, sha: str) -> None:
        """Copy checked bytes to their content key (inside the store; multipart for big objects) and drop the
        staged copy."""
        self.client.copy({"Bucket": self.bucket, "Key": staged}, self.bucket, self.content_key(sha),
                         Config=self.transfer)
        self.client.delete_object(Bucket=self.bucket, Key=staged)

    # -- add-media ---------------------------------------------------------------------------------------------------

    def put_file(self, source: Path) -> tuple[str, int]:
        """Upload a local file with the transfer manager (multipart past PART bytes) to a staging key, hashing
        (and sealing) what it reads, then publish it: a file that changed since it was hashed is refused."""
        sha, size = file_sha256(source), source.stat().st_size
        if self.exists(sha):
            return sha, size
        staging = self._key(f"partial/{sha}.{uuid.uuid4().hex}.file")
        metadata = {SEALED: self.keys.current.hex()} if self.keys.current else {}
        with open(source, "rb") as fh:
            reader: _HashingReader | SealingReader = (
                SealingReader(fh, ObjectSeal.new(self.keys, sha), size) if self.keys.current else _HashingReader(fh))
            self.client.upload_fileobj(reader, self.bucket, staging, ExtraArgs={"Metadata": metadata},
                                       Config=self.transfer)
        if reader.digest.hexdigest() != sha:
            self.client.delete_object(Bucket=self.bucket, Key=staging)
            raise ApiError(409, "media_changed", f"{source} changed while it was being stored; nothing was added")
        self._publish(staging, sha)
        return sha, size


class _HashingReader:
    """A file read once, front to back, hashing what is read (the transfer manager's non-seekable path)."""

    def __init__(self, source: BinaryIO) -> None:
        self.source, self.digest = source, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data

    def readable(self) -> bool:
        return True
