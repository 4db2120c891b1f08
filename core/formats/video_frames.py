"""A video exported frame by frame (as CVAT exports a video task to COCO or YOLO): every frame an image, every shape
a track shows on it (interpolated between keyframes, none while outside) an annotation of that image.

Each writer is two rows: `<writer>-frames` writes the labels only; `<writer>-frames-images` also decodes the frames
and writes them as JPEG files under images/ (minutes for a long video, so only when asked). Image names are
`<video>/frame_000010.jpg` (the video's file name without extension, the 0-based frame), so several videos stay
apart. Each annotation's attributes carry, as CVAT's do, `occluded`, `track_id` (1, 2, ... per video; absent on a
shape of one frame) and `keyframe` (COCO keeps them; YOLO has no place for attributes). Everything else is the image
writer's (coco_export, yolo_export): a new writer is one more pair of rows in `FRAMES_FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath

from core.formats.coco_export import write_coco
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.video_common import last_frame, track_states, video_items
from core.formats.yolo_export import TASKS, write_yolo
from core.messages import translate
from core.names import safe_item_name

Writer = Callable[[Dataset, Path], list[Path]]


class FramesFormat:
    """One writer of images applied to every frame of the videos, with or without the frames themselves."""

    media_kinds = ("video",)
    reads = False

    def __init__(self, name: str, title: str, writer: Writer, images: bool, options: dict[str, str]) -> None:
        self.name = name
        self.title = title
        self.writer = writer
        self.images = images
        self.options = {**options, "Frames": "labels and JPEG frames" if images else "labels only"}
        self.description = (translate("formats", "{title}: one image per frame of each video and the frames as JPEG "
                                      "images") if images else translate(
            "formats", "{title}: one image per frame of each video (labels only; {name}-images writes the frames "
            "too)")).format(title=title, name=name)

    def read(self, path: Path) -> Dataset:
        raise FormatError(f"{path}: {self.name} is an export format; read the frames back as images (coco, yolo)")

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        out_dir = Path(out_dir)
        final = dataset.destination or out_dir  # the labels name where their frames end up
        frames = Dataset(labels=list(dataset.labels), issues=dataset.issues, label_defs=dataset.label_defs,
                         media_root=final / "images" if self.images else None, destination=dataset.destination)
        written: list[Path] = []
        for item in video_items(dataset, self.name):
            stem = safe_item_name(PurePath(item.file_name).stem, "video")
            items = frame_items(item, stem)
            frames.items += items
            if self.images:
                written += write_frames(dataset, item, [(f, out_dir / "images" / i.file_name)
                                                        for f, i in enumerate(items)])
        return self.writer(frames, out_dir) + written


def _pair(name: str, title: str, writer: Writer, options: dict[str, str]) -> tuple[FramesFormat, FramesFormat]:
    return (FramesFormat(name, title, writer, False, options), FramesFormat(f"{name}-images", title, writer, True,
                                                                            options))


def _yolo(task: str | None) -> Writer:
    return lambda dataset, out_dir: write_yolo(dataset, out_dir, task)


FRAMES_FORMATS: tuple[FramesFormat, ...] = (
    *_pair("coco-frames", "COCO JSON, an image per video frame", write_coco, {}),
    *(row for task in (None, *TASKS) for row in _pair("yolo-frames" + (f"-{task}" if task else ""),
                                                      "YOLO (Ultralytics), an image per video frame", _yolo(task),
                                                      {"Task": task or "auto"})),
)


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
