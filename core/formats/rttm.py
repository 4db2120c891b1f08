"""RTTM (NIST Rich Transcription Time Marked), as diarization tools write it: `SPEAKER <file> <channel> <onset>
<duration> <NA> <NA> <speaker> <NA> <NA>`, one line per speaker turn, fields separated by spaces.

A turn becomes a segment on the `speaker` tier with the speaker as its label; turns may overlap (people talk at
once). Lines of other types (LEXEME, NON-SPEECH ...) are counted and left out. One file may describe many
recordings (its file ids); the writer writes one .rttm per recording, its file id the recording's name without
extension (spaces become underscores: RTTM fields cannot hold them). Only the `speaker` tier is written when it
has segments (other tiers are reported left out); without one, every segment is a turn of its label.
"""

from __future__ import annotations

from pathlib import Path

from core.formats.audio_common import (
    AUDIO,
    audio_item,
    end_of,
    parse_time,
    read_text,
    segment,
    start_of,
    write_per_item,
)
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.messages import translate
from core.names import label_name_problem
from core.shapes import Segment

TIER = "speaker"


class RttmFormat:
    name = "rttm"
    description = translate(
        "formats", "RTTM speaker turns (diarization): SPEAKER lines; one file or a folder of .rttm files")
    title = "RTTM speaker turns"
    file_types = ("*.rttm",)
    media_kinds = (AUDIO,)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        files = sorted(path.glob("*.rttm")) if path.is_dir() else [path]
        if not files:
            raise FormatError(f"{path}: no .rttm file found")
        dataset = Dataset()
        items: dict[str, DatasetItem] = {}
        for file in files:
            _read_file(file, read_text(file, dataset), items, dataset)
        dataset.items = list(items.values())
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_per_item(dataset, Path(out_dir), ".rttm", lambda item, anns: _render(dataset, item, anns))


RTTM = RttmFormat()


def _read_file(file: Path, text: str, items: dict[str, DatasetItem], dataset: Dataset) -> None:
    others = 0
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith((";", "#")):
            continue
        where = f"{file.name}: line {number}"
        if fields[0] != "SPEAKER":
            others += 1
            continue
        if len(fields) < 8:
            dataset.issue(where, f"expected 10 fields (SPEAKER file channel onset duration ... speaker), got "
                                 f"{len(fields)}; skipped")
            continue
        onset, duration = parse_time(fields[3]), parse_time(fields[4])
        if onset is None or duration is None:
            dataset.issue(where, f"onset {fields[3]!r:.30} or duration {fields[4]!r:.30} is not a number of seconds "
                                 "(>= 0); skipped")
            continue
        speaker = fields[7]
        if label_name_problem(speaker):
            dataset.issue(where, f"speaker {speaker!r:.40}: {label_name_problem(speaker)}; skipped")
            continue
        item = items.get(fields[1])
        if item is None:
            item = items[fields[1]] = audio_item(dataset, file, fields[1])
        ann = segment(dataset, where, speaker, onset, onset + duration, TIER)
        if ann is not None:
            item.annotations.append(ann)
    if others:
        dataset.issue(file.name, f"{others} lines of types other than SPEAKER left out")


def _file_id(name: str) -> str:
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return "_".join(stem.split()) or "recording"


def _turns(dataset: Dataset, item: DatasetItem, anns: list[DatasetAnnotation]) -> list[DatasetAnnotation]:
    """The segments of the speaker tier; all segments when none is on it (a recording labelled without tiers)."""
    segments = [a for a in anns if isinstance(a.shape, Segment)]
    on_tier = [a for a in segments if a.shape.tier == TIER]  # type: ignore[attr-defined]
    left = len(anns) - len(on_tier) if on_tier else len(anns) - len(segments)
    if left:
        dataset.issue(item.file_name, f"{left} annotations not on the {TIER!r} tier (or instants) left out")
    return on_tier or segments


def _render(dataset: Dataset, item: DatasetItem, anns: list[DatasetAnnotation]) -> str:
    uri = _file_id(item.file_name)
    lines = []
    for ann in _turns(dataset, item, anns):
        speaker = "_".join(ann.label.split())
        start = start_of(ann)
        lines.append(f"SPEAKER {uri} 1 {start:.3f} {end_of(ann) - start:.3f} <NA> <NA> {speaker} <NA> <NA>")
    return "\n".join(lines) + "\n"
