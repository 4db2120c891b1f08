"""The rules a schema's tiers set for audio segments: labels allowed, overlap, point or interval, and the end.

These are checks, not edits: the editor refuses an edit that breaks them, an import reports and skips the segments
that do, and a review can list them. Segments are sorted by start per tier once, so 100,000 segments check in one
pass (O(n log n)).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from core.annotation import Annotation
from core.schema import LabelSchema
from core.shapes import Instant, Segment

END_SLACK_S = 0.01  # a label may end this far past the audio (rounding in other tools' files)


@dataclass(frozen=True, slots=True)
class TierProblem:
    annotation_id: str
    message: str


def tier_of(annotation: Annotation) -> str | None:
    """The tier of a time annotation, None for any other shape."""
    shape = annotation.shape
    return shape.tier if isinstance(shape, Segment | Instant) else None


def tier_problems(
    annotations: Iterable[Annotation], schema: LabelSchema, duration_s: float | None = None
) -> list[TierProblem]:
    """Every way the time annotations break their tiers' rules (or run past `duration_s`), in time order per tier."""
    by_tier: dict[str, list[Annotation]] = defaultdict(list)
    problems: list[TierProblem] = []
    for ann in annotations:
        name = tier_of(ann)
        if name is None:
            continue
        by_tier[name].append(ann)
        shape = ann.shape
        end = shape.end if isinstance(shape, Segment) else shape.time if isinstance(shape, Instant) else 0.0
        if duration_s is not None and end > duration_s + END_SLACK_S:
            problems.append(TierProblem(ann.id, f"ends at {end:.3f} s, past the end of the audio ({duration_s:.3f} s)"))
    for name, members in by_tier.items():
        tier = schema.tier(name)
        if tier is None:
            continue  # an undeclared tier takes any label and allows overlaps
        for ann in members:
            if not tier.allows(ann.label):
                problems.append(TierProblem(ann.id, f"tier {name!r} does not take label {ann.label!r}"))
            if tier.points != isinstance(ann.shape, Instant):
                want = "instants (a point tier)" if tier.points else "segments (an interval tier)"
                problems.append(TierProblem(ann.id, f"tier {name!r} holds {want}, not {ann.kind}s"))
        if not tier.overlap:
            problems += _overlaps(name, [a for a in members if isinstance(a.shape, Segment)])
    return problems


def _overlaps(tier: str, members: list[Annotation]) -> list[TierProblem]:
    """Each segment that starts before the furthest end seen so far overlaps an earlier one."""
    found = []
    ordered = sorted(members, key=lambda a: (a.shape.start, a.shape.end))  # type: ignore[attr-defined]
    reach, reach_id = -1.0, ""
    for ann in ordered:
        seg = ann.shape
        assert isinstance(seg, Segment)
        if seg.start < reach and seg.end > seg.start:
            found.append(TierProblem(ann.id, f"overlaps {reach_id} on tier {tier!r}, which forbids overlaps "
                                             f"({seg.start:.3f}-{seg.end:.3f} s starts before {reach:.3f} s)"))
        if seg.end > reach:
            reach, reach_id = seg.end, ann.id
    return found
