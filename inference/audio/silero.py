"""Silero VAD (MIT; the .onnx from the `silero-vad` wheel, inference/models.py): speech probability per 32 ms.

The graph (the 6.2.3 wheel's file, read with onnxruntime): inputs `input` float [?, ?], `state` float [2, ?, 128],
`sr` int64 scalar; outputs `output` [?, 1] (the speech probability) and `stateN`. Silero's own wrapper feeds 64 + 512
samples at 16 kHz (the last 64 of the previous frame, then the frame), and so does this. The model is stateful
along one stream, so one recording is batched across independent streams: it is cut into pieces of PIECE frames run
side by side as the rows of one batch, each with its own state, each first fed the WARM frames before it (scores
dropped) so its state has heard the audio leading in. On an hour of speech (docs/benchmarks.md): 1.4-2.1x the
throughput of one stream, the same segments as one stream within a frame but for <1 % of edges (at most 0.1 s off;
30 s pieces with 1 s of warm-up split 4 phrases of 1,010). A run holds one window of ROWS * PIECE frames (16 minutes
of 16 kHz audio, 63 MB) at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
import onnxruntime as ort

from core.shapes import Segment
from inference.audio.families import AudioFamily, register_audio_family
from inference.audio.segments import VadRules, speech_segments
from inference.cards import ModelCard
from inference.errors import ModelError
from inference.families import Prediction
from inference.graph import GraphInfo

RATE = 16000
FRAME = 512  # samples a frame at 16 kHz
CONTEXT = 64  # samples of the previous frame fed before each frame
PIECE = 1920  # frames a batch row runs (61 s)
WARM = 64  # frames before a piece run first to warm its state (2 s)
ROWS = 16  # pieces per batch
MIN_PIECE = 320  # frames of a piece at least, where a short recording (or its last window) is cut shorter (10 s)
_FLOAT, _INT64 = "tensor(float)", "tensor(int64)"


@register_audio_family
class SileroVad(AudioFamily):
    name = "silero-vad"
    description = "Silero VAD v5/v6: speech probability per 32 ms of 16 kHz audio"
    sample_rate = RATE
    defaults: ClassVar[dict[str, Any]] = {"classes": ["speech"], "conf": 0.5}  # conf: Silero's threshold
    options: ClassVar[dict[str, Any]] = {"tier": "speech", "min_speech_ms": 250, "min_silence_ms": 100,
                                         "speech_pad_ms": 30}  # fmt: skip

    def matches(self, graph: GraphInfo) -> bool:
        return _layout_problem(graph) is None

    def complete(self, graph: GraphInfo, card: ModelCard) -> ModelCard:
        problem = _layout_problem(graph)
        if problem is not None:
            raise ModelError(graph.path, f"not a Silero VAD graph: {problem} ({graph.describe()})")
        where = card.source or graph.path
        if len(card.classes) != 1:
            raise ModelError(where, f"classes: a VAD has one class (speech), got {list(card.classes)}")
        for key in ("min_speech_ms", "min_silence_ms", "speech_pad_ms"):
            if card.options[key] < 0:
                raise ModelError(where, f"{key}: expected 0 or more, got {card.options[key]!r}")
        return card

    def detect(self, session: ort.InferenceSession, graph: GraphInfo, card: ModelCard,
               chunks: Iterable[np.ndarray]) -> list[Prediction]:  # fmt: skip
        probs, samples = speech_probs(session, graph, chunks)
        options = card.options
        rules = VadRules(card.conf, options["min_speech_ms"], options["min_silence_ms"], options["speech_pad_ms"])
        tier = options["tier"]
        return [Prediction(0, card.classes[0], s.score, Segment(s.start, s.end, tier))
                for s in speech_segments(probs, FRAME, RATE, samples, rules)]  # fmt: skip


def _layout_problem(graph: GraphInfo) -> str | None:
    """Why the graph is not Silero's layout, None when it is."""
    inputs = {t.name: t for t in graph.inputs}
    x, state, sr = inputs.get("input"), inputs.get("state"), inputs.get("sr")
    if x is None or state is None or set(inputs) - {"input", "state", "sr"}:
        return "expected inputs input, state and sr"
    if x.dtype != _FLOAT or len(x.shape) != 2 or x.shape[1] not in (None, FRAME + CONTEXT):
        return f"input must be float [batch, {FRAME + CONTEXT}]"
    if state.dtype != _FLOAT or len(state.shape) != 3 or state.shape[0] not in (None, 2):
        return "state must be float [2, batch, size]"
    if sr is not None and (sr.dtype != _INT64 or sr.shape):
        return "sr must be an int64 scalar"
    if len(graph.outputs) != 2 or len(graph.outputs[0].shape) != 2:
        return "expected two outputs: the probability [batch, 1] and the next state"
    return None


def speech_probs(
    session: ort.InferenceSession, graph: GraphInfo, chunks: Iterable[np.ndarray]
) -> tuple[np.ndarray, int]:
    """The probability of each frame of 16 kHz mono audio given as chunks, and the number of samples."""
    runner = _Runner(session, graph)
    lead = WARM * FRAME + CONTEXT  # the audio leading into the window (zeros before the start)
    window = ROWS * PIECE * FRAME
    buffer = np.zeros(lead + window, np.float32)  # the lead, then the window's audio
    filled = samples = 0
    probs: list[np.ndarray] = []
    for chunk in chunks:
        samples += len(chunk)
        taken = 0
        while taken < len(chunk):
            n = min(window - filled, len(chunk) - taken)
            buffer[lead + filled : lead + filled + n] = chunk[taken : taken + n]
            filled, taken = filled + n, taken + n
            if filled == window:
                probs.append(runner.window(buffer, filled, first=not probs))
                buffer[:lead] = buffer[-lead:]
                filled = 0
    if filled:
        buffer[lead + filled :] = 0.0
        probs.append(runner.window(buffer, filled, first=not probs))
    out = np.concatenate(probs) if probs else np.zeros(0, np.float32)
    if not np.isfinite(out).all():
        raise ModelError(runner.path, "the speech probability contains NaN or infinite values")
    return out, samples


class _Runner:
    """Runs the session on one window of audio, its pieces side by side."""

    def __init__(self, session: ort.InferenceSession, graph: GraphInfo) -> None:
        self.session = session
        self.path = graph.path
        names = {t.name: t for t in graph.inputs}
        self.state_size = names["state"].shape[2] or 128
        self.outputs = [t.name for t in graph.outputs]
        self.sr = {"sr": np.array(RATE, np.int64)} if "sr" in names else {}

    def window(self, buffer: np.ndarray, samples: int, first: bool) -> np.ndarray:
        """The probabilities of the `samples` samples after the lead in `buffer` (zeros after them)."""
        frames = -(-samples // FRAME)
        length = min(PIECE, max(-(-frames // ROWS), MIN_PIECE), frames)  # a short window: shorter pieces, all rows
        rows = -(-frames // length)
        # view[k] = buffer[k*FRAME : k*FRAME + CONTEXT + FRAME]; frame j of the window is view[WARM + j]
        view = np.lib.stride_tricks.as_strided(buffer, (rows * length + WARM, CONTEXT + FRAME), (FRAME * 4, 4),
                                               writeable=False)  # fmt: skip
        starts = np.arange(rows) * length
        state = np.zeros((2, rows, self.state_size), np.float32)
        out = np.empty((rows, length), np.float32)
        for t in range(WARM + length):
            p, state = self._run(view[starts + t], state)
            if t >= WARM:
                out[:, t - WARM] = p
            elif t == WARM - 1 and first:
                state[:, 0] = 0  # the recording's start: Silero begins from a zero state
        return out.reshape(-1)[:frames]

    def _run(self, batch: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        try:
            p, new_state = self.session.run(self.outputs, {"input": batch, "state": state, **self.sr})
        except Exception as exc:  # ORT's own error types
            raise ModelError(self.path, f"inference failed: {str(exc).strip().splitlines()[0]}") from None
        if p.size != len(batch) or new_state.shape != state.shape:
            raise ModelError(self.path, f"outputs of shape {list(p.shape)} and {list(new_state.shape)}: expected "
                                        f"[{len(batch)}, 1] and {list(state.shape)}")  # fmt: skip
        return p.reshape(-1), np.asarray(new_state, np.float32)
