"""MOT 1.1 (MOTChallenge ground truth, as CVAT and Datumaro write it): gt/gt.txt, gt/labels.txt, seqinfo.ini.

A sequence is a folder with `gt/gt.txt` (and `seqinfo.ini`, `img1/`); the reader takes that folder, its gt.txt, or a
folder of sequence folders. Each sequence is one video item named by seqinfo.ini's `name` (else the folder's name),
which an import matches to a video task by name without its extension.

gt.txt lines are `frame, id, x, y, w, h, conf, class, visibility` (1-based frames; Annodesk's are 0-based). Each id
> 0 is a track and each of its lines a box keyframe; where the id skips frames, or after its last line, an outside
keyframe ends it, because MOT has no interpolation: an object without a line is not there. An id <= 0 (Datumaro's
-1) is a box on its frame alone. `class` is 1-based in gt/labels.txt (else MOT16's classes); `conf` 0 means "ignored"
(the attribute `ignored`); `visibility` (0..1; -1 or none: unknown, read as 1) is the attribute `visibility`, and
only visibility 0 sets occluded: Datumaro's default (occlusion_threshold 0), since a partly visible pedestrian is not
hidden behind something in the CVAT sense. A det/det.txt given as the path is a detector's: its boxes are model
predictions, `conf` their score.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

from core.annotation import HUMAN, Source, SourceKind
from core.formats.checks import checked_shape
from core.formats.common import image_size, inside, parse_float
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.mot_export import write_mot
from core.formats.untrusted import brief, read_bytes
from core.media import MAX_SIDE, MediaError, size_problem
from core.messages import translate
from core.schema import AttributeSpec, Label
from core.shapes import Box
from core.tracks import MAX_FRAME, Keyframe, Track, TrackError

MOT16_CLASSES = ("pedestrian", "person_on_vehicle", "car", "bicycle", "motorbike", "non_motorized_vehicle",
                 "static_person", "distractor", "occluder", "occluder_on_the_ground", "occluder_full", "reflection")
ATTRIBUTES = (AttributeSpec("visibility", "number", default=1.0, minimum=0.0, maximum=1.0, mutable=True),
              AttributeSpec("ignored", "checkbox", default=False, mutable=True))
TEMPLATE_COLOR = "#808080"
MAX_SEQUENCES = 10_000


class MotFormat:
    name = "mot"
    description = translate(
        "formats", "MOT 1.1 (a sequence folder with gt/gt.txt and seqinfo.ini, its gt.txt, or a folder of sequences)")
    title = "MOT 1.1"
    file_types = ("*.txt",)
    media_kinds = ("video",)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        if path.is_file():
            sequences = [path.parent.parent if path.parent.name == "gt" else path.parent]
            files = [path]
        elif (path / "gt" / "gt.txt").is_file():
            sequences, files = [path], [path / "gt" / "gt.txt"]
        elif path.is_dir():
            sequences = sorted(p for p in path.iterdir() if (p / "gt" / "gt.txt").is_file())[:MAX_SEQUENCES]
            files = [p / "gt" / "gt.txt" for p in sequences]
        else:
            raise FormatError(f"{path}: no such file or folder")
        if not sequences:
            raise FormatError(f"{path}: not a MOT sequence (no gt/gt.txt here or in its sub-folders)")
        dataset = Dataset()
        for folder, file in zip(sequences, files, strict=True):
            _Sequence(dataset, folder, file).read()
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_mot(dataset, Path(out_dir))


MOT = MotFormat()


def _text(file: Path) -> str:
    try:
        return read_bytes(file).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{file}: not UTF-8 text: {exc}") from None


class _Sequence:
    def __init__(self, dataset: Dataset, folder: Path, file: Path) -> None:
        self.dataset, self.folder, self.file = dataset, folder, file
        self.where = file.relative_to(folder).as_posix() if file.is_relative_to(folder) else file.name
        self.detections = file.name.startswith("det")  # det/det.txt: a detector's boxes, conf its score

    def source(self, score: float | None) -> Source:
        """A person's ground truth, or for a detection file the detector's prediction with its score."""
        if not self.detections:
            return HUMAN
        return Source(SourceKind.MODEL, score if score is not None and 0 <= score <= 1 else None, "mot-det")

    def issue(self, where: str, message: str) -> None:
        self.dataset.issue(where, message)

    def read(self) -> None:
        info = self.seqinfo()
        labels = self.labels()
        name = (info.get("name") or "").strip() or self.folder.resolve().name
        width, height = self.size(info)
        length = _int(info.get("seqlength"))
        frames = length if length and 0 < length < MAX_FRAME else None
        item = DatasetItem(name, width, height, media_dirs=(self.folder, self.folder.parent), kind="video",
                           frames=frames)
        self.dataset.items.append(item)
        rows: dict[int, list[tuple[int, str, Box, dict[str, Any], bool]]] = {}
        for number, line in enumerate(_text(self.file).splitlines(), 1):
            if line.strip():
                self.row(f"{self.where}:{number}", line, item, labels, rows)
        for track_id, track_rows in rows.items():
            self.track(track_id, track_rows, item)

    def seqinfo(self) -> dict[str, str]:
        file = self.folder / "seqinfo.ini"
        if not file.is_file():
            return {}
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(_text(file))
        except (configparser.Error, FormatError) as exc:
            self.issue(file.name, f"not a readable ini file ({brief(str(exc))}); ignored")
            return {}
        if not parser.has_section("Sequence"):
            self.issue(file.name, "no [Sequence] section; ignored")
            return {}
        return dict(parser["Sequence"])

    def labels(self) -> list[str]:
        """Label names by class id - 1: gt/labels.txt, else MOT16's classes."""
        file = self.file.parent / "labels.txt"
        names = [n.strip() for n in _text(file).splitlines() if n.strip()] if file.is_file() else []
        for name in names or MOT16_CLASSES:
            self.dataset.add_label(name)
            self.dataset.label_defs.setdefault(name, Label(name, TEMPLATE_COLOR, attributes=ATTRIBUTES))
        return names or list(MOT16_CLASSES)

    def size(self, info: dict[str, str]) -> tuple[int, int]:
        width, height = _int(info.get("imwidth")), _int(info.get("imheight"))
        if width and height and width > 0 and height > 0 and not size_problem(width, height):
            return width, height
        if info.get("imwidth") or info.get("imheight"):
            self.issue("seqinfo.ini", f"imWidth/imHeight {brief(info.get('imwidth'))}x"
                                      f"{brief(info.get('imheight'))} is not a usable size; ignored")
        folder = inside(self.folder, info.get("imdir") or "img1")  # never read outside the sequence
        images = self.folder / folder if folder else None
        first = min((p for p in images.iterdir() if p.is_file()), default=None) if images and images.is_dir() else None
        if first is not None:
            try:
                return image_size(first)
            except (MediaError, FormatError, OSError):
                self.issue(first.name, "cannot read the image's size; the video task's size is used")
        return 0, 0

    def row(self, where: str, line: str, item: DatasetItem, labels: list[str],
            rows: dict[int, list[tuple[int, str, Box, dict[str, Any], bool]]]) -> None:
        values = [v.strip() for v in line.split(",")]
        numbers = [parse_float(v) for v in values[:9]]
        if len(values) < 6 or any(n is None for n in numbers):
            return self.issue(where, f"{brief(line)}: needs at least 6 comma-separated numbers "
                                     "(frame, id, x, y, w, h[, conf, class, visibility]); skipped")
        frame_1, track_id, x, y, w, h = (float(n or 0) for n in numbers[:6])
        frame = int(frame_1) - 1
        if not frame_1.is_integer() or not 0 <= frame < (item.frames or MAX_FRAME):
            return self.issue(where, f"frame {brief(values[0])} is not a frame 1..{item.frames or MAX_FRAME}; skipped")
        conf, class_id, visibility = ([*numbers[6:9], None, None, None])[:3]
        label = self.label(where, class_id, labels)
        # without a frame size, shapes are checked (not clipped) against the largest frame there can be
        box, notes = checked_shape(Box(x, y, w, h), item.width or MAX_SIDE, item.height or MAX_SIDE)
        for note in notes:
            self.issue(where, note)
        if not isinstance(box, Box):
            return None
        # -1 (detection files) or no column: unknown, read as fully visible
        visible = 1.0 if visibility is None or visibility < 0 else min(visibility, 1.0)
        attributes: dict[str, Any] = {"visibility": visible}
        if not self.detections:
            attributes["ignored"] = conf == 0
        if not track_id.is_integer() or track_id <= 0:
            item.annotations.append(DatasetAnnotation(label, box, attributes, self.source(conf), frame=frame,
                                                      occluded=visible <= 0))
            return None
        rows.setdefault(int(track_id), []).append((frame, label, box, attributes, visible <= 0))
        return None

    def label(self, where: str, class_id: float | None, labels: list[str]) -> str:
        if class_id is None or class_id == -1:
            return labels[0]
        index = int(class_id) - 1 if class_id.is_integer() else -1
        if 0 <= index < len(labels):
            return labels[index]
        number = int(class_id) if class_id.is_integer() else class_id
        name = f"class_{brief(number)}"
        if name not in self.dataset.labels:
            self.issue(where, f"class {brief(number)} is not in the labels; read as {name!r}")
            self.dataset.add_label(name)
            self.dataset.label_defs[name] = Label(name, TEMPLATE_COLOR, attributes=ATTRIBUTES)
        return name

    def track(self, track_id: int, rows: list[tuple[int, str, Box, dict[str, Any], bool]], item: DatasetItem) -> None:
        rows.sort(key=lambda r: r[0])
        label = rows[0][1]
        where = f"{self.where}: track {track_id}"
        keyframes: dict[int, Keyframe] = {}
        for frame, row_label, box, attributes, occluded in rows:
            if frame in keyframes and not keyframes[frame].outside:
                self.issue(where, f"a second box on frame {frame + 1}; skipped")
                continue
            if row_label != label:
                self.issue(where, f"frame {frame + 1}: class {row_label!r} on a {label!r} track; read as {label!r}")
            keyframes[frame] = Keyframe(frame, box, occluded=occluded, attributes=attributes)
            end = frame + 1
            if end not in keyframes and end < (item.frames or MAX_FRAME):
                keyframes[end] = Keyframe(end, box, outside=True, attributes=attributes)
        try:
            item.tracks.append(Track(str(track_id), label, tuple(keyframes.values()), source=self.source(None)))
        except TrackError as exc:
            self.issue(where, f"{exc}; skipped")


def _int(text: str | None) -> int | None:
    value = parse_float(text)
    return int(value) if value is not None and value.is_integer() else None
