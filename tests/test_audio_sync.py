"""Audio tasks through sync, offline: a field worker's recording goes up as an audio task (samples as its frames)
with its segments; another client pulls it, downloads it into the encrypted cache, gets its peaks pyramid from the
round and reads samples from the cache through a seekable reader; offline edits of both merge; no plaintext sample
and no plain pyramid reaches either client's disk. Imports check segments against the recording and its tiers.
Real server, real HTTP on loopback, real recordings (numpy tone bursts in noise, a WAV; tests/audio_samples.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from core.annotation import Annotation, Task, new_id
from core.audio import AudioError, PeaksPyramid, build_peaks, read_range
from core.media import MediaError
from core.schema import LabelSchema
from core.shapes import Segment
from desktop import cli
from sync.client import audio as client_audio
from sync.client.at_rest import MediaCache, create_encrypted
from sync.client.audio import audio_peaks, audio_source
from sync.client.engine import read_state
from sync.client.http import Http, OfflineError
from sync.client.media import MEDIA_PREFIX, MediaPending
from sync.client.store import SyncStore
from sync.server import cli as server_cli
from sync.server.blobs import file_sha256
from sync.transfer import import_dataset
from sync.workspace import Workspace
from tests.audio_samples import signal, write_wav
from tests.server_fixtures import PASSWORD, LiveServer, fast_config
from tests.sync_client_helpers import add, agree, byte_runs, clone_for, files_with, server_task_ids, sync

OCTET = {"Content-Type": "application/octet-stream"}
RATE, SECONDS = 44100, 12.0  # stereo 16-bit: 2.1 MB, three chunks of the media cache
SCHEMA = {"labels": [{"name": "car"}, {"name": "person"}, {"name": "alice"}, {"name": "bob"}, {"name": "word"}],
          "tiers": [{"name": "speaker", "labels": ["alice", "bob"]}, {"name": "words", "labels": ["word"]}]}


def _recording(folder: Path, name: str = "interview.wav") -> Path:
    """Tone bursts over noise (the noise makes every stretch of bytes and of the pyramid unlike any other)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = signal(RATE, 2, SECONDS, bursts=((0.5, 2.0), (3.0, 4.0), (6.0, 9.5)))
    data += np.random.default_rng(7).normal(0, 0.03, data.shape).astype(np.float32)
    return write_wav(folder / name, data, RATE)


def _segments(task_id: int) -> list[Annotation]:
    return [Annotation(new_id(), task_id, "alice", Segment(0.5, 2.0, "speaker")),
            Annotation(new_id(), task_id, "bob", Segment(3.0, 4.0, "speaker", "hello there")),
            Annotation(new_id(), task_id, "word", Segment(3.1, 3.4, "words", "hello"))]


def _by_start(ws: Workspace, task_id: int) -> dict[float, Annotation]:
    return {a.shape.start: a for a in ws.annotations(task_id)}


def _edit(ws: Workspace, annotation: Annotation, **changes) -> None:
    add(ws, annotation.task_id, [dataclasses.replace(annotation, **changes)])


def test_a_field_recording_syncs_and_another_client_works_on_it_offline(seeded, keys, tmp_path, monkeypatch):
    started = time.time() - 1
    server = seeded.server
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    assert lead.http.put(f"/projects/{seeded.project_id}/schema", json={"schema": SCHEMA}).status_code == 200
    ws = clone_for(server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    source = _recording(tmp_path / "field")
    data, sha = source.read_bytes(), file_sha256(source)
    assert cli.main(["add", str(tmp_path / "ann1"), str(source)]) == 0
    (local,) = [t for t in ws.tasks() if not t.media_path.startswith(MEDIA_PREFIX)]
    assert (local.kind, local.frames, local.width, local.height) == ("audio", RATE * SECONDS, 0, 0)
    added = ws.audio_peaks(local.content_hash)  # decoded at add, under the file's content hash, sealed at rest
    from_file = build_peaks(source)
    assert added == from_file.to_bytes()
    add(ws, local.id, _segments(local.id))

    state = sync(ws, keys)
    assert (state.phase, state.pending, state.rejected, state.last_error) == ("up_to_date", 0, 0, ""), state
    server_id = server_task_ids(ws)[local.id]
    task = lead.get(f"/tasks/{server_id}").json()
    assert (task["kind"], task["frames"], task["width"], task["height"], task["media_sha256"], task["assignee"]) == (
        "audio", RATE * SECONDS, 0, 0, sha, "ann1")
    assert lead.get(f"/media/{sha}").content == data
    mapped = ws.task(local.id)
    assert mapped.content_hash == sha and ws.audio_peaks(sha) == added  # the pyramid followed it to the SHA-256
    cache = keys.media_cache(ws)
    with monkeypatch.context() as m:
        m.setattr(client_audio, "build_peaks", _no_decode)
        assert audio_peaks(ws, mapped, cache).to_bytes() == added  # opening draws at once: no decode
    agree(ws, ann1)

    # another client: the lead's workspace pulls it, downloads it, and the round decodes its pyramid from the cache
    lead_ws = clone_for(server.url, "lead", PASSWORD, tmp_path / "lead", keys)
    (pulled,) = [t for t in lead_ws.tasks() if t.content_hash == sha]
    assert (pulled.kind, pulled.frames, pulled.width, pulled.height) == ("audio", RATE * SECONDS, 0, 0)
    lead_cache = keys.media_cache(lead_ws)
    assert lead_cache.has(sha) and lead_ws.audio_peaks(sha) == added
    with monkeypatch.context() as m:
        m.setattr(client_audio, "build_peaks", _no_decode)
        peaks = audio_peaks(lead_ws, pulled, lead_cache)
    assert peaks.samples == RATE * SECONDS and peaks.channels == 2 and peaks.duration_s == SECONDS
    reader = audio_source(pulled, lead_cache)
    for start, end in ((5.5, 6.5), (0.0, 0.3), (11.8, 12.0)):  # across the first chunk boundary (5.94 s), the ends
        assert np.array_equal(read_range(reader, start, end), read_range(source, start, end))
    assert reader.decrypted > 0 and reader.size == len(data)
    rows = _by_start(lead_ws, pulled.id)
    assert sorted(rows) == [0.5, 3.0, 3.1] and rows[3.0].shape == Segment(3.0, 4.0, "speaker", "hello there")

    # offline on the lead's side: a transcription edit and a resize; meanwhile the field worker relabels
    with monkeypatch.context() as m:
        m.setattr(Http, "request", _offline)
        _edit(lead_ws, rows[3.0], shape=Segment(3.0, 4.0, "speaker", "hello there, world"))
        _edit(lead_ws, rows[0.5], shape=Segment(0.5, 2.5, "speaker"))
        state = sync(lead_ws, keys)
        assert (state.phase, state.pending) == ("offline", 2), state
        assert audio_peaks(lead_ws, pulled, lead_cache).samples == RATE * SECONDS  # all works offline
    mine = _by_start(ws, local.id)
    _edit(ws, mine[0.5], label="bob")
    for w in (lead_ws, ws, lead_ws):
        state = sync(w, keys)
        assert (state.phase, state.pending, state.rejected) == ("up_to_date", 0, 0), state
    for w in (ws, lead_ws):
        rows = _by_start(w, mapped.id if w is ws else pulled.id)
        assert (rows[0.5].label, rows[0.5].shape) == ("bob", Segment(0.5, 2.5, "speaker"))  # relabel + resize merged
        assert rows[3.0].shape.text == "hello there, world"
    agree(ws, ann1)
    agree(lead_ws, lead)

    # nothing plaintext on disk: no sample, no pyramid, in either workspace (database, WAL, media cache) or temp
    for w in (ws, lead_ws):
        w.close()
    needles = byte_runs(data) + byte_runs(from_file.levels[0].tobytes())
    assert files_with(needles, [tmp_path / "ann1", tmp_path / "lead"]) == []
    skip = (source.parent, server.config.data_dir, tmp_path.parent.parent)  # this run's tmp_paths: checked above
    assert files_with(needles, [Path(tempfile.gettempdir())], skip, since=started) == []
    plain = Workspace.create(tmp_path / "plain")  # the search finds them where they are kept plain
    plain.add_media([source])
    plain.close()
    assert files_with(byte_runs(from_file.levels[0].tobytes()), [tmp_path / "plain"])
    assert files_with(byte_runs(data), [source.parent])


def _no_decode(*_args, **_kw) -> PeaksPyramid:
    raise AssertionError("the stored pyramid should have been used")


def _offline(*_args, **_kw):
    raise OfflineError("cannot reach the server (test)")


def test_audio_tasks_on_the_server_have_samples_and_no_size(seeded, tmp_path):
    lead, ann2, project = seeded.sessions["lead"], seeded.sessions["ann2"], seeded.project_id
    source = _recording(tmp_path)
    sha = file_sha256(source)
    assert lead.http.put(f"/media/{sha}", content=source.read_bytes(), headers=OCTET).status_code == 201
    body = {"media_sha256": sha, "name": "interview.wav", "width": 0, "height": 0, "kind": "audio",
            "frames": 24 * 3600 * 48000}  # a day at 48 kHz: past 2**31 samples
    made = lead.post(f"/projects/{project}/tasks", json=body)
    assert made.status_code == 201, made.text
    assert lead.get(f"/tasks/{made.json()['id']}").json()["frames"] == body["frames"]
    for bad in ({"width": 320}, {"height": 1}, {"frames": 0}, {"frames": 2**40 + 1}, {"kind": "image"},
                {"kind": "hologram"}):
        refused = lead.post(f"/projects/{project}/tasks", json={**body, **bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert ann2.post(f"/projects/{project}/tasks", json=body).status_code == 403  # not media they uploaded
    pulled = [i for i in lead.pull_all() if i["type"] == "task" and i["kind"] == "audio"]
    assert [(i["frames"], i["width"], i["height"]) for i in pulled] == [(body["frames"], 0, 0)]


def test_server_add_media_takes_recordings(tmp_path, capsys):
    where = ["--data", str(tmp_path / "server")]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    _recording(tmp_path / "media")
    (tmp_path / "media" / "empty.mp3").write_bytes(b"")
    assert server_cli.main(["server", "create-project", "talks", "--schema", str(schema), *where]) == 0
    assert server_cli.main(["server", "add-media", "talks", str(tmp_path / "media"), *where]) == 0
    out = capsys.readouterr()
    assert "added 1 tasks" in out.out and "empty.mp3: empty file" in out.err
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'server' / 'server.db'}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT kind, frames, width, height FROM tasks").fetchall()
    engine.dispose()
    assert rows == [("audio", RATE * SECONDS, 0, 0)]


def test_a_store_with_32_bit_frames_is_widened(pg_database, tmp_path):
    server = LiveServer(fast_config(tmp_path / "server", db_url=pg_database))
    try:
        with server.store.write() as conn:
            conn.exec_driver_sql("ALTER TABLE tasks ALTER COLUMN frames TYPE INTEGER")  # as before audio tasks
            (frames,) = [c for c in sa.inspect(conn).get_columns("tasks") if c["name"] == "frames"]
            assert not isinstance(frames["type"], sa.BigInteger)
    finally:
        server.stop()
    again = LiveServer(fast_config(tmp_path / "server", db_url=pg_database))
    try:
        with again.store.read() as conn:
            (frames,) = [c for c in sa.inspect(conn).get_columns("tasks") if c["name"] == "frames"]
        assert isinstance(frames["type"], sa.BigInteger)
    finally:
        again.stop()


def test_audio_source_of_local_pending_and_locked_tasks(tmp_path):
    source = _recording(tmp_path / "r")
    local = Task(1, str(source), "", kind="audio", frames=int(RATE * SECONDS))
    assert audio_source(local, None) == str(source)
    sha = file_sha256(source)
    synced = dataclasses.replace(local, media_path=f"{MEDIA_PREFIX}{sha}:7/interview.wav", content_hash=sha)
    cache = MediaCache(tmp_path / "cache", os.urandom(32))
    with pytest.raises(MediaPending, match="recording not downloaded yet"):
        audio_source(synced, cache)
    with pytest.raises(MediaError, match="unlock the workspace"):
        audio_source(synced, None)
    cache.put_file(sha, source)
    assert np.array_equal(read_range(audio_source(synced, cache), 1.0, 1.5), read_range(source, 1.0, 1.5))


def test_a_downloaded_recording_that_does_not_decode_is_named_once(seeded_sqlite, keys, tmp_path):
    lead, project = seeded_sqlite.sessions["lead"], seeded_sqlite.project_id
    junk = b"this is not audio, only text\n" * 10_000
    sha = hashlib.sha256(junk).hexdigest()
    assert lead.http.put(f"/media/{sha}", content=junk, headers=OCTET).status_code == 201
    body = {"media_sha256": sha, "name": "junk.wav", "width": 0, "height": 0, "kind": "audio", "frames": 16000}
    made = lead.post(f"/projects/{project}/tasks", json=body).json()
    assert lead.post(f"/tasks/{made['id']}/assign", json={"user": "ann1"}).status_code == 200
    ws = clone_for(seeded_sqlite.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    assert "audio junk.wav: " in read_state(ws).last_error
    state = sync(ws, keys)
    assert state.phase == "up_to_date" and state.last_error == ""  # named by the clone's round, not again
    (task,) = [t for t in ws.tasks() if t.content_hash == sha]
    assert task.kind == "audio" and SyncStore(ws).get(f"audio_peaks_error:{sha}")
    with pytest.raises(AudioError):
        audio_peaks(ws, task, keys.media_cache(ws))


def test_a_pyramid_that_does_not_open_is_decoded_again(keys, tmp_path):
    """A sealed row is bound to its recording: one copied under another hash (or damaged) is a missing cache entry,
    rebuilt from the media and sealed again."""
    source = _recording(tmp_path / "r")
    sha = file_sha256(source)
    ws = create_encrypted(tmp_path / "ws", keys)
    cache = keys.media_cache(ws)
    cache.put_file(sha, source)
    task = Task(1, f"{MEDIA_PREFIX}{sha}:7/interview.wav", sha, kind="audio", frames=int(RATE * SECONDS))
    peaks = audio_peaks(ws, task, cache)  # decoded on the spot (no round did), kept sealed
    with ws.transaction() as conn:
        stored = conn.execute("SELECT data FROM audio_peaks WHERE content_hash = ?", (sha,)).fetchone()[0]
        assert bytes(stored) != peaks.to_bytes() and ws.audio_peaks(sha) == peaks.to_bytes()
        conn.execute("INSERT INTO audio_peaks SELECT 'other', sample_rate, channels, samples, data FROM audio_peaks")
        conn.execute("UPDATE audio_peaks SET data = ? WHERE content_hash = ?", (bytes(stored)[:-1] + b"\0", sha))
    assert ws.audio_peaks("other") is None and ws.audio_peaks(sha) is None
    assert audio_peaks(ws, task, cache).to_bytes() == peaks.to_bytes() == ws.audio_peaks(sha)
    ws.close()


RTTM = """\
SPEAKER talk 1 0.5 0.5 <NA> <NA> alice <NA> <NA>
SPEAKER talk 1 1.2 0.6 <NA> <NA> bob <NA> <NA>
SPEAKER talk 1 1.5 0.5 <NA> <NA> alice <NA> <NA>
SPEAKER talk 1 2.0 0.5 <NA> <NA> carol <NA> <NA>
SPEAKER talk 1 2.6 0.3 <NA> <NA> bob <NA> <NA>
SPEAKER talk 1 3.05 0.45 <NA> <NA> alice <NA> <NA>
SPEAKER talk 1 4.8 1.2 <NA> <NA> bob <NA> <NA>
"""


def test_imported_segments_that_break_the_recording_or_its_tiers_are_named_and_skipped(tmp_path):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    write_wav(recordings / "talk.wav", signal(16000, 1, 5.0), 16000)
    ws = Workspace.create(tmp_path / "ws", LabelSchema.from_json(SCHEMA))
    ws.add_media([recordings / "talk.wav"])
    (task,) = ws.tasks()
    with ws.transaction() as conn:  # a local workspace keeps its pyramid plain
        (raw,) = conn.execute("SELECT data FROM audio_peaks").fetchone()
    assert bytes(raw) == ws.audio_peaks(task.content_hash)
    kept = Annotation(new_id(), task.id, "bob", Segment(3.0, 3.2, "speaker"))
    add(ws, task.id, [kept])
    (tmp_path / "talk.rttm").write_text(RTTM, encoding="utf-8")
    report = import_dataset(ws, "rttm", tmp_path / "talk.rttm")
    got = sorted((round(a.shape.start, 3), round(a.shape.end, 3), a.label)
                 for a in ws.annotations(task.id))
    assert got == [(0.5, 1.0, "alice"), (1.2, 1.8, "bob"), (2.6, 2.9, "bob"), (3.0, 3.2, "bob")], report.messages
    assert report.annotations_added == 3 and report.skipped == 4
    skipped = [m for m in report.messages if m.endswith("; skipped")]
    assert len(skipped) == 4 and all(m.startswith("talk: segment ") for m in skipped), skipped
    assert any("1.500-2.000 s (alice, tier 'speaker')" in m and "forbids overlaps" in m for m in skipped)
    assert any("2.000-2.500 s (carol" in m and "does not take label 'carol'" in m for m in skipped)
    assert any("3.050-3.500 s" in m and "overlaps the stored segment 3.000-3.200 s" in m for m in skipped)
    assert any("4.800-6.000 s" in m and "past the end of the audio (5.000 s)" in m for m in skipped)
    again = import_dataset(ws, "rttm", tmp_path / "talk.rttm")
    assert again.annotations_added == 0 and again.duplicates == 3 and again.skipped == 4
    ws.close()
