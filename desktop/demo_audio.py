"""The demo's recording: short English and Vietnamese phrases spoken by espeak-ng with known pauses between them, and
segments on its transcript tier: three a person's, with their words, one a model's prediction to review, the rest
left to do. Without espeak-ng (a machine set up by hand) the phrases are tone bursts at the same times."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from core.annotation import Annotation, Source, SourceKind, new_id
from core.shapes import Segment

RATE = 22050  # espeak-ng's own rate
PAUSE_S = 0.8
PHRASES = (
    ("en", "Welcome to Annodesk."),
    ("en", "Drag on the lane to cut a segment."),
    ("vi", "Xin chào các bạn."),
    ("en", "Press space to listen again."),
    ("en", "Every edit is saved at once."),
    ("vi", "Cảm ơn rất nhiều."),
)
TIER, LABEL = "speech", "speech"  # the tier VAD writes to by default (settings.vad_tier)
DONE = 3  # the first phrases come transcribed; the next one as a model's prediction


def write_demo_recording(path: Path) -> list[tuple[float, float, str]]:
    """Write the recording as a WAV; returns (start, end, words) of each phrase."""
    pieces, times, t = [np.zeros(int(PAUSE_S * RATE), np.int16)], [], PAUSE_S
    for voice, text in PHRASES:
        spoken = _speak(voice, text)
        pieces += [spoken, np.zeros(int(PAUSE_S * RATE), np.int16)]
        times.append((round(t, 3), round(t + len(spoken) / RATE, 3), text))
        t += (len(spoken) + int(PAUSE_S * RATE)) / RATE
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.concatenate(pieces).tobytes())
    return times


def demo_segments(task_id: int, phrases: list[tuple[float, float, str]]) -> list[Annotation]:
    done = [Annotation(new_id(), task_id, LABEL, Segment(a, b, TIER, text), author="demo")
            for a, b, text in phrases[:DONE]]
    a, b, _ = phrases[DONE]
    guess = Annotation(new_id(), task_id, LABEL, Segment(a, b, TIER), author="demo",
                       source=Source(SourceKind.MODEL, 0.91, "demo-vad"))
    return [*done, guess]


def _speak(voice: str, text: str) -> np.ndarray:
    """The phrase as int16 samples at RATE: espeak-ng's voice, else a tone burst as long as it would take."""
    if shutil.which("espeak-ng"):
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "phrase.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(target), text], check=True, capture_output=True)
            with wave.open(str(target)) as spoken:
                if spoken.getframerate() == RATE and spoken.getsampwidth() == 2:
                    return np.frombuffer(spoken.readframes(spoken.getnframes()), np.int16).copy()
    seconds = 0.07 * len(text)
    t = np.arange(int(seconds * RATE)) / RATE
    return (np.sin(2 * np.pi * 220 * t) * np.sin(np.pi * t / seconds) * 12000).astype(np.int16)
