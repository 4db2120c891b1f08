"""Time shapes of audio: a segment (start, end in seconds) and an instant (one time, a TextGrid point tier's mark).

Time runs along x (seconds), so the shape protocol's bounds, hit-test, move and handles work as for image shapes: a
segment's two vertices are its edges, dragging one resizes it. Both carry their tier (a name the schema may declare
in `LabelSchema.tiers`) and their transcription text in the geometry, so every format and the generic import and
export carry them without knowing about audio; the label stays the annotation's label.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from core.geometry import Point, Rect
from core.shapes.base import ShapeError, register_shape

MAX_SECONDS = 366 * 24 * 3600.0  # a year: past any recording; a time beyond is a damaged file, not a segment
MAX_TEXT = 100_000  # characters of a transcription (as core.formats.untrusted.MAX_TEXT_CHARS)
MAX_TIER = 255
_CONTROL = re.compile(r"[\x00-\x1f]")
_SEGMENT_KEYS = frozenset({"start", "end", "tier", "text"})


def _time(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ShapeError(f"{what}: expected a number of seconds, got {value!r:.40}")
    value = float(value)
    if not math.isfinite(value) or not 0.0 <= value <= MAX_SECONDS:
        raise ShapeError(f"{what}: {value!r} is not a time between 0 and {MAX_SECONDS:.0f} s")
    return value


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ShapeError(f"{what}: expected text, got {type(value).__name__}")
    if len(value) > limit or "\x00" in value:
        raise ShapeError(f"{what}: longer than {limit:,} characters or contains a NUL")
    return value


def _payload(data: Any, kind: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ShapeError(f"{kind}: expected an object with {', '.join(keys)}")
    unknown = set(data) - {*keys, "tier", "text"}
    if unknown:
        raise ShapeError(f"{kind}: unknown field {sorted(unknown)[0]!r:.40}")
    return data


def _extras(data: dict[str, Any], kind: str) -> tuple[str, str]:
    tier = _text(data.get("tier", ""), f"{kind}.tier", MAX_TIER)
    if _CONTROL.search(tier):
        raise ShapeError(f"{kind}.tier: contains a control character")
    return tier, _text(data.get("text", ""), f"{kind}.text", MAX_TEXT)


def _json(base: dict[str, Any], tier: str, text: str) -> dict[str, Any]:
    if tier:
        base["tier"] = tier
    if text:
        base["text"] = text
    return base


@register_shape
@dataclass(frozen=True, slots=True)
class Segment:
    """A time range on a tier, start <= end (seconds from the start of the recording)."""

    start: float
    end: float
    tier: str = ""
    text: str = ""  # the transcription of this stretch of audio
    kind: ClassVar[str] = "segment"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)) or self.start > self.end:
            raise ShapeError(f"segment: start {self.start!r} must not be after end {self.end!r}")

    @classmethod
    def from_json(cls, data: Any) -> Segment:
        if type(data) is dict and data.keys() <= _SEGMENT_KEYS:  # the stored form: checked inline (100k rows load)
            start, end = data.get("start"), data.get("end")
            tier, text = data.get("tier", ""), data.get("text", "")
            if (type(start) is float and type(end) is float and 0.0 <= start <= end <= MAX_SECONDS
                    and type(tier) is str and type(text) is str and len(tier) <= MAX_TIER and len(text) <= MAX_TEXT
                    and _CONTROL.search(tier) is None and "\x00" not in text):
                return cls(start, end, tier, text)
        data = _payload(data, cls.kind, ("start", "end"))
        start, end = _time(data.get("start"), "segment.start"), _time(data.get("end"), "segment.end")
        if start > end:
            raise ShapeError(f"segment: start {start} is after end {end}")
        return cls(start, end, *_extras(data, cls.kind))

    @property
    def duration(self) -> float:
        return self.end - self.start

    def bounds(self) -> Rect:
        return Rect(self.start, 0.0, self.end, 0.0)

    def area(self) -> float:
        return self.duration

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return self.start - tolerance <= p[0] <= self.end + tolerance

    def translated(self, dx: float, dy: float) -> Segment:
        """Moved in time by dx (never before 0: the length is kept)."""
        shift = max(dx, -self.start)
        return Segment(self.start + shift, self.end + shift, self.tier, self.text)

    def vertices(self) -> tuple[Point, ...]:
        return ((self.start, 0.0), (self.end, 0.0))

    def with_vertex(self, index: int, p: Point) -> Segment:
        """One edge moved to p's time; dragging an edge past the other swaps them, as a box's corner does."""
        t = max(0.0, p[0])
        other = self.end if index == 0 else self.start
        return Segment(min(t, other), max(t, other), self.tier, self.text)

    def overlaps(self, other: Segment) -> bool:
        """True when the two share more than an edge (touching segments, as TextGrid intervals are, do not)."""
        return self.start < other.end and other.start < self.end

    def to_json(self) -> dict[str, Any]:
        return _json({"start": self.start, "end": self.end}, self.tier, self.text)


@register_shape
@dataclass(frozen=True, slots=True)
class Instant:
    """One moment on a tier (a TextGrid point, an Audacity point label)."""

    time: float
    tier: str = ""
    text: str = ""
    kind: ClassVar[str] = "instant"

    @classmethod
    def from_json(cls, data: Any) -> Instant:
        data = _payload(data, cls.kind, ("time",))
        return cls(_time(data.get("time"), "instant.time"), *_extras(data, cls.kind))

    def bounds(self) -> Rect:
        return Rect(self.time, 0.0, self.time, 0.0)

    def area(self) -> float:
        return 0.0

    def contains(self, p: Point, tolerance: float = 0.0) -> bool:
        return abs(p[0] - self.time) <= max(tolerance, 1e-9)

    def translated(self, dx: float, dy: float) -> Instant:
        return Instant(max(0.0, self.time + dx), self.tier, self.text)

    def vertices(self) -> tuple[Point, ...]:
        return ((self.time, 0.0),)

    def with_vertex(self, index: int, p: Point) -> Instant:
        return Instant(max(0.0, p[0]), self.tier, self.text)

    def to_json(self) -> dict[str, Any]:
        return _json({"time": self.time}, self.tier, self.text)


TimeShape = Segment | Instant
