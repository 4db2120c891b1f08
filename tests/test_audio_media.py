"""Audio as a media kind: streaming decode into a peaks pyramid, reading a range by seeking, the import probe and
its refusals, the stored pyramid, segments and tiers."""

import json
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

from core.annotation import Annotation, TaskStatus, new_id
from core.audio import (
    BASE_BLOCK,
    AudioCancelled,
    AudioError,
    PeaksPyramid,
    build_peaks,
    iter_chunks,
    preview_peaks,
    probe_audio,
    read_range,
    stream_peaks,
)
from core.audio.tiers import tier_problems
from core.media import MediaError
from core.media_kinds import MEDIA_KINDS, kind_for, probe_media
from core.schema import LabelSchema, SchemaError
from core.shapes import Instant, Segment, ShapeError, shape_from_json
from sync.workspace import Workspace
from tests.audio_samples import BURSTS, bursts_wav, convert, signal, write_wav


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audio")
    wav = bursts_wav(folder, channels=2)
    files = {"wav": wav}
    for ext, args in {"flac": (), "mp3": ("-b:a", "128k"), "ogg": (), "opus": (), "m4a": ("-c:a", "aac")}.items():
        files[ext] = convert(wav, folder / f"bursts.{ext}", *args)
    return files


def full_decode(path):
    return np.concatenate([chunk for _, _, chunk in iter_chunks(path)], axis=1)


def test_audio_is_a_media_kind():
    audio = MEDIA_KINDS["audio"]
    assert kind_for("talk.MP3") is audio and kind_for("x.opus") is audio and kind_for("x.mp4") is MEDIA_KINDS["video"]
    assert audio.address == ("time", "tier")


def test_the_pyramid_holds_the_min_and_max_of_every_block(media):
    data = signal(16000, 2)
    peaks = build_peaks(media["wav"])
    assert (peaks.sample_rate, peaks.channels, peaks.samples, peaks.complete) == (16000, 2, data.shape[1], True)
    n = data.shape[1] // BASE_BLOCK * BASE_BLOCK
    blocks = np.rint(data[:, :n].reshape(2, -1, BASE_BLOCK) * 32767)
    level0 = peaks.levels[0]
    assert level0.shape == (2, -(-data.shape[1] // BASE_BLOCK), 2) and level0.dtype == np.int16
    assert np.abs(level0[:, : n // BASE_BLOCK, 0] - blocks.min(axis=2)).max() <= 1  # 16-bit WAV rounding
    assert np.abs(level0[:, : n // BASE_BLOCK, 1] - blocks.max(axis=2)).max() <= 1
    for k in range(1, len(peaks.levels)):  # each level folds four blocks of the one below
        below, here = peaks.levels[k - 1], peaks.levels[k]
        assert here.shape[1] == -(-below.shape[1] // 4)
        for i in (0, here.shape[1] // 2, here.shape[1] - 1):
            assert (here[:, i, 0] == below[:, i * 4 : i * 4 + 4, 0].min(axis=1)).all()
            assert (here[:, i, 1] == below[:, i * 4 : i * 4 + 4, 1].max(axis=1)).all()
        assert here[0, 0, 1] == below[0, :4, 1].max() and here[1, -1, 0] == below[1, (here.shape[1] - 1) * 4 :, 0].min()
    assert peaks.channels == 2 and abs(int(level0[1].max()) - 0.8 * int(level0[0].max())) <= 2  # channel 1 quieter


def test_the_pyramid_shows_where_the_sound_is(media):
    for ext in ("wav", "flac", "mp3", "ogg", "opus", "m4a"):
        peaks = build_peaks(media[ext])
        env = peaks.levels[0][0, :, 1].astype(float) / 32767
        times = (np.arange(env.size) + 0.5) * BASE_BLOCK / peaks.sample_rate
        for start, end in BURSTS:
            inside = env[(times > start + 0.05) & (times < end - 0.05)]
            assert inside.min() > 0.6, ext
        silent = env[(times > 1.2) & (times < 1.8)]
        assert silent.max() < 0.05, ext
        assert abs(peaks.duration_s - 5.0) < 0.03, (ext, peaks.duration_s)


def test_bytes_round_trip_without_copying_and_damage_is_refused(media):
    peaks = build_peaks(media["wav"])
    data = peaks.to_bytes()
    again = PeaksPyramid.from_bytes(data)
    assert (again.sample_rate, again.channels, again.samples) == (peaks.sample_rate, 2, peaks.samples)
    assert all(np.array_equal(a, b) for a, b in zip(peaks.levels, again.levels, strict=True))
    assert not again.levels[0].flags.writeable  # a view of the stored bytes
    for bad in (data[:10], data[:-2], data + b"x", b"XXXX" + data[4:]):
        with pytest.raises(ValueError, match="peaks"):
            PeaksPyramid.from_bytes(bad)


def test_level_choice_and_windows(media):
    peaks = build_peaks(media["wav"])
    assert peaks.level_for(100) is None and peaks.level_for(256) == 0 and peaks.level_for(5000) == 2
    window = peaks.window(0, 2.0, 2.25)
    assert window.shape[1] == pytest.approx(0.25 * 16000 / 256, abs=2)


def test_snapshots_arrive_while_decoding_and_cancel_stops(tmp_path):
    long = bursts_wav(tmp_path, "long.wav", rate=44100, channels=2, seconds=30)
    seen = list(stream_peaks(long, every_s=0.0))
    assert len(seen) > 3 and not seen[0].complete and seen[-1].complete
    assert 0 < seen[0].samples < seen[-1].samples == 30 * 44100
    assert seen[0].levels[0].shape[1] == seen[0].samples // BASE_BLOCK  # usable: whole blocks only
    progress = []
    build_peaks(long, progress=progress.append)
    assert progress[-1] == 1.0 and progress == sorted(progress)
    with pytest.raises(AudioCancelled):
        build_peaks(long, cancel=lambda: True)


@pytest.mark.parametrize("ext", ["wav", "flac", "mp3", "ogg", "opus", "m4a"])
def test_read_range_seeks_to_the_same_samples(media, ext):
    full = full_decode(media[ext])
    rate = probe_audio(media[ext]).sample_rate
    for start, end in ((0.0, 0.3), (2.1, 2.2), (3.5, 4.2), (4.9, 9.0)):
        got = read_range(media[ext], start, end)
        first = round(start * rate)
        want = full[:, first : first + round(end * rate) - first]
        assert got.shape == want.shape
        tolerance = 0.05 if ext == "m4a" else 1e-6  # AAC restarts its decoder state at a seek
        assert np.abs(got - want).max() <= tolerance, (ext, start)
    with pytest.raises(ValueError):
        read_range(media[ext], 2.0, 1.0)


@pytest.mark.parametrize(("rate", "channels"), [(8000, 1), (192000, 2), (48000, 6)])
def test_rates_and_channel_counts(tmp_path, rate, channels):
    path = write_wav(tmp_path / "x.wav", signal(rate, channels, 1.0, ((0.2, 0.4),)), rate)
    info = probe_audio(path)
    assert (info.sample_rate, info.channels, info.samples) == (rate, channels, rate)
    assert info.peaks.levels[0].shape[0] == channels


def _bad_files(tmp_path, media):
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "cut.mp3").write_bytes(media["mp3"].read_bytes()[:20000])
    raw = media["wav"].read_bytes()
    data_at = raw.index(b"data")
    body, fmt = raw[data_at + 8 :], raw[12:data_at]
    ds64 = b"ds64" + struct.pack("<I", 28) + struct.pack("<QQQI", 4 * 10**12 + 100, 4 * 10**12, 10**12, 0)
    (tmp_path / "huge.wav").write_bytes(b"RF64" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + ds64 + fmt + b"data"
                                        + struct.pack("<I", 0xFFFFFFFF) + body)
    odd = bytearray(raw)
    at = raw.index(b"fmt ") + 8
    odd[at : at + 2] = struct.pack("<H", 0x7777)
    (tmp_path / "codec.wav").write_bytes(bytes(odd))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-t",
                    "1", "-c:v", "libx264", "-f", "mp4", str(tmp_path / "picture.m4a")], check=True)
    (tmp_path / "noise.mp3").write_bytes(np.random.default_rng(1).bytes(5000))
    return {
        "empty.wav": "empty file",
        "cut.mp3": "truncated or damaged: the header claims",
        "huge.wav": "claims 1,000,000,000,000 samples",
        "codec.wav": "codec",
        "picture.m4a": "no audio stream (it holds video only)",
        "noise.mp3": "",
    }


def test_bad_recordings_are_refused_with_the_reason(tmp_path, media):
    for name, reason in _bad_files(tmp_path, media).items():
        with pytest.raises(MediaError) as err:
            probe_media(tmp_path / name)
        assert reason in err.value.reason and err.value.path.endswith(name), (name, err.value.reason)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "desktop.cli", *map(str, args)], capture_output=True, text=True)


def test_add_a_folder_bad_files_become_error_tasks_and_stats_count_hours(tmp_path, media):
    folder = tmp_path / "recordings"
    folder.mkdir()
    reasons = _bad_files(folder, media)
    for ext in ("flac", "ogg"):
        (folder / f"good.{ext}").write_bytes(media[ext].read_bytes())
    assert cli("init", tmp_path / "ws").returncode == 0
    added = cli("add", tmp_path / "ws", media["mp3"], folder)
    assert added.returncode == 0 and f"added {len(reasons) + 3} tasks" in added.stdout, added.stdout + added.stderr
    for name in reasons:
        assert name in added.stderr
    with Workspace.open(tmp_path / "ws") as ws:
        tasks = {t.name: t for t in ws.tasks(limit=100)}
        assert {n for n, t in tasks.items() if t.status is TaskStatus.ERROR} == set(reasons)
        good = tasks["good.flac"]
        assert (good.kind, good.frames, good.width, good.height) == ("audio", 80000, 0, 0)
        peaks = PeaksPyramid.from_bytes(ws.audio_peaks(good.content_hash))
        assert (peaks.sample_rate, peaks.channels, peaks.samples) == (16000, 2, 80000)
        assert ws.find_task("good") is None  # two recordings are called "good": no guess
        assert ws.find_task("bursts").name == "bursts.mp3"
        seg = Annotation(new_id(), tasks["bursts.mp3"].id, "speech", Segment(0.5, 1.0, "speaker"))
        ws.insert_annotations([seg])
        stats = ws.stats()["media"]["audio"]
    assert stats["tasks"] == len(reasons) + 3 and stats["segments"] == 1
    assert stats["seconds"] == pytest.approx(15.0, abs=0.05)
    shown = cli("stats", tmp_path / "ws").stdout
    assert "audio: 9 tasks, 0.00 hours 00:00:15, 1 segments" in shown


def test_segments_serialise_and_validate():
    seg = Segment(1.25, 2.5, "words", "hello")
    assert shape_from_json("segment", json.loads(json.dumps(seg.to_json()))) == seg
    assert Segment(0, 1).to_json() == {"start": 0.0, "end": 1.0}
    point = Instant(3.0, "tones", "H*")
    assert shape_from_json("instant", point.to_json()) == point
    assert seg.with_vertex(0, (3.0, 9)) == Segment(2.5, 3.0, "words", "hello")  # dragged past the end: swapped
    assert seg.translated(-5, 0).start == 0.0 and seg.contains((2.0, 0)) and not seg.contains((3.0, 0))
    assert seg.bounds().width == seg.duration == 1.25
    for bad, match in (({"start": 2, "end": 1}, "after"), ({"start": -1, "end": 1}, "between"),
                       ({"start": "a", "end": 1}, "number"), ({"start": 0, "end": float("nan")}, "between"),
                       ({"start": 0, "end": 1, "speed": 2}, "unknown field"), ([0, 1], "object"),
                       ({"start": 0, "end": 1, "text": 5}, "text"), ({"start": 2.0, "end": 1.0}, "after"),
                       ({"start": 0.0, "end": 1.0, "tier": "a\nb"}, "control"),
                       ({"start": 0.0, "end": 1e12}, "between"), ({"start": 0.0, "end": 1.0, "text": "a\x00"}, "NUL")):
        with pytest.raises(ShapeError, match=match):
            shape_from_json("segment", bad)


def test_tiers_in_the_schema_and_their_rules():
    schema = LabelSchema.from_json({
        "labels": [{"name": "alice"}, {"name": "bob"}, {"name": "word"}],
        "tiers": [{"name": "speaker", "labels": ["alice", "bob"]}, {"name": "words", "overlap": True},
                  {"name": "tones", "points": True}],
    })
    assert LabelSchema.from_json(schema.to_json()) == schema
    assert schema.tier("speaker").allows("alice") and not schema.tier("speaker").allows("word")
    assert schema.with_label("carol").tiers == schema.tiers
    assert "tiers" not in LabelSchema.from_json({"labels": []}).to_json()  # old schemas stay as they were
    for tiers, match in (([{"name": "x", "labels": ["nobody"]}], "not a label"), ([{"name": ""}], "name"),
                         ([{"name": "a"}, {"name": "a"}], "used twice"), ([{"name": "a", "overlap": 1}], "overlap")):
        with pytest.raises(SchemaError, match=match):
            LabelSchema.from_json({"labels": [{"name": "alice"}], "tiers": tiers})

    def ann(label, shape):
        return Annotation(new_id(), 1, label, shape)

    anns = [ann("alice", Segment(0, 2, "speaker")), ann("bob", Segment(1.5, 3, "speaker")),
            ann("bob", Segment(3, 4, "speaker")), ann("word", Segment(5, 6, "speaker")),
            ann("word", Segment(0, 2, "words")), ann("word", Segment(1, 2, "words")),
            ann("word", Segment(0, 9, "anything")), ann("word", Segment(1, 2, "anything")),
            ann("word", Segment(1, 2, "tones")), ann("word", Instant(7.5, "tones"))]
    problems = {p.annotation_id: p.message for p in tier_problems(anns, schema, duration_s=8.0)}
    assert set(problems) == {anns[1].id, anns[3].id, anns[6].id, anns[8].id}
    assert "overlaps" in problems[anns[1].id] and "does not take label 'word'" in problems[anns[3].id]
    assert "past the end" in problems[anns[6].id] and "point tier" in problems[anns[8].id]


def test_a_workspace_stores_segments_and_a_peaks_pyramid(tmp_path, media):
    ws = Workspace.create(tmp_path / "ws")
    ws.add_media([media["wav"]])
    task = ws.tasks()[0]
    segs = [Annotation(new_id(), task.id, "speech", Segment(s, e, "speaker", f"part {i}"))
            for i, (s, e) in enumerate(BURSTS)]
    ws.insert_annotations(segs)
    ws.close()
    with Workspace.open(tmp_path / "ws", readonly=True) as again:
        assert [a.shape for a in again.annotations(task.id)] == [a.shape for a in segs]
        assert PeaksPyramid.from_bytes(again.audio_peaks(task.content_hash)).samples == 80000
        assert again.audio_duration(task.content_hash) == 5.0 and again.audio_duration("nothing") is None
    with pytest.raises(AudioError):
        read_range(tmp_path / "missing.wav", 0, 1)


@pytest.mark.parametrize("ext", ["wav", "flac", "mp3", "ogg", "opus", "m4a"])
def test_the_preview_sketches_the_whole_file_from_sparse_seeks(media, ext):
    preview = preview_peaks(media[ext], points=100)
    assert preview.channels == 2 and abs(preview.duration_s - 5.0) < 0.05
    assert len(preview.times) >= (4 if ext in ("ogg", "opus") else 60)  # Ogg seeks by page; frames >= 36 ms
    assert (np.diff(preview.times) > 0).all()
    loud = preview.peaks[0, :, 1].astype(float) / 32767
    heard = 0
    for t, level in zip(preview.times, loud, strict=True):  # a frame lasts < 0.3 s here
        if any(start <= t and t + 0.3 <= end for start, end in BURSTS):
            assert level > 0.5, (ext, t)
            heard += 1
        elif all(t + 0.3 <= start or t - 0.05 >= end for start, end in BURSTS):
            assert level < 0.05, (ext, t)
    assert heard >= 1
    empty = preview_peaks(media[ext], points=100, budget_s=0.0)
    assert empty.peaks.shape == (2, 0, 2)  # out of time before the first probe: nothing, no error


def test_real_speech_from_espeak(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (./dev installs it)")
    wav = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "Annotators transcribe meetings. Hello world."], check=True)
    mp3 = convert(wav, tmp_path / "speech.mp3", "-ar", "44100", "-ac", "2")
    wav_info, mp3_info = probe_audio(wav), probe_audio(mp3)
    assert wav_info.sample_rate == 22050 and mp3_info.channels == 2
    assert abs(wav_info.duration_s - mp3_info.duration_s) < 0.01  # the encoder's delay is trimmed
    env = mp3_info.peaks.levels[1][0, :, 1]
    assert env.max() > 3000 and (env < 300).any()  # speech and pauses


def test_long_recordings_are_written_before_their_peaks_fill_memory(tmp_path, media, monkeypatch):
    import sync.media_import

    monkeypatch.setattr(sync.media_import, "BATCH_BYTES", 1)  # every recording is a batch of its own
    ws = Workspace.create(tmp_path / "ws")
    seen = []
    report = ws.add_media([media["wav"], media["flac"], media["ogg"]], progress=lambda d, n: seen.append((d, n)))
    assert report.added == 3 and seen == [(1, 3), (2, 3), (3, 3)]
    assert all(ws.audio_peaks(t.content_hash) for t in ws.tasks())
    ws.close()


def test_the_sound_of_a_video_is_added_as_a_recording(tmp_path, capsys):
    """`add --as audio`: a video's sound track becomes an audio task (its peaks as for any recording); a video
    without sound is one error task naming why; images in the folder are left out."""
    from desktop.cli import main
    from tests.video_samples import make_video

    folder = tmp_path / "media"
    folder.mkdir()
    wav = bursts_wav(tmp_path, seconds=5.0)
    talk = convert(wav, folder / "talk.mp4", "-f", "lavfi", "-i", "color=c=black:s=64x48:r=10:d=5", "-map", "1:v",
                   "-map", "0:a", "-c:v", "mpeg4", "-c:a", "aac", "-shortest")
    make_video(folder / "silent.mp4", size=(64, 48), frames=10)
    (folder / "cover.png").write_bytes(b"not looked at")
    Workspace.create(tmp_path / "ws").close()
    assert main(["add", str(tmp_path / "ws"), str(folder), "--as", "audio"]) == 0
    with Workspace.open(tmp_path / "ws", readonly=True) as ws:
        tasks = {t.name: t for t in ws.tasks()}
        assert set(tasks) == {"talk.mp4", "silent.mp4"}
        task = tasks["talk.mp4"]
        assert (task.kind, task.status) == ("audio", TaskStatus.NEW) and abs(task.frames / 16000 - 5.0) < 0.1
        peaks = PeaksPyramid.from_bytes(ws.audio_peaks(task.content_hash))
        assert peaks.sample_rate == 16000 and abs(peaks.duration_s - 5.0) < 0.1
        assert tasks["silent.mp4"].status is TaskStatus.ERROR and "no audio stream" in tasks["silent.mp4"].error
    assert probe_media(talk).kind == "video"  # without --as, a video stays a video
