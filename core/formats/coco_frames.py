"""COCO of a video, frame by frame (as CVAT exports a video task to COCO): every frame an image entry, every shape
a track shows on it (interpolated between keyframes, none while outside) an annotation of that image.

Two rows in the format table: `coco-frames` writes the JSON only; `coco-frames-images` also decodes the frames and
writes them as JPEG files under images/ (minutes for a long video, so only when asked). Image names are
`<video>/frame_000010.jpg` (the video's file name without extension, the 0-based frame), so several videos stay
apart. Each annotation's attributes carry, as CVAT's do, `occluded`, `track_id` (1, 2, ... per video; absent on a
shape of one frame) and `keyframe`. Everything else is the COCO writer's (coco_export).
"""

from __future__ import annotations

from pathlib import Path, PurePath

from core.formats.coco_export import write_coco
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.video_common import last_frame, track_states, video_items
from core.names import safe_item_name


class CocoFramesFormat:
    media_kinds = ("video",)
    title = "COCO JSON, an image per video frame"
    reads = False

    def __init__(self, name: str, images: bool) -> None:
        self.name = name
        self.images = images
        self.options = {"Frames": "JSON and JPEG frames" if images else "JSON only"}
        what = "and the frames as JPEG images" if images else "(JSON only; coco-frames-images writes the frames too)"
        self.description = f"COCO JSON of video tasks, one image entry per frame {what}"

    def read(self, path: Path) -> Dataset:
        raise FormatError(f"{path}: {self.name} is an export format; read per-frame COCO with --format coco")

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        out_dir = Path(out_dir)
        final = dataset.destination or out_dir  # the JSON names where its frames end up
        frames = Dataset(labels=list(dataset.labels), issues=dataset.issues, label_defs=dataset.label_defs,
                         media_root=final / "images" if self.images else None)
        written: list[Path] = []
        for item in video_items(dataset, self.name):
            stem = safe_item_name(PurePath(item.file_name).stem, "video")
            items = frame_items(item, stem)
            frames.items += items
            if self.images:
                written += write_frames(dataset, item, [(f, out_dir / "images" / i.file_name)
                                                        for f, i in enumerate(items)])
        return write_coco(frames, out_dir) + written


COCO_FRAMES = CocoFramesFormat("coco-frames", images=False)
COCO_FRAMES_IMAGES = CocoFramesFormat("coco-frames-images", images=True)


def frame_items(item: DatasetItem, stem: str) -> list[DatasetItem]:
    """One image item per frame of the video, with the shapes on it."""
    count = last_frame(item) + 1
    per_frame: list[list[DatasetAnnotation]] = [[] for _ in range(count)]
    for ann in item.annotations:
        if ann.frame is not None and ann.frame < count:
            values = {**ann.attributes, "occluded": ann.occluded, "keyframe": True}
            per_frame[ann.frame].append(DatasetAnnotation(ann.label, ann.shape, values, ann.source, ann.group, ann.z))
    for number, track in enumerate(item.tracks, 1):
        for frame, state in track_states(track, count - 1):
            if state.outside:
                continue
            values = {**state.attributes, **track.attributes, "occluded": state.occluded, "track_id": number,
                      "keyframe": state.keyframe}
            per_frame[frame].append(DatasetAnnotation(track.label, state.shape, values, track.source, track.group))
    return [DatasetItem(f"{stem}/frame_{frame:06d}.jpg", item.width, item.height, shapes)
            for frame, shapes in enumerate(per_frame)]


def write_frames(dataset: Dataset, item: DatasetItem, targets: list[tuple[int, Path]]) -> list[Path]:
    """The frames decoded (exactly, by the video's frame index) and written as JPEG; a video that cannot be read
    is reported and its frames left out, the JSON is still written."""
    import cv2  # the decoders load only when frames are asked for

    from core.video import FrameLost, VideoDecoder, VideoError, probe_video

    source = dataset.media_root / item.file_name if dataset.media_root else Path(item.file_name)
    written, lost = [], []
    try:
        info = probe_video(source)
        with VideoDecoder(source, info.index, cache_mb=64) as decoder:
            for frame, path in targets:
                try:
                    image = decoder.frame(frame)
                except FrameLost:
                    lost.append(frame)
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                if not cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 95]):
                    raise OSError(f"cannot write {path}")
                written.append(path)
    except (VideoError, OSError) as exc:
        dataset.issue(item.file_name, f"frames not written: {exc}")
    if lost:
        dataset.issue(item.file_name, f"{len(lost)} frames do not decode and were not written (first: {lost[0]})")
    return written
