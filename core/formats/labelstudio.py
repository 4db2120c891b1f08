"""Label Studio JSON export of audio projects: regions with labels and per-region transcriptions.

A task's `data` names the recording (the `audio` key, else the first value that ends in an audio extension); its
file name is matched, without the `1a2b3c4d-` prefix Label Studio puts on uploaded files. In each annotation (and
each prediction, read as a model's with its score), results that share an `id` are one region: `labels` gives the
label (a second label of the same region is reported and left out) and the tier (the control's `from_name`),
`textarea` the transcription; a region with only a transcription is a `segment` on its control's tier. Results of
other types (choices, rating ...) are counted and left out. Written: one task per recording with one annotation,
a `labels` result per segment (from_name: its tier, or `label`) and a `textarea` result (from_name `transcription`)
where it has text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from core.annotation import Source, SourceKind
from core.formats.audio_common import AUDIO, DEFAULT_LABEL, end_of, segment, start_of, time_annotations
from core.formats.common import Leftovers, write_atomically
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.formats.untrusted import brief, load_json
from core.messages import translate
from core.names import label_name_problem
from core.shapes import Segment

_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-")
OUTPUT = "labelstudio.json"


class LabelStudioFormat:
    name = "labelstudio"
    description = translate(
        "formats", "Label Studio JSON export of audio tasks: labelled regions and per-region transcriptions")
    title = "Label Studio JSON"
    file_types = ("*.json",)
    media_kinds = (AUDIO,)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        file = path / OUTPUT if path.is_dir() else path
        data = load_json(file)
        if not isinstance(data, list):
            raise FormatError(f"{file}: not a Label Studio export (expected a list of tasks)")
        dataset = Dataset()
        items: dict[str, DatasetItem] = {}
        for t, task in enumerate(data):
            _read_task(file, t, task, items, dataset)
        dataset.items = list(items.values())
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        left = Leftovers(self.name)
        tasks = []
        for number, item in enumerate(dataset.items, 1):
            anns = [a for a in time_annotations(dataset, item, left) if isinstance(a.shape, Segment)]
            if anns:
                where = str(dataset.media_root / item.file_name) if dataset.media_root else item.file_name
                tasks.append({"id": number, "data": {"audio": where},
                              "annotations": [{"id": number, "result": _results(anns)}]})
        left.report(dataset)
        if not tasks:
            return []
        target = Path(out_dir) / OUTPUT
        write_atomically(target, json.dumps(tasks, ensure_ascii=False, indent=1))
        return [target]


LABELSTUDIO = LabelStudioFormat()


def _audio_name(data: Any) -> str | None:
    from core.media_kinds import AUDIO as AUDIO_KIND

    if not isinstance(data, dict):
        return None
    values = [data.get("audio"), *data.values()]
    for value in values:
        if isinstance(value, str) and (value is data.get("audio") or
                                       PurePosixPath(value.split("?")[0]).suffix.lower() in AUDIO_KIND.extensions):
            name = PurePosixPath(value.split("?")[0].replace("\\", "/")).name
            return _UPLOAD_PREFIX.sub("", name) or None
    return None


def _read_task(file: Path, t: int, task: Any, items: dict[str, DatasetItem], dataset: Dataset) -> None:
    where = f"{file.name}: tasks[{t}]"
    name = _audio_name(task.get("data")) if isinstance(task, dict) else None
    if name is None:
        dataset.issue(where, "no audio file in its data; skipped")
        return
    item = items.get(name)
    if item is None:
        item = items[name] = DatasetItem(name, 0, 0, media_dirs=(file.parent,), kind=AUDIO)
    others = 0
    for key in ("annotations", "predictions"):
        runs = task.get(key) or []
        for r, run in enumerate(runs if isinstance(runs, list) else []):
            if not isinstance(run, dict) or run.get("was_cancelled"):
                continue
            source = Source()
            if key == "predictions":
                score = run.get("score")
                source = Source(SourceKind.MODEL, float(score) if isinstance(score, int | float) else None,
                                str(run.get("model_version") or "labelstudio"))
            others += _read_results(f"{where}.{key}[{r}]", run.get("result"), source, item, dataset)
    if others:
        dataset.issue(where, f"{others} results of other types (choices, rating ...) left out")


def _read_results(where: str, results: Any, source: Source, item: DatasetItem, dataset: Dataset) -> int:
    regions: dict[str, dict[str, Any]] = {}
    others = 0
    for i, res in enumerate(results if isinstance(results, list) else []):
        value = res.get("value") if isinstance(res, dict) else None
        if not isinstance(value, dict) or res.get("type") not in ("labels", "textarea"):
            others += 1
            continue
        region = regions.setdefault(str(res.get("id", f"#{i}")), {"at": f"{where}.result[{i}]"})
        region.setdefault("start", value.get("start"))
        region.setdefault("end", value.get("end"))
        if res["type"] == "labels":
            region["labels"] = value.get("labels")
            region["tier"] = str(res.get("from_name") or "")
        else:
            text = value.get("text")
            region["text"] = "\n".join(t for t in text if isinstance(t, str)) if isinstance(text, list) else \
                text if isinstance(text, str) else ""
            region.setdefault("tier", str(res.get("from_name") or ""))
    for region in regions.values():
        ann = _region(region, source, dataset)
        if ann is not None:
            item.annotations.append(ann)
    return others


def _region(region: dict[str, Any], source: Source, dataset: Dataset) -> DatasetAnnotation | None:
    at, start, end = region["at"], region.get("start"), region.get("end")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end)):
        dataset.issue(at, f"start {brief(start)} and end {brief(end)} must be numbers of seconds; skipped")
        return None
    labels = region.get("labels")
    label = DEFAULT_LABEL
    if isinstance(labels, list) and labels:
        if not isinstance(labels[0], str) or label_name_problem(labels[0]):
            dataset.issue(at, f"label {brief(labels[0])} cannot be a label; skipped")
            return None
        label = labels[0]
        if len(labels) > 1:
            dataset.issue(at, f"{len(labels) - 1} more labels of the region left out (one label a segment)")
    tier = region.get("tier", "")
    ann = segment(dataset, at, label, float(start), float(end), tier if len(tier) <= 255 else "",  # type: ignore[arg-type]
                  region.get("text", ""))
    return DatasetAnnotation(ann.label, ann.shape, source=source) if ann is not None else None


def _results(anns: list[DatasetAnnotation]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for n, ann in enumerate(anns):
        shape = ann.shape
        assert isinstance(shape, Segment)
        rid, span = f"r{n}", {"start": start_of(ann), "end": end_of(ann)}
        labelled = ann.label != DEFAULT_LABEL or not shape.text
        if labelled:
            results.append({"id": rid, "type": "labels", "from_name": shape.tier or "label", "to_name": "audio",
                            "value": {**span, "labels": [ann.label]}})
        if shape.text:  # alone, its control names the tier
            control = "transcription" if labelled else shape.tier or "transcription"
            results.append({"id": rid, "type": "textarea", "from_name": control, "to_name": "audio",
                            "value": {**span, "text": [shape.text]}})
    return results
