"""Import a dataset file into a workspace and export a workspace as a dataset, in any registered format.

Import reads and validates the whole file first (a refused file raises FormatError before anything is written), then
probes the media beside it that the workspace lacks (hashing, indexing, decoding: before any lock is taken), then
writes the new tasks, all annotations (one insert_annotations call) and new labels (one set_schema call) in ONE
transaction (sync/transfer_steps.py), so a cancel or an error midway leaves the workspace exactly as it was.
Export is sync/transfer_export.py (written beside the target and moved into place when complete).

Re-importing is safe: an annotation whose label and shape equal a live annotation of the same task is counted as a
duplicate and not added again. So importing the same file twice adds nothing the second time, while a file with new
shapes for already annotated images still adds those. (An annotation edited since the first import no longer
matches, so its original comes back; that is reported in the counts.)

Videos: a video item's shapes of one frame count as duplicates by label, shape and frame; its tracks become new
tracks of keyframe rows (core.tracks.track_rows), a track equal in label and keyframes (frame, shape, outside) to one
of the task's being a duplicate. An export gives a video task's keyframe rows to the format as tracks. A format's
`media_kinds` say which tasks it takes; the others are left out with a message.

Recordings: segments past the recording's end or breaking their tier's rules (labels, overlaps, points), also with
the segments already stored, are named and skipped (sync/segment_import.py).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from core.annotation import Annotation, Task, TaskStatus, new_id
from core.formats import Dataset, DatasetItem, read_dataset
from core.media_kinds import VIDEO
from core.messages import Message, compose, translate
from core.schema import AttributeSpec, Label, LabelSchema, SchemaError, Tier
from core.shapes import Instant, Segment
from core.tracks import Track, track_rows, tracks_from_rows
from sync.media_import import Probed, probe_files, store_probed
from sync.segment_import import checked_segments
from sync.transfer_export import all_tasks, export_dataset
from sync.transfer_steps import Cancelled, Progress, Steps, one_transaction
from sync.workspace import Workspace

__all__ = ["Cancelled", "TransferReport", "export_dataset", "import_dataset"]


@dataclass
class TransferReport:
    """What an import did; `messages` name the file and record (or image) of every skipped or changed thing."""

    format: str
    items: int = 0  # images described by the file
    tasks_matched: int = 0  # of those, images that ended up as a workspace task (found or added)
    media_added: int = 0  # image files added to the workspace as new tasks
    annotations_added: int = 0
    duplicates: int = 0  # already in the workspace with the same label and shape; not added again
    skipped: int = 0  # annotations the file gave but the workspace could not take (see messages)
    labels_added: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """What `annodesk import` prints and the app's summary shows, before the messages."""
        lines: list[str] = [translate("transfer", "imported {annotations} annotations on {matched} of {items} "
                                      "images ({added} images added, {duplicates} already present, {skipped} "
                                      "skipped)").format(
            annotations=self.annotations_added, matched=self.tasks_matched, items=self.items, added=self.media_added,
            duplicates=self.duplicates, skipped=self.skipped)]
        if self.labels_added:
            lines.append(_labels_added(self.labels_added))
        return lines


def import_dataset(
    ws: Workspace, format_name: str, path: str | Path, *, add_media: bool = True,
    task_ids: Collection[int] | None = None, progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> TransferReport:
    """Import annotations from `path`; with `add_media`, images found beside the file become new tasks. With
    `task_ids`, only those tasks take annotations (nothing is added). `progress(done, total)` follows the steps;
    when `cancelled()` turns true, everything is rolled back and Cancelled is raised."""
    steps = Steps(progress, cancelled)
    dataset = read_dataset(format_name, Path(path))
    steps.check()
    report = TransferReport(format_name, items=len(dataset.items), messages=[i.text() for i in dataset.issues])
    steps.add(2 * len(dataset.items) + 1)  # matched, planned, stored
    found, missing = _pair_items(ws, dataset, report, add_media, task_ids, steps)
    probed = None
    if missing:  # probed before the transaction: hashing and decoding new media must not hold the write lock
        files = sorted(set(missing.values()))
        steps.add(len(files))
        probed = probe_files(ws, files, steps.nested(), steps.is_cancelled)
        steps.check()
    with one_transaction(ws):
        tasks = _matched(ws, dataset, report, found, missing, probed)
        if not tasks:  # nothing to import: the schema stays as it was too
            report.messages.append(translate("transfer", "no image or video of the file is in the workspace or "
                                             "beside the file; nothing changed"))
            steps.finish()
            return report
        schema = _extended_schema(ws.schema, dataset, report)
        new: list[Annotation] = []
        dropped: Counter[Message] = Counter()
        steps.advance(len(dataset.items) - len(tasks))  # the items that go no further
        for item, task in tasks:
            rows = ws.annotations(task.id)
            fresh = _new_annotations(ws, item, task, rows, schema, report, dropped)
            if task.kind == "audio":
                kept = checked_segments(ws, item.file_name, task, rows, fresh, schema, report.messages)
                report.skipped += len(fresh) - len(kept)
                fresh = kept
            new += fresh
            if item.tracks:
                new += _new_track_rows(ws, item, task, rows, schema, report, dropped)
            steps.advance()
        report.messages += [translate("formats", "{reason} ({count} annotations)").format(reason=reason, count=count)
                            for reason, count in dropped.items()]
        if report.duplicates:
            report.messages.append(translate("transfer", "{count} annotations were already in the workspace (same "
                                             "label and shape); not added again").format(count=report.duplicates))
        if new:
            ws.insert_annotations(new)
        if schema != ws.schema:  # last: a rollback puts the schema object back (one_transaction)
            ws.set_schema(schema)
        steps.check()  # a cancel up to the commit still rolls it all back
    report.annotations_added = len(new)
    steps.finish()
    return report


def _new_annotations(ws: Workspace, item: DatasetItem, task: Task, rows: list[Annotation], schema: LabelSchema,
                     report: TransferReport, dropped: Counter[Message]) -> list[Annotation]:
    """The item's shapes (of one frame on a video) that are not in the workspace yet, as new annotations."""
    keys = {(a.label, a.shape, a.frame) for a in rows if a.track is None}
    new = []
    for index, ann in enumerate(item.annotations):
        label = schema.get(ann.label)
        assert label is not None  # _extended_schema added every label of the dataset
        if not label.allows(ann.shape.kind):
            report.skipped += 1
            report.messages.append(translate("transfer", "{item}: annotation {index}: label {label!r} does not allow "
                                             "{kind} shapes").format(item=item.file_name, index=index,
                                                                     label=label.name, kind=ann.shape.kind))
        elif ann.frame is not None and ann.frame >= task.frames:
            report.skipped += 1
            report.messages.append(translate("transfer", "{item}: annotation {index}: frame {frame} is past the "
                                             "video's {frames} frames; skipped").format(
                item=item.file_name, index=index, frame=ann.frame, frames=task.frames))
        elif (ann.label, ann.shape, ann.frame) in keys:
            report.duplicates += 1
        else:
            attributes = _attributes(label, ann.attributes, dropped)
            new.append(Annotation(new_id(), task.id, label.name, ann.shape, attributes, ws.author, ann.source,
                                  group=ann.group, z=ann.z, frame=ann.frame, occluded=ann.occluded))
            keys.add((ann.label, ann.shape, ann.frame))  # the same shape twice in one import is added once
    return new


def _track_key(track: Track) -> tuple[Any, ...]:
    return track.label, tuple((k.frame, k.shape, k.outside) for k in track.keyframes)


def _new_track_rows(ws: Workspace, item: DatasetItem, task: Task, rows: list[Annotation], schema: LabelSchema,
                    report: TransferReport, dropped: Counter[Message]) -> list[Annotation]:
    """The item's tracks that the task lacks, as keyframe rows under new track ids (a file's ids are its own)."""
    keys = {_track_key(t) for t in tracks_from_rows(rows)[0]}
    new: list[Annotation] = []
    for track in item.tracks:
        label = schema.get(track.label)
        assert label is not None
        if not label.allows(track.kind):
            report.skipped += len(track.keyframes)
            report.messages.append(translate("transfer", "{item}: track {track}: label {label!r} does not allow "
                                             "{kind} shapes").format(item=item.file_name, track=track.id,
                                                                     label=label.name, kind=track.kind))
            continue
        past = [k for k in track.keyframes if k.frame >= task.frames]
        if past:
            report.skipped += len(past)
            report.messages.append(translate("transfer", "{item}: track {track}: {count} keyframes past the video's "
                                             "{frames} frames; skipped").format(
                item=item.file_name, track=track.id, count=len(past), frames=task.frames))
            if len(past) == len(track.keyframes):
                continue
            track = dataclasses.replace(track, keyframes=tuple(k for k in track.keyframes if k.frame < task.frames))
        if _track_key(track) in keys:
            report.duplicates += len(track.keyframes)
            continue
        keys.add(_track_key(track))
        for row in track_rows(task.id, dataclasses.replace(track, id=new_id()), ws.author):
            new.append(dataclasses.replace(row, attributes=_attributes(label, row.attributes, dropped)))
    return new


def _locate(item: DatasetItem, report: TransferReport) -> Path | None:
    """The image file of `item`: the one its reader found, else one in its media folders, never outside them."""
    if item.media_path is not None and item.media_path.is_file():
        return item.media_path.resolve()
    # a MOT sequence is named without an extension: its video may lie beside it as <name>.mp4 and so on
    names = [item.file_name] if item.kind != "video" or PurePath(item.file_name).suffix else \
        [item.file_name + ext for ext in sorted(VIDEO.extensions)]
    for folder in item.media_dirs:
        base = folder.resolve()
        for name in names:
            candidate = (base / name).resolve()
            if not candidate.is_relative_to(base):
                report.messages.append(translate("transfer", "{item}: file name points outside the dataset folder; "
                                                 "not read").format(item=item.file_name))
                return None
            if candidate.is_file():
                return candidate
    return None


def _pair_items(
    ws: Workspace, dataset: Dataset, report: TransferReport, add_media: bool, task_ids: Collection[int] | None,
    steps: Steps,
) -> tuple[dict[int, Task], dict[int, Path]]:
    """Items (by index) with their tasks, found by path or unique name, and the items whose media is beside the
    dataset and not in the workspace yet (to be added); with `task_ids`, only items of those tasks (none added).
    Reads only: it runs before the import's transaction."""
    found: dict[int, Task] = {}
    missing: dict[int, Path] = {}
    videos: dict[str, list[Task]] | None = None
    wanted = None if task_ids is None else set(task_ids)
    outside = 0  # items not on a selected task
    for i, item in enumerate(dataset.items):
        steps.advance()
        task = ws.find_task(item.file_name) or ws.find_task(PurePath(item.file_name).name)
        if task is None and item.kind == "video":
            if videos is None:
                videos = _videos_by_stem(ws)
            named = videos.get(PurePath(item.file_name).stem, [])
            task = named[0] if len(named) == 1 else None
        media = None if task else _locate(item, report)
        task = task or (ws.find_task(str(media)) if media else None)
        if wanted is not None and (task is None or task.id not in wanted):
            outside += 1
            report.skipped += item.shape_count()
        elif task:
            found[i] = task
        elif media and add_media:
            missing[i] = media
        else:
            report.skipped += item.shape_count()
            why = translate("transfer", "{item}: {kind} not in the workspace (adding media is off)") if media else \
                translate("transfer", "{item}: {kind} not in the workspace and not found beside the annotation file")
            report.messages.append(why.format(item=item.file_name, kind=item.kind))
    if outside:
        report.messages.append(translate("transfer", "{count} items of the file are not on the selected tasks; "
                                         "left out").format(count=outside))
    return found, missing


def _matched(ws: Workspace, dataset: Dataset, report: TransferReport, found: dict[int, Task],
             missing: dict[int, Path], probed: Probed | None) -> list[tuple[DatasetItem, Task]]:
    """The (item, task) pairs to import into, the probed media stored first (in the import's transaction)."""
    if probed is not None:
        store_probed(ws, probed)
        report.media_added = probed.report.added
        report.messages += [compose("{path}: {error}", path=path, error=error)
                            for path, error in probed.report.errors]
        for i, media in missing.items():
            task = ws.find_task(str(media))
            if task:
                found[i] = task
            else:
                report.skipped += dataset.items[i].shape_count()
                report.messages.append(translate("transfer", "{item}: {media} could not be added to the "
                                                 "workspace").format(item=dataset.items[i].file_name, media=media))
    pairs = []
    for i, task in sorted(found.items()):
        item = dataset.items[i]
        problem = _task_problem(item, task)
        if problem:
            report.skipped += item.shape_count()
            report.messages.append(translate("transfer", "{item}: {problem}; its {count} annotations are "
                                             "skipped").format(item=item.file_name, problem=problem,
                                                               count=item.shape_count()))
        else:
            pairs.append((item, task))
    report.tasks_matched = len(pairs)
    return pairs


def _videos_by_stem(ws: Workspace) -> dict[str, list[Task]]:
    """Video tasks by file name without extension: MOT names a sequence so ("MOT16-02" for MOT16-02.mp4)."""
    found: dict[str, list[Task]] = {}
    for task in all_tasks(ws):
        if task.kind == "video":
            found.setdefault(PurePath(task.name).stem, []).append(task)
    return found


def _task_problem(item: DatasetItem, task: Task) -> str:
    if task.status is TaskStatus.ERROR:
        return translate("transfer", "the {kind} {path} cannot be read ({error})").format(
            kind=task.kind, path=task.media_path, error=task.error)
    if task.kind != item.kind:
        return translate("transfer", "the file describes {described} but {path} is {kind}").format(
            described=_a(item.kind), path=task.media_path, kind=_a(task.kind))
    if item.kind != "image" and not item.width and not item.height:
        return ""  # the file does not give the frame size (MOT without seqinfo.ini, audio)
    if (task.width, task.height) != (item.width, item.height):
        return translate("transfer", "the file says {width}x{height} but the image {path} is {task_width}x"
                         "{task_height}").format(width=item.width, height=item.height, path=task.media_path,
                                                 task_width=task.width, task_height=task.height)
    return ""


def _a(kind: str) -> str:
    named = {"image": translate("transfer", "an image"), "video": translate("transfer", "a video"),
             "audio": translate("transfer", "a recording")}
    return named.get(kind) or translate("transfer", "a {kind} item").format(kind=kind)


def _labels_added(names: list[str]) -> Message:
    return translate("transfer", "labels added to the schema: {labels}").format(labels=", ".join(names))


def _extended_schema(schema: LabelSchema, dataset: Dataset, report: TransferReport) -> LabelSchema:
    """The schema with every label of the dataset (declared or used) that it lacks, as the file defines it."""
    for name in dataset.all_labels():
        if schema.get(name) is None:
            schema = schema.with_label(name)
            definition = dataset.label_defs.get(name)
            if definition is not None:
                added = schema.labels[-1]
                defined = dataclasses.replace(
                    added, attributes=definition.attributes, keypoints=definition.keypoints,
                    skeleton=definition.skeleton,
                )
                schema = schema.with_last_label(defined)
            report.labels_added.append(name)
    if report.labels_added:
        report.messages.append(_labels_added(report.labels_added))
    return _with_tiers(schema, dataset, report)


def _with_tiers(schema: LabelSchema, dataset: Dataset, report: TransferReport) -> LabelSchema:
    """The schema with the tiers the file's segments name that it lacks: any label, overlaps allowed (no rule the
    file did not state), a point tier where the file holds only instants there."""
    kinds: dict[str, set[bool]] = {}
    for item in dataset.items:
        for ann in item.annotations:
            if isinstance(ann.shape, Segment | Instant) and schema.tier(ann.shape.tier) is None:
                kinds.setdefault(ann.shape.tier, set()).add(isinstance(ann.shape, Instant))
    added = [Tier(name, overlap=True, points=points == {True}) for name, points in kinds.items() if name]
    if not added:
        return schema
    report.messages.append(translate("transfer", "tiers added to the schema: {tiers}").format(tiers=", ".join(
        f"{t.name} ({'points' if t.points else 'intervals'})" for t in added)))
    return LabelSchema(schema.labels, (*schema.tiers, *added))


def _attributes(label: Label, given: dict[str, Any], dropped: Counter[Message]) -> dict[str, Any]:
    """The label's initial attributes overlaid with the file's values that the schema declares and accepts."""
    specs = {spec.name: spec for spec in label.attributes}
    values = label.initial_attributes()
    for name, value in given.items():
        spec = specs.get(name)
        if spec is None:
            dropped[translate("transfer", "attribute {name!r} of label {label!r} is not in the schema; "
                              "dropped").format(name=name, label=label.name)] += 1
            continue
        try:
            values[name] = spec.validate(_from_text(spec, value))
        except SchemaError as exc:
            dropped[translate("transfer", "label {label!r}: {error}; the default is used").format(
                label=label.name, error=exc)] += 1
    return values


def _from_text(spec: AttributeSpec, value: Any) -> Any:
    """A value that XML formats give as text, in the spec's type; anything else as it is (validate judges it)."""
    if not isinstance(value, str):
        return value
    if spec.type == "checkbox" and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if spec.type == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    return value
