"""`annodesk server prelabel` on video and audio tasks, on a real local Ray (2 CPUs) against a real server store
with media: an image model with --every K --link runs on every K-th frame of each video and stores tracks, an audio
model (the Silero-layout toy of tests/test_audio_vad.py) puts segments on the recordings, a video that does not
decode fails alone with its name, each video's frame index is kept (from add-media's probe, else from the first run),
a rerun does nothing, and a lead's clone pulls it all as predictions. Also the media actor on its own (a task that
fails inside it, a damaged stored index) and the option errors. About 50 s with Ray's start-ups; marked `ray`."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from core.annotation import SourceKind
from core.shapes import Box, Segment
from desktop.cli import main
from inference import model_id
from sync.server import db
from sync.server.blobs import file_sha256
from sync.workspace import Workspace
from tests.server_fixtures import PASSWORD, SCHEMA, seed
from tests.sync_client_helpers import clone_for, memory_keys, sync
from tests.test_audio_vad import expected, loud_model, loud_wav
from tests.test_prelabel_ray import detector
from tests.video_samples import make_video

pytestmark = pytest.mark.ray
FRAMES = 60
OCTET = {"Content-Type": "application/octet-stream"}


def upload(session, project_id: int, path: Path, kind: str, frames: int, size: tuple[int, int]) -> int:
    sha = file_sha256(path)
    assert session.http.put(f"/media/{sha}", content=path.read_bytes(), headers=OCTET).status_code == 201
    made = session.post(f"/projects/{project_id}/tasks", json={"media_sha256": sha, "name": path.name, "kind": kind,
                                                               "frames": frames, "width": size[0], "height": size[1]})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def server_annotations(store, task_id: int) -> list[str]:
    with store.read() as conn:
        return [row[0] for row in db.fetch(conn, "SELECT CAST(fields AS TEXT) FROM annotations WHERE task_id = ?",
                                           [task_id])]


def frame_indexes(store) -> set[str]:
    with store.read() as conn:
        return set(conn.execute(sa.select(db.frame_indexes.c.sha256)).scalars())


def test_videos_every_k_frames_and_recordings_with_an_audio_model(server_factory, tmp_path, capsys):
    seeded = seed(server_factory(), tmp_path)
    lead, project = seeded.sessions["lead"], seeded.project_id
    schema = {**SCHEMA, "labels": [*SCHEMA["labels"], {"name": "speech", "color": "#0000ff"}]}
    assert lead.http.put(f"/projects/{project}/schema", json={"schema": schema}).status_code == 200
    video = upload(lead, project, make_video(tmp_path / "street.mp4", size=(160, 120), frames=FRAMES), "video",
                   FRAMES, (160, 120))
    broken_path = tmp_path / "broken.mp4"
    broken_path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    broken = upload(lead, project, broken_path, "video", 30, (160, 120))
    wav = loud_wav(tmp_path / "call.wav", [(32, 64)], 200)
    recording = upload(lead, project, wav, "audio", 200 * 512, (0, 0))
    data = ["--data", str(seeded.server.config.data_dir)]
    (tmp_path / "more").mkdir()
    added = make_video(tmp_path / "more" / "lane.mp4", size=(160, 120), frames=FRAMES, first=100)
    assert main(["server", "add-media", "streets", str(added.parent), *data]) == 0  # probed: its index kept
    where = ["server", "prelabel", *data, "--project", "streets", "--cpus", "2", "--object-store-mb", "128"]
    store = seeded.server.store
    assert frame_indexes(store) == {file_sha256(added)}

    images = detector(tmp_path / "det.onnx")
    assert main([*where, "--model", str(images), "--every", "10", "--link"]) == 0
    out = capsys.readouterr().out
    assert "6 of 6 image and video tasks to run" in out
    assert "done: 5 tasks pre-labelled with " in out and "1 failed (of 6)" in out
    assert f"failed: task {broken} broken.mp4: " in out
    assert "videos: 12 frames run in 2 tracks, " in out and "left alone: 1 audio tasks" in out
    assert frame_indexes(store) == {file_sha256(added), file_sha256(tmp_path / "street.mp4")}  # built, then kept
    keyframes = server_annotations(store, video)
    assert keyframes and all(model_id(images) in f and '"frame"' in f and '"track"' in f for f in keyframes)
    assert server_annotations(store, broken) == []

    vad = loud_model(tmp_path / "vad" / "toy.onnx")
    assert main([*where, "--model", str(vad)]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 audio tasks to run" in out and "done: 1 tasks pre-labelled with 1 shapes" in out
    assert "recordings: 6.4 s of audio at " in out and "left alone: 3 image, 3 video tasks" in out
    assert len(server_annotations(store, recording)) == 1

    assert main([*where, "--model", str(vad)]) == 0  # reruns: nothing to do (the broken video is tried again)
    assert "0 of 1 audio tasks to run" in capsys.readouterr().out
    assert main([*where, "--model", str(images), "--every", "10", "--link"]) == 0
    assert "1 of 6 image and video tasks to run" in capsys.readouterr().out

    keys, _backend = memory_keys(tmp_path)
    try:
        with clone_for(seeded.server.url, "lead", PASSWORD, tmp_path / "lead", keys) as ws:
            sync(ws, keys)
            by_kind = {t.kind: t for t in ws.tasks(0, 20) if t.name in ("street.mp4", "call.wav")}
            track = ws.annotations(by_kind["video"].id)
            segments = ws.annotations(by_kind["audio"].id)
    finally:
        Workspace.codec_provider = None
    assert {a.track for a in track} != {None} and len({a.track for a in track}) == 1
    assert {a.frame for a in track} <= set(range(0, FRAMES, 10)) | {FRAMES - 1} and 0 in {a.frame for a in track}
    assert all(isinstance(a.shape, Box) and a.label == "car" and a.source.kind is SourceKind.MODEL for a in track)
    (segment,) = segments
    assert isinstance(segment.shape, Segment) and segment.label == "speech"
    assert (segment.shape.start, segment.shape.end) == pytest.approx(expected(32, 64), abs=1e-6)
    assert segment.source.model_id == model_id(vad)


def test_option_errors_name_the_problem(server_factory, tmp_path, capsys):
    seeded = seed(server_factory(), tmp_path)
    where = ["server", "prelabel", "--data", str(seeded.server.config.data_dir), "--project", "streets"]
    vad = loud_model(tmp_path / "toy.onnx")
    for extra, problem in ((["--model", str(vad), "--every", "5"], "--every is for video tasks; toy.onnx is an audio"),
                           (["--model", str(vad), "--link"], "--link needs --every K"),
                           (["--model", str(vad), "--every", "0"], "--every must be 1 or more")):
        assert main([*where, *extra]) != 0
        assert problem in capsys.readouterr().err
    with seeded.server.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.model_runs)).scalar_one() == 0


def test_an_actor_fails_a_task_alone_and_builds_a_damaged_index_again(tmp_path):
    """The media actor's call, without a cluster: a recording missing from the store fails that task with a reason,
    and a stored frame index that does not read is built again and handed back to be kept."""
    import pickle

    import numpy as np

    from core.video import FrameIndex
    from farm.media_tasks import MediaInfer
    from sync.server.media_seal import NO_KEYS
    from sync.server.media_store import open_media
    from tests.server_fixtures import fast_config

    config = fast_config(tmp_path / "server")
    media = open_media(config, NO_KEYS)
    video = make_video(tmp_path / "street.mp4", size=(160, 120), frames=20)
    sha, size = media.put_file(video)
    images = detector(tmp_path / "det.onnx")
    actor = MediaInfer({images.name: images.read_bytes()}, "cpu", 1, model_id(images), 10, True, 1, config,
                       NO_KEYS, {"labels": [{"name": "car", "color": "#ff0000"}]})

    def call(**item):
        row = {"task_id": 1, "name": "street.mp4", "kind": "video", "sha": sha, "size": size, "width": 160,
               "height": 120, "frames": 20, "live": b"", "index": b"", **item}
        out = actor({k: np.array([v], dtype=object) for k, v in row.items()})
        return pickle.loads(out["result"][0])

    done = call(index=b"AVIX damaged")
    assert done.error == "" and done.record_run and done.frames == 2 and done.tracks == 1
    assert FrameIndex.from_bytes(done.new_index).frames == 20
    assert call(index=done.new_index).new_index is None  # a stored index is used as it is
    missing = call(sha="0" * 64, name="gone.mp4")
    assert not missing.rows and not missing.record_run and "gone.mp4: its media (0000" in missing.error
    assert "is missing from" in missing.error
