"""Detections on sampled frames linked into tracks, ByteTrack-style: IoU association solved by the Hungarian algorithm.

Per sampled frame, in order:
1. each track's box is predicted on the frame by constant velocity (a detector sampled every k frames sees objects
   move k frames' worth between samples; without a prediction two crossing objects swap);
2. detections scored >= `high` are matched to every live track of their label (Hungarian on 1 - IoU; pairs under
   `match_iou` are not matches);
3. detections between `low` and `high` are matched to the confirmed tracks still unmatched (ByteTrack's second pass:
   an occluded object's weak detection keeps its track alive instead of starting a new one);
4. a tentative track that misses dies; a confirmed one dies after `max_misses` missed samples in a row; unmatched
   high detections start tentative tracks, confirmed after `min_hits` matches (their earlier hits are kept).

A missed sample inside a track leaves no keyframe, so the track is interpolated across it; a track that dies gets
an `outside` keyframe on the first sample it missed, so it does not hold its last box to the end of the video.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.shapes import Shape


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    score: float
    label: str
    shape: Shape  # what is stored: the box, or the detector's polygon, mask, keypoints...


@dataclass(frozen=True)
class LinkOptions:
    high: float = 0.5  # first-pass score; a detection under it never starts a track
    low: float = 0.1  # second-pass score; detections under it are dropped
    match_iou: float = 0.3  # least IoU (with the predicted box) of a match in the first pass
    low_match_iou: float = 0.5  # in the second pass
    min_hits: int = 2  # matched samples before a track is born
    max_misses: int = 3  # missed samples in a row before a confirmed track dies


@dataclass
class LinkedTrack:
    """One linked object: its detections by frame; `end` is the first missed frame of a track that died."""

    label: str
    hits: list[tuple[int, Detection]] = field(default_factory=list)
    end: int | None = None
    misses: int = 0
    velocity: tuple[float, float] = (0.0, 0.0)  # box centre per frame

    @property
    def score(self) -> float:
        return float(np.mean([d.score for _, d in self.hits]))

    def predicted(self, frame: int) -> np.ndarray:
        last_frame, last = self.hits[-1]
        dt = frame - last_frame
        dx, dy = self.velocity[0] * dt, self.velocity[1] * dt
        x1, y1, x2, y2 = last.box
        return np.array([x1 + dx, y1 + dy, x2 + dx, y2 + dy])

    def add(self, frame: int, detection: Detection) -> None:
        if self.hits:
            last_frame, last = self.hits[-1]
            dt = max(1, frame - last_frame)
            vx = ((detection.box[0] + detection.box[2]) - (last.box[0] + last.box[2])) / 2 / dt
            vy = ((detection.box[1] + detection.box[3]) - (last.box[1] + last.box[3])) / 2 / dt
            if len(self.hits) > 1:  # smoothed: one jittery detection does not throw the prediction off
                vx, vy = 0.5 * self.velocity[0] + 0.5 * vx, 0.5 * self.velocity[1] + 0.5 * vy
            self.velocity = (vx, vy)
        self.hits.append((frame, detection))
        self.misses = 0


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box of a (n x 4, x1 y1 x2 y2) with every box of b (m x 4)."""
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


class Linker:
    """Feed sampled frames in order with `step(frame, detections)`; `finish()` gives the born tracks."""

    def __init__(self, options: LinkOptions | None = None) -> None:
        self.options = options or LinkOptions()
        self.live: list[LinkedTrack] = []
        self.done: list[LinkedTrack] = []
        self._frames: list[int] = []  # the sampled frames so far

    def _confirmed(self, t: LinkedTrack) -> bool:
        return len(t.hits) >= self.options.min_hits

    def step(self, frame: int, detections: Iterable[Detection]) -> None:
        o = self.options
        dets = [d for d in detections if d.score >= o.low]
        high = [d for d in dets if d.score >= o.high]
        low = [d for d in dets if d.score < o.high]
        matched: set[int] = set()
        unmatched_high = self._match(frame, self.live, high, o.match_iou, matched)
        second = [t for i, t in enumerate(self.live) if i not in matched and self._confirmed(t)]
        second_matched: set[int] = set()
        self._match(frame, second, low, o.low_match_iou, second_matched)
        hit = {id(t) for i, t in enumerate(self.live) if i in matched}
        hit |= {id(t) for i, t in enumerate(second) if i in second_matched}
        alive = []
        for t in self.live:
            if id(t) in hit:
                alive.append(t)
                continue
            t.misses += 1
            if not self._confirmed(t):
                continue  # a tentative track that misses was noise
            if t.misses > o.max_misses:
                t.end = self._first_miss(t, frame)
                self.done.append(t)
            else:
                alive.append(t)
        for d in unmatched_high:
            born = LinkedTrack(d.label)
            born.add(frame, d)
            alive.append(born)
        self.live = alive
        self._frames.append(frame)

    def _match(self, frame: int, tracks: Sequence[LinkedTrack], dets: list[Detection], least: float,
               matched: set[int]) -> list[Detection]:  # fmt: skip
        """Match `dets` to `tracks` (same label only) by IoU; adds the matched track indexes, returns the rest."""
        if not tracks or not dets:
            return list(dets)
        boxes = np.array([d.box for d in dets], dtype=np.float64)
        predicted = np.array([t.predicted(frame) for t in tracks])
        iou = iou_matrix(predicted, boxes)
        labels_t = np.array([t.label for t in tracks], dtype=object)
        labels_d = np.array([d.label for d in dets], dtype=object)
        iou[labels_t[:, None] != labels_d[None, :]] = 0.0
        rows, cols = linear_sum_assignment(1.0 - iou)
        used = set()
        for r, c in zip(rows, cols, strict=True):
            if iou[r, c] >= least:
                tracks[r].add(frame, dets[c])
                matched.add(int(r))
                used.add(int(c))
        return [d for i, d in enumerate(dets) if i not in used]

    def _first_miss(self, t: LinkedTrack, frame: int) -> int:
        """The first sampled frame after the track's last hit (the sample it first missed)."""
        last = t.hits[-1][0]
        i = np.searchsorted(self._frames, last, side="right")
        return int(self._frames[i]) if i < len(self._frames) else frame

    def finish(self) -> list[LinkedTrack]:
        """Every born track, ended or still live at the last sample (those hold their last state on)."""
        born = self.done + [t for t in self.live if self._confirmed(t)]
        self.live, self.done, self._frames = [], [], []
        return sorted(born, key=lambda t: (t.hits[0][0], t.hits[0][1].box))


def link(samples: Iterable[tuple[int, Sequence[Detection]]], options: LinkOptions | None = None) -> list[LinkedTrack]:
    """Link the detections of sampled frames (in frame order) into tracks."""
    linker = Linker(options)
    for frame, detections in samples:
        linker.step(frame, detections)
    return linker.finish()
