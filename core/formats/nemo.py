"""NeMo ASR manifests: JSON lines, one utterance each: `{"audio_filepath", "duration", "text"}`, with `offset` when
the utterance is a stretch of a longer recording.

Each line is a segment on the `transcript` tier (offset to offset + duration, 0 when there is no offset), its text
the transcription and its label the line's `speaker` when it has a usable one, else `segment`. Recordings are
matched by `audio_filepath` (as written, then its file name); only a relative path under the manifest's folder is
added when no task has it (an absolute path never makes the import read a file elsewhere). A line
that is not JSON or lacks a number is reported with its line number and skipped. Written: one `manifest.json` of all
recordings, paths under the media folder when there is one, every segment with its offset.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from core.formats.audio_common import AUDIO, DEFAULT_LABEL, end_of, read_text, segment, start_of, time_annotations
from core.formats.common import Leftovers, write_atomically
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.messages import translate
from core.names import label_name_problem
from core.shapes import Segment

TIER = "transcript"
MANIFEST = "manifest.json"


class NemoFormat:
    name = "nemo"
    description = translate("formats", "NeMo ASR manifest (JSON lines: audio_filepath, offset, duration, text)")
    title = "NeMo manifest"
    file_types = ("*.json", "*.jsonl")
    media_kinds = (AUDIO,)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        file = path / MANIFEST if path.is_dir() else path
        if not file.is_file():
            raise FormatError(f"{path}: no NeMo manifest ({MANIFEST}) found")
        dataset = Dataset()
        items: dict[str, DatasetItem] = {}
        for number, line in enumerate(read_text(file, dataset).splitlines(), 1):
            if line.strip():
                _read_line(file, number, line, items, dataset)
        dataset.items = list(items.values())
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        left = Leftovers(self.name)
        lines = []
        for item in dataset.items:
            where = str(dataset.media_root / item.file_name) if dataset.media_root else item.file_name
            for ann in time_annotations(dataset, item, left):
                if isinstance(ann.shape, Segment):
                    lines.append(json.dumps(_entry(where, ann), ensure_ascii=False))
                else:
                    left.add("instants left out (a manifest holds stretches of audio)")
        left.report(dataset)
        if not lines:
            return []
        target = Path(out_dir) / MANIFEST
        write_atomically(target, "\n".join(lines) + "\n")
        return [target]


NEMO = NemoFormat()


def _entry(path: str, ann: DatasetAnnotation) -> dict[str, Any]:
    start = start_of(ann)
    entry: dict[str, Any] = {"audio_filepath": path, "offset": round(start, 6),
                             "duration": round(end_of(ann) - start, 6), "text": getattr(ann.shape, "text", "")}
    if ann.label != DEFAULT_LABEL:
        entry["speaker"] = ann.label
    return entry


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    return float(value) if ok else None


def _read_line(file: Path, number: int, line: str, items: dict[str, DatasetItem], dataset: Dataset) -> None:
    where = f"{file.name}: line {number}"
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):
        dataset.issue(where, "not a JSON object; skipped")
        return
    if not isinstance(entry, dict) or not isinstance(entry.get("audio_filepath"), str) or not entry["audio_filepath"]:
        dataset.issue(where, "expected an object with audio_filepath; skipped")
        return
    offset, duration = _number(entry.get("offset", 0)), _number(entry.get("duration"))
    if offset is None or duration is None:
        dataset.issue(where, "offset and duration must be numbers of seconds (>= 0); skipped")
        return
    text = entry.get("text", "")
    if not isinstance(text, str):
        dataset.issue(where, "text is not a string; skipped")
        return
    speaker = entry.get("speaker")
    label = speaker if isinstance(speaker, str) and label_name_problem(speaker) is None else DEFAULT_LABEL
    name = entry["audio_filepath"]
    item = items.get(name)
    if item is None:
        # an absolute path matches a task already in the workspace; only files under the manifest's folder are added
        item = items[name] = DatasetItem(name, 0, 0, media_dirs=(file.parent,), kind=AUDIO)
    ann = segment(dataset, where, label, offset, offset + duration, TIER, text)
    if ann is not None:
        item.annotations.append(ann)
