"""Agreement between annotators: similarity per shape kind, optimal matching, per-label F1, label confusions, and
the consensus of N annotators by quorum (docs/review.md).

The measures live in one table (`MEASURES`, kind -> measure); consensus, gold tasks and the quality dashboard all
compare through `match`, so one definition of "the same object" holds everywhere.
"""

from core.agreement.consensus import MERGE_RULES, Consensus, Merged, consensus, task_agreement
from core.agreement.items import Item, TrackSamples, item_matrix, items_from_annotations, track_similarity
from core.agreement.matching import Comparison, LabelStats, Pair, Tally, match
from core.agreement.measures import MEASURES, Measure, register_measure, similarity, similarity_matrix
from core.agreement.text import cer, levenshtein, text_similarity

__all__ = [
    "MEASURES",
    "MERGE_RULES",
    "Comparison",
    "Consensus",
    "Item",
    "LabelStats",
    "Measure",
    "Merged",
    "Pair",
    "Tally",
    "TrackSamples",
    "cer",
    "consensus",
    "item_matrix",
    "items_from_annotations",
    "levenshtein",
    "match",
    "register_measure",
    "similarity",
    "similarity_matrix",
    "task_agreement",
    "text_similarity",
    "track_similarity",
]
