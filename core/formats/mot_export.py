"""Writing MOT 1.1: per video, gt/gt.txt, gt/labels.txt and seqinfo.ini (one folder per video when there are
several), as CVAT's MOT 1.1 export lays them out.

A track is written on every frame where it is shown (interpolated between keyframes; the frames an outside keyframe
hides are not written), ids 1, 2, ... in track order; a box of one frame gets id -1 (Datumaro's detection). MOT holds
boxes: other shapes are written as their bounding box (reported); tags and points are left out (reported). conf is
0 for `ignored`, else 1; visibility is 0 when occluded, else the `visibility` attribute (when in (0, 1]) or 1.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePath
from typing import Any

from core.formats.common import write_atomically
from core.formats.dataset import Dataset, DatasetItem
from core.formats.video_common import item_folders, last_frame, track_states, video_items
from core.shapes import Box, PointShape, Shape, Tag

_LEFT_OUT = (Tag.kind, PointShape.kind)
DEFAULT_RATE = 30  # seqinfo.ini needs a frame rate; the video's own when the workspace knows it


def write_mot(dataset: Dataset, out_dir: Path) -> list[Path]:
    items = video_items(dataset, "mot")
    labels = dataset.all_labels()
    paths: list[Path] = []
    converted: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    for item, folder in zip(items, item_folders(items, out_dir), strict=True):
        lines = _lines(item, labels, converted, left_out)
        paths += [folder / "gt" / "gt.txt", folder / "gt" / "labels.txt", folder / "seqinfo.ini"]
        write_atomically(paths[-3], "".join(line + "\n" for _, line in sorted(lines)))
        write_atomically(paths[-2], "".join(f"{label}\n" for label in labels))
        write_atomically(paths[-1], _seqinfo(item))
    for kind, count in converted.items():
        what = kind if kind.endswith("(left out)") else f"{kind} shapes written as their bounding boxes"
        dataset.issue("mot", f"{what} (MOT holds boxes) ({count} shapes)")
    for kind, count in left_out.items():
        dataset.issue("mot", f"{kind} shapes left out (MOT holds boxes) ({count} annotations)")
    return paths


def _seqinfo(item: DatasetItem) -> str:
    name = PurePath(item.file_name).stem
    rate = round(item.fps) if item.fps else DEFAULT_RATE
    return (f"[Sequence]\nname={name}\nimDir=img1\nframeRate={rate}\nseqLength={last_frame(item) + 1}\n"
            f"imWidth={item.width}\nimHeight={item.height}\nimExt=.jpg\n")


def _lines(item: DatasetItem, labels: list[str], converted: Counter[str], left_out: Counter[str]
           ) -> list[tuple[tuple[int, int], str]]:
    """(sort key, line) of every box: MOT files are ordered by frame, then id."""
    lines = []
    last = last_frame(item)
    for ann in item.annotations:
        if ann.shape.kind in _LEFT_OUT:
            left_out[ann.shape.kind] += 1
            continue
        frame = ann.frame or 0
        line = _line(frame, -1, ann.shape, labels.index(ann.label), ann.attributes, ann.occluded, converted)
        if line is not None:
            lines.append(((frame, -1), line))
    track_id = 0
    for track in item.tracks:
        if track.kind in _LEFT_OUT:
            left_out[track.kind] += len(track.keyframes)
            continue
        track_id += 1
        for frame, state in track_states(track, last):
            if state.outside:
                continue
            values = {**state.attributes, **track.attributes}
            line = _line(frame, track_id, state.shape, labels.index(track.label), values, state.occluded, converted)
            if line is not None:
                lines.append(((frame, track_id), line))
    return lines


def _line(frame: int, track_id: int, shape: Shape, class_index: int, attributes: dict[str, Any], occluded: bool,
          converted: Counter[str]) -> str | None:
    r = shape.bounds()
    if r.x2 <= r.x1 or r.y2 <= r.y1:  # keypoints with one labeled point, say: no box to write
        converted[f"{shape.kind} without area (left out)"] += 1
        return None
    if not isinstance(shape, Box):
        converted[shape.kind] += 1
    # the occluded flag (what a person edits) wins over a visibility attribute that an import brought along
    visibility = attributes.get("visibility")
    if occluded:
        visibility = 0.0
    elif not isinstance(visibility, int | float) or isinstance(visibility, bool) or not 0 < visibility <= 1:
        visibility = 1.0
    conf = 0 if attributes.get("ignored") is True else 1
    numbers = ", ".join(_num(v) for v in (r.x1, r.y1, r.x2 - r.x1, r.y2 - r.y1))
    return f"{frame + 1},{track_id},{numbers.replace(' ', '')},{conf},{class_index + 1},{_num(visibility)}"


def _num(value: float) -> str:
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
