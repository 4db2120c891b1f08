"""Voice activity detection: the Silero family (graph check, batched streams with their own state, Silero's segment
rules), the streaming 16 kHz decode, opening models of either kind, and the real Silero model on espeak-ng speech.

A generated model with Silero's inputs and outputs stands in for it where times must be exact: its score of a frame
is sigmoid(40 * mean|x| - 4) over the 576 samples it is given, so a loud stretch scores ~1 and silence 0.02, and
frames aligned to the 512-sample grid give segment edges known to the sample.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from core.audio import AudioError
from core.shapes import Segment
from inference import ModelError, Predictor
from inference.audio import AudioModel, VadRules, mono_chunks, open_model, silero, speech_segments
from inference.audio.silero import CONTEXT, FRAME, speech_probs
from inference.models import VAD, vad_model_path
from tests.audio_samples import convert, write_wav
from tests.benchmarks.bench_audio_vad import match, phrase_clips
from tests.test_inference_graphs import const_model

RATE = 16000
F = FRAME / RATE  # 32 ms
PAD = 0.03


def _save(path: Path, nodes, outputs, inits, extra_inputs=()) -> Path:
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", "n"]),
              helper.make_tensor_value_info("state", TensorProto.FLOAT, [2, "batch", 128]),
              helper.make_tensor_value_info("sr", TensorProto.INT64, []), *extra_inputs]  # fmt: skip
    outs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name, shape in outputs]
    model = helper.make_model(helper.make_graph(nodes, "vad", inputs, outs, inits),
                              opset_imports=[helper.make_opsetid("", 17)])  # fmt: skip
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _const(name: str, value, dtype=np.float32):
    return numpy_helper.from_array(np.array(value, dtype), name)


def loud_model(path: Path, a: float = 40.0, b: float = -4.0, card: dict | None = None) -> Path:
    """Silero's I/O: output = sigmoid(a * mean|input| + b) [B, 1]; the state passed through; sr taken, unused."""
    nodes = [helper.make_node("Abs", ["input"], ["abs"]),
             helper.make_node("ReduceMean", ["abs"], ["mean"], axes=[1], keepdims=1),
             helper.make_node("Mul", ["mean", "a"], ["scaled"]), helper.make_node("Add", ["scaled", "b"], ["logit"]),
             helper.make_node("Sigmoid", ["logit"], ["output"]), helper.make_node("Identity", ["state"], ["stateN"])]
    _save(path, nodes, [("output", ["batch", 1]), ("stateN", [2, "batch", 128])], [_const("a", a), _const("b", b)])
    if card is not None:
        path.with_suffix(".json").write_text(json.dumps(card))
    return path


def counting_model(path: Path) -> Path:
    """Its state counts the frames each row has run (state + 1); its output is that count before the frame / 10^4."""
    nodes = [helper.make_node("Gather", ["state", "zero"], ["first"], axis=0),  # [B, 128]
             helper.make_node("Slice", ["first", "s0", "s1", "s_axis"], ["count"]),  # [B, 1]
             helper.make_node("Mul", ["count", "scale"], ["output"]),
             helper.make_node("Add", ["state", "one"], ["stateN"])]
    inits = [_const("zero", 0, np.int64), _const("s0", [0], np.int64), _const("s1", [1], np.int64),
             _const("s_axis", [1], np.int64), _const("scale", 1e-4), _const("one", 1)]
    return _save(path, nodes, [("output", ["batch", 1]), ("stateN", [2, "batch", 128])], inits)


def loud_wav(path: Path, stretches: list[tuple[int, int]], frames: int, rate: int = RATE, channels: int = 1,
             amplitude: float = 0.5) -> Path:  # fmt: skip
    """A recording of `frames` 32 ms frames with a 440 Hz tone over the given frame ranges [first, end)."""
    n = round(frames * F * rate)
    t = np.arange(n) / rate
    x = np.zeros(n, np.float32)
    for first, end in stretches:
        on = (t >= first * F) & (t < end * F)
        x[on] = amplitude * np.sin(2 * np.pi * 440 * t[on])
    return write_wav(path, np.stack([x] * channels), rate)


def spans(preds) -> list[tuple[float, float]]:
    return [(p.shape.start, p.shape.end) for p in preds]


def expected(first: int, end: int, pad: float = PAD) -> tuple[float, float]:
    return (round(first * F - pad, 6), round(end * F + pad, 6))


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> AudioModel:
    return AudioModel.load(loud_model(tmp_path_factory.mktemp("vad") / "toy.onnx"), provider="cpu")


@pytest.fixture
def small_windows(monkeypatch):
    """Windows of 3 rows x 20 frames with 4 warm-up frames, pieces of at least 8: every path in a few seconds."""
    for name, value in (("ROWS", 3), ("PIECE", 20), ("WARM", 4), ("MIN_PIECE", 8)):
        monkeypatch.setattr(silero, name, value)


def test_segments_land_on_the_loud_stretches_to_the_sample(tmp_path, toy):
    wav = loud_wav(tmp_path / "a.wav", [(32, 64), (100, 150)], 200)
    preds = toy.detect(wav)
    assert spans(preds) == [expected(32, 64), expected(100, 150)]
    assert all(isinstance(p.shape, Segment) and p.shape.tier == "speech" and p.class_name == "speech" for p in preds)
    assert all(p.score > 0.99 for p in preds)


def test_min_speech_min_silence_and_padding_rules(tmp_path, toy):
    # 7 frames (224 ms) is not longer than 250 ms: dropped; 8 frames (256 ms) is kept
    assert spans(toy.detect(loud_wav(tmp_path / "short.wav", [(20, 27), (60, 68)], 100))) == [expected(60, 68)]
    # silence is timed from the first quiet frame's start to the current one's: 4 quiet frames (96 ms to the last)
    # keep one segment, 5 (128 ms) split it
    assert spans(toy.detect(loud_wav(tmp_path / "gap.wav", [(20, 40), (44, 60)], 100))) == [expected(20, 60)]
    assert spans(toy.detect(loud_wav(tmp_path / "split.wav", [(20, 40), (45, 60)], 100))) == [
        expected(20, 40), expected(45, 60)]  # fmt: skip
    # padding wider than half the gap: the two share it half and half (Silero's rule)
    wide = AudioModel.load(toy.path, provider="cpu", overrides={"speech_pad_ms": 100})
    (a0, a1), (b0, b1) = spans(wide.detect(tmp_path / "split.wav"))
    assert (a0, b1) == (round(20 * F - 0.1, 6), round(60 * F + 0.1, 6)) and a1 == b0 == round(42.5 * F, 6)


def test_speech_running_to_the_end_and_a_silent_or_empty_recording(tmp_path, toy):
    assert spans(toy.detect(loud_wav(tmp_path / "end.wav", [(50, 100)], 100))) == [(round(50 * F - PAD, 6), 3.2)]
    assert toy.detect(loud_wav(tmp_path / "silent.wav", [], 100)) == []
    assert toy.detect(write_wav(tmp_path / "empty.wav", np.zeros((1, 0), np.float32), RATE)) == []


def test_threshold_and_tier_come_from_the_card_and_the_settings(tmp_path, toy):
    quiet = loud_wav(tmp_path / "quiet.wav", [(20, 60)], 100, amplitude=0.18)  # scores 0.64
    assert len(toy.detect(quiet)) == 1
    strict = AudioModel.load(toy.path, provider="cpu", overrides={"conf": 0.8})
    assert strict.detect(quiet) == []
    card = loud_model(tmp_path / "carded.onnx", card={"family": "silero-vad", "tier": "vad", "conf": 0.8})
    carded = AudioModel.load(card, provider="cpu", settings={"conf": 0.5, "tier": "voice", "unknown": 1})
    assert [p.shape.tier for p in carded.detect(quiet)] == ["voice"]  # settings over the card; unknown ignored


def test_other_rates_and_channels_are_resampled_to_16k_mono_in_place(tmp_path, toy):
    frames = [(32, 64), (100, 150)]
    for rate, channels in ((44100, 2), (8000, 1), (48000, 6)):
        found = spans(toy.detect(loud_wav(tmp_path / f"r{rate}.wav", frames, 200, rate, channels)))
        want = [expected(*f) for f in frames]
        assert len(found) == 2 and np.abs(np.array(found) - want).max() <= F + 1e-6, (rate, found)
    mp3 = convert(loud_wav(tmp_path / "m.wav", frames, 200, 44100, 2), tmp_path / "m.mp3", "-b:a", "128k")
    found = spans(toy.detect(mp3))
    assert len(found) == 2 and np.abs(np.array(found) - [expected(*f) for f in frames]).max() <= F + 1e-6
    chunks = list(mono_chunks(str(tmp_path / "r44100.wav"), RATE))
    assert sum(len(c) for c in chunks) == 200 * FRAME and all(c.dtype == np.float32 for c in chunks)


def test_batched_windows_score_every_frame_as_one_stream_would(tmp_path, small_windows):
    """The window, row and context bookkeeping: a stateless model scores each frame from exactly its own 64 + 512
    samples, across several windows, a short last one and a partial last frame."""
    model = AudioModel.load(loud_model(tmp_path / "toy.onnx"), provider="cpu")
    rng = np.random.default_rng(1)
    audio = (rng.random(157 * FRAME + 100, np.float32) - 0.5) * rng.random(1, np.float32)
    chunks = [audio[i : i + 3000] for i in range(0, len(audio), 3000)]
    probs, samples = speech_probs(model.session, model.graph, chunks)
    x = np.concatenate([np.zeros(CONTEXT, np.float32), audio, np.zeros(FRAME, np.float32)])
    want = [1 / (1 + np.exp(-(40 * np.abs(x[j * FRAME : j * FRAME + FRAME + CONTEXT]).mean() - 4))) for j in range(158)]
    assert samples == len(audio) and len(probs) == 158
    np.testing.assert_allclose(probs, want, rtol=1e-5)


def test_each_row_carries_its_own_state_warmed_by_the_frames_before_it(tmp_path, small_windows):
    """A model that counts its frames: row r of a window has run WARM frames before its piece, except the
    recording's first piece, which starts from a zero state as Silero does."""
    model = AudioModel.load(counting_model(tmp_path / "count.onnx"), provider="cpu")
    probs, _ = speech_probs(model.session, model.graph, [np.zeros(97 * FRAME, np.float32)])
    counts = np.rint(probs * 1e4).astype(int)
    # windows of 60 frames (3 x 20), then 37 frames as 3 rows of 13 (at least MIN_PIECE, all rows used)
    want = [t if w == 0 and r == 0 else 4 + t for w, (rows, length) in enumerate([(3, 20), (3, 13)])
            for r in range(rows) for t in range(length)][:97]  # fmt: skip
    assert counts.tolist() == want


def test_speech_segments_on_given_probabilities():
    probs = np.array([0, 0.9, 0.9, 0.9, 0.4, 0.9, 0.9, 0.2, 0.2, 0.2, 0, 0.6], np.float32)
    rules = VadRules(threshold=0.5, min_speech_ms=0, min_silence_ms=2, pad_ms=0)
    # frame = 1 sample at 1 kHz: 0.4 sits between the exit threshold (0.35) and 0.5, so it neither starts nor ends
    found = speech_segments(probs, 1, 1000, len(probs), rules)
    assert [(s.start, s.end) for s in found] == [(0.001, 0.007), (0.011, 0.012)]
    assert found[0].score == pytest.approx(np.mean(probs[1:7]))


def test_models_of_either_kind_open_by_their_graph_or_card(tmp_path, toy):
    assert isinstance(open_model(toy.path, provider="cpu"), AudioModel)  # Silero's layout: no card needed
    image = const_model(tmp_path / "det.onnx", {"output0": np.zeros((5, 8400), np.float32)})
    (tmp_path / "det.json").write_text(json.dumps({"family": "yolov8", "classes": ["car"]}))
    assert isinstance(open_model(image, provider="cpu"), Predictor)
    with pytest.raises(ModelError, match="takes images, not audio"):
        AudioModel.load(image, provider="cpu")
    with pytest.raises(ModelError, match=r"unknown model family 'beeps'; known: .*silero-vad"):
        open_model(toy.path, provider="cpu", overrides={"family": "beeps"})
    with pytest.raises(ModelError, match="not a Silero VAD graph: expected inputs input, state and sr"):
        open_model(image, provider="cpu", overrides={"family": "silero-vad"})
    with pytest.raises(ModelError, match="min_speech_ms: expected 0 or more"):
        open_model(toy.path, provider="cpu", overrides={"min_speech_ms": -1})
    with pytest.raises(ModelError, match="classes: a VAD has one class"):
        open_model(toy.path, provider="cpu", overrides={"classes": ["speech", "music"]})


def test_a_file_that_is_not_audio_is_an_audio_error_naming_it(tmp_path, toy):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"RIFF" + bytes(range(256)) * 8)
    with pytest.raises(AudioError, match=r"noise\.wav"):
        toy.detect(bad)


def test_the_vad_model_installs_from_its_wheel_with_a_card_and_licence(tmp_path):
    import zipfile

    wheel = tmp_path / "silero_vad-6.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(VAD.member, loud_model(tmp_path / "toy.onnx").read_bytes())
        archive.writestr(VAD.license_member, b"MIT License")
        archive.writestr("silero_vad/model.py", b"import torch")
    path = VAD.install(wheel, tmp_path / "models")
    assert path == vad_model_path(tmp_path / "models")
    assert sorted(p.name for p in path.parent.iterdir()) == ["silero_vad.LICENSE", "silero_vad.json", "silero_vad.onnx"]
    model = open_model(path, provider="cpu")
    assert isinstance(model, AudioModel) and model.card.conf == 0.5 and model.tier == "speech"
    assert model.card.options["min_silence_ms"] == 100 and model.card.source.endswith("silero_vad.json")


REAL = vad_model_path()


@pytest.mark.skipif(REAL is None, reason="Silero VAD not installed: run `python packaging/fetch_demo_model.py`")
def test_the_real_silero_model_finds_espeak_phrases_at_their_times(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (./dev installs it)")
    rate, clips = phrase_clips(tmp_path, 3)
    gap = np.zeros(int(1.5 * rate), np.float32)
    parts, truth, at = [], [], 0
    for clip in clips:
        parts += [gap, clip]
        truth.append(((at + len(gap)) / rate, (at + len(gap) + len(clip)) / rate))
        at += len(gap) + len(clip)
    wav = write_wav(tmp_path / "talk.wav", np.concatenate([*parts, gap])[None], rate)
    model = AudioModel.load(REAL, provider="cpu")
    assert model.card.family == "silero-vad" and model.graph.inputs[0].shape == (None, None)
    found = spans(model.detect(wav))
    assert len(found) == 3 and match(found, truth) == (1.0, 1.0), (found, truth)
    stereo = tmp_path / "talk.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), "-ar", "44100", "-ac", "2", str(stereo)],
                   check=True)  # fmt: skip
    assert match(spans(model.detect(stereo)), truth) == (1.0, 1.0)
