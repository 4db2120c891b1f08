"""Consensus of N annotators on one task: clusters of matching items, one merged item per cluster with a quorum.

Clusters: every pair of annotators is matched (core.agreement.matching, labels aside); the matched pairs, best score
first (ties in annotator and item order), join their clusters unless that would put two items of one annotator in
one cluster. A cluster is kept when at least `quorum` annotators are in it. The merged item:
- geometry by `MERGE_RULES` (box, point, segment, instant: mean coordinates; keypoints: per point, placed when most
  members placed it, at the mean of those who did); any other kind, a cluster of mixed kinds or tracks: the medoid,
  the member most similar to the others in total (polygons, masks, rotated boxes, ellipses, polylines, tracks);
- label and each attribute: the most common value; a tie goes to the medoid's value, else to the earliest annotator's;
- transcription (segment and instant text): the medoid by CER.
The task's agreement is the mean over annotator pairs of their task agreement; below `min_agreement`, or with a
transcription agreement below it, the task goes to a lead.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.agreement.items import Item, item_matrix
from core.agreement.matching import Comparison, Tally, match
from core.agreement.text import medoid_text
from core.shapes import Box, Instant, Keypoints, PointShape, Segment, Shape, Visibility

Member = tuple[int, Item]  # (annotator index, item)


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return math.fsum(values) / len(values)


def _mean_box(shapes: Sequence[Any]) -> Shape:
    x1, y1 = _mean(s.x for s in shapes), _mean(s.y for s in shapes)
    x2, y2 = _mean(s.x + s.w for s in shapes), _mean(s.y + s.h for s in shapes)
    return Box(x1, y1, x2 - x1, y2 - y1)


def _mean_point(shapes: Sequence[Any]) -> Shape:
    return PointShape(_mean(s.x for s in shapes), _mean(s.y for s in shapes))


def _mean_segment(shapes: Sequence[Any]) -> Shape:
    start, end = _mean(s.start for s in shapes), _mean(s.end for s in shapes)
    return Segment(start, max(start, end), shapes[0].tier)


def _mean_instant(shapes: Sequence[Any]) -> Shape:
    return Instant(_mean(s.time for s in shapes), shapes[0].tier)


def _mean_keypoints(shapes: Sequence[Any]) -> Shape:
    if len({len(s.points) for s in shapes}) > 1:
        return shapes[0]  # templates differ: not averaged
    points = []
    for slot in zip(*(s.points for s in shapes), strict=True):
        placed = [p for p in slot if p[2]]
        if 2 * len(placed) <= len(slot):
            points.append((0.0, 0.0, Visibility.SKIPPED))
            continue
        seen = Counter(p[2] for p in placed).most_common()
        visibility = Visibility.VISIBLE if len(seen) > 1 and seen[0][1] == seen[1][1] else seen[0][0]
        points.append((_mean(p[0] for p in placed), _mean(p[1] for p in placed), visibility))
    return Keypoints(tuple(points))


MERGE_RULES: dict[str, Callable[[Sequence[Any]], Shape]] = {
    "box": _mean_box,
    "point": _mean_point,
    "segment": _mean_segment,
    "instant": _mean_instant,
    "keypoints": _mean_keypoints,
}


@dataclass(frozen=True, slots=True)
class Merged:
    """One object the annotators agree on: the merged item and the members it came from."""

    item: Item
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class Consensus:
    merged: tuple[Merged, ...]
    dropped: tuple[tuple[Member, ...], ...]  # clusters with fewer annotators than the quorum
    comparisons: tuple[Comparison, ...]  # every annotator pair (i < j), in order
    agreement: float
    to_lead: bool

    def tally(self) -> Tally:
        return sum((c.tally() for c in self.comparisons), Tally())


def _vote(values: Sequence[Any], owners: Sequence[int], medoid: Callable[[], int]) -> Any:
    """The most common of the values (`owners`: whose each is); a tie goes to the medoid's value when it is among
    the tied, else to the first owner's."""
    keys = [json.dumps(v, sort_keys=True, default=str) for v in values]
    counts = Counter(keys)
    best = max(counts.values())
    if list(counts.values()).count(best) > 1 and medoid() in owners:
        at = owners.index(medoid())
        if counts[keys[at]] == best:
            return values[at]
    return next(v for v, k in zip(values, keys, strict=True) if counts[k] == best)


def _merge(members: Sequence[Member]) -> Item:
    items = [item for _, item in members]

    @functools.cache
    def medoid() -> int:
        """The member most similar to the others in total; the first on a tie (computed only when needed)."""
        return int(np.argmax(item_matrix(items, items).sum(axis=1))) if len(items) > 2 else 0

    first = items[0]
    same_kind = first.shape is not None and all(item.kind == first.kind for item in items)
    rule = MERGE_RULES.get(first.kind) if same_kind else None
    base = first if rule else items[medoid()]
    shape = rule([item.shape for item in items]) if rule else base.shape
    texts = [item.text for item in items]
    if shape is not None and any(texts) and hasattr(shape, "text"):
        shape = dataclasses.replace(shape, text=texts[medoid_text(texts)])  # type: ignore[type-var]
    attributes = {}
    for name in sorted({name for item in items for name in item.attributes}):
        owners = [i for i, item in enumerate(items) if name in item.attributes]
        attributes[name] = _vote([items[i].attributes[name] for i in owners], owners, medoid)
    label = _vote([item.label for item in items], list(range(len(items))), medoid)
    return dataclasses.replace(base, label=label, shape=shape, attributes=attributes)


def _clusters(annotators: Sequence[Sequence[Item]], comparisons: dict[tuple[int, int], Comparison]
              ) -> list[list[Member]]:  # fmt: skip
    index = {id(item): (k, n) for k, items in enumerate(annotators) for n, item in enumerate(items)}
    parent = {node: node for node in index.values()}
    who = {node: {node[0]} for node in index.values()}

    def root(node: tuple[int, int]) -> tuple[int, int]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    edges = sorted((-p.score, index[id(p.a)], index[id(p.b)]) for c in comparisons.values() for p in c.pairs)
    for _, x, y in edges:
        rx, ry = root(x), root(y)
        if rx != ry and not who[rx] & who[ry]:
            parent[ry] = rx
            who[rx] |= who.pop(ry)
    groups: dict[tuple[int, int], list[Member]] = {}
    for node in sorted(index.values()):
        groups.setdefault(root(node), []).append((node[0], annotators[node[0]][node[1]]))
    return list(groups.values())


def consensus(annotators: Sequence[Sequence[Item]], quorum: int, threshold: float = 0.5,
              min_agreement: float = 0.5) -> Consensus:  # fmt: skip
    """Merge N annotators' items of one task; clusters with fewer than `quorum` annotators are dropped."""
    comparisons = {(i, j): match(annotators[i], annotators[j], threshold)
                   for i, j in itertools.combinations(range(len(annotators)), 2)}  # fmt: skip
    merged, dropped = [], []
    for members in _clusters(annotators, comparisons):
        if len(members) >= quorum:
            merged.append(Merged(_merge(members), tuple(members)))
        else:
            dropped.append(tuple(members))
    pairs = tuple(comparisons.values())
    agreement, to_lead = task_agreement(pairs, min_agreement)
    return Consensus(tuple(merged), tuple(dropped), pairs, agreement, to_lead)


def task_agreement(comparisons: Sequence[Comparison], min_agreement: float) -> tuple[float, bool]:
    """A task's agreement (the mean over its annotator pairs) and whether it goes to a lead: below `min_agreement`,
    or its transcriptions' 1 - CER below it."""
    agreement = sum(c.agreement for c in comparisons) / len(comparisons) if comparisons else 1.0
    text = sum((c.tally() for c in comparisons), Tally()).text_similarity
    return agreement, agreement < min_agreement or (text is not None and text < min_agreement)
