"""Imported time annotations (segments, instants) checked before they are stored (sync/transfer.py): against the
recording's length and the schema's tier rules (core.audio.tiers), and against the segments the task already holds,
so an import never makes a stored segment break its tier. The offending ones are named (file, time, tier, rule) and
skipped, the rest imported; nothing stored changes.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from itertools import accumulate

from core.annotation import Annotation, Task
from core.audio.tiers import tier_of, tier_problems
from core.schema import LabelSchema
from core.shapes import Instant, Segment
from sync.workspace import Workspace


def checked_segments(ws: Workspace, file_name: str, task: Task, stored: list[Annotation], new: list[Annotation],
                     schema: LabelSchema, messages: list[str]) -> list[Annotation]:
    """`new` without the time annotations that break a rule, each named in `messages`."""
    if not any(tier_of(a) is not None for a in new):
        return new
    duration = ws.audio_duration(task.content_hash) if task.content_hash else None
    if duration is None:
        messages.append(f"{file_name}: the length of {task.name} is not known yet (it has not been decoded); its "
                        "segments are not checked against its end")
    problems = _overlapping_stored(stored, new, schema)
    kept = [a for a in new if a.id not in problems]
    for problem in tier_problems(kept, schema, duration):
        problems.setdefault(problem.annotation_id, problem.message)
    messages += [f"{file_name}: {_named(a)}: {problems[a.id]}; skipped" for a in new if a.id in problems]
    return [a for a in kept if a.id not in problems]


def _overlapping_stored(stored: list[Annotation], new: list[Annotation], schema: LabelSchema) -> dict[str, str]:
    """id -> why, for each new segment that overlaps a stored one on a tier that forbids overlaps: per tier, the
    stored segments sorted by start with the running furthest end, so each new one is one bisection."""
    by_tier: dict[str, list[Segment]] = defaultdict(list)
    for ann in stored:
        if isinstance(ann.shape, Segment) and ann.shape.end > ann.shape.start:
            by_tier[ann.shape.tier].append(ann.shape)
    reach: dict[str, tuple[list[float], list[Segment]]] = {}
    for name, segments in by_tier.items():
        tier = schema.tier(name)
        if tier is not None and not tier.overlap:
            segments.sort(key=lambda s: s.start)
            furthest: list[Segment] = list(accumulate(segments, _further))
            reach[name] = ([s.start for s in segments], furthest)
    found = {}
    for ann in new:
        seg = ann.shape
        if not isinstance(seg, Segment) or seg.tier not in reach or seg.end <= seg.start:
            continue
        starts, furthest = reach[seg.tier]
        before = bisect.bisect_left(starts, seg.end)  # the stored segments that start before this one ends
        if before and furthest[before - 1].end > seg.start:
            other = furthest[before - 1]
            found[ann.id] = (f"overlaps the stored segment {other.start:.3f}-{other.end:.3f} s on tier "
                             f"{seg.tier!r}, which forbids overlaps")
    return found


def _further(a: Segment, b: Segment) -> Segment:
    return b if b.end > a.end else a


def _named(ann: Annotation) -> str:
    shape = ann.shape
    where = f"segment {shape.start:.3f}-{shape.end:.3f} s" if isinstance(shape, Segment) else \
        f"instant at {shape.time:.3f} s" if isinstance(shape, Instant) else ann.kind
    tier = tier_of(ann)
    return f"{where} ({ann.label}{f', tier {tier!r}' if tier else ''})"
