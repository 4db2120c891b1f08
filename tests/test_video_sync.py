"""Video tasks through sync, offline: a field worker's video goes up (chunked, resumable) as a video task with its
frame count; another client pulls it as a video task, downloads it into the encrypted cache, indexes and decodes it
from there through a seekable reader, and no plaintext byte of it reaches the disk. Real server, real HTTP on
loopback, real H.264 files with the frame number drawn in each frame (tests/video_samples.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.annotation import Annotation, Task, new_id
from core.media_kinds import demux_name
from core.shapes import Box
from core.video import FrameIndex, VideoDecoder, VideoError, build_index
from desktop import cli
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.client import media as client_media
from sync.client.at_rest import CHUNK, MediaCache
from sync.client.engine import read_state
from sync.client.media import MEDIA_PREFIX, MediaPending
from sync.client.store import SyncStore, task_kind
from sync.client.video import video_index, video_source
from sync.server.blobs import file_sha256
from tests.server_fixtures import PASSWORD, LiveServer, fast_config, login, seed
from tests.sync_client_helpers import add, agree, byte_runs, clone_for, files_with, server_task_ids, sync
from tests.video_samples import X264, make_video, read_number

OCTET = {"Content-Type": "application/octet-stream"}
FRAMES = 300  # two GOPs of 150 with B-frames
PROBES = (0, 1, 149, 150, 151, 299, 77, 226, 2, 298)  # keyframes, their neighbours, mid-GOP, backwards


def _video(folder: Path, name: str = "street.mp4") -> Path:
    """A ~5 MB numbered H.264 video (noise keeps it from compressing to nothing: it spans several cache chunks)."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_video(folder / name, size=(320, 240), frames=FRAMES, source="color=c=0x3a5f7b",
                      after="noise=alls=24:allf=t", encode=(*X264, "-preset", "veryfast"))


def _keyframes(task_id: int, track: str) -> list[Annotation]:
    rng = random.Random(5)
    return [Annotation(new_id(), task_id, "car", Box(rng.uniform(0, 200), rng.uniform(0, 150), 30.5, 20.5), frame=f,
                       track=track) for f in (0, 120, 299)]


def test_a_field_video_goes_up_and_another_client_decodes_it_from_the_encrypted_cache(seeded, keys, tmp_path,
                                                                                     monkeypatch, qtbot):
    started = time.time() - 1
    monkeypatch.setattr(client_media, "UPLOAD_CHUNK", 1 << 20)  # several Content-Range chunks for a 5 MB video
    server = seeded.server
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    ws = clone_for(server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    source = _video(tmp_path / "field")
    data = source.read_bytes()
    sha = file_sha256(source)
    assert cli.main(["add", str(tmp_path / "ann1"), str(source.parent)]) == 0
    (local,) = [t for t in ws.tasks() if not t.media_path.startswith(MEDIA_PREFIX)]
    assert (local.kind, local.frames, local.width, local.height) == ("video", FRAMES, 320, 240)
    assert ws.frame_index(local.content_hash) is not None  # indexed at add, under the file's content hash
    stored = add(ws, local.id, _keyframes(local.id, "car-1"))
    # a crash mid-upload: the server holds the first 2 MiB; the round goes on from there
    r = ann1.http.put(f"/media/{sha}", content=data[: 2 << 20],
                      headers={**OCTET, "Content-Range": f"bytes 0-{(2 << 20) - 1}/{len(data)}"})
    assert r.status_code == 202
    puts: list[str] = []
    request = client_media.Http.request

    def counting(self, method, path, **kw):
        if method == "PUT":
            puts.append(kw["headers"]["Content-Range"])
        return request(self, method, path, **kw)

    monkeypatch.setattr(client_media.Http, "request", counting)
    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected, state.last_error) == ("up_to_date", 0, 0, ""), state
    assert puts[0].startswith(f"bytes {2 << 20}-")  # resumed where the server's copy ends, then 1 MiB chunks
    assert len(puts) == -(-(len(data) - (2 << 20)) // (1 << 20)) >= 3
    server_id = server_task_ids(ws)[local.id]
    task = lead.get(f"/tasks/{server_id}").json()
    assert (task["kind"], task["frames"], task["media_sha256"], task["assignee"]) == ("video", FRAMES, sha, "ann1")
    assert lead.get(f"/media/{sha}").content == data
    items = ann1.get(f"/tasks/{server_id}/annotations").json()["items"]
    assert sorted((i["fields"]["frame"], i["fields"]["track"]) for i in items) == [(0, "car-1"), (120, "car-1"),
                                                                                  (299, "car-1")]
    mapped = ws.task(local.id)
    assert mapped.content_hash == sha and ws.frame_index(sha) == ws.frame_index(local.content_hash)
    agree(ws, ann1)

    # another client: the lead's workspace pulls it as a video task, downloads it, indexes it from the cache
    lead_ws = clone_for(server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    (pulled,) = [t for t in lead_ws.tasks() if t.content_hash == sha]
    assert (pulled.kind, pulled.frames, pulled.width, pulled.height, pulled.status.value) == (
        "video", FRAMES, 320, 240, "in_progress")
    cache = keys.media_cache(lead_ws)
    assert cache.has(sha) and lead_ws.frame_index(sha) is not None  # built by the round, through the reader
    index = FrameIndex.from_bytes(lead_ws.frame_index(sha))
    from_file = build_index(source)
    assert index.frames == FRAMES and list(index.pts) == list(from_file.pts)
    assert list(index.keyframes) == list(from_file.keyframes)
    reader = video_source(pulled, cache)
    with VideoDecoder(reader, video_index(lead_ws, pulled, cache), cache_mb=0) as decoder:
        assert [read_number(decoder.frame(n)) for n in PROBES] == list(PROBES)
    assert reader.decrypted > 0 and reader.size == len(data)
    rows = {a.frame: a for a in lead_ws.annotations(pulled.id)}
    assert sorted(rows) == [0, 120, 299] and {a.track for a in rows.values()} == {"car-1"}
    assert rows[120].shape == next(a for a in stored if a.frame == 120).shape

    for w in (ws, lead_ws):
        w.close()
    # the app shows it too: the player decodes the encrypted cache, frame-exact
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.show()
    window.open_workspace(tmp_path / "lead", pulled.id, frame=150)
    qtbot.waitUntil(lambda: window.video.active, timeout=20_000)
    assert window.video.player.wait_shown(10)
    assert read_number(window.canvas.frame_item.array) == 150
    window.close()

    # nothing plaintext on disk: not in either workspace (database, WAL, media cache), not in any temp file
    needles = byte_runs(data)
    assert all(n in data for n in needles)
    skip = [source.parent, server.config.data_dir]
    assert files_with(needles, [tmp_path], skip) == []
    assert files_with(needles, [Path(tempfile.gettempdir())], skip, since=started) == []
    assert any(files_with(needles, [source.parent], []))  # the search does find the bytes where they are


def test_a_video_task_refuses_frames_past_its_end_and_its_download_resumes(seeded, keys, tmp_path, monkeypatch):
    lead, project = seeded.sessions["lead"], seeded.project_id
    source = _video(tmp_path / "lead-media", "clip.mp4")
    sha = file_sha256(source)
    assert lead.http.put(f"/media/{sha}", content=source.read_bytes(), headers=OCTET).status_code == 201
    body = {"media_sha256": sha, "name": "clip.mp4", "width": 320, "height": 240, "kind": "video", "frames": FRAMES}
    made = lead.post(f"/projects/{project}/tasks", json=body)
    assert made.status_code == 201 and (made.json()["kind"], made.json()["frames"]) == ("video", FRAMES)
    for bad in ({"kind": "audio"}, {"kind": "image", "frames": 5}, {"frames": 0}, {"frames": 2**31}):
        refused = lead.post(f"/projects/{project}/tasks", json={**body, **bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert lead.post(f"/tasks/{made.json()['id']}/assign", json={"user": "ann1"}).status_code == 200
    ann1 = seeded.sessions["ann1"]
    ops = [ann1.op(made.json()["id"], new_id(), {"label": "car", "kind": "box", "geometry": [1, 2, 3, 4],
                                                 "frame": f}) for f in (FRAMES - 1, FRAMES)]
    results = ann1.push(ops)["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "past the video's 300 frames" in results[1]["reason"]
    # an image task from an older client (no kind) is an image of one frame
    image = lead.get(f"/tasks/{seeded.task_ids[0]}").json()
    assert (image["kind"], image["frames"]) == ("image", 1)

    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    (task,) = [t for t in ws.tasks() if t.content_hash == sha]
    assert (task.kind, task.frames) == ("video", FRAMES)
    cache = keys.media_cache(ws)
    cache.path(sha).unlink()  # as if the round had not brought it yet: two chunks and a torn third are there
    with pytest.raises(MediaPending, match="not downloaded"):
        video_source(task, cache)
    assert video_source(dataclasses.replace(task, media_path=str(source)), None) == str(source)  # a local file
    data = source.read_bytes()
    for i in range(2):
        cache.append(sha, i, data[i * CHUNK:(i + 1) * CHUNK])
    with open(cache.partial(sha), "ab") as fh:
        fh.write(os.urandom(5000))
    with ws.transaction() as conn:
        conn.execute("UPDATE sync_media SET done = 0 WHERE sha256 = ?", (sha,))
        conn.execute("DELETE FROM frame_indexes")
    ranges: list[str] = []
    request = client_media.Http.request

    def recording(self, method, path, **kw):
        if method == "GET" and path == f"/media/{sha}":
            ranges.append(kw["headers"].get("Range", ""))
        return request(self, method, path, **kw)

    monkeypatch.setattr(client_media.Http, "request", recording)
    state = sync(ws, keys)
    assert (state.phase, state.last_error) == ("up_to_date", ""), state
    assert ranges == [f"bytes={2 * CHUNK}-"] and cache.read(sha) == data  # resumed after the last whole chunk
    assert ws.frame_index(sha) is not None  # indexed again by the round, from the cache
    with VideoDecoder(video_source(task, cache), video_index(ws, task, cache), cache_mb=0) as decoder:
        assert [read_number(decoder.frame(n)) for n in PROBES] == list(PROBES)


def test_tasks_from_servers_and_of_kinds_this_client_does_not_know():
    assert task_kind({"id": 1}) == ("image", 1, "")  # a server before media kinds
    assert task_kind({"kind": "video", "frames": 12}) == ("video", 12, "")
    kind, frames, error = task_kind({"kind": "hologram", "frames": 3})
    assert (kind, frames) == ("hologram", 3) and "cannot open" in error


def test_an_older_store_gains_kind_and_frames(tmp_path):
    server = LiveServer(fast_config(tmp_path / "server"))
    try:
        seeded = seed(server, tmp_path)
        with server.store.write() as conn:
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN kind")
            conn.exec_driver_sql("ALTER TABLE tasks DROP COLUMN frames")
    finally:
        server.stop()
    again = LiveServer(fast_config(tmp_path / "server"))
    try:
        with again.store.read() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("tasks")}
            kinds = conn.exec_driver_sql("SELECT DISTINCT kind, frames FROM tasks").fetchall()
        assert {"kind", "frames"} <= columns and kinds == [("image", 1)]
        task = login(again, "lead").get(f"/tasks/{seeded.task_ids[0]}").json()
        assert (task["kind"], task["frames"]) == ("image", 1)
    finally:
        again.stop()


def test_the_reader_gives_the_plaintext_at_any_position_and_refuses_damage(tmp_path):
    cache = MediaCache(tmp_path / "cache", os.urandom(32))
    data = os.urandom((3 << 20) + 12345)  # three whole chunks and a short one
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "blob"
    source.write_bytes(data)
    cache.put_file(sha, source)
    reader = cache.reader(sha)
    assert reader.seekable() and reader.readable() and reader.size == len(data)
    rng = random.Random(3)
    for _ in range(200):
        start, size = rng.randrange(len(data) + 10), rng.choice((1, 100, 32768, (1 << 20) + 7, 3 << 20))
        assert reader.seek(start) == start
        assert reader.read(size) == data[start:start + size]
        assert reader.tell() == max(start, min(start + size, len(data)))
    assert reader.seek(-10, os.SEEK_END) == len(data) - 10 and reader.read() == data[-10:]
    reader.seek(5)
    assert reader.seek(7, os.SEEK_CUR) == 12
    buffer = bytearray(70000)
    reader.seek((1 << 20) - 100)
    assert reader.readinto(buffer) == 70000 and bytes(buffer) == data[(1 << 20) - 100:(1 << 20) + 69900]
    assert len(reader._lru) <= 4 and reader.verify()
    with pytest.raises(OSError):
        reader.seek(-1)
    stored = bytearray(cache.path(sha).read_bytes())
    stored[(1 << 20) + 28 + 500] ^= 1  # a bit flipped in chunk 1
    cache.path(sha).write_bytes(bytes(stored))
    damaged = cache.reader(sha)
    assert damaged.read(100) == data[:100]
    with pytest.raises(OSError, match="chunk 1 does not decrypt"):
        damaged.seek(1 << 20)
        damaged.read(10)
    cache.path(sha).write_bytes(bytes(stored[: 2 * ((1 << 20) + 28)]))  # cut at a chunk boundary
    assert not cache.reader(sha).verify()
    with pytest.raises(FileNotFoundError):
        cache.reader("0" * 64)


def test_a_video_in_the_cache_decodes_like_the_file(tmp_path):
    """Every frame asked for, in random order, is the same from the encrypted cache as from the file."""
    source = _video(tmp_path / "v")
    cache = MediaCache(tmp_path / "cache", os.urandom(32))
    sha = file_sha256(source)
    cache.put_file(sha, source)
    index = build_index(cache.reader(sha, name="v.mp4"))
    order = list(range(FRAMES))
    random.Random(9).shuffle(order)
    with VideoDecoder(cache.reader(sha, name="v.mp4"), index, cache_mb=0) as cached, \
            VideoDecoder(source, build_index(source), cache_mb=0) as plain:
        for n in order[:40]:
            frame = cached.frame(n)
            assert read_number(frame) == n and (frame == plain.frame(n)).all()


def test_a_downloaded_video_that_does_not_index_is_named_once(seeded_sqlite, keys, tmp_path):
    lead, project = seeded_sqlite.sessions["lead"], seeded_sqlite.project_id
    junk = b"this is not a video, only text\n" * 10_000  # fixed bytes: random ones may now and then demux
    sha = hashlib.sha256(junk).hexdigest()
    assert lead.http.put(f"/media/{sha}", content=junk, headers=OCTET).status_code == 201
    body = {"media_sha256": sha, "name": "junk.mp4", "width": 64, "height": 48, "kind": "video", "frames": 10}
    made = lead.post(f"/projects/{project}/tasks", json=body).json()
    assert lead.post(f"/tasks/{made['id']}/assign", json={"user": "ann1"}).status_code == 200
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    assert "video junk.mp4: " in read_state(ws).last_error
    state = sync(ws, keys)
    assert state.phase == "up_to_date" and state.last_error == ""  # named by the clone's round, not again
    (task,) = [t for t in ws.tasks() if t.content_hash == sha]
    assert SyncStore(ws).get(f"frame_index_error:{sha}")
    with pytest.raises(VideoError):
        video_index(ws, task, keys.media_cache(ws))


def test_a_playlist_named_like_one_is_not_followed(tmp_path):
    """A task name is the server's: a "video" that is an HLS playlist naming a local file must not be demuxed as a
    playlist (FFmpeg would open the file it names)."""
    target = _video(tmp_path / "private", "secret.mp4")
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{target}\n#EXT-X-ENDLIST\n".encode()
    cache = MediaCache(tmp_path / "cache", os.urandom(32))
    sha = hashlib.sha256(playlist).hexdigest()
    cache.put(sha, playlist)
    for name in ("list.m3u8", "list.m3u", "list"):
        task = Task(1, f"{MEDIA_PREFIX}{sha}:1/{name}", sha, kind="video", frames=10)
        with pytest.raises(VideoError):
            build_index(video_source(task, cache))
    assert demux_name("street.MP4") == "street.MP4" and demux_name("a.m3u8") == "a.m3u8.media"
