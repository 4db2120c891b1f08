"""CVAT for video 1.1 XML: one video task's tracks (annotations.xml of a task or job export in interpolation mode).

The file names its video (`<meta><source>`, else the task's `<name>`), which an import matches to a video task of the
workspace as image formats match images by name. Frame numbers in the file are the video's own (CVAT writes
`start_frame + i * step`), so they are Annodesk's 0-based frames unchanged.

A `<track>` becomes a `core.tracks.Track`: only its shapes with keyframe="1" are read (CVAT writes every frame, the
interpolated ones with keyframe="0"; reading those too would pin CVAT's interpolation into keyframes). `outside`
and `occluded` are the keyframe's flags. Attributes the schema marks `mutable` are per keyframe; the others are the
track's, read from its first keyframe. A track of exactly one shape and an outside copy on the next frame is how CVAT
writes a shape of one frame in a video: it becomes one frame-addressed annotation. A `points` track of several
points becomes one track per point, in one group (a Track holds one shape per frame). Skeleton tracks are
Keypoints tracks. `<tag frame=...>` elements are tags on that frame. z_order is not kept on tracks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from core.annotation import Source, SourceKind
from core.formats.checks import checked_shape
from core.formats.common import parse_float
from core.formats.cvat import SHAPE_READERS, Reader, _typed, cvat_root
from core.formats.cvat_video_export import write_cvat_video
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import brief
from core.media import MAX_SIDE, size_problem
from core.messages import translate
from core.shapes import Shape, Tag
from core.tracks import MAX_FRAME, Keyframe, Track, TrackError

MAX_TRACK_POINTS = 1000  # points of one `points` track (each a track of its own); a real one has a handful


class CvatVideoFormat:
    name = "cvat-video"
    description = translate(
        "formats", "CVAT for video 1.1 XML (annotations.xml of one video task, or a folder holding it)")
    title = "CVAT for video 1.1"
    file_types = ("*.xml",)
    media_kinds = ("video",)

    def read(self, path: Path) -> Dataset:
        return _VideoReader(*cvat_root(path, "video")).read()

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_cvat_video(dataset, Path(out_dir))


CVAT_VIDEO = CvatVideoFormat()


def _int(text: str | None) -> int | None:
    value = parse_float(text)
    return int(value) if value is not None and value.is_integer() else None


class _VideoReader(Reader):
    occluded_attribute = False  # a video annotation has its own occluded field

    def read(self) -> Dataset:
        self.read_labels()
        item = self.read_meta()
        self.dataset.items.append(item)
        images = len(self.root.findall("image"))
        if images:
            self.issue("image", f"{images} <image> elements (CVAT for images) are not read here; use --format cvat")
        self.groups = 0
        for i, element in enumerate(self.root.findall("track")):
            self.read_track(f"track[{i}]", element, item)
        for i, element in enumerate(self.root.findall("tag")):
            self.read_tag(f"tag[{i}]", element, item)
        return self.dataset

    def read_meta(self) -> DatasetItem:
        task = self.root.find("meta/task")
        if task is None:
            task = self.root.find("meta/job")
        if task is None and self.root.find("meta/project") is not None:
            raise FormatError(f"{self.file}: a CVAT project export; export the video's task (one video per file)")
        source = (self.root.findtext("meta/source") or "").strip()
        name = source or ((task.findtext("name") or "").strip() if task is not None else "")
        if not name:
            raise FormatError(f"{self.file}: meta: neither <source> nor a task <name> says which video this is")
        width = _int(self.root.findtext("meta/*/original_size/width")) or 0
        height = _int(self.root.findtext("meta/*/original_size/height")) or 0
        if width < 0 or height < 0 or size_problem(width, height):
            self.issue("meta original_size", f"{width}x{height} is not a usable size; the task's size is used")
            width = height = 0
        stop = _int(task.findtext("stop_frame")) if task is not None else None
        frames = stop + 1 if stop is not None and 0 <= stop < MAX_FRAME else None
        return DatasetItem(name, width, height, media_dirs=(self.file.parent,), kind="video", frames=frames)

    def frame_of(self, where: str, element: ET.Element, item: DatasetItem) -> int | None:
        frame = _int(element.get("frame"))
        limit = item.frames or MAX_FRAME
        if frame is None or not 0 <= frame < limit:
            self.issue(where, f"frame {brief(element.get('frame'))} is not a frame number 0 <= frame < {limit}; "
                              "skipped")
            return None
        return frame

    def read_tag(self, where: str, element: ET.Element, item: DatasetItem) -> None:
        label = (element.get("label") or "").strip()
        frame = self.frame_of(where, element, item)
        if not label or frame is None:
            if not label:
                self.issue(where, "no label; skipped")
            return
        self.dataset.add_label(label)
        source = Source(SourceKind.MODEL) if element.get("source") in ("auto", "semi-auto") else Source()
        item.annotations.append(DatasetAnnotation(label, Tag(), self.attributes(label, element), source, frame=frame))

    def read_track(self, where: str, element: ET.Element, item: DatasetItem) -> None:
        label = (element.get("label") or "").strip()
        if not label:
            return self.issue(where, "no label; the track is skipped")
        where = f"{where} ({brief(element.get('id'))}, {brief(label)})"
        states = self.keyframes(where, element, item, label)
        if not states:
            return self.issue(where, "no keyframe could be read; the track is skipped")
        source = Source(SourceKind.MODEL) if element.get("source") in ("auto", "semi-auto") else Source()
        group = _int(element.get("group_id")) or None
        parts = max(len(shapes) for _, shapes, _, _ in states)
        if parts > 1 and group is None:
            self.groups += 1
            group = 1_000_000 + self.groups  # as the image reader: clear of CVAT's own small group ids
        per_track = {a.name for a in self.dataset.label_defs[label].attributes if not a.mutable} \
            if label in self.dataset.label_defs else set()
        track_values = {k: v for k, v in states[0][2].items() if k in per_track}
        self.dataset.add_label(label)
        for part in range(parts):
            keyframes = [Keyframe(frame, shapes[part], outside=flags["outside"], occluded=flags["occluded"],
                                  attributes={k: v for k, v in values.items() if k not in per_track})
                         for frame, shapes, values, flags in states if part < len(shapes)]
            track_id = f"{element.get('id') or where}" + (f".{part}" if parts > 1 else "")
            try:
                track = Track(track_id, label, tuple(keyframes), track_values, source, group)
            except TrackError as exc:
                self.issue(where, f"{exc}; skipped")
                continue
            self.add_track(track, item)

    def add_track(self, track: Track, item: DatasetItem) -> None:
        """The track, or the one-frame shape it stands for (a keyframe and an outside copy on the next frame)."""
        first, *rest = track.keyframes
        if len(rest) == 1 and rest[0].outside and not first.outside and rest[0].frame == first.frame + 1:
            item.annotations.append(DatasetAnnotation(
                track.label, first.shape, {**first.attributes, **track.attributes}, track.source, track.group,
                frame=first.frame, occluded=first.occluded))
        else:
            item.tracks.append(track)

    def keyframes(
        self, where: str, element: ET.Element, item: DatasetItem, label: str
    ) -> list[tuple[int, list[Shape], dict[str, Any], dict[str, bool]]]:
        """(frame, shapes, attribute values, outside and occluded flags) of each keyframe, in frame order."""
        children = [c for c in element if c.tag != "attribute"]
        marked = any(c.get("keyframe") == "1" for c in children)
        found: dict[int, tuple[list[Shape], dict[str, Any], dict[str, bool]]] = {}
        kind = None
        for j, child in enumerate(children):
            at = f"{where}: <{child.tag}>[{j}]"
            if marked and child.get("keyframe", "1") != "1":
                continue  # CVAT's interpolated frame
            reader = SHAPE_READERS.get(child.tag)
            if reader is None or child.tag == "tag":
                self.issue(at, f"<{child.tag}> is not a track shape; skipped")
                continue
            if kind is not None and child.tag != kind:
                self.issue(at, f"a <{child.tag}> in a track of <{kind}> shapes; skipped")
                continue
            frame = self.frame_of(at, child, item)
            if frame is None:
                continue
            if frame in found:
                self.issue(at, f"a second shape on frame {frame}; skipped")
                continue
            flags = {"outside": child.get("outside") == "1", "occluded": child.get("occluded") == "1"}
            points = child.findall("points")
            if child.tag == "skeleton" and points and all(p.get("outside") == "1" for p in points):
                flags["outside"] = True  # every point out: the skeleton's end, holding its last shape
                shapes = found[max(found)][0] if found else []
            else:
                shapes = self.shapes(at, child, item, label)
            if not shapes:
                continue
            kind = child.tag
            found[frame] = (shapes[:MAX_TRACK_POINTS], self.values(label, child), flags)
        return [(frame, *state) for frame, state in sorted(found.items())]

    def shapes(self, where: str, element: ET.Element, item: DatasetItem, label: str) -> list[Shape]:
        element.set("label", label)  # the skeleton reader looks the template up by the element's label
        try:
            shapes = SHAPE_READERS[element.tag](self, element, item)
        except (ValueError, IndexError) as exc:
            self.issue(where, f"{exc}; skipped")
            return []
        kept = []
        for shape in shapes:  # without a frame size, checked against the largest frame there can be
            shape_kept, notes = checked_shape(shape, item.width or MAX_SIDE, item.height or MAX_SIDE)
            for note in notes:
                self.issue(where, note)
            if shape_kept is not None:
                kept.append(shape_kept)
        return kept

    def values(self, label: str, element: ET.Element) -> dict[str, Any]:
        specs = {a.name: a for a in self.dataset.label_defs[label].attributes} if label in self.dataset.label_defs \
            else {}
        return {a.get("name") or "": _typed(specs.get(a.get("name") or ""), (a.text or "").strip())
                for a in element.findall("attribute")}
