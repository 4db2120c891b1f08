"""Optimal matching of two annotators' items, and what it says: scores, misses, per-label F1, label confusions.

The match maximises the total similarity (scipy's linear_sum_assignment) over the pairs scoring at least the
threshold. By default it ignores labels, so that a box drawn by both but labeled differently is one object with a
label confusion, counted, rather than a miss on each side; a tiny bonus prefers the same label between otherwise
equal candidates. `per_label=True` matches only within a label (a differently labeled shape is then a miss and a
false find).

Side `a` is the reference (the lead's answer for gold tasks; the first workspace otherwise): per-label precision and
recall are of `b` against it. Definitions:
- per label L: TP = pairs labeled L on both sides; FN = `a`'s L items not so paired; FP = `b`'s L items not so paired;
  F1 = 2TP / (2TP + FP + FN);
- the task's agreement = (mean score of the matched pairs, labels aside) x (F1 over all labels pooled); 1 when
  neither side has anything, 0 when nothing matched. It falls with poor geometry, misses, extras and confusions alike;
- attributes: per name, the share of same-label pairs whose values are equal (exact match);
- transcriptions: the mean 1 - CER over pairs where either side has text, `a` as the reference.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.agreement.items import Item, item_matrix
from core.agreement.text import text_similarity

SAME_LABEL_BONUS = 1e-3
Confusion = Counter[tuple[str | None, str | None]]  # (a's label, b's label); None: that side has no match


@dataclass(frozen=True, slots=True)
class Pair:
    a: Item
    b: Item
    score: float

    @property
    def confused(self) -> bool:
        return self.a.label != self.b.label


@dataclass(frozen=True, slots=True)
class LabelStats:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: LabelStats) -> LabelStats:
        return LabelStats(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        found = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / found if found else 1.0


@dataclass
class Tally:
    """The counts of one or more comparisons, added with `+` (per task, per annotator pair, per project)."""

    labels: dict[str, LabelStats] = field(default_factory=dict)
    confusion: Confusion = field(default_factory=Counter)
    attributes: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (equal, compared)
    text: tuple[float, int] = (0.0, 0)  # sum of 1 - CER, pairs with text

    def __add__(self, other: Tally) -> Tally:
        labels = dict(self.labels)
        for name, stats in other.labels.items():
            labels[name] = labels.get(name, LabelStats()) + stats
        attributes = dict(self.attributes)
        for name, (equal, compared) in other.attributes.items():
            e, c = attributes.get(name, (0, 0))
            attributes[name] = (e + equal, c + compared)
        return Tally(labels, self.confusion + other.confusion, attributes,
                     (self.text[0] + other.text[0], self.text[1] + other.text[1]))  # fmt: skip

    def confusions(self, top: int | None = None) -> list[tuple[tuple[str, str], int]]:
        """Label pairs matched with different labels, most frequent first."""
        found = [((a, b), n) for (a, b), n in self.confusion.items() if a is not None and b is not None and a != b]
        return sorted(found, key=lambda item: (-item[1], item[0]))[:top]

    @property
    def text_similarity(self) -> float | None:
        return self.text[0] / self.text[1] if self.text[1] else None


@dataclass(frozen=True, slots=True)
class Comparison:
    pairs: tuple[Pair, ...]
    only_a: tuple[Item, ...]
    only_b: tuple[Item, ...]

    @property
    def mean_score(self) -> float:
        return sum(p.score for p in self.pairs) / len(self.pairs) if self.pairs else 0.0

    @property
    def f1(self) -> float:
        confused = sum(p.confused for p in self.pairs)
        return LabelStats(len(self.pairs) - confused, len(self.only_b) + confused, len(self.only_a) + confused).f1

    @property
    def agreement(self) -> float:
        if not (self.pairs or self.only_a or self.only_b):
            return 1.0
        return self.mean_score * self.f1

    @property
    def text_similarity(self) -> float | None:
        return self.tally().text_similarity

    def tally(self) -> Tally:
        labels: dict[str, LabelStats] = {}
        confusion: Confusion = Counter()

        def count(name: str, stats: LabelStats) -> None:
            labels[name] = labels.get(name, LabelStats()) + stats

        for p in self.pairs:
            confusion[(p.a.label, p.b.label)] += 1
            if p.confused:
                count(p.a.label, LabelStats(fn=1))
                count(p.b.label, LabelStats(fp=1))
            else:
                count(p.a.label, LabelStats(tp=1))
        for item in self.only_a:
            confusion[(item.label, None)] += 1
            count(item.label, LabelStats(fn=1))
        for item in self.only_b:
            confusion[(None, item.label)] += 1
            count(item.label, LabelStats(fp=1))
        attributes: dict[str, tuple[int, int]] = {}
        for p in self.pairs:
            if p.confused:
                continue
            for name in sorted(set(p.a.attributes) | set(p.b.attributes)):
                equal, compared = attributes.get(name, (0, 0))
                attributes[name] = (equal + (p.a.attributes.get(name) == p.b.attributes.get(name)), compared + 1)
        texts = [text_similarity(p.a.text, p.b.text) for p in self.pairs if p.a.text or p.b.text]
        return Tally(labels, confusion, attributes, (sum(texts), len(texts)))


def match(a: Sequence[Item], b: Sequence[Item], threshold: float = 0.5, per_label: bool = False) -> Comparison:
    """The optimal one-to-one match of `a`'s items with `b`'s, pairs scoring at least `threshold` (and above 0)."""
    scores = item_matrix(a, b)
    same = np.array([x.label for x in a], dtype=object)[:, None] == np.array([y.label for y in b], dtype=object)
    allowed = (scores >= threshold) & (scores > 0)
    if per_label:
        allowed &= same
    rows, cols = np.flatnonzero(allowed.any(axis=1)), np.flatnonzero(allowed.any(axis=0))
    pairs: list[Pair] = []
    if rows.size:
        sub = np.ix_(rows, cols)
        weight = np.where(allowed[sub], scores[sub] + SAME_LABEL_BONUS * same[sub], 0.0)
        r, c = linear_sum_assignment(weight, maximize=True)
        keep = allowed[sub][r, c]
        pairs = [Pair(a[rows[i]], b[cols[j]], float(scores[rows[i], cols[j]])) for i, j in zip(r[keep], c[keep],
                                                                                               strict=True)]
    matched_a = {id(p.a) for p in pairs}
    matched_b = {id(p.b) for p in pairs}
    return Comparison(tuple(pairs), tuple(x for x in a if id(x) not in matched_a),
                      tuple(y for y in b if id(y) not in matched_b))  # fmt: skip
