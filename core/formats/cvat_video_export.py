"""Writing CVAT for video 1.1 XML: annotations.xml per video task, its tracks written frame by frame as CVAT does.

Every frame from a track's first keyframe to the end of the video where the object is shown gets a shape (keyframe="1"
where a keyframe is, keyframe="0" where it is interpolated); an outside keyframe is written with outside="1" and the
frames it hides are not. A shape of one frame is written, as CVAT writes shapes in a video, as a track of that shape
and an outside copy on the next frame; a tag of one frame as `<tag frame=...>`. Per-track and per-frame (`mutable`)
attribute values are written on every shape. The shape elements are those of CVAT for images (cvat_export).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path, PurePath

from core.formats.common import write_atomically
from core.formats.cvat_export import _label_xml, _shape_xml, _text
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem
from core.formats.video_common import item_folders, last_frame, track_states, video_items
from core.shapes import Tag
from core.tracks import Keyframe, Track


def write_cvat_video(dataset: Dataset, out_dir: Path) -> list[Path]:
    items = video_items(dataset, "cvat-video")
    paths = []
    for item, folder in zip(items, item_folders(items, out_dir), strict=True):
        root = _document(dataset, item)
        ET.indent(root)
        path = folder / "annotations.xml"
        write_atomically(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
        paths.append(path)
    return paths


def _document(dataset: Dataset, item: DatasetItem) -> ET.Element:
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    meta = ET.SubElement(root, "meta")
    task = ET.SubElement(meta, "task")
    last = last_frame(item)
    name = PurePath(item.file_name).name
    for key, value in (("name", name), ("size", str(last + 1)), ("mode", "interpolation"), ("overlap", "0"),
                       ("start_frame", "0"), ("stop_frame", str(last)), ("frame_filter", "")):
        ET.SubElement(task, key).text = value
    labels = ET.SubElement(task, "labels")
    for label in dataset.all_labels():
        _label_xml(labels, label, dataset.label_defs.get(label))
    size = ET.SubElement(task, "original_size")
    ET.SubElement(size, "width").text = str(item.width)
    ET.SubElement(size, "height").text = str(item.height)
    ET.SubElement(meta, "dumped").text = datetime.now(UTC).isoformat(sep=" ", timespec="seconds")
    ET.SubElement(meta, "source").text = name
    tracks = list(item.tracks)
    for ann in item.annotations:
        if isinstance(ann.shape, Tag):
            root.append(_tag_xml(ann))
        else:
            tracks.append(_one_frame_track(ann, last, len(tracks)))
    for i, track in enumerate(tracks):
        root.append(_track_xml(dataset, i, track, last))
    return root


def _one_frame_track(ann: DatasetAnnotation, last: int, index: int) -> Track:
    frame = ann.frame or 0
    keyframes = [Keyframe(frame, ann.shape, occluded=ann.occluded, attributes=dict(ann.attributes))]
    if frame < last:
        keyframes.append(Keyframe(frame + 1, ann.shape, outside=True, attributes=dict(ann.attributes)))
    return Track(f"shape-{index}", ann.label, tuple(keyframes), {}, ann.source, ann.group)


def _tag_xml(ann: DatasetAnnotation) -> ET.Element:
    element = ET.Element("tag", frame=str(ann.frame or 0), label=ann.label,
                         source="auto" if ann.source.is_model else "manual")
    for name, value in ann.attributes.items():
        ET.SubElement(element, "attribute", name=name).text = _text(value)
    return element


def _track_xml(dataset: Dataset, index: int, track: Track, last: int) -> ET.Element:
    element = ET.Element("track", id=str(index), label=track.label,
                         source="auto" if track.source.is_model else "manual")
    if track.group is not None:
        element.set("group_id", str(track.group))
    label = dataset.label_defs.get(track.label)
    for frame, state in track_states(track, last):
        values = {**state.attributes, **track.attributes}
        shape = _shape_xml(DatasetAnnotation(track.label, state.shape, values, track.source), label)
        ordered = {"frame": str(frame), "outside": "1" if state.outside else "0",
                   "occluded": "1" if state.occluded else "0", "keyframe": "1" if state.keyframe else "0"}
        for key in ("label", "source", "occluded", "group_id"):
            shape.attrib.pop(key, None)
        shape.attrib = {**ordered, **shape.attrib}
        for point in shape.findall("points"):  # a skeleton's points are keyframed with it
            point.set("keyframe", ordered["keyframe"])
        element.append(shape)
    return element
