"""Pre-labeling audio tasks: the job over a workspace's recordings (predictions on a tier, resumable, cancel, bad
files), `annodesk prelabel` on audio beside images, and Ctrl+L / "Pre-label all" in the app, with the generated
Silero-layout model of tests/test_audio_vad.py (its segments land on loud stretches, to the sample)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.annotation import SourceKind
from core.media import MediaError
from core.schema import Label, LabelSchema, Tier
from core.shapes import Segment
from desktop.cli import main
from inference.audio import AudioModel
from inference.audio_prelabel import AudioPrelabelJob, AudioPrelabelOptions
from inference.models import VAD
from sync.workspace import Workspace
from tests.test_app_prelabel import detector
from tests.test_audio_vad import expected, loud_model, loud_wav

STRETCHES = {"one.wav": [(32, 64)], "two.wav": [(20, 40), (100, 150)], "silent.wav": []}


@pytest.fixture
def model_path(tmp_path):
    return loud_model(tmp_path / "models" / "toy.onnx")


@pytest.fixture
def ws_dir(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    for name, stretches in STRETCHES.items():
        loud_wav(media / name, stretches, 200)
    with Workspace.create(tmp_path / "ws", LabelSchema((Label("speech", "#00ff00"),))) as ws:
        ws.add_media([media])
    return tmp_path / "ws"


def segments_by_file(ws_dir) -> dict[str, list]:
    with Workspace.open(ws_dir, readonly=True) as ws:
        return {t.name: sorted(ws.annotations(t.id), key=lambda a: getattr(a.shape, "start", 0))
                for t in ws.tasks(0, 100)}  # fmt: skip


def run(ws_dir, model_path, options=None, **kwargs):
    model = AudioModel.load(model_path, provider="cpu")
    with Workspace.open(ws_dir) as ws:
        return AudioPrelabelJob(model, ws, options, **kwargs).run()


def test_segments_are_stored_as_predictions_on_the_tier_and_a_rerun_does_nothing(ws_dir, model_path):
    progress = []
    report = run(ws_dir, model_path, progress=lambda done, total: progress.append((done, total)))
    assert (report.tasks, report.predicted, report.shapes, report.failures) == (3, 3, 3, [])
    assert report.audio_seconds == pytest.approx(3 * 6.4) and progress[-1] == (19, 19)
    stored = segments_by_file(ws_dir)
    assert [(a.shape.start, a.shape.end) for a in stored["two.wav"]] == [expected(20, 40), expected(100, 150)]
    assert stored["silent.wav"] == []
    model_id = AudioModel.load(model_path, provider="cpu").model_id
    for a in stored["one.wav"] + stored["two.wav"]:
        assert isinstance(a.shape, Segment) and a.shape.tier == "speech" and a.label == "speech"
        assert a.source.kind is SourceKind.MODEL and a.source.model_id == model_id and a.source.score > 0.99
    again = run(ws_dir, model_path)  # the silent recording counts as done too
    assert (again.predicted, again.already_done, again.shapes) == (0, 3, 0)
    assert "3 recordings" not in again.summary()[0] and "3 already done" in again.summary()[0]


def test_cancel_keeps_the_finished_recordings_and_a_rerun_finishes_the_rest(ws_dir, model_path):
    model = AudioModel.load(model_path, provider="cpu")
    with Workspace.open(ws_dir) as ws:
        names = {t.id: t.name for t in ws.tasks(0, 100)}

        def opener(task):
            if names[task.id] == "two.wav":
                job.cancel()  # midway: decoding stops at its next packet, nothing of this one is kept
            return task.media_path

        job = AudioPrelabelJob(model, ws, open_audio=opener)
        report = job.run()
    assert report.cancelled and report.predicted == 2  # one.wav and silent.wav, before two.wav in task order
    assert {k: len(v) for k, v in segments_by_file(ws_dir).items()} == {"one.wav": 1, "silent.wav": 0, "two.wav": 0}
    again = run(ws_dir, model_path)
    assert (again.already_done, again.predicted, again.cancelled) == (2, 1, False)
    assert len(segments_by_file(ws_dir)["two.wav"]) == 2


def test_a_bad_file_fails_that_task_only_with_its_name(ws_dir, model_path):
    (ws_dir.parent / "media" / "one.wav").write_bytes(b"RIFF" + bytes(range(256)) * 8)  # damaged after the add
    report = run(ws_dir, model_path)
    assert report.predicted == 2 and len(report.failures) == 1
    assert report.failures[0].media_path.endswith("one.wav")
    assert any("one.wav" in line and "not an audio file" in line for line in report.summary())
    assert run(ws_dir, model_path).failures[0].media_path.endswith("one.wav")  # not recorded as run: tried again


def test_recordings_without_a_file_come_through_the_opener(ws_dir, model_path):
    """A synced workspace's recordings are read through a seekable file object (the encrypted cache's reader); one
    the opener cannot give (not downloaded yet) fails that task only, with the opener's reason."""

    def opener(task):
        if task.name == "one.wav":
            raise MediaError(task.media_path, "recording not downloaded yet: waiting for sync")
        return io.BytesIO(Path(task.media_path).read_bytes())

    report = run(ws_dir, model_path, open_audio=opener)
    assert report.predicted == 2 and [f.reason for f in report.failures] == [
        "recording not downloaded yet: waiting for sync"]  # fmt: skip
    assert len(segments_by_file(ws_dir)["two.wav"]) == 2


def test_labels_tiers_and_a_locked_schema(ws_dir, model_path):
    renamed = run(ws_dir, model_path, AudioPrelabelOptions(renames={"speech": "voice"}))
    with Workspace.open(ws_dir, readonly=True) as ws:
        assert ws.schema.get("voice") is not None
    assert {a.label for v in segments_by_file(ws_dir).values() for a in v} == {"voice"}
    assert "labels added to the schema: voice" in renamed.summary()
    other = loud_model(model_path.parent / "other.onnx", b=-3.9)  # another model id: runs again
    with Workspace.open(ws_dir) as ws:
        ws.set_schema(LabelSchema((*ws.schema.labels, Label("alice", "#0000ff")), (Tier("speech", ("alice",)),)))
    report = run(ws_dir, other)
    assert report.shapes == 0 and "skipped 3 segments: tier 'speech' does not take label 'speech'" in report.summary()
    locked = run(ws_dir, loud_model(model_path.parent / "third.onnx", b=-3.8),
                 AudioPrelabelOptions(renames={"speech": "nobody"}, locked_schema=True))  # fmt: skip
    assert locked.shapes == 0 and any("schema is locked" in m for m in locked.messages)


@pytest.fixture
def mixed_ws(ws_dir):
    """The recordings and one image."""
    image = ws_dir.parent / "media" / "photo.jpg"
    cv2.imwrite(str(image), np.full((640, 1280, 3), 128, np.uint8))
    with Workspace.open(ws_dir) as ws:
        ws.add_media([image])
    return ws_dir


def test_cli_prelabel_runs_an_audio_model_on_the_recordings_and_leaves_images_alone(mixed_ws, model_path, capsys):
    code = main(["prelabel", str(mixed_ws), "--model", str(model_path), "--provider", "cpu", "--tier", "vad",
                 "--pad-ms", "0"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "silero-vad (audio), segments on tier 'vad'" in out and "3 recordings pre-labelled with 3 segments" in out
    assert "left alone: 1 image tasks (silero-vad takes audio)" in out
    assert [(a.shape.start, a.shape.tier) for a in segments_by_file(mixed_ws)["one.wav"]] == [(32 * 0.032, "vad")]
    assert main(["prelabel", str(mixed_ws), "--model", str(model_path), "--provider", "cpu"]) == 0
    assert "3 already done by this model" in capsys.readouterr().out


def test_cli_an_image_model_refuses_recordings_and_an_audio_model_needs_some(mixed_ws, tmp_path, model_path, capsys):
    det = detector(tmp_path / "det.onnx")
    assert main(["prelabel", str(mixed_ws), "--model", str(det), "--provider", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "1 tasks pre-labelled" in out and "3 failed" in out
    assert "one.wav: a recording, not an image: pre-label it with an audio model" in out
    images = tmp_path / "images"
    with Workspace.create(images) as ws:
        ws.add_media([mixed_ws.parent / "media" / "photo.jpg"])
    assert main(["prelabel", str(images), "--model", str(model_path), "--provider", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "toy.onnx is an audio model (silero-vad)" in err and "no audio tasks" in err and "1 image" in err
    assert main(["prelabel", str(mixed_ws), "--model", str(model_path), "--every", "5"]) == 2
    assert "--every and --link are for video tasks" in capsys.readouterr().err
    assert main(["prelabel", str(mixed_ws), "--model", str(det), "--min-speech-ms", "100"]) == 2
    assert "unknown field 'min_speech_ms'" in capsys.readouterr().err


def test_cli_without_model_uses_the_installed_vad(ws_dir, tmp_path, model_path, monkeypatch, capsys):
    monkeypatch.setenv("ANNODESK_MODELS_DIR", str(tmp_path / "installed"))
    assert main(["prelabel", str(ws_dir), "--provider", "cpu"]) == 2
    assert "Silero VAD model is not installed" in capsys.readouterr().err
    wheel = tmp_path / "silero_vad-6.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(VAD.member, model_path.read_bytes())
        archive.writestr(VAD.license_member, b"MIT License")
    VAD.install(wheel)
    card = json.loads((tmp_path / "installed" / "silero_vad.json").read_text())
    assert card["family"] == "silero-vad" and card["min_speech_ms"] == 250
    assert main(["prelabel", str(ws_dir), "--provider", "cpu", "--conf", "0.6"]) == 0
    assert "model silero_vad.onnx: silero-vad (audio)" in capsys.readouterr().out


def test_the_app_prelabels_the_recording_on_show_and_all_tasks_in_the_background(qtbot, mixed_ws, tmp_path,
                                                                                model_path):  # fmt: skip
    from desktop.main_window import MainWindow
    from desktop.settings import Settings

    settings = Settings(inference_provider="cpu", prelabel_model=str(detector(tmp_path / "det.onnx")),
                        vad_model=str(model_path), vad_label="voice", vad_tier="vad", vad_pad_ms=0.0)  # fmt: skip
    window = MainWindow(settings)
    qtbot.addWidget(window)
    with Workspace.open(mixed_ws, readonly=True) as ws:
        tasks = {t.name: t.id for t in ws.tasks(0, 100)}
    window.open_workspace(mixed_ws, tasks["two.wav"])
    window.show()
    window.actions_by_id["prelabel.task"].trigger()  # Ctrl+L on the recording on show
    job = window.prelabel.job
    assert job is not None and job.wait(60)
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30_000)
    report = window.prelabel.last_report
    assert report is not None and (report.predicted, report.shapes, report.failures) == (1, 2, [])
    # the task on show is reloaded: its editor holds the two segments, as predictions to accept or reject
    qtbot.waitUntil(lambda: len([a for a in window.session.editor.doc if a.source.is_model]) == 2, timeout=10_000)
    assert [(a.label, a.shape.tier, a.shape.start) for a in segments_by_file(mixed_ws)["two.wav"]] == [
        ("voice", "vad", 20 * 0.032), ("voice", "vad", 100 * 0.032)]  # fmt: skip
    job = window.prelabel.prelabel_tasks(None)  # "Pre-label all": the image with the detector, the rest with VAD
    assert job is not None and job.wait(60)
    qtbot.waitUntil(lambda: window.prelabel.job is None, timeout=30_000)
    image_report, audio_report = window.prelabel.last_reports
    assert (image_report.tasks, image_report.predicted, image_report.failures) == (1, 1, [])
    assert (audio_report.predicted, audio_report.already_done, audio_report.failures) == (2, 1, [])
    assert len(segments_by_file(mixed_ws)["one.wav"]) == 1
    window.close()


def test_speech_a_person_already_cut_is_not_predicted_again(ws_dir, model_path):
    from core.annotation import Annotation, new_id

    with Workspace.open(ws_dir) as ws:
        task = next(t for t in ws.tasks(0, 100) if t.name == "two.wav")
        a, b = expected(20, 40)
        ws.insert_annotations([Annotation(new_id(), task.id, "speech", Segment(a, b, "speech", "hi"))])
    report = run(ws_dir, model_path)
    rows = segments_by_file(ws_dir)["two.wav"]
    assert [(r.source.kind, (r.shape.start, r.shape.end)) for r in rows] == [
        (SourceKind.HUMAN, expected(20, 40)), (SourceKind.MODEL, expected(100, 150))]
    assert any("a person's segment is already there" in line for line in report.summary())
