"""Recordings for the audio tests, made here so each test knows where the sound is: tone bursts at known times in
silence (a WAV written with the standard library), converted to other formats by the ffmpeg binary."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

BURSTS = ((0.5, 1.0), (2.0, 2.25), (3.0, 4.0))  # seconds with a 440 Hz tone; silence elsewhere


def signal(rate: int = 16000, channels: int = 1, seconds: float = 5.0, bursts=BURSTS) -> np.ndarray:
    """float32 (channels, n): 0.8-amplitude tone in the bursts, channel c at (1 - 0.2 c) of it, silence elsewhere."""
    n = round(seconds * rate)
    t = np.arange(n) / rate
    tone = np.zeros(n, dtype=np.float64)
    for start, end in bursts:
        on = (t >= start) & (t < end)
        tone[on] = 0.8 * np.sin(2 * np.pi * 440 * t[on])
    return np.stack([tone * (1 - 0.2 * c) for c in range(channels)]).astype(np.float32)


def write_wav(path: Path, data: np.ndarray, rate: int) -> Path:
    pcm = np.clip(np.rint(data.T * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(data.shape[0])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def convert(source: Path, target: Path, *args: str) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (./dev installs it)")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), *args, str(target)], check=True)
    return target


def bursts_wav(folder: Path, name: str = "bursts.wav", rate: int = 16000, channels: int = 1,
               seconds: float = 5.0) -> Path:
    return write_wav(folder / name, signal(rate, channels, seconds), rate)
