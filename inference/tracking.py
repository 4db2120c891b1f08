"""One object followed through a video: a shape on one frame propagated forward or backward by a box tracker.

The default tracker is normalised cross-correlation template matching in a window around the box's predicted place,
at three scales (OpenCV's `matchTemplate`). It was chosen over OpenCV's MIL tracker, the only one of OpenCV's
trackers that needs no model file (DaSiamRPN, Nano and Vit need ONNX networks): on the benchmark
(tests/benchmarks/bench_video_tracking.py) template matching is several times faster at 720p and just as close,
and its peak correlation is a confidence, so a lost object is noticed; MIL always reports success. `"mil"` remains
available for comparison.

Every tracked frame becomes a keyframe marked `auto` (stored with the tracker's source, core/tracks/rows.py) that a
person can correct; the frame started from stays as it was. Tracking stops, without a keyframe, on the first frame
where the tracker loses the object, where a frame does not decode, or when `cancelled()` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from core.annotation import HUMAN, Source, new_id
from core.geometry import Rect
from core.messages import translate
from core.shape_fit import SPATIAL_KINDS, fit_shape
from core.shapes import Shape
from core.tracks import Keyframe, Track
from core.video import FrameIndex, VideoError

LOST_SCORE = 0.45  # peak correlation under which the object counts as lost
UPDATE_SCORE = 0.8  # the template learns the new look only from matches this good
LEARN_RATE = 0.1
SCALES = (1 / 1.04, 1.0, 1.04)
SCALE_BIAS = 0.005  # a scale change must beat keeping the size by this much correlation
MIN_SIDE = 8.0  # pixels: smaller boxes are tracked by a box this big around their centre


class Frames(Protocol):
    """What propagation needs of a video (core.video.VideoDecoder has it)."""

    index: FrameIndex

    def frame(self, n: int, *, timeout: float = 10.0) -> np.ndarray: ...


class BoxTracker(Protocol):
    def update(self, image: np.ndarray) -> tuple[Rect, float] | None:
        """The box on the next frame and a confidence in 0..1, or None when the object is lost."""
        ...


class TemplateTracker:
    """NCC template matching around the predicted box, with a slowly learning template and constant velocity."""

    def __init__(self, image: np.ndarray, box: Rect, margin: float = 1.0) -> None:
        self.box = _at_least(box, MIN_SIDE)
        self.margin = margin
        self.velocity = (0.0, 0.0)
        self.template = _grey(image, self.box).astype(np.float32)

    def update(self, image: np.ndarray) -> tuple[Rect, float] | None:
        b = self.box
        w, h = b.width, b.height
        pad = self.margin * max(w, h) + max(abs(self.velocity[0]), abs(self.velocity[1]))
        cx, cy = (b.x1 + b.x2) / 2 + self.velocity[0], (b.y1 + b.y2) / 2 + self.velocity[1]
        window = Rect(cx - w / 2 - pad, cy - h / 2 - pad, cx + w / 2 + pad, cy + h / 2 + pad)
        area, left, top = _crop_grey(image, window)
        best: tuple[float, Rect] | None = None
        for scale in SCALES:
            tw, th = max(4, round(w * scale)), max(4, round(h * scale))
            if tw > area.shape[1] or th > area.shape[0]:
                continue
            template = self.template if (tw, th) == self.template.shape[::-1] else cv2.resize(self.template, (tw, th))
            scores = cv2.matchTemplate(area, template, cv2.TM_CCOEFF_NORMED)
            _, peak, _, (x, y) = cv2.minMaxLoc(scores)
            peak -= 0.0 if scale == 1.0 else SCALE_BIAS
            if np.isfinite(peak) and (best is None or peak > best[0]):
                best = (peak, Rect(left + x, top + y, left + x + tw, top + y + th))
        if best is None or best[0] < LOST_SCORE:
            return None
        score, found = best
        old_c = ((b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2)
        new_c = ((found.x1 + found.x2) / 2, (found.y1 + found.y2) / 2)
        self.velocity = (0.5 * self.velocity[0] + 0.5 * (new_c[0] - old_c[0]),
                         0.5 * self.velocity[1] + 0.5 * (new_c[1] - old_c[1]))  # fmt: skip
        self.box = found
        if score >= UPDATE_SCORE:
            th, tw = self.template.shape
            seen = cv2.resize(_grey(image, found).astype(np.float32), (tw, th))
            self.template = (1 - LEARN_RATE) * self.template + LEARN_RATE * seen
        return found, min(1.0, max(0.0, score))


class MilTracker:
    """OpenCV's MIL tracker (no model file needed); it has no notion of losing the object."""

    def __init__(self, image: np.ndarray, box: Rect) -> None:
        self._tracker = cv2.TrackerMIL_create()  # type: ignore[attr-defined]
        self._tracker.init(image, _cv_box(box))

    def update(self, image: np.ndarray) -> tuple[Rect, float] | None:
        ok, (x, y, w, h) = self._tracker.update(image)
        return (Rect(x, y, x + w, y + h), 1.0) if ok else None


TRACKERS: dict[str, Callable[[np.ndarray, Rect], BoxTracker]] = {"template": TemplateTracker, "mil": MilTracker}


@dataclass(frozen=True)
class Propagation:
    """A propagation's track and why it stopped: "done", "lost", "cancelled" or "end" (of the video or a bad frame)."""

    track: Track
    stopped: str
    last_frame: int  # the last frame with a keyframe
    message: str = ""


def propagate(
    decoder: Frames,
    shape: Shape,
    frame: int,
    count: int,
    step: int = 1,
    cancelled: Callable[[], bool] | None = None,
    *,
    label: str = "",
    track_id: str | None = None,
    tracker: str = "template",
) -> Track:
    """A track with `shape` on `frame` and tracked `auto` keyframes on up to `count` frames after it (`step` = +1)
    or before it (-1), ending early where the object is lost; see `track_object`. Blocks: run it on a worker."""
    return track_object(decoder, shape, frame, count, step, cancelled, label=label, track_id=track_id,
                        tracker=tracker).track  # fmt: skip


def track_object(
    decoder: Frames,
    shape: Shape,
    frame: int,
    count: int,
    step: int = 1,
    cancelled: Callable[[], bool] | None = None,
    *,
    label: str = "",
    track_id: str | None = None,
    source: Source = HUMAN,
    tracker: str = "template",
    progress: Callable[[int, int], None] | None = None,
) -> Propagation:
    """`propagate` with the reason it stopped; `progress(done, count)` after each frame."""
    if shape.kind not in SPATIAL_KINDS:
        raise ValueError(f"a {shape.kind} has no place in the image to track")
    if step not in (1, -1):
        raise ValueError("step must be +1 (forward) or -1 (backward)")
    start = shape.bounds()
    if start.width <= 0 and start.height <= 0 and shape.kind != "point":
        raise ValueError("the shape has no extent to track")
    keyframes = [Keyframe(frame, shape)]
    ident = track_id or new_id()

    def result(stopped: str, message: str = "") -> Propagation:
        track = Track(ident, label, tuple(keyframes), source=source)
        return Propagation(track, stopped, keyframes[-1].frame, message)

    try:
        follower = TRACKERS[tracker](decoder.frame(frame), _at_least(start, MIN_SIDE))
    except VideoError as exc:
        return result("end", exc.reason)
    last = decoder.index.frames - 1
    for i in range(1, count + 1):
        n = frame + i * step
        if not 0 <= n <= last:
            return result("end", translate("tracking", "the video ends"))
        if cancelled is not None and cancelled():
            return result("cancelled")
        try:
            image = decoder.frame(n)
        except VideoError as exc:
            return result("end", exc.reason)
        found = follower.update(image)
        if found is None:
            return result("lost", translate("tracking", "lost the object on frame {frame}").format(frame=n))
        keyframes.append(Keyframe(n, fit_shape(shape, _at_least(start, MIN_SIDE), found[0]), auto=True))
        if progress is not None:
            progress(i, count)
    return result("done")


def _at_least(r: Rect, side: float) -> Rect:
    cx, cy = (r.x1 + r.x2) / 2, (r.y1 + r.y2) / 2
    w, h = max(r.width, side), max(r.height, side)
    return Rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _cv_box(r: Rect) -> tuple[int, int, int, int]:
    return round(r.x1), round(r.y1), max(1, round(r.width)), max(1, round(r.height))


def _crop_grey(image: np.ndarray, r: Rect) -> tuple[np.ndarray, int, int]:
    """The grey pixels of `r` clipped to the image (converting only those: a 720p frame is not converted whole)."""
    h, w = image.shape[:2]
    x1, y1 = max(0, int(np.floor(r.x1))), max(0, int(np.floor(r.y1)))
    x2, y2 = min(w, int(np.ceil(r.x2))), min(h, int(np.ceil(r.y2)))
    crop = image[y1:max(y1 + 1, y2), x1:max(x1 + 1, x2)]
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    return grey.astype(np.float32), x1, y1


def _grey(image: np.ndarray, r: Rect) -> np.ndarray:
    """The box's grey pixels at its size (edges replicated where it leaves the image)."""
    h, w = image.shape[:2]
    x1, y1 = round(r.x1), round(r.y1)
    bw, bh = max(1, round(r.width)), max(1, round(r.height))
    if x1 < 0 or y1 < 0 or x1 + bw > w or y1 + bh > h:  # leaves the image: pad by replicating its edges
        image, x1, y1 = cv2.copyMakeBorder(image, bh, bh, bw, bw, cv2.BORDER_REPLICATE), x1 + bw, y1 + bh
    crop = image[y1:y1 + bh, x1:x1 + bw]
    return cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
