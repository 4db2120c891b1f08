"""Streaming decode with PyAV: the peaks pyramid in one pass, and the samples of a time range by seeking.

Decoding never holds the file: frames are converted to float32 in chunks of about a second, reduced into the
pyramid and dropped, so an hour of 44.1 kHz stereo (1.2 GB as float32) needs a few MB. Run it on a worker thread:
`stream_peaks` yields snapshots a view can draw while the rest decodes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import av.error
import numpy as np

from core.audio.peaks import PeaksBuilder, PeaksPyramid
from core.audio.source import (
    AudioCancelled,
    AudioError,
    Source,
    declared_samples,
    frame_array,
    open_audio,
    source_name,
    translated,
)

CHUNK_SAMPLES = 1 << 16  # frames are gathered into chunks of this many samples before reduction
MAX_RANGE_SAMPLES = 1 << 26  # read_range's most samples per channel (25 min at 44.1 kHz): a zoom, not a file


@dataclass(frozen=True)
class DecodeStats:
    """What the decode pass saw beyond the samples: the header's claim and the frames that failed."""

    codec: str
    declared_samples: int | None
    damaged_frames: int


def iter_chunks(
    source: Source,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    stats: list[DecodeStats] | None = None,
) -> Iterator[tuple[int, int, np.ndarray]]:
    """(sample rate, channels, float32 (channels, n) chunk) in order, to the end of the stream.

    A damaged packet midway is skipped (counted in `stats`); the stream goes on after it, as players do.
    """
    name = source_name(source)
    container, stream = open_audio(source)
    rate, channels = stream.rate, stream.channels
    declared = declared_samples(stream, container)
    damaged = 0
    try:
        with translated(name):
            parts: list[np.ndarray] = []
            held = done = 0
            for packet in container.demux(stream):
                if cancel is not None and cancel():
                    raise AudioCancelled(name)
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    damaged += 1
                    continue
                for frame in frames:
                    if frame.sample_rate != rate or len(frame.layout.channels) != channels:
                        raise AudioError(name, "the sample rate or channel count changes midway (not supported)")
                    parts.append(frame_array(frame, channels))
                    held += frame.samples
                if held >= CHUNK_SAMPLES:
                    done += held
                    yield rate, channels, np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
                    parts, held = [], 0
                    if progress is not None and declared:
                        progress(min(1.0, done / declared))
            if parts:
                yield rate, channels, np.concatenate(parts, axis=1)
    finally:
        codec = stream.codec_context.name if stream.codec_context else "unknown"
        container.close()
        if stats is not None:
            stats.append(DecodeStats(codec, declared, damaged))
    if progress is not None:
        progress(1.0)


def stream_peaks(
    source: Source,
    *,
    every_s: float = 0.25,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    stats: list[DecodeStats] | None = None,
) -> Iterator[PeaksPyramid]:
    """Snapshots of the pyramid while decoding (the first after the first chunk, then every `every_s` seconds of
    wall time), and last the complete pyramid (`complete` True). AudioCancelled when `cancel` returns True."""
    builder: PeaksBuilder | None = None
    last = 0.0
    for rate, channels, chunk in iter_chunks(source, progress=progress, cancel=cancel, stats=stats):
        if builder is None:
            builder = PeaksBuilder(rate, channels)
        builder.feed(chunk)
        now = time.perf_counter()
        if now - last >= every_s:
            last = now
            yield builder.snapshot()
    if builder is None:
        raise AudioError(source_name(source), "no audio decodes (an empty or damaged stream)")
    yield builder.finish()


def build_peaks(
    source: Source,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    stats: list[DecodeStats] | None = None,
) -> PeaksPyramid:
    """The complete pyramid of `source` (see stream_peaks)."""
    *_, result = stream_peaks(source, every_s=float("inf"), progress=progress, cancel=cancel, stats=stats)
    return result


def read_range(source: Source, start_s: float, end_s: float) -> np.ndarray:
    """The samples from start_s to end_s as float32 (channels, n), found by seeking, not by decoding from the start.

    Sample i of the result is sample round(start_s * rate) + i of the decoded stream, placed by the time stamp of the
    first frame after the seek: the same samples as a decode from the start for PCM, FLAC, MP3, Vorbis and Opus; the
    AAC decoder restarts its state at a seek, so its samples differ slightly (-30 dB at worst) but stay in place.
    Past the end the result is shorter; n is at most MAX_RANGE_SAMPLES.
    """
    name = source_name(source)
    if not (math.isfinite(start_s) and math.isfinite(end_s) and 0 <= start_s <= end_s):
        raise ValueError(f"read_range: expected 0 <= start <= end, got {start_s}, {end_s}")
    container, stream = open_audio(source)
    try:
        rate, channels = stream.rate, stream.channels
        first = round(start_s * rate)
        count = min(round(end_s * rate) - first, MAX_RANGE_SAMPLES)
        out = np.zeros((channels, max(count, 0)), dtype=np.float32)
        if count <= 0:
            return out
        origin = stream.start_time or 0
        tb = stream.time_base
        assert tb is not None
        filled = 0
        with translated(name):
            target = max(0.0, start_s - 0.5)  # a little before: codecs that need preroll, keyframe-less seeks
            if target > 0:
                try:
                    container.seek(int(target / tb) + origin, stream=stream, backward=True)
                except av.error.FFmpegError:  # a demuxer that refuses this seek: decode from the start
                    container.close()
                    container, stream = open_audio(source)
            position: int | None = None
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    continue
                for frame in frames:
                    if position is None:  # the first frame after the seek places the run; then count samples,
                        # as the pyramid does (some demuxers' later time stamps jitter by a block: Vorbis in Ogg)
                        position = round(float((frame.pts - origin) * tb) * rate) if frame.pts is not None else 0
                    data = frame_array(frame, channels)
                    lo, hi = max(first, position), min(first + count, position + frame.samples)
                    if hi > lo:
                        out[:, lo - first : hi - first] = data[:, lo - position : hi - position]
                        filled = max(filled, hi - first)
                    position += frame.samples
                if position is not None and position >= first + count:
                    break
        return out[:, :filled] if filled < count else out
    finally:
        container.close()
