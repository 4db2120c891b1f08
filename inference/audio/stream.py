"""A recording as mono float32 chunks at the rate a model takes, decoded by streaming (never the whole file).

core.audio.iter_chunks decodes about a second at a time (damaged packets skipped, errors as AudioError naming the
file); the channels are averaged (as Silero's own loader does) and FFmpeg's resampler (av.AudioResampler, which
keeps the timing: a click at 1 s stays at sample `rate`) brings the rate to the model's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import av
import numpy as np

from core.audio import Source, iter_chunks


def mono_chunks(source: Source, rate: int, cancel: Callable[[], bool] | None = None) -> Iterator[np.ndarray]:
    """float32 (n,) chunks of `source` downmixed to mono and resampled to `rate`, in order; AudioError when the
    file cannot be decoded, AudioCancelled when `cancel` returns True."""
    resampler: av.AudioResampler | None = None
    for native, channels, chunk in iter_chunks(source, cancel=cancel):
        mono = chunk[0] if channels == 1 else chunk.mean(axis=0, dtype=np.float32)
        if native == rate:
            yield mono
            continue
        if resampler is None:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(mono[None, :]), format="flt", layout="mono")
        frame.sample_rate = native
        if (out := _joined(resampler.resample(frame))) is not None:
            yield out
    if resampler is not None and (out := _joined(resampler.resample(None))) is not None:
        yield out  # the resampler's tail


def _joined(frames: list[av.AudioFrame]) -> np.ndarray | None:
    if not frames:
        return None
    parts = [f.to_ndarray()[0] for f in frames]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
