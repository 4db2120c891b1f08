"""Audacity label tracks: one text file per recording, a line per label: `start<TAB>end<TAB>text` (seconds).

Point labels have start == end and become instants. A line that starts with a backslash gives the spectral
selection (low and high frequency) of the label above it; frequencies are not kept (reported once a file). Audacity
writes times with the locale's decimal separator, so `43352,824046` is read as 43352.824046. A label track has no
tiers: all segments of a recording go to one file and are read back to the default tier.
"""

from __future__ import annotations

from pathlib import Path

from core.formats.audio_common import (
    AUDIO,
    audio_item,
    end_of,
    instant,
    label_and_text,
    parse_time,
    read_text,
    segment,
    start_of,
    write_per_item,
    written_text,
)
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.messages import translate
from core.shapes import Segment


class AudacityFormat:
    name = "audacity"
    description = translate(
        "formats", "Audacity label tracks: one .txt per recording (start, end, label; tab-separated)")
    title = "Audacity labels"
    file_types = ("*.txt",)
    media_kinds = (AUDIO,)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
        if not files or not all(f.is_file() for f in files):
            raise FormatError(f"{path}: no Audacity label file (.txt) found")
        dataset = Dataset()
        for file in files:
            item = audio_item(dataset, file, file.stem)
            _read_file(file, read_text(file, dataset), item, dataset)
            dataset.items.append(item)
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        for item in dataset.items:
            tiers = {getattr(a.shape, "tier", "") for a in item.annotations if isinstance(a.shape, Segment)}
            if len(tiers) > 1:
                dataset.issue(item.file_name, f"tiers {sorted(tiers)} written to one label track (it has no tiers)")
        return write_per_item(dataset, Path(out_dir), ".txt", _render)


AUDACITY = AudacityFormat()


def _read_file(file: Path, text: str, item: DatasetItem, dataset: Dataset) -> None:
    spectral = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{file.name}: line {number}"
        if line.startswith("\\"):
            spectral += 1
            continue
        fields = line.split("\t", 2)
        if len(fields) < 2:
            fields = line.split(None, 2)  # hand-written files use spaces
        if len(fields) < 2:
            dataset.issue(where, "expected start, end and label separated by tabs; skipped")
            continue
        start, end = parse_time(fields[0]), parse_time(fields[1])
        if start is None or end is None:
            dataset.issue(where, f"{fields[0]!r:.30} or {fields[1]!r:.30} is not a time in seconds; skipped")
            continue
        label, note = label_and_text(fields[2] if len(fields) > 2 else "")
        ann: DatasetAnnotation | None = instant(label, start, "", note) if start == end else \
            segment(dataset, where, label, start, end, "", note)
        if ann is not None:
            item.annotations.append(ann)
    if spectral:
        dataset.issue(file.name, f"{spectral} spectral selections (frequency ranges) are not kept")


def _render(item: DatasetItem, anns: list[DatasetAnnotation]) -> str:
    lines = [f"{start_of(a):.6f}\t{end_of(a):.6f}\t{_one_line(written_text(a))}" for a in anns]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())  # a tab or newline would split the label into fields or lines
