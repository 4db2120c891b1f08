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
            raise FormatError(f"{file}: {size:,} bytes is past the {MAX_DOCUMENT_BYTES:,}-byte limit of a file")
        return file.read_bytes()
    except OSError as exc:
        raise FormatError(f"{file}: cannot read: {exc.strerror or exc}") from None


def load_json(file: Path) -> Any:
    """The parsed JSON file (NaN and Infinity read as floats, for readers to refuse per field)."""
    data = read_bytes(file)
    try:
        return json.loads(data)
    except ValueError as exc:  # not JSON, not UTF-8/16/32, or an integer of more than 4,300 digits
        raise FormatError(f"{file}: not valid JSON: {exc}") from None
    except RecursionError:
        raise FormatError(f"{file}: refused: JSON nested deeper than this program can read") from None


def load_yaml(file: Path) -> Any:
    """The parsed YAML file, with bounded size, nesting and alias expansion."""
    text = read_bytes(file)
    try:
        data = yaml.safe_load(text)  # aliases are built once and shared: cheap here, exploding in a reader
    except yaml.YAMLError as exc:
        raise FormatError(f"{file}: not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise FormatError(f"{file}: refused: YAML nested deeper than this program can read") from None
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
            raise FormatError(f"{file}: refused: more than {MAX_YAML_VALUES:,} values (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise FormatError(f"{file}: refused: nested more than {MAX_DEPTH} levels deep")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack += [(child, depth + 1) for child in children]


def parse_xml(path: Path) -> ET.Element:
    """The root element of an XML file; DTDs and entities are refused (defusedxml), errors name the file."""
    try:
        return _safe_parse(str(path), forbid_dtd=True).getroot()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ET.ParseError as exc:
        raise FormatError(f"{path}: not well-formed XML: {exc}") from None
    except DefusedXmlException as exc:
        raise FormatError(f"{path}: refused: the XML declares a DTD or entities ({type(exc).__name__})") from None
    except (LookupError, ValueError) as exc:  # an unknown or multi-byte encoding in the declaration
        raise FormatError(f"{path}: cannot read the XML's declared encoding: {exc}") from None


# ---------------------------------------------------------------- values


def text_problem(value: Any, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """Why `value` cannot be stored as a name or text (None when it can)."""
    if not isinstance(value, str):
        return f"{brief(value)} is not text"
    if len(value) > max_chars:
        return f"{brief(value)} is longer than {max_chars:,} characters"
    if "\x00" in value:
        return f"{brief(value)} contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{brief(value)} is not valid Unicode (a lone surrogate)"
    return None


def name_problem(name: Any) -> str | None:
    """Why `name` cannot be an image's relative file name (None when it can)."""
    problem = text_problem(name, MAX_PATH_BYTES)
    if problem:
        return problem
    if not name.strip():
        return "the file name is empty"
    if any(ord(c) < 32 for c in name):
        return f"{brief(name)} contains a control character"
    if len(name.encode("utf-8")) > MAX_PATH_BYTES:
        return f"{brief(name)} is longer than {MAX_PATH_BYTES:,} bytes"
    for part in PurePosixPath(name.replace("\\", "/")).parts:
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            return f"{brief(part)} is longer than the {MAX_NAME_BYTES} bytes a file name may have"
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
            dataset.issue(brief(item.file_name), f"{problem}; the image and its {item.shape_count()} "
                                                 "annotations are skipped")
            continue
        item.annotations = [_stored_numbers(dataset, item, i, a) for i, a in enumerate(item.annotations)
                            if _annotation_ok(dataset, item, i, a)]
        item.tracks = [_stored_track(dataset, item, t) for t in item.tracks if _track_ok(dataset, item, t)]
        items.append(item)
    dataset.items = items
    bad_labels = [label for label in dataset.labels if label_name_problem(label)]
    for label in bad_labels:
        dataset.issue("labels", f"label {brief(label)}: {label_name_problem(label)}; skipped")
    dataset.labels = [label for label in dataset.labels if label not in bad_labels]
    dataset.label_defs = {k: v for k, v in dataset.label_defs.items() if k in dataset.labels}
    return dataset


def _annotation_ok(dataset: Dataset, item: DatasetItem, index: int, ann: DatasetAnnotation) -> bool:
    where = f"{item.file_name}: annotation {index}"
    problem = label_name_problem(ann.label)
    if problem:
        dataset.issue(where, f"label {brief(ann.label)}: {problem}; skipped")
        return False
    problem = video_field_error("frame", ann.frame)
    if problem:
        dataset.issue(where, f"{problem}; skipped")
        return False
    return _attributes_ok(dataset, where, ann.attributes)


def _attributes_ok(dataset: Dataset, where: str, attributes: dict[str, Any]) -> bool:
    for name, value in attributes.items():
        problem = label_name_problem(name) or (text_problem(value) if isinstance(value, str) else None)
        if problem:
            dataset.issue(where, f"attribute {brief(name)}: {problem}; skipped")
            return False
    return True


def _track_ok(dataset: Dataset, item: DatasetItem, track: Track) -> bool:
    """A track whose label or any attribute name or value cannot be stored is skipped whole (its keyframes are one
    object)."""
    where = f"{item.file_name}: track {brief(track.id)}"
    problem = label_name_problem(track.label)
    if problem:
        dataset.issue(where, f"label {brief(track.label)}: {problem}; skipped")
        return False
    return all(_attributes_ok(dataset, where, values)
               for values in (track.attributes, *(k.attributes for k in track.keyframes)))


def _stored_track(dataset: Dataset, item: DatasetItem, track: Track) -> Track:
    if track.group is not None and not in_int64(track.group):
        dataset.issue(f"{item.file_name}: track {brief(track.id)}",
                      f"group id {brief(track.group)} is outside the 64-bit integer range; ignored")
        return dataclasses.replace(track, group=None)
    return track


def _stored_numbers(dataset: Dataset, item: DatasetItem, index: int, ann: DatasetAnnotation) -> DatasetAnnotation:
    """The annotation with a group id or z order past SQLite's integers dropped (the shape itself is kept)."""
    where = f"{item.file_name}: annotation {index}"
    if ann.group is not None and not in_int64(ann.group):
        dataset.issue(where, f"group id {brief(ann.group)} is outside the 64-bit integer range; ignored")
        ann = dataclasses.replace(ann, group=None)
    if not in_int64(ann.z):
        dataset.issue(where, f"z order {brief(ann.z)} is outside the 64-bit integer range; 0 is used")
        ann = dataclasses.replace(ann, z=0)
    return ann
