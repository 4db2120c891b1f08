"""Label schemas: labels with colour, hotkey, allowed shape types and typed attributes.

Schemas are read from JSON (a file or the workspace) and validated field by field, so that a mistake is reported as
`labels[2].attributes[0].options: ...` rather than as a crash later in the app.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.shapes import SHAPE_KINDS

ATTRIBUTE_TYPES = ("select", "checkbox", "text", "number")
# "multi": a whole-image tag of this label sits beside any others; "single": setting it removes the other "single"
# tags, so the "single" labels of a schema form one single-choice classification.
TAG_MODES = ("multi", "single")
HOTKEYS = tuple("1234567890")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Distinct, colour-blind-friendly defaults (Okabe-Ito, then Tableau) for labels that give none.
PALETTE = (
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
    "#4e79a7", "#f28e2b", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
)  # fmt: skip


class SchemaError(ValueError):
    """A label schema that cannot be used; the message names the field (and the file, when read from one)."""


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    name: str
    type: str
    options: tuple[str, ...] = ()
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    mutable: bool = False  # on a video track: may change from keyframe to keyframe (CVAT's "mutable"), else per track

    def validate(self, value: Any) -> Any:
        """Return `value` coerced to this attribute's type, or raise SchemaError saying why it does not fit."""
        if self.type == "checkbox":
            if not isinstance(value, bool):
                raise SchemaError(f"attribute {self.name!r}: expected true or false, got {value!r}")
            return value
        if self.type == "select":
            if value not in self.options:
                raise SchemaError(f"attribute {self.name!r}: {value!r} is not one of {list(self.options)}")
            return value
        if self.type == "text":
            if not isinstance(value, str):
                raise SchemaError(f"attribute {self.name!r}: expected text, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise SchemaError(f"attribute {self.name!r}: expected a number, got {value!r}")
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise SchemaError(f"attribute {self.name!r}: {value} is outside [{self.minimum}, {self.maximum}]")
        return value

    def initial(self) -> Any:
        """The value a new shape gets."""
        if self.default is not None:
            return self.default
        return {"checkbox": False, "select": self.options[0] if self.options else "", "text": ""}.get(
            self.type, self.minimum if self.minimum is not None else 0
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.options:
            data["options"] = list(self.options)
        if self.default is not None:
            data["default"] = self.default
        if self.minimum is not None:
            data["min"] = self.minimum
        if self.maximum is not None:
            data["max"] = self.maximum
        if self.mutable:
            data["mutable"] = True
        return data


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    color: str
    hotkey: str | None = None
    shape_types: tuple[str, ...] = ()  # empty: any shape type
    attributes: tuple[AttributeSpec, ...] = ()
    keypoints: tuple[str, ...] = ()  # skeleton template: point names in placing order (COCO keypoints)
    skeleton: tuple[tuple[int, int], ...] = ()  # edges between keypoint indices
    tag_mode: str = "multi"  # one of TAG_MODES

    def allows(self, kind: str) -> bool:
        return not self.shape_types or kind in self.shape_types

    def initial_attributes(self) -> dict[str, Any]:
        return {a.name: a.initial() for a in self.attributes}

    def validate_attributes(self, values: dict[str, Any]) -> dict[str, Any]:
        """Check every value against its spec; unknown names are refused so typos are caught."""
        specs = {a.name: a for a in self.attributes}
        unknown = set(values) - set(specs)
        if unknown:
            raise SchemaError(f"label {self.name!r} has no attribute {sorted(unknown)[0]!r}")
        return {name: specs[name].validate(value) for name, value in values.items()}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "color": self.color}
        if self.hotkey:
            data["hotkey"] = self.hotkey
        if self.shape_types:
            data["shapes"] = list(self.shape_types)
        if self.attributes:
            data["attributes"] = [a.to_json() for a in self.attributes]
        if self.keypoints:
            data["keypoints"] = list(self.keypoints)
            data["skeleton"] = [list(edge) for edge in self.skeleton]
        if self.tag_mode != "multi":
            data["tag_mode"] = self.tag_mode
        return data


@dataclass(frozen=True, slots=True)
class Tier:
    """A layer of audio segments (speaker, words, events ...): which labels it takes and whether its segments may
    overlap in time. A segment names its tier (core.shapes.Segment.tier); a tier the schema does not declare takes
    any label and allows overlaps, so imported files never lose segments for want of a declaration."""

    name: str
    labels: tuple[str, ...] = ()  # label names allowed on this tier; empty: any label
    overlap: bool = False  # may two segments of this tier share time (overlapping speech on a speaker tier)
    points: bool = False  # a point tier: instants (TextGrid TextTier), not segments

    def allows(self, label: str) -> bool:
        return not self.labels or label in self.labels

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name}
        if self.labels:
            data["labels"] = list(self.labels)
        if self.overlap:
            data["overlap"] = True
        if self.points:
            data["points"] = True
        return data


@dataclass(frozen=True, slots=True)
class LabelSchema:
    labels: tuple[Label, ...] = ()
    tiers: tuple[Tier, ...] = ()  # audio tiers; a schema without audio has none
    _by_name: dict[str, Label] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({label.name: label for label in self.labels})

    def get(self, name: str) -> Label | None:
        return self._by_name.get(name)

    def tier(self, name: str) -> Tier | None:
        return next((t for t in self.tiers if t.name == name), None)

    def track_attributes(self, label: str) -> frozenset[str]:
        """The attributes of `label` that hold for a whole video track (not `mutable`)."""
        found = self.get(label)
        return frozenset(a.name for a in found.attributes if not a.mutable) if found else frozenset()

    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def by_hotkey(self, key: str) -> Label | None:
        return next((label for label in self.labels if label.hotkey == key), None)

    def with_label(self, name: str) -> LabelSchema:
        """A schema with one more label (for labels met in an import), given the next free colour and hotkey."""
        if name in self._by_name:
            return self
        used_keys = {label.hotkey for label in self.labels}
        hotkey = next((k for k in HOTKEYS if k not in used_keys), None)
        color = PALETTE[len(self.labels) % len(PALETTE)]
        return LabelSchema((*self.labels, Label(name, color, hotkey)), self.tiers)

    def with_last_label(self, label: Label) -> LabelSchema:
        """The schema with its last label replaced (with_label's new one, once its definition is known)."""
        return LabelSchema((*self.labels[:-1], label), self.tiers)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": 1, "labels": [label.to_json() for label in self.labels]}
        if self.tiers:
            data["tiers"] = [tier.to_json() for tier in self.tiers]
        return data

    @classmethod
    def from_json(cls, data: Any) -> LabelSchema:
        if not isinstance(data, dict) or not isinstance(data.get("labels"), list):
            raise SchemaError('expected an object with a "labels" list')
        labels = [_parse_label(item, f"labels[{i}]", i) for i, item in enumerate(data["labels"])]
        _check_unique([lb.name for lb in labels], "labels", "name")
        _check_unique([lb.hotkey for lb in labels if lb.hotkey], "labels", "hotkey")
        tiers = data.get("tiers", [])
        if not isinstance(tiers, list):
            raise SchemaError("tiers: expected a list")
        names = {lb.name for lb in labels}
        parsed = tuple(_parse_tier(item, f"tiers[{i}]", names) for i, item in enumerate(tiers))
        _check_unique([t.name for t in parsed], "tiers", "name")
        return cls(tuple(labels), parsed)


def load_schema(path: str | Path) -> LabelSchema:
    """Read and validate a schema file; errors name the file and the field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: not valid JSON: {exc}") from None
    try:
        return LabelSchema.from_json(data)
    except SchemaError as exc:
        raise SchemaError(f"{path}: {exc}") from None


def _check_unique(values: list[Any], where: str, what: str) -> None:
    seen: set[Any] = set()
    for v in values:
        if v in seen:
            raise SchemaError(f"{where}: {what} {v!r} is used twice")
        seen.add(v)


def _parse_label(item: Any, where: str, index: int) -> Label:
    if not isinstance(item, dict):
        raise SchemaError(f"{where}: expected an object")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemaError(f"{where}.name: expected a non-empty string")
    color = item.get("color", PALETTE[index % len(PALETTE)])
    if not isinstance(color, str) or not _COLOR.match(color):
        raise SchemaError(f"{where}.color: expected #rrggbb, got {color!r}")
    hotkey = item.get("hotkey")
    if hotkey is not None and hotkey not in HOTKEYS:
        raise SchemaError(f"{where}.hotkey: expected one of 1-9 or 0, got {hotkey!r}")
    shapes = item.get("shapes", [])
    if not isinstance(shapes, list) or any(s not in SHAPE_KINDS for s in shapes):
        raise SchemaError(f"{where}.shapes: expected a list of {sorted(SHAPE_KINDS)}, got {shapes!r}")
    attrs = item.get("attributes", [])
    if not isinstance(attrs, list):
        raise SchemaError(f"{where}.attributes: expected a list")
    attributes = tuple(_parse_attribute(a, f"{where}.attributes[{i}]") for i, a in enumerate(attrs))
    _check_unique([a.name for a in attributes], f"{where}.attributes", "name")
    keypoints, skeleton = _parse_skeleton(item, where)
    tag_mode = item.get("tag_mode", "multi")
    if tag_mode not in TAG_MODES:
        raise SchemaError(f"{where}.tag_mode: expected one of {list(TAG_MODES)}, got {tag_mode!r}")
    return Label(name.strip(), color.lower(), hotkey, tuple(shapes), attributes, keypoints, skeleton, tag_mode)


def _parse_tier(item: Any, where: str, label_names: set[str]) -> Tier:
    if not isinstance(item, dict):
        raise SchemaError(f"{where}: expected an object")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or any(ord(c) < 32 for c in name) or len(name) > 255:
        raise SchemaError(f"{where}.name: expected a non-empty name of at most 255 characters")
    labels = item.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(lb, str) for lb in labels):
        raise SchemaError(f"{where}.labels: expected a list of label names")
    for label in labels:
        if label not in label_names:
            raise SchemaError(f"{where}.labels: {label!r} is not a label of this schema")
    _check_unique(labels, f"{where}.labels", "label")
    flags = []
    for key in ("overlap", "points"):
        value = item.get(key, False)
        if not isinstance(value, bool):
            raise SchemaError(f"{where}.{key}: expected true or false, got {value!r}")
        flags.append(value)
    return Tier(name.strip(), tuple(labels), flags[0], flags[1])


def _parse_skeleton(item: dict[str, Any], where: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    names = item.get("keypoints", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise SchemaError(f"{where}.keypoints: expected a list of point names")
    _check_unique(names, f"{where}.keypoints", "name")
    edges = item.get("skeleton", [])
    if not isinstance(edges, list):
        raise SchemaError(f"{where}.skeleton: expected a list of [i, j] pairs")
    for e, edge in enumerate(edges):
        if (
            not isinstance(edge, list)
            or len(edge) != 2
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(names) for i in edge)
        ):
            raise SchemaError(f"{where}.skeleton[{e}]: expected two indices into keypoints (0-{len(names) - 1})")
    return tuple(names), tuple((a, b) for a, b in edges)


def _parse_attribute(item: Any, where: str) -> AttributeSpec:
    if not isinstance(item, dict):
        raise SchemaError(f"{where}: expected an object")
    name, kind = item.get("name"), item.get("type")
    if not isinstance(name, str) or not name:
        raise SchemaError(f"{where}.name: expected a non-empty string")
    if kind not in ATTRIBUTE_TYPES:
        raise SchemaError(f"{where}.type: expected one of {list(ATTRIBUTE_TYPES)}, got {kind!r}")
    options = item.get("options", [])
    if kind == "select" and (
        not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options)
    ):
        raise SchemaError(f"{where}.options: a select needs a non-empty list of strings")
    bounds = []
    for key in ("min", "max"):
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise SchemaError(f"{where}.{key}: expected a number, got {value!r}")
        bounds.append(value)
    mutable = item.get("mutable", False)
    if not isinstance(mutable, bool):
        raise SchemaError(f"{where}.mutable: expected true or false, got {mutable!r}")
    spec = AttributeSpec(name, kind, tuple(options) if kind == "select" else (), None, bounds[0], bounds[1], mutable)
    if "default" in item:
        try:
            spec.validate(item["default"])
        except SchemaError as exc:
            raise SchemaError(f"{where}.default: {exc}") from None
        spec = dataclasses.replace(spec, default=item["default"])
    return spec
