"""Model cards: a small JSON (or YAML) file beside the .onnx that says how to feed the model and read its output.

A card gives the family, input size, normalisation, class names, thresholds and keypoint names; everything is
optional except what the graph cannot tell. Values are layered: the family's defaults, then what the graph's metadata
says (Ultralytics `names`, `imgsz`, `kpt_shape`), then the card file, then the caller's overrides (CLI flags, app
settings). Every field is checked here, so a typo is reported as `card.json: conf: expected a number in [0, 1]`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from core.messages import translate
from inference.errors import ModelError

CARD_SUFFIXES = (".json", ".yaml", ".yml")
CHANNEL_ORDERS = ("rgb", "bgr")
MASK_FORMATS = ("polygon", "mask")


@dataclass(frozen=True)
class ModelCard:
    family: str
    input_size: tuple[int, int] | None = None  # (height, width); None: taken from the graph or the family
    channel_order: str = "rgb"
    scale: float = 1 / 255
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    pad_value: int = 114
    classes: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)  # class name -> workspace label
    conf: float = 0.25
    iou: float = 0.45
    max_detections: int = 300
    keypoints: tuple[str, ...] = ()
    skeleton: tuple[tuple[int, int], ...] = ()
    keypoint_conf: float = 0.5
    top_k: int = 1
    mask_format: str = "polygon"
    options: Mapping[str, Any] = field(default_factory=dict)  # family-specific settings (see each family)
    source: str = ""  # the card file, for messages ("" when there is none)

    def class_name(self, index: int) -> str:
        return self.classes[index] if 0 <= index < len(self.classes) else f"class_{index}"

    def label_for(self, class_name: str) -> str:
        return self.rename.get(class_name, class_name)


_FIELDS = {f.name for f in fields(ModelCard)} - {"source", "options"}


def card_beside(model: Path) -> Path | None:
    """The card file next to a model (same name, .json/.yaml/.yml), if there is one."""
    for suffix in CARD_SUFFIXES:
        candidate = model.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def read_card_file(path: Path) -> dict[str, Any]:
    """The raw mapping in a card file; ModelError naming the file when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(path, translate("inference", "cannot read the card: {error}").format(error=exc)) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml  # only YAML cards need it

            data = yaml.safe_load(text)
    except ImportError:
        raise ModelError(path, translate("inference", "YAML cards need the PyYAML package; install it or write the "
                                         "card as JSON")) from None
    except Exception as exc:  # json.JSONDecodeError, yaml.YAMLError
        raise ModelError(path, translate("inference", "not a valid card: {error}").format(error=exc)) from None
    if not isinstance(data, dict):
        raise ModelError(path, translate("inference", "a card must be a mapping of fields (an object)"))
    return data


def build_card(layers: list[dict[str, Any]], option_names: Mapping[str, Any], source: str) -> ModelCard:
    """A checked card from layered mappings (later ones win); family options not in `option_names` are refused."""
    merged: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for layer in layers:
        for key, value in _flatten(layer).items():
            if key in _FIELDS:
                merged[key] = value
            elif key in option_names:
                options[key] = value
            else:
                known = sorted(_FIELDS | set(option_names))
                raise ModelError(source or "card", translate("inference", "unknown field {key!r}; known fields: "
                                                             "{known}").format(key=key, known=", ".join(known)))
    where = source or "card"
    checked = {key: _CHECKS[key](value, f"{where}: {key}") for key, value in merged.items()}
    for key, value in options.items():
        options[key] = _check_option(value, option_names[key], f"{where}: {key}")
    return replace(ModelCard(family=""), **checked, options={**option_names, **options}, source=source)


def _flatten(layer: dict[str, Any]) -> dict[str, Any]:
    """`normalize: {scale, mean, std}` and `thresholds: {conf, iou}` may be nested; they are the same fields."""
    flat = {k: v for k, v in layer.items() if k not in ("normalize", "thresholds")}
    for group in ("normalize", "thresholds"):
        if isinstance(layer.get(group), dict):
            flat.update(layer[group])
        elif group in layer:
            flat[group] = layer[group]  # reported as unknown: a scalar where a mapping belongs
    return flat


def _fail(where: str, expected: str, value: Any) -> ModelError:
    """`where` is "source: field"; the error names the source file and says what the field needs."""
    source, _, key = where.rpartition(": ")
    return ModelError(source or "card", translate("inference", "{key}: expected {expected}, got {value!r}").format(
        key=key, expected=expected, value=value))


def _number(value: Any, where: str, low: float = -math.inf, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (low <= value <= high):
        raise _fail(where, f"a number in [{low:g}, {high:g}]", value)
    return float(value)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(where, "a positive whole number", value)
    return value


def _choice(choices: tuple[str, ...]) -> Any:
    def check(value: Any, where: str) -> str:
        text = str(value).lower()
        if text not in choices:
            raise _fail(where, f"one of {', '.join(choices)}", value)
        return text

    return check


def _size(value: Any, where: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _fail(where, "[height, width] or one number", value)
    return _count(value[0], where), _count(value[1], where)


def _triple(value: Any, where: str) -> tuple[float, float, float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value] * 3
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise _fail(where, "three numbers (one per channel)", value)
    return _number(value[0], where), _number(value[1], where), _number(value[2], where)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, dict):  # {0: "person", 1: "car"}, as Ultralytics writes them
        try:
            value = [value[k] for k in sorted(value, key=int)]
        except (TypeError, ValueError):
            raise _fail(where, "a list of names or {index: name}", value) from None
    if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) and n.strip() for n in value):
        raise _fail(where, "a list of non-empty names", value)
    if len(set(value)) != len(value):
        raise _fail(where, "names without repeats", value)
    return tuple(n.strip() for n in value)


def _rename(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v
                                              for k, v in value.items()):  # fmt: skip
        raise _fail(where, "a mapping of class name to label name", value)
    return dict(value)


def _edges(value: Any, where: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(e, (list, tuple)) and len(e) == 2 and all(isinstance(i, int) and i >= 0 for i in e) for e in value
    ):
        raise _fail(where, "a list of [i, j] keypoint index pairs", value)
    return tuple((int(a), int(b)) for a, b in value)


def _check_option(value: Any, default: Any, where: str) -> Any:
    """A family option has the type of its default (numbers may be given as ints)."""
    if isinstance(default, list):
        if not isinstance(value, (list, tuple)) or len(value) != len(default) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
        ):
            raise _fail(where, f"a list of {len(default)} whole numbers", value)
        return list(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise _fail(where, "true or false", value)
        return value
    if isinstance(default, (int, float)):
        number = _number(value, where)
        return int(number) if isinstance(default, int) and number.is_integer() else number
    if isinstance(default, str) and not isinstance(value, str):
        raise _fail(where, "text", value)
    return value


_CHECKS: dict[str, Any] = {
    "family": lambda v, w: str(v).lower(),
    "input_size": _size,
    "channel_order": _choice(CHANNEL_ORDERS),
    "scale": lambda v, w: _number(v, w, 0.0),
    "mean": _triple,
    "std": lambda v, w: tuple(_number(x, w, 1e-12) for x in _triple(v, w)),
    "pad_value": lambda v, w: int(_number(v, w, 0, 255)),
    "classes": _names,
    "rename": _rename,
    "conf": lambda v, w: _number(v, w, 0.0, 1.0),
    "iou": lambda v, w: _number(v, w, 0.0, 1.0),
    "max_detections": _count,
    "keypoints": _names,
    "skeleton": _edges,
    "keypoint_conf": lambda v, w: _number(v, w, 0.0, 1.0),
    "top_k": _count,
    "mask_format": _choice(MASK_FORMATS),
}
