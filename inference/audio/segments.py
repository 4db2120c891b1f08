"""Speech probabilities per frame into speech segments: Silero's own rules (utils_vad.get_speech_timestamps).

A segment starts at the first frame scored >= threshold and ends where the score stays below the exit threshold
(threshold - 0.15, at least 0.01) for min_silence ms; segments not longer than min_speech ms are dropped; each is
padded by pad ms on both sides, and where two padded segments would touch, the gap between them is split in half.
Silero's max_speech_duration (cut long speech at the longest silence) is not taken: a pre-label is fixed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class VadRules:
    threshold: float = 0.5
    min_speech_ms: float = 250.0
    min_silence_ms: float = 100.0
    pad_ms: float = 30.0

    @property
    def exit_threshold(self) -> float:
        return max(self.threshold - 0.15, 0.01)


@dataclass(frozen=True)
class Speech:
    start: float  # seconds, padded
    end: float
    score: float  # mean speech probability over the frames of the unpadded segment


def speech_segments(probs: np.ndarray, frame: int, rate: int, samples: int, rules: VadRules) -> list[Speech]:
    """The speech of a recording of `samples` samples at `rate` whose frame i (samples i*frame to (i+1)*frame)
    scored probs[i]."""
    threshold, exit_threshold = rules.threshold, rules.exit_threshold
    min_speech = rate * rules.min_speech_ms / 1000
    min_silence = rate * rules.min_silence_ms / 1000
    spans: list[list[int]] = []
    start: int | None = None
    silent_from = 0  # where the current run of frames below the exit threshold began (0: none)
    for i, p in enumerate(probs.tolist()):
        at = frame * i
        if p >= threshold:
            silent_from = 0
            if start is None:
                start = at
        elif start is not None and p < exit_threshold:
            silent_from = silent_from or at
            if at - silent_from >= min_silence:
                if silent_from - start > min_speech:
                    spans.append([start, silent_from])
                start, silent_from = None, 0
    if start is not None and samples - start > min_speech:
        spans.append([start, samples])
    scores = [float(probs[a // frame : -(-b // frame)].mean()) for a, b in spans]
    _pad(spans, round(rate * rules.pad_ms / 1000), samples)
    return [Speech(round(a / rate, 6), round(b / rate, 6), s) for (a, b), s in zip(spans, scores, strict=True)]


def _pad(spans: list[list[int]], pad: int, samples: int) -> None:
    """Widen each span by `pad` samples a side; two that would overlap share the gap between them half and half."""
    for i, span in enumerate(spans):
        if i == 0:
            span[0] = max(0, span[0] - pad)
        if i + 1 < len(spans):
            following = spans[i + 1]
            gap = following[0] - span[1]
            widen = gap // 2 if gap < 2 * pad else pad
            span[1] += widen
            following[0] = max(0, following[0] - widen)
        else:
            span[1] = min(samples, span[1] + pad)
