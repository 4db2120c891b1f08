"""Benchmark: voice activity detection (Silero VAD) over an hour of speech: real-time factor, precision and recall.

Run: .venv/bin/python -m tests.benchmarks.bench_audio_vad [--minutes 60] [--repeat 3]

The recording is made here and cached under the temp folder (annodesk-bench-vad/, by length and seed): espeak-ng
phrases in four English voices, trimmed to where they sound (|x| > 0.01), placed after silences of 0.6-3 s with a
little noise (-50 dB), as a 22.05 kHz mono WAV (espeak's rate, so the resampler runs), and the same as a 44.1 kHz
stereo 128 kb/s MP3 (ffmpeg). The phrase times are known by construction. Rows:
- the pre-label job (inference/audio_prelabel.py) on a workspace holding the recording: decode, resample, the
  model batched across 61 s pieces, segments stored as predictions; real-time factor (target >= 50x on 2 cores);
- the model alone on the decoded audio: batched as the job runs it, and as one stream (one frame per session.run,
  Silero's own loop: the baseline), in the same run;
- the peak memory of a run over the process with the model loaded (a fresh process each);
- precision and recall of the segments against the phrase times: a segment matches a phrase when both its edges are
  within 0.2 s of the phrase's (one to one); targets >= 0.9 each.
Needs the Silero VAD model (python packaging/fetch_demo_model.py).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PHRASES = ["the quick brown fox jumps over the lazy dog", "please call me back when you get this message",
           "the meeting starts at nine in the morning", "we need more paper for the printer",
           "turn left at the second traffic light", "my flight was delayed by two hours",
           "she sells sea shells by the sea shore", "can you hear me now", "thank you for waiting",
           "the weather today is cloudy with some rain", "let us review the numbers from last quarter",
           "I will send you the report tomorrow", "the train leaves from platform four",
           "how much does this cost", "good morning everybody"]  # fmt: skip
VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-029"]
TOLERANCE_S = 0.2


def phrase_clips(folder: Path, count: int = len(PHRASES)) -> tuple[int, list[np.ndarray]]:
    """espeak-ng's rate and `count` phrases as float32, each trimmed to where it sounds."""
    clips = []
    rate = 22050
    for i, text in enumerate(PHRASES[:count]):
        out = folder / f"phrase{i}.wav"
        subprocess.run(["espeak-ng", "-v", VOICES[i % len(VOICES)], "-w", str(out), text], check=True)
        with wave.open(str(out)) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
        loud = np.flatnonzero(np.abs(x) > 0.01)
        clips.append(x[loud[0] : loud[-1] + 1])
    return rate, clips


def make_speech(path: Path, seconds: float, seed: int = 0, gaps: tuple[float, float] = (0.6, 3.0),
                noise: float = 0.003) -> list[tuple[float, float]]:  # fmt: skip
    """Write `seconds` of phrases and silences as a mono WAV (streamed: an hour never sits in memory); the phrases'
    (start, end) in seconds."""
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        rate, clips = phrase_clips(Path(tmp))
    phrases = []
    total = int(seconds * rate)
    at = 0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        while True:
            gap = int(rng.uniform(*gaps) * rate)
            clip = clips[rng.integers(len(clips))]
            if at + gap + len(clip) + rate // 2 > total:
                break
            piece = np.zeros(gap + len(clip), np.float32)
            piece[gap:] = clip
            phrases.append(((at + gap) / rate, (at + gap + len(clip)) / rate))
            at += len(piece)
            out.writeframes(_pcm(piece + rng.normal(0, noise, len(piece)).astype(np.float32)))
        out.writeframes(_pcm(rng.normal(0, noise, total - at).astype(np.float32)))
    return phrases


def _pcm(x: np.ndarray) -> bytes:
    return np.clip(np.rint(x * 32767), -32768, 32767).astype("<i2").tobytes()


def match(found: list[tuple[float, float]], truth: list[tuple[float, float]],
          tolerance: float = TOLERANCE_S) -> tuple[float, float]:  # fmt: skip
    """Precision and recall: a found segment matches the first unmatched phrase whose edges are both within
    `tolerance` of its own."""
    unmatched = sorted(truth)
    hits = 0
    for start, end in sorted(found):
        for i, (a, b) in enumerate(unmatched):
            if abs(start - a) <= tolerance and abs(end - b) <= tolerance:
                hits += 1
                del unmatched[i]
                break
            if a > start + tolerance:
                break
    return hits / max(1, len(found)), hits / max(1, len(truth))


def cached_recording(minutes: int, seed: int = 0) -> tuple[Path, Path, list[tuple[float, float]]]:
    """The WAV, the MP3 and the phrase times, made once and kept under the temp folder."""
    folder = Path(tempfile.gettempdir()) / "annodesk-bench-vad" / f"{minutes}min-seed{seed}"
    wav, mp3, times = folder / "speech.wav", folder / "speech.mp3", folder / "phrases.json"
    if not times.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        phrases = make_speech(wav, minutes * 60, seed)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-ar", "44100", "-ac", "2",
                        "-c:a", "libmp3lame", "-b:a", "128k", str(mp3)], check=True)  # fmt: skip
        times.write_text(json.dumps(phrases))
        print(f"made {minutes} min of speech ({len(phrases)} phrases) in {time.perf_counter() - start:.0f} s",
              flush=True)  # fmt: skip
    return wav, mp3, [tuple(p) for p in json.loads(times.read_text())]


def job_run(recording: Path, model_path: Path, folder: Path) -> tuple[float, float, list[tuple[float, float]]]:
    """Seconds of the pre-label job on a fresh workspace holding `recording`, its audio seconds and segments."""
    from inference.audio import AudioModel
    from inference.audio_prelabel import AudioPrelabelJob
    from sync.workspace import Workspace

    if folder.exists():
        shutil.rmtree(folder)
    with Workspace.create(folder) as ws:
        ws.add_media([recording])
        model = AudioModel.load(model_path, provider="cpu")
        start = time.perf_counter()
        report = AudioPrelabelJob(model, ws).run()
        seconds = time.perf_counter() - start
        assert not report.failures, report.summary()
        found = [(a.shape.start, a.shape.end) for a in ws.annotations(ws.tasks()[0].id)]  # type: ignore[attr-defined]
    return seconds, report.audio_seconds, found


def model_alone(recording: Path, model_path: Path) -> tuple[float, float, float]:
    """The model on audio already decoded: seconds batched (as the job runs it), seconds as one stream (one frame a
    call, Silero's own loop), and the audio's seconds."""
    from inference.audio import AudioModel, mono_chunks
    from inference.audio.silero import CONTEXT, FRAME, speech_probs

    model = AudioModel.load(model_path, provider="cpu")
    audio = np.concatenate(list(mono_chunks(str(recording), 16000)))
    batched = math.inf
    for _ in range(2):  # the best of two: ORT's first runs of a batch shape allocate
        start = time.perf_counter()
        speech_probs(model.session, model.graph, [audio])
        batched = min(batched, time.perf_counter() - start)
    frames = -(-len(audio) // FRAME)
    x = np.zeros(CONTEXT + frames * FRAME, np.float32)
    x[CONTEXT : CONTEXT + len(audio)] = audio
    state = np.zeros((2, 1, 128), np.float32)
    sr = np.array(16000, np.int64)
    start = time.perf_counter()
    for i in range(frames):
        _, state = model.session.run(None, {"input": x[None, i * FRAME : i * FRAME + FRAME + CONTEXT],
                                            "state": state, "sr": sr})  # fmt: skip
    return batched, time.perf_counter() - start, len(audio) / 16000


def child_memory(recording: str) -> None:
    """In a fresh process: the peak resident memory of `detect` on the recording over the process with the model
    loaded (printed as JSON). VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's peak (fork)."""
    from inference.audio import AudioModel
    from inference.models import vad_model_path

    def peak_mb() -> float:
        status = Path("/proc/self/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024

    model = AudioModel.load(vad_model_path() or "", provider="cpu")
    before = peak_mb()
    model.detect(recording)
    print(json.dumps({"over_mb": peak_mb() - before}))


def memory_of(recording: Path) -> float:
    command = [sys.executable, "-m", "tests.benchmarks.bench_audio_vad", "--child-memory", str(recording)]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return float(json.loads(out.splitlines()[-1])["over_mb"])


def main() -> None:
    from inference.models import vad_model_path

    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child-memory", metavar="PATH")
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    model = vad_model_path()
    if model is None:
        sys.exit("the Silero VAD model is not installed: python packaging/fetch_demo_model.py")
    wav, mp3, truth = cached_recording(args.minutes)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, recording in (("WAV 22.05 kHz mono", wav), ("MP3 44.1 kHz stereo", mp3)):
            runs = [job_run(recording, model, Path(tmp) / "ws") for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            audio_s, found = runs[0][1], runs[0][2]
            precision, recall = match(found, truth)
            rows.append((name, audio_s / seconds, seconds, precision, recall, len(found)))
    batched_s, single_s, audio_s = model_alone(wav, model)
    memory = [memory_of(path) for path in (wav, mp3)]
    print(f"\n{len(truth)} phrases in {args.minutes} min; job = decode, resample, batched model, store")
    print(f"{'input':24} {'RTF':>8} {'seconds':>8} {'precision':>10} {'recall':>7} {'segments':>9}")
    for name, rtf, seconds, precision, recall, count in rows:
        print(f"{name:24} {rtf:>7.0f}x {seconds:>8.2f} {precision:>10.3f} {recall:>7.3f} {count:>9}")
    print(f"targets: RTF >= 50x, precision and recall >= 0.9 at {TOLERANCE_S} s (medians of {args.repeat} runs)")
    print(f"the model alone on decoded audio, same run: batched {audio_s / batched_s:.0f}x ({batched_s:.1f} s); "
          f"baseline one stream, one frame a call {audio_s / single_s:.0f}x ({single_s:.1f} s)")
    print(f"peak memory of the run over the process with the model loaded: WAV {memory[0]:.0f} MB, MP3 "
          f"{memory[1]:.0f} MB")


if __name__ == "__main__":
    main()
