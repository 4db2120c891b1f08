"""Reading files we did not write: the limits every reader applies, in one place.

Annotation files come from other tools, other teams and sometimes attackers. Each reader parses through
`load_json`, `load_yaml` and `parse_xml`, which refuse what Python's parsers would turn into a hang, a crash or an
unbounded allocation (nesting past the interpreter's stack, YAML alias bombs, XML entities, unknown encodings,
files past `MAX_DOCUMENT_BYTES`) with a FormatError naming the file. What a reader returns then passes
`checked_dataset`, which holds every name, label, attribute and number to what a workspace and a file system can
store (labels as core.names allows them; image names without NUL, control characters or lone surrogates, in parts a
file system can hold; integers in SQLite's range; image sizes within core.media's limits); a bad record is dropped
with an Issue and the rest goes on.
"""

from __future__ import annotations

import dataclasses
import json
import reprlib
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as _safe_parse

from core.annotation import video_field_error
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.media import size_problem
from core.messages import translate
from core.names import label_name_problem
from core.tracks import Track

MAX_DOCUMENT_BYTES = 4 << 30  # one annotation file; COCO files of a few GB exist, past this it is not a dataset
MAX_YAML_VALUES = 1_000_000  # values in a data.yaml counting every alias use; a real one has a few thousand
MAX_DEPTH = 100  # nesting of a YAML document; real ones nest 3 or 4 levels
MAX_NAME_BYTES = 255  # one path component, as ext4, NTFS and APFS allow
MAX_PATH_BYTES = 4096
MAX_TEXT_CHARS = 100_000  # an attribute's text value (a transcription); names follow core.names
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1  # what SQLite stores as INTEGER

_brief = reprlib.Repr(maxlevel=3, maxstring=60, maxother=60, maxlist=6, maxdict=6)


def brief(value: Any) -> str:
    """A short repr for messages: bounded in length and depth, so a hostile value cannot flood or recurse."""
    return _brief.repr(value)


# ---------------------------------------------------------------- parsing


def read_bytes(file: Path) -> bytes:
    """The file's bytes, refusing a file past MAX_DOCUMENT_BYTES before reading it."""
    try:
        size = file.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise FormatError(translate("formats", "{file}: {size:,} bytes is past the {limit:,}-byte limit of a "
                                        "file").format(file=file, size=size, limit=MAX_DOCUMENT_BYTES))
        return file.read_bytes()
    except OSError as exc:
        raise FormatError(_cannot_read(file, exc)) from None


def load_json(file: Path) -> Any:
    """The parsed JSON file (NaN and Infinity read as floats, for readers to refuse per field)."""
    data = read_bytes(file)
    try:
        return json.loads(data)
    except ValueError as exc:  # not JSON, not UTF-8/16/32, or an integer of more than 4,300 digits
        raise FormatError(translate("formats", "{file}: not valid JSON: {error}").format(file=file,
                                                                                        error=exc)) from None
    except RecursionError:
        raise FormatError(translate("formats", "{file}: refused: JSON nested deeper than this program can read").format(
            file=file)) from None


def load_yaml(file: Path) -> Any:
    """The parsed YAML file, with bounded size, nesting and alias expansion."""
    text = read_bytes(file)
    try:
        data = yaml.safe_load(text)  # aliases are built once and shared: cheap here, exploding in a reader
    except yaml.YAMLError as exc:
        raise FormatError(translate("formats", "{file}: not valid YAML: {error}").format(
            file=file, error=str(exc).splitlines()[0])) from None
    except RecursionError:
        raise FormatError(translate("formats", "{file}: refused: YAML nested deeper than this program can read").format(
            file=file)) from None
    _check_size(file, data)
    return data


def _check_size(file: Path, data: Any) -> None:
    """Walks the value without recursion: shared (aliased) parts count at every use, as a reader would meet them."""
    stack = [(data, 1)]
    values = 0
    while stack:
        value, depth = stack.pop()
        values += 1
        if values > MAX_YAML_VALUES:
            raise FormatError(translate("formats", "{file}: refused: more than {limit:,} values (an alias "
                                        "bomb?)").format(file=file, limit=MAX_YAML_VALUES))
        if depth > MAX_DEPTH:
            raise FormatError(translate("formats", "{file}: refused: nested more than {limit} levels deep").format(
                file=file, limit=MAX_DEPTH))
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack += [(child, depth + 1) for child in children]


def parse_xml(path: Path) -> ET.Element:
    """The root element of an XML file; DTDs and entities are refused (defusedxml), errors name the file."""
    try:
        return _safe_parse(str(path), forbid_dtd=True).getroot()
    except OSError as exc:
        raise FormatError(_cannot_read(path, exc)) from None
    except ET.ParseError as exc:
        raise FormatError(translate("formats", "{file}: not well-formed XML: {error}").format(file=path,
                                                                                             error=exc)) from None
    except DefusedXmlException as exc:
        raise FormatError(translate("formats", "{file}: refused: the XML declares a DTD or entities ({error})").format(
            file=path, error=type(exc).__name__)) from None
    except (LookupError, ValueError) as exc:  # an unknown or multi-byte encoding in the declaration
        raise FormatError(translate("formats", "{file}: cannot read the XML's declared encoding: {error}").format(
            file=path, error=exc)) from None


def _cannot_read(file: Path, exc: OSError) -> str:
    return translate("formats", "{file}: cannot read: {error}").format(file=file, error=exc.strerror or exc)


# ---------------------------------------------------------------- values


def text_problem(value: Any, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """Why `value` cannot be stored as a name or text (None when it can)."""
    if not isinstance(value, str):
        return translate("formats", "{value} is not text").format(value=brief(value))
    if len(value) > max_chars:
        return translate("formats", "{value} is longer than {limit:,} characters").format(value=brief(value),
                                                                                  limit=max_chars)
    if "\x00" in value:
        return translate("formats", "{value} contains a NUL character").format(value=brief(value))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return translate("formats", "{value} is not valid Unicode (a lone surrogate)").format(value=brief(value))
    return None


def name_problem(name: Any) -> str | None:
    """Why `name` cannot be an image's relative file name (None when it can)."""
    problem = text_problem(name, MAX_PATH_BYTES)
    if problem:
        return problem
    if not name.strip():
        return translate("formats", "the file name is empty")
    if any(ord(c) < 32 for c in name):
        return translate("formats", "{value} contains a control character").format(value=brief(name))
    if len(name.encode("utf-8")) > MAX_PATH_BYTES:
        return translate("formats", "{value} is longer than {limit:,} bytes").format(value=brief(name),
                                                                                     limit=MAX_PATH_BYTES)
    for part in PurePosixPath(name.replace("\\", "/")).parts:
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            return translate("formats", "{value} is longer than the {limit} bytes a file name may have").format(
                value=brief(part), limit=MAX_NAME_BYTES)
    return None


def in_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


# ---------------------------------------------------------------- the dataset a reader returned


def checked_dataset(dataset: Dataset) -> Dataset:
    """The dataset without the items, labels and annotations a workspace cannot store, each dropped with an Issue."""
    items = []
    for item in dataset.items:
        problem = name_problem(item.file_name) or size_problem(item.width, item.height)
        if problem:
            dataset.issue(brief(item.file_name), translate("formats", "{problem}; the image and its {count} "
                                                           "annotations are skipped").format(
                problem=problem, count=item.shape_count()))
            continue
        item.annotations = [_stored_numbers(dataset, item, i, a) for i, a in enumerate(item.annotations)
                            if _annotation_ok(dataset, item, i, a)]
        item.tracks = [_stored_track(dataset, item, t) for t in item.tracks if _track_ok(dataset, item, t)]
        items.append(item)
    dataset.items = items
    bad_labels = [label for label in dataset.labels if label_name_problem(label)]
    for label in bad_labels:
        dataset.issue("labels", _label_skipped(label, label_name_problem(label)))
    dataset.labels = [label for label in dataset.labels if label not in bad_labels]
    dataset.label_defs = {k: v for k, v in dataset.label_defs.items() if k in dataset.labels}
    return dataset


def _annotation_ok(dataset: Dataset, item: DatasetItem, index: int, ann: DatasetAnnotation) -> bool:
    where = _annotation_at(item, index)
    problem = label_name_problem(ann.label)
    if problem:
        dataset.issue(where, _label_skipped(ann.label, problem))
        return False
    problem = video_field_error("frame", ann.frame)
    if problem:
        dataset.issue(where, translate("formats", "{problem}; skipped").format(problem=problem))
        return False
    return _attributes_ok(dataset, where, ann.attributes)


def _attributes_ok(dataset: Dataset, where: str, attributes: dict[str, Any]) -> bool:
    for name, value in attributes.items():
        problem = label_name_problem(name) or (text_problem(value) if isinstance(value, str) else None)
        if problem:
            dataset.issue(where, translate("formats", "attribute {name}: {problem}; skipped").format(name=brief(name),
                                                                                              problem=problem))
            return False
    return True


def _track_ok(dataset: Dataset, item: DatasetItem, track: Track) -> bool:
    """A track whose label or any attribute name or value cannot be stored is skipped whole (its keyframes are one
    object)."""
    where = _track_at(item, track)
    problem = label_name_problem(track.label)
    if problem:
        dataset.issue(where, _label_skipped(track.label, problem))
        return False
    return all(_attributes_ok(dataset, where, values)
               for values in (track.attributes, *(k.attributes for k in track.keyframes)))


def _stored_track(dataset: Dataset, item: DatasetItem, track: Track) -> Track:
    if track.group is not None and not in_int64(track.group):
        dataset.issue(_track_at(item, track), _group_ignored(track.group))
        return dataclasses.replace(track, group=None)
    return track


def _stored_numbers(dataset: Dataset, item: DatasetItem, index: int, ann: DatasetAnnotation) -> DatasetAnnotation:
    """The annotation with a group id or z order past SQLite's integers dropped (the shape itself is kept)."""
    where = _annotation_at(item, index)
    if ann.group is not None and not in_int64(ann.group):
        dataset.issue(where, _group_ignored(ann.group))
        ann = dataclasses.replace(ann, group=None)
    if not in_int64(ann.z):
        dataset.issue(where, translate("formats", "z order {z} is outside the 64-bit integer range; 0 is used").format(
            z=brief(ann.z)))
        ann = dataclasses.replace(ann, z=0)
    return ann


def _annotation_at(item: DatasetItem, index: int) -> str:
    return translate("formats", "{item}: annotation {index}").format(item=item.file_name, index=index)


def _track_at(item: DatasetItem, track: Track) -> str:
    return translate("formats", "{item}: track {track}").format(item=item.file_name, track=brief(track.id))


def _label_skipped(label: Any, problem: str | None) -> str:
    return translate("formats", "label {label}: {problem}; skipped").format(label=brief(label), problem=problem)


def _group_ignored(group: int) -> str:
    return translate("formats", "group id {group} is outside the 64-bit integer range; ignored").format(
        group=brief(group))
