"""Media in S3-compatible object storage (`annodesk server --media s3://bucket/prefix`), against a real S3 server on
loopback (moto's, in its own process: tests/s3_server.py) spoken to over HTTP by boto3 and by the sync client.

Resumable uploads in chunks smaller and larger than S3's 5 MiB part minimum, across a server restart; a wrong hash
refused with nothing left visible; the CLI's add-media (multipart); clone and sync downloading media through the
server and through presigned URLs (issued only after the role check, expiring, never sent the bearer token); sealed
media (the bucket holds ciphertext, clients get the plaintext); a wrong bucket or endpoint named at start-up.
The folder store keeps its own tests (test_server_api.py, test_sync_client.py, test_sync_field.py, ...)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config

from sync.client.at_rest import CHUNK
from sync.client.engine import SyncEngine
from sync.client.media import download, queue_upload
from sync.client.store import SyncStore
from sync.server.app import create_app
from sync.server.cli import main
from sync.server.errors import ApiError
from sync.server.media_seal import (
    FRAME,
    HEADER,
    SEALED_FRAME,
    MediaKeys,
    ObjectSeal,
    SealingReader,
    plain_size,
    sealed_size,
)
from tests.server_fixtures import (
    PASSWORD,
    ROOT,
    LiveServer,
    fast_config,
    free_port,
    http_client,
    login,
    seed,
    write_png,
)
from tests.sync_client_helpers import clone_for, sync

MiB = 1 << 20
OCTET = {"Content-Type": "application/octet-stream"}


class S3Server:
    """The loopback S3 server process: its URL and its request log."""

    def __init__(self, tmp: Path) -> None:
        self.log = tmp / "requests.jsonl"
        self.log.touch()
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.s3_server", str(port), str(self.log)], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=open(tmp / "stderr.log", "wb"))  # noqa: SIM115
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the S3 test server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = S3Server(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


class Bucket:
    """A fresh bucket on the loopback server, with boto3 to look inside it."""

    def __init__(self, server: S3Server) -> None:
        self.server, self.name = server, f"annodesk-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client("s3", endpoint_url=server.url, config=Config(s3={"addressing_style": "path"}))
        self.client.create_bucket(Bucket=self.name)
        self.log_from = server.log.stat().st_size

    def media(self, prefix: str = "media", **over: Any) -> dict[str, Any]:
        """ServerConfig settings for this bucket."""
        return {"media": f"s3://{self.name}/{prefix}", "s3_endpoint": self.server.url, **over}

    def objects(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def body(self, key: str) -> bytes:
        data: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return data

    def uploads(self) -> list[str]:
        return [u["Key"] for u in self.client.list_multipart_uploads(Bucket=self.name).get("Uploads", [])]

    def requests(self) -> list[dict[str, Any]]:
        """What reached the S3 server since this bucket was made (every test has its own bucket)."""
        with open(self.server.log, encoding="utf-8") as fh:
            fh.seek(self.log_from)
            return [json.loads(line) for line in fh if self.name in line]


def content_key(sha: str, prefix: str = "media") -> str:
    return f"{prefix}/{sha[:2]}/{sha[2:]}"


@pytest.fixture
def s3(s3_server, monkeypatch, tmp_path):
    """Credentials as boto3 finds them anywhere (the environment), nothing from this machine's ~/.aws."""
    for name, value in (("AWS_ACCESS_KEY_ID", "annodesk-test"), ("AWS_SECRET_ACCESS_KEY", "annodesk-test-secret"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_EC2_METADATA_DISABLED", "true"),
                        ("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config")),
                        ("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))):
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "ANNODESK_MEDIA", "ANNODESK_S3_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    return Bucket(s3_server)


def put(session: Any, sha: str, data: bytes, start: int, total: int) -> httpx.Response:
    headers = {**OCTET, "Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}"}
    return session.http.put(f"/media/{sha}", content=data, headers=headers)


# -- uploads --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [3 * MiB, 12 * MiB], ids=["3MiB-chunks", "12MiB-chunks"])
def test_a_chunked_upload_resumes_after_a_restart_and_appears_only_once_complete(s3, tmp_path, chunk):
    config = fast_config(tmp_path / "server", **s3.media())
    first = LiveServer(config)
    try:
        ann1 = seed(first, tmp_path).sessions["ann1"]
        data = os.urandom(20 * MiB + 12345)
        sha = hashlib.sha256(data).hexdigest()
        sent = 0
        while sent == 0 or sent + chunk <= len(data) // 2:
            r = put(ann1, sha, data[sent:sent + chunk], sent, len(data))
            assert r.status_code == 202 and r.json() == {"sha256": sha, "complete": False, "offset": sent + chunk}
            sent += chunk
        assert content_key(sha) not in s3.objects() and ann1.get(f"/media/{sha}").status_code == 404
        assert f"media/partial/{sha}" in s3.objects() and s3.uploads() == [f"media/partial/{sha}.data"]
        r = put(ann1, sha, data[sent + 10:sent + 20], sent + 10, len(data))  # a chunk that skips bytes
        assert r.status_code == 409 and r.json()["code"] == "bad_offset" and r.json()["offset"] == sent
    finally:
        first.stop()
    second = LiveServer(config)  # the process is gone (and its running hash): the bucket holds the upload
    try:
        ann1 = login(second, "ann1")
        head = ann1.http.head(f"/media/{sha}")
        assert head.status_code == 404 and head.headers["Upload-Offset"] == str(sent)
        while sent < len(data):
            r = put(ann1, sha, data[sent:sent + chunk], sent, len(data))
            sent = min(len(data), sent + chunk)
            assert r.status_code == (201 if sent == len(data) else 202), r.text
        assert r.json() == {"sha256": sha, "complete": True, "offset": len(data)}
        assert s3.body(content_key(sha)) == data and not [k for k in s3.objects() if "/partial/" in k]
        assert s3.uploads() == []
        assert ann1.get(f"/media/{sha}").content == data
        part = ann1.get(f"/media/{sha}", headers={"Range": f"bytes={9 * MiB + 7}-"})
        assert part.status_code == 206 and part.content == data[9 * MiB + 7:]
        assert part.headers["Content-Range"] == f"bytes {9 * MiB + 7}-{len(data) - 1}/{len(data)}"
        assert ann1.http.head(f"/media/{sha}").headers["Content-Length"] == str(len(data))
        assert login(second, "ann2").get(f"/media/{sha}").status_code == 404  # not ann2's upload nor task
    finally:
        second.stop()


def test_a_wrong_hash_is_refused_and_nothing_becomes_visible(s3, server_factory, tmp_path):
    server = server_factory(**s3.media())
    ann1 = seed(server, tmp_path).sessions["ann1"]
    before = s3.objects()
    data = os.urandom(11 * MiB)
    wrong = hashlib.sha256(b"what the client claimed").hexdigest()
    for start in range(0, len(data), 4 * MiB):
        r = put(ann1, wrong, data[start:start + 4 * MiB], start, len(data))
        if start + 4 * MiB < len(data):
            assert r.status_code == 202, r.text
            assert content_key(wrong) not in s3.objects()
    assert r.status_code == 422 and r.json()["code"] == "hash_mismatch"
    assert s3.objects() == before and s3.uploads() == []
    head = ann1.http.head(f"/media/{wrong}")
    assert head.status_code == 404 and head.headers["Upload-Offset"] == "0"
    r = ann1.http.put(f"/media/{wrong}", content=b"small enough for one request", headers=OCTET)
    assert r.status_code == 422 and r.json()["code"] == "hash_mismatch"
    assert s3.objects() == before and ann1.get(f"/media/{wrong}").status_code == 404


def test_an_upload_the_store_dropped_starts_again_at_byte_zero(s3, server_factory, tmp_path):
    """MinIO aborts stale multipart uploads after a day, lifecycle rules after their days: the next chunk says so."""
    server = server_factory(**s3.media())
    ann1 = seed(server, tmp_path).sessions["ann1"]
    data = os.urandom(20 * MiB)
    sha = hashlib.sha256(data).hexdigest()
    for start in (0, 6 * MiB):
        assert put(ann1, sha, data[start:start + 6 * MiB], start, len(data)).status_code == 202
    (upload,) = s3.client.list_multipart_uploads(Bucket=s3.name)["Uploads"]
    s3.client.abort_multipart_upload(Bucket=s3.name, Key=upload["Key"], UploadId=upload["UploadId"])
    r = put(ann1, sha, data[12 * MiB:18 * MiB], 12 * MiB, len(data))
    assert r.status_code == 409 and r.json()["code"] == "bad_offset" and r.json()["offset"] == 0
    assert ann1.http.head(f"/media/{sha}").headers["Upload-Offset"] == "0"
    for start in range(0, len(data), 6 * MiB):
        r = put(ann1, sha, data[start:start + 6 * MiB], start, len(data))
    assert r.status_code == 201 and s3.body(content_key(sha)) == data and s3.uploads() == []


# -- the CLI --------------------------------------------------------------------------------------------------------

def run(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_cli_add_media_uploads_multipart_and_the_server_redirects_to_presigned_urls(s3, tmp_path, monkeypatch,
                                                                                   capsys):
    data = tmp_path / "server"
    where = ["--data", str(data), "--media", f"s3://{s3.name}/projects/media", "--s3-endpoint", s3.server.url]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"labels": [{"name": "car"}]}))
    media = tmp_path / "media"
    media.mkdir()
    big = write_png(media / "big.png", 1800, 1700)  # noise does not compress: ~9 MiB, past the 8 MiB part size
    write_png(media / "small.png")
    assert big.stat().st_size > 8 * MiB
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert run(monkeypatch, capsys, "server", "add-user", "ann", "--role", "annotator", "--password-stdin",
               *where)[0] == 0
    assert run(monkeypatch, capsys, "server", "create-project", "streets", "--schema", str(schema), *where)[0] == 0
    code, out = run(monkeypatch, capsys, "server", "add-media", "streets", str(media), *where)
    assert code == 0 and "added 2 tasks" in out, out
    sha = hashlib.sha256(big.read_bytes()).hexdigest()
    key = content_key(sha, "projects/media")
    assert s3.body(key) == big.read_bytes()
    assert s3.client.head_object(Bucket=s3.name, Key=key)["ETag"].strip('"').endswith("-2")  # two parts
    assert not [k for k in s3.objects() if "/partial/" in k] and s3.uploads() == []
    assert not (data / "blobs" / sha[:2]).exists()  # nothing in the blob folder
    assert run(monkeypatch, capsys, "server", "assign", "streets", "--user", "ann", "--count", "2", *where)[0] == 0

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sync.server.cli", "server", *where, "--port", str(port),
                             "--media-download", "presigned", "--presign-ttl", "60"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=os.environ.copy())
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        assert f"media: s3://{s3.name}/projects/media at {s3.server.url}, downloads presigned URLs" in line, line
        api = f"http://127.0.0.1:{port}/api/v1"
        with httpx.Client(timeout=30) as client:
            for _ in range(200):
                try:
                    if client.get(api + "/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            token = client.post(api + "/auth/login", json={"username": "ann", "password": PASSWORD}).json()["token"]
            r = client.get(api + f"/media/{sha}", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 307 and r.headers["Location"].startswith(s3.server.url + f"/{s3.name}/{key}?")
            assert "X-Amz-Expires=60" in r.headers["Location"]
            assert httpx.get(r.headers["Location"]).content == big.read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_start_up_names_a_wrong_bucket_or_an_unreachable_endpoint(s3, tmp_path, monkeypatch, capsys):
    where = ["--data", str(tmp_path / "server")]
    code, out = run(monkeypatch, capsys, "server", *where, "--media", "s3://no-such-bucket-here/m", "--s3-endpoint",
                    s3.server.url)
    assert code == 2 and "bucket 'no-such-bucket-here' does not exist" in out and s3.server.url in out, out
    dead = f"http://127.0.0.1:{free_port()}"
    code, out = run(monkeypatch, capsys, "server", *where, "--media", f"s3://{s3.name}/m", "--s3-endpoint", dead)
    assert code == 2 and f"s3://{s3.name}/m at {dead}: cannot reach it" in out, out
    code, out = run(monkeypatch, capsys, "server", *where, "--media", "/srv/media")
    assert code == 2 and "only s3://bucket/prefix" in out
    code, out = run(monkeypatch, capsys, "server", *where, "--seal-media")
    assert code == 2 and "--seal-media" in out and "needs --media s3://" in out
    code, out = run(monkeypatch, capsys, "server", *where, "add-media", "streets", str(tmp_path), "--media",
                    "s3://no-such-bucket-here/m", "--s3-endpoint", s3.server.url)
    assert code == 2 and "no-such-bucket-here" in out


# -- downloads ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["server", "presigned"])
def test_clone_and_sync_download_media_from_an_s3_backed_server(s3, server_factory, keys, tmp_path, mode):
    seeded = seed(server_factory(**s3.media(media_download=mode)), tmp_path)
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    cache = keys.media_cache(ws)
    for i, sha in enumerate(seeded.media[:2]):
        assert cache.read(sha) == (tmp_path / f"img{i}.png").read_bytes()
    big = os.urandom(2 * CHUNK + 1234)  # a field worker's file: up through the API, then fetched in two goes
    path = tmp_path / "field.bin"
    path.write_bytes(big)
    new_sha = queue_upload(SyncStore(ws), path)
    assert sync(ws, keys).phase == "up_to_date"
    assert s3.body(content_key(new_sha)) == big
    engine = SyncEngine(ws, keys.credentials, keys)
    try:
        cache.append(new_sha, 0, big[:CHUNK])  # a download interrupted after its first chunk
        assert download(engine.http, cache, new_sha) == len(big) - CHUNK and cache.read(new_sha) == big
    finally:
        engine.close()
    gets = [r for r in s3.requests() if r["method"] == "GET" and r["path"].startswith(f"/{s3.name}/media/")]
    presigned = [r for r in gets if r["presigned"]]
    assert not [r for r in s3.requests() if r["auth"].lower() == "bearer"]  # the token never left for S3
    if mode == "presigned":
        assert {r["path"] for r in presigned} >= {f"/{s3.name}/{content_key(sha)}" for sha in seeded.media[:2]}
        assert [r["range"] for r in presigned if r["path"].endswith(new_sha[2:])] == [f"bytes={CHUNK}-"]
        assert all(r["auth"] == "" for r in presigned)
    else:
        assert presigned == [] and any(r["range"].startswith(f"bytes={CHUNK}-") for r in gets)
    ws.close()


def test_presigned_urls_come_after_the_role_check_and_expire(s3, server_factory, tmp_path):
    seeded = seed(server_factory(**s3.media(media_download="presigned", presign_ttl_s=2)), tmp_path)
    sha = seeded.media[0]  # task 1, ann1's
    ann1, ann2 = seeded.sessions["ann1"], seeded.sessions["ann2"]
    r = ann1.get(f"/media/{sha}")
    assert r.status_code == 307 and r.headers["Cache-Control"] == "no-store"
    url = r.headers["Location"]
    assert url.startswith(f"{s3.server.url}/{s3.name}/{content_key(sha)}?") and "X-Amz-Expires=2" in url
    with http_client() as bare:
        assert bare.get(url).content == (tmp_path / "img0.png").read_bytes()
        assert bare.get(url, headers={"Range": "bytes=100-"}).content == (tmp_path / "img0.png").read_bytes()[100:]
        refused = ann2.get(f"/media/{sha}")  # not on ann2's tasks: no URL, the same 404 as for no media
        assert refused.status_code == 404 and "location" not in refused.headers and s3.name not in refused.text
        assert ann2.http.head(f"/media/{sha}").status_code == 404
        assert http_client().get(seeded.server.api + f"/media/{sha}").status_code == 401
        time.sleep(3.2)
        expired = bare.get(url)
        assert expired.status_code == 403 and b"Request has expired" in expired.content
        fresh = ann1.get(f"/media/{sha}").headers["Location"]
        assert bare.get(fresh).status_code == 200


# -- sealed media ---------------------------------------------------------------------------------------------------

def test_sealed_media_are_ciphertext_in_the_bucket_and_plaintext_for_clients(s3, tmp_path, keys, monkeypatch,
                                                                            capsys):
    config = fast_config(tmp_path / "server", **s3.media(seal_media=True))
    server = LiveServer(config)
    try:
        seeded = seed(server, tmp_path)  # three small PNGs, each in one request
        ann1 = seeded.sessions["ann1"]
        data = os.urandom(11 * MiB + 3)
        sha = hashlib.sha256(data).hexdigest()
        for start in range(0, len(data), 3 * MiB):
            r = put(ann1, sha, data[start:start + 3 * MiB], start, len(data))
            if start == 6 * MiB:  # an upload under way: its staged bytes are sealed too
                assert data[6 * MiB - 64:6 * MiB] not in s3.body(f"media/partial/{sha}")
        assert r.status_code == 201, r.text
        originals = {s: (tmp_path / f"img{i}.png").read_bytes() for i, s in enumerate(seeded.media)}
        originals[sha] = data
        for media_sha, plain in originals.items():
            raw = s3.body(content_key(media_sha))
            assert raw.startswith(b"ADSEAL01") and len(raw) > len(plain)
            assert b"\x89PNG" not in raw and not [i for i in range(0, len(plain) - 32, 4096)
                                                  if plain[i:i + 32] in raw]
            assert s3.client.head_object(Bucket=s3.name, Key=content_key(media_sha))["Metadata"]["annodesk-seal"]
        assert ann1.get(f"/media/{sha}").content == data
        part = ann1.get(f"/media/{sha}", headers={"Range": f"bytes={MiB - 5}-{2 * MiB + 5}"})
        assert part.status_code == 206 and part.content == data[MiB - 5:2 * MiB + 6]
        assert ann1.http.head(f"/media/{sha}").headers["Content-Length"] == str(len(data))

        ws = clone_for(server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
        assert keys.media_cache(ws).read(seeded.media[0]) == originals[seeded.media[0]]
        ws.close()
        assert not [r for r in s3.requests() if r["presigned"]]
    finally:
        server.stop()
    with pytest.raises(ApiError, match="presigned downloads are not available"):
        create_app(fast_config(tmp_path / "server", **s3.media(seal_media=True, media_download="presigned")))
    # add-media later, without the flag: the database holds the seal key, so it seals all the same
    photo = write_png(tmp_path / "later.png", 300, 200, seed=7)
    where = ["--data", str(tmp_path / "server"), "--media", str(config.media), "--s3-endpoint", s3.server.url]
    code, out = run(monkeypatch, capsys, "server", "add-media", "streets", str(photo), *where)
    assert code == 0, out
    raw = s3.body(content_key(hashlib.sha256(photo.read_bytes()).hexdigest()))
    assert raw.startswith(b"ADSEAL01") and b"\x89PNG" not in raw


@pytest.mark.parametrize("total", [0, 1, FRAME - 1, FRAME, FRAME + 1, 2 * FRAME, 2 * FRAME + 7])
def test_sealed_frames_round_trip_and_refuse_cut_or_swapped_bytes(total):
    data = os.urandom(total)
    sha = hashlib.sha256(data).hexdigest()
    keys = MediaKeys({b"k" * 8: os.urandom(32)}, b"k" * 8)
    seal = ObjectSeal.new(keys, sha)
    reader = SealingReader(io.BytesIO(data), seal, total)  # add-media's path, read in odd sizes
    sealed = b"".join(iter(lambda: reader.read(777_777), b""))
    assert reader.digest.hexdigest() == sha and len(sealed) == sealed_size(total) and plain_size(len(sealed)) == total
    again = ObjectSeal.from_header(keys, sealed[:HEADER], sha)
    assert b"".join(again.open_frames(iter([sealed[HEADER:]]), 0, total)) == data
    if total > FRAME:  # dropping the last frame is noticed: the one before it is not marked last
        with pytest.raises(ApiError, match="does not authenticate"):
            list(again.open_frames(iter([sealed[HEADER:HEADER + SEALED_FRAME]]), 0, FRAME))
    with pytest.raises(ApiError, match="does not authenticate"):  # another object's key
        list(ObjectSeal.from_header(keys, sealed[:HEADER], "0" * 64).open_frames(iter([sealed[HEADER:]]), 0, total))


def test_server_side_decoding_reads_a_sealed_video_by_ranges_frame_exactly(s3, tmp_path):
    """What server-side video pre-labeling reads (sync/server/media_file.py): a sealed video in the bucket, indexed
    and decoded through ranged reads, each frame the one asked for; a damaged object fails with its name."""
    from core.video import VideoDecoder, VideoError, build_index
    from sync.server import db
    from sync.server.media_file import READ_CHUNK, StoredMediaFile, open_stored
    from sync.server.media_store import media_for
    from tests.video_samples import X264, make_video, read_number

    config = fast_config(tmp_path / "server", **s3.media(seal_media=True))
    store = db.Store(config)
    try:
        media = media_for(config, store)
        video = make_video(tmp_path / "street.mp4", frames=90, after="noise=alls=40:allf=t",
                           encode=(*X264, "-preset", "veryfast"))
        sha, size = media.put_file(video)
        assert size > READ_CHUNK and b"".join(media.read(sha, 0, 16)) == video.read_bytes()[:16]
        reader = open_stored(media, sha, size, "street.mp4")
        assert isinstance(reader, StoredMediaFile)
        index = build_index(reader)
        decoder = VideoDecoder(open_stored(media, sha, size, "street.mp4"), index, cache_mb=8)
        try:
            assert index.frames == 90
            assert [read_number(decoder.frame(n)) for n in (0, 89, 45, 1, 60)] == [0, 89, 45, 1, 60]
        finally:
            decoder.close()
        wrong = StoredMediaFile(media, sha, size + READ_CHUNK, "street.mp4")  # the store holds less than that
        with pytest.raises(VideoError, match=r"street\.mp4"):
            build_index(wrong)
    finally:
        store.close()
