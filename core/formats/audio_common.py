"""What the audio label formats (Audacity, TextGrid, RTTM) share: text decoding, items, times, writing.

How a file's text maps onto a segment (docs/formats.md, "Audio"): a segment keeps its label as the annotation's
label and its transcription in `Segment.text`. Formats with one text per segment choose: Audacity and RTTM texts
are labels (an Audacity label that cannot be a label name, e.g. a long transcription, becomes the text of a
`segment` label); TextGrid texts are transcriptions, labelled with their tier's name, since a Praat tier holds free
text. Writers write the text when there is one, else the label, so every format round-trips what it can hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from core.formats.common import Leftovers, export_name, write_atomically
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import read_bytes
from core.names import MAX_NAME_BYTES, item_name_problem, label_name_problem
from core.shapes import Instant, Segment, ShapeError
from core.shapes.segment import MAX_SECONDS

AUDIO = "audio"
DEFAULT_LABEL = "segment"  # the label of a segment whose file gives none (an empty Audacity label)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def read_text(file: Path, dataset: Dataset) -> str:
    """The file as text: UTF-8 or UTF-16 by their byte order mark, UTF-8 without one, else Windows-1252 (old
    Praat and Audacity files on Windows), said in an Issue. FormatError when it is binary."""
    data = read_bytes(file)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise FormatError(f"{file}: not valid {encoding.upper()} text: {exc}") from None
    if b"\x00" in data[:4096]:
        if len(data) >= 2 and (data[0] == 0) != (data[1] == 0):  # UTF-16 without a byte order mark
            encoding = "utf-16-be" if data[0] == 0 else "utf-16-le"
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass
        raise FormatError(f"{file}: not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        dataset.issue(file.name, "not UTF-8; read as Windows-1252")
        return data.decode("cp1252", errors="replace")


def parse_time(text: str) -> float | None:
    """Seconds from text: '12.5', '12,5' (a German Audacity writes decimal commas), '1e3'; None if not a time."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and 0.0 <= value <= MAX_SECONDS else None


def audio_item(dataset: Dataset, label_file: Path, stem: str) -> DatasetItem:
    """The item of recording `stem`: named after the audio file beside `label_file` when there is one (so the import
    can add it), else after the stem alone (the workspace matches it to the one audio task of that stem)."""
    from core.media_kinds import AUDIO as AUDIO_KIND  # av is loaded only when an audio format is used

    folder = label_file.parent
    if item_name_problem(stem) is None and len(stem.encode("utf-8")) <= MAX_NAME_BYTES - 8:
        for ext in sorted(AUDIO_KIND.extensions):
            for candidate in (folder / f"{stem}{ext}", folder / f"{stem}{ext.upper()}"):
                if _is_file(candidate):
                    return DatasetItem(candidate.name, 0, 0, media_dirs=(folder,), media_path=candidate, kind=AUDIO)
    return DatasetItem(stem, 0, 0, media_dirs=(folder,), kind=AUDIO)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name the file system cannot hold
        return False


def label_and_text(text: str) -> tuple[str, str]:
    """A format's text as (label, transcription) for formats whose texts are labels."""
    text = text.strip()
    if not text:
        return DEFAULT_LABEL, ""
    if label_name_problem(text) is None and len(text) <= 64:
        return text, ""
    return DEFAULT_LABEL, text


def segment(dataset: Dataset, where: str, label: str, start: float, end: float, tier: str = "",
            text: str = "") -> DatasetAnnotation | None:
    """A segment annotation, or None with an Issue at `where` when the times cannot be one."""
    if end < start:
        dataset.issue(where, f"ends ({end}) before it starts ({start}); skipped")
        return None
    try:
        return DatasetAnnotation(label, Segment(start, end, tier, text))
    except ShapeError as exc:
        dataset.issue(where, f"{exc}; skipped")
        return None


def instant(label: str, time: float, tier: str = "", text: str = "") -> DatasetAnnotation:
    return DatasetAnnotation(label, Instant(time, tier, text))


def written_text(ann: DatasetAnnotation) -> str:
    """What a one-text format writes for a time annotation: its transcription, else its label."""
    shape = ann.shape
    text = shape.text if isinstance(shape, Segment | Instant) else ""
    return text or ann.label


def time_annotations(dataset: Dataset, item: DatasetItem, left: Leftovers) -> list[DatasetAnnotation]:
    """The item's segments and instants in time order; other shapes are counted as left out."""
    found = []
    for ann in item.annotations:
        if isinstance(ann.shape, Segment | Instant):
            found.append(ann)
        else:
            left.add(f"{ann.shape.kind} shapes left out (the format holds time segments)")
    return sorted(found, key=lambda a: start_of(a))


def start_of(ann: DatasetAnnotation) -> float:
    shape = ann.shape
    return shape.start if isinstance(shape, Segment) else shape.time  # type: ignore[attr-defined]


def end_of(ann: DatasetAnnotation) -> float:
    shape = ann.shape
    return shape.end if isinstance(shape, Segment) else shape.time  # type: ignore[attr-defined]


def write_per_item(dataset: Dataset, out_dir: Path, suffix: str,
                   render: Callable[[DatasetItem, list[DatasetAnnotation]], str]) -> list[Path]:
    """One file per audio item (its name with `suffix` in place of the audio extension), `render(item, anns)` giving
    its text; items without time annotations get no file."""
    left = Leftovers(suffix.lstrip("."))
    written = []
    for item in dataset.items:
        anns = time_annotations(dataset, item, left)
        if not anns:
            continue
        rel = export_name(out_dir, item.file_name)
        target = out_dir / Path(rel).with_suffix(suffix) if Path(rel).suffix else out_dir / f"{rel}{suffix}"
        write_atomically(target, render(item, anns))
        written.append(target)
    left.report(dataset)
    return written

