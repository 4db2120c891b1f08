"""Annotation guidelines: what the project asks for and, per label, how to draw it, with do/don't example images.

The server keeps every saved version; clients pull the current one and show it beside the work. Read from JSON and
checked field by field, like label schemas (core/schema.py), so a mistake is reported as
`labels.car.examples[1].caption: ...` rather than as a crash later. The JSON:

    {"description": "Markdown or plain text",
     "examples": [{"sha256": "<media id>", "caption": "whole car, mirrors too", "do": true}],
     "labels": {"car": {"description": "...", "examples": [...]}}}

Example images are media blobs named by their SHA-256 (uploaded like task media).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_DESCRIPTION = 20_000  # characters of one description
MAX_CAPTION = 300
MAX_EXAMPLES = 24  # per project or label
FIELDS = ("description", "examples", "labels")
_SHA = re.compile(r"[0-9a-f]{64}")


class GuidelineError(ValueError):
    """Guidelines that cannot be used; `field` names the bad one (`labels.car.examples[0].sha256`)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Example:
    """One example image: its media id, what it shows, and whether it is how to do it (True) or how not to."""

    sha256: str
    caption: str = ""
    do: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "caption": self.caption, "do": self.do}


@dataclass(frozen=True, slots=True)
class Guide:
    """A description and its example images (of the project, or of one label)."""

    description: str = ""
    examples: tuple[Example, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.description.strip() and not self.examples

    def to_json(self) -> dict[str, Any]:
        return {"description": self.description, "examples": [e.to_json() for e in self.examples]}


@dataclass(frozen=True, slots=True)
class Guidelines:
    """A project's guidelines as one version holds them (version 0: none saved yet)."""

    project: Guide = Guide()
    labels: Mapping[str, Guide] = field(default_factory=dict)
    version: int = 0
    author: str = ""
    at: float = 0.0

    def for_label(self, name: str) -> Guide:
        return self.labels.get(name, Guide())

    def media(self) -> list[str]:
        """Every example image's SHA-256, once each, in the order they appear."""
        guides = [self.project, *self.labels.values()]
        return list(dict.fromkeys(e.sha256 for g in guides for e in g.examples))

    def to_json(self) -> dict[str, Any]:
        return {"description": self.project.description,
                "examples": [e.to_json() for e in self.project.examples],
                "labels": {name: guide.to_json() for name, guide in self.labels.items() if not guide.empty}}

    @classmethod
    def from_json(cls, data: Any, labels: Iterable[str] | None = None, *, version: int = 0, author: str = "",
                  at: float = 0.0) -> Guidelines:
        """Parse and check; `labels` (the schema's label names), when given, is what `labels` may name."""
        if not isinstance(data, dict):
            raise GuidelineError("guidelines", 'expected an object with "description", "examples" and "labels"')
        unknown = sorted(str(k) for k in data if k not in FIELDS)
        if unknown:
            raise GuidelineError(unknown[0][:60], f"unknown field; the fields are {', '.join(FIELDS)}")
        project = _guide(data, "")
        per_label = data.get("labels", {})
        if not isinstance(per_label, dict):
            raise GuidelineError("labels", "expected an object: label name -> {description, examples}")
        allowed = None if labels is None else set(labels)
        parsed: dict[str, Guide] = {}
        for name, value in per_label.items():
            if not isinstance(name, str) or not name.strip() or len(name) > 255 or not _encodable(name):
                raise GuidelineError("labels", "a label is named by 1-255 characters of valid text")
            where = f"labels.{name[:60]}"
            if allowed is not None and name not in allowed:
                raise GuidelineError(where, f"{name[:60]!r} is not a label of the project's schema")
            if not isinstance(value, dict):
                raise GuidelineError(where, "expected an object with description and examples")
            bad = sorted(str(k) for k in value if k not in ("description", "examples"))
            if bad:
                raise GuidelineError(f"{where}.{bad[0][:60]}", "unknown field; a label has description and examples")
            parsed[name] = _guide(value, where + ".")
        return cls(project, parsed, version, author, at)


def _guide(data: dict[str, Any], prefix: str) -> Guide:
    description = data.get("description", "")
    if not isinstance(description, str):
        raise GuidelineError(f"{prefix}description", "expected text")
    if len(description) > MAX_DESCRIPTION:
        raise GuidelineError(f"{prefix}description", f"at most {MAX_DESCRIPTION:,} characters, not "
                             f"{len(description):,}")
    if "\x00" in description or not _encodable(description):
        raise GuidelineError(f"{prefix}description", "contains a NUL character or an unpaired surrogate")
    examples = data.get("examples", [])
    if not isinstance(examples, list):
        raise GuidelineError(f"{prefix}examples", "expected a list of {sha256, caption, do}")
    if len(examples) > MAX_EXAMPLES:
        raise GuidelineError(f"{prefix}examples", f"at most {MAX_EXAMPLES} examples, not {len(examples)}")
    parsed = tuple(_example(e, f"{prefix}examples[{i}]") for i, e in enumerate(examples))
    return Guide(description, parsed)


def _example(item: Any, where: str) -> Example:
    if not isinstance(item, dict):
        raise GuidelineError(where, "expected an object with sha256, caption and do")
    bad = sorted(str(k) for k in item if k not in ("sha256", "caption", "do"))
    if bad:
        raise GuidelineError(f"{where}.{bad[0][:60]}", "unknown field; an example has sha256, caption and do")
    sha = item.get("sha256")
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise GuidelineError(f"{where}.sha256", "expected the image's media id: a lowercase hex SHA-256")
    caption = item.get("caption", "")
    if (not isinstance(caption, str) or len(caption) > MAX_CAPTION or not caption.isprintable()
            or not _encodable(caption)):
        raise GuidelineError(f"{where}.caption", f"expected one line of at most {MAX_CAPTION} characters")
    do = item.get("do", True)
    if not isinstance(do, bool):
        raise GuidelineError(f"{where}.do", "expected true (do it like this) or false (do not)")
    return Example(sha, caption, do)


def _encodable(text: str) -> bool:
    """Whether the text is valid Unicode (JSON can carry unpaired surrogates, which no UTF-8 store takes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
