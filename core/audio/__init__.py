"""Audio: streaming decode with PyAV into a peaks pyramid, reading a time range by seeking, and the import probe.

Qt-free. Decoding runs on worker threads; a view draws `preview_peaks` (sparse seeks, the whole file in ~0.15 s)
until `PeaksPyramid` levels (stored in the workspace by content
hash) and reads samples with `read_range` only when zoomed below the finest level. Spectrogram tiles (STFT, dB,
mel, colours; read sparsely or from a one-pass `Overview`) are in core.audio.spectrogram. Tier rules for segments
are in core.audio.tiers.
"""

from core.audio.decode import DecodeStats, build_peaks, iter_chunks, read_range, stream_peaks
from core.audio.peaks import BASE_BLOCK, FACTOR, LEVELS, PeaksBuilder, PeaksPyramid
from core.audio.preview import Preview, preview_peaks
from core.audio.probe import AudioInfo, probe_audio
from core.audio.source import AudioCancelled, AudioError, Source, open_audio
from core.audio.spectrogram import MIX, Overview, SpectrogramSettings, WindowReader, render_tile

__all__ = [
    "BASE_BLOCK",
    "FACTOR",
    "LEVELS",
    "MIX",
    "AudioCancelled",
    "AudioError",
    "AudioInfo",
    "DecodeStats",
    "Overview",
    "PeaksBuilder",
    "PeaksPyramid",
    "Preview",
    "Source",
    "SpectrogramSettings",
    "WindowReader",
    "build_peaks",
    "iter_chunks",
    "open_audio",
    "preview_peaks",
    "probe_audio",
    "read_range",
    "render_tile",
    "stream_peaks",
]
