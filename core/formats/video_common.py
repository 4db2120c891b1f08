"""What the video formats (CVAT for video, MOT) share: one folder per video, and a track's state frame by frame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePath

from core.formats.dataset import Dataset, DatasetItem
from core.names import safe_item_name
from core.tracks import FrameShape, Track


def video_items(dataset: Dataset, format_name: str) -> list[DatasetItem]:
    """The dataset's videos; image items are left out with one message (the image formats hold them)."""
    images = [item for item in dataset.items if item.kind != "video"]
    if images:
        dataset.issue(format_name, f"{len(images)} image tasks left out ({format_name} holds videos; export them "
                                   "with an image format)")
    return [item for item in dataset.items if item.kind == "video"]


def item_folders(items: list[DatasetItem], out_dir: Path) -> list[Path]:
    """`out_dir` itself for one video; else one sub-folder per video, named after its file (made unique)."""
    if len(items) == 1:
        return [out_dir]
    folders, used = [], set()
    for i, item in enumerate(items):
        stem = safe_item_name(PurePath(item.file_name).stem or f"video-{i}", f"video-{i}")
        name = stem if stem not in used else f"{stem}-{i}"
        used.add(name)
        folders.append(out_dir / name)
    return folders


def last_frame(item: DatasetItem) -> int:
    """The last frame to write: the video's when known, else the last frame any shape is on."""
    if item.frames:
        return item.frames - 1
    frames = [k.frame for t in item.tracks for k in t.keyframes] + [a.frame or 0 for a in item.annotations]
    return max(frames, default=0)


def track_states(track: Track, last: int) -> Iterator[tuple[int, FrameShape]]:
    """(frame, state) from the first keyframe to `last`, as CVAT writes a track: every frame where the object is
    shown (interpolated ones with `keyframe` False), and each outside keyframe itself, but not the frames it hides."""
    frame = track.keyframe_frames[0]
    while frame <= last:
        state = track.at(frame, with_outside=True)
        assert state is not None  # on or after the first keyframe
        if not state.outside:
            yield frame, state
            frame += 1
            continue
        if state.keyframe:
            yield frame, state
        following = track.next_keyframe(frame)  # skip the hidden frames at once
        if following is None:
            return
        frame = following.frame
