"""Checking a recording at import: one streaming decode that builds its peaks pyramid and proves it whole.

The header is never trusted for sizes: nothing is allocated from a claimed length, and a file whose header claims
far more audio than decodes (a truncated MP3 with a Xing header, a WAV or RF64 header claiming 10^12 samples) is
refused, as are empty files, files with no audio stream (a video only) and codecs this FFmpeg cannot decode. The
pyramid is kept (the workspace stores it by content hash), so opening the task needs no second decode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.audio.decode import DecodeStats, build_peaks
from core.audio.peaks import PeaksPyramid
from core.audio.source import AudioError, Source, source_name

# A header may overstate what decodes by codec delay and padding (Opus pre-skip, AAC priming: a few thousand
# samples); past this share and this many seconds the file is truncated or its header is wrong.
TRUNCATED_SHARE = 0.02
TRUNCATED_SECONDS = 0.5
MAX_DAMAGED_SHARE = 0.01  # damaged packets skipped; more than this share of the file is refused


@dataclass(frozen=True)
class AudioInfo:
    sample_rate: int
    channels: int
    samples: int  # per channel, as decoded (not as the header claims)
    codec: str
    peaks: PeaksPyramid
    damaged_packets: int = 0

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate


def probe_audio(
    source: Source,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> AudioInfo:
    """Decode `source` once; its description and pyramid, or AudioError saying what is wrong with it."""
    name = source_name(source)
    stats: list[DecodeStats] = []
    peaks = build_peaks(source, progress=progress, cancel=cancel, stats=stats)
    info = stats[-1]
    if peaks.samples == 0:
        raise AudioError(name, "no audio decodes (an empty or damaged stream)")
    declared = info.declared_samples
    rate = peaks.sample_rate
    if declared is not None and declared - peaks.samples > max(TRUNCATED_SHARE * declared, TRUNCATED_SECONDS * rate):
        raise AudioError(
            name,
            f"truncated or damaged: the header claims {declared:,} samples ({_length(declared / rate)}) but only "
            f"{peaks.samples:,} ({_length(peaks.samples / rate)}) decode",
        )
    frames_estimate = max(1, peaks.samples // 1024)
    if info.damaged_frames > MAX_DAMAGED_SHARE * frames_estimate + 2:
        raise AudioError(name, f"damaged: {info.damaged_frames} packets do not decode")
    return AudioInfo(rate, peaks.channels, peaks.samples, info.codec, peaks, info.damaged_frames)


def _length(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.2f} s"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.2f} h"
    return f"{seconds / 86400 / 365.25:,.1f} years" if seconds > 86400 * 365 else f"{seconds / 86400:,.1f} days"
