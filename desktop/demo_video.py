"""The demo's video: a generated street clip (H.264 with B-frames, written by PyAV) with cars that move, and tracks
for them: one a person's keyframes, one a model's prediction to review. Each frame carries its number in the corner,
so anyone can see that the frame shown is the frame asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from core.annotation import Source, SourceKind, new_id
from core.shapes import Box
from core.tracks import Keyframe, Track

SIZE = (960, 540)
FRAMES = 240
RATE = 30
KEY_EVERY = 40  # the person's track has a keyframe every 40 frames; the frames between are interpolated
# Each car: label, start box (x, y, w, h), pixels moved per frame (dx, dy), colour (BGR), a model's track or not.
CARS = (
    ("car", (40.0, 330.0, 170.0, 90.0), (3.0, 0.25), (40, 60, 200), False),
    ("car", (760.0, 290.0, 120.0, 64.0), (-2.0, 0.1), (190, 140, 30), True),
)


def _box_at(start: tuple[float, float, float, float], step: tuple[float, float], frame: int) -> Box:
    x, y, w, h = start
    return Box(x + step[0] * frame, y + step[1] * frame, w, h)


def _frame(n: int) -> np.ndarray:
    w, h = SIZE
    img = np.full((h, w, 3), (92, 100, 95), np.uint8)
    img[: h // 2] = (225, 205, 170)
    cv2.rectangle(img, (0, h // 2 + 20), (w, h - 40), (70, 70, 72), -1)
    for x in range(-((n * 6) % 120), w, 120):  # lane marks scroll, so motion is visible
        cv2.line(img, (x, h // 2 + 130), (x + 60, h // 2 + 130), (230, 230, 230), 4)
    for _label, start, step, colour, _model in CARS:
        box = _box_at(start, step, n)
        x1, y1, x2, y2 = int(box.x), int(box.y), int(box.x + box.w), int(box.y + box.h)
        cv2.rectangle(img, (x1, y1 + (y2 - y1) // 3), (x2, y2), colour, -1)
        cv2.rectangle(img, (x1 + (x2 - x1) // 5, y1), (x2 - (x2 - x1) // 5, y1 + (y2 - y1) // 3), colour, -1)
        for cx in (x1 + (x2 - x1) // 5, x2 - (x2 - x1) // 5):
            cv2.circle(img, (cx, y2), max(6, (y2 - y1) // 6), (20, 20, 20), -1)
    cv2.putText(img, f"frame {n}", (w - 230, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (255, 255, 255), 3, cv2.LINE_AA)
    return img


def write_demo_video(path: Path) -> Path:
    """Write the clip with a long GOP and B-frames, as real footage has them."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=RATE, options={"g": "120", "bf": "3", "preset": "veryfast"})
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        for n in range(FRAMES):
            frame = av.VideoFrame.from_ndarray(_frame(n), format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def demo_tracks(attributes: dict[str, Any]) -> list[Track]:
    """The cars' tracks (with per-track `attributes`): keyframes where each car truly is, so interpolation lands on it
    between them."""
    tracks = []
    for label, start, step, _colour, model in CARS:
        every = KEY_EVERY * 2 if model else KEY_EVERY
        frames = [*range(0, FRAMES, every), FRAMES - 1]
        keyframes = tuple(Keyframe(f, _box_at(start, step, f)) for f in sorted(set(frames)))
        source = Source(SourceKind.MODEL, 0.74, "demo-detector") if model else Source()
        tracks.append(Track(new_id(), label, keyframes, dict(attributes), source))
    return tracks
