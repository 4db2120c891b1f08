"""Drawing the sample of a lot, reproducibly: the seed recorded in the audit log and the lot's item ids are all it
takes to draw the same sample again, on any machine, in any Python."""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterable

from core.sampling.plans import SamplingError

ItemId = int | str


def draw_sample(items: Iterable[ItemId], n: int, seed: int | str) -> list[ItemId]:
    """The `n` items whose ids have the smallest BLAKE2b hash keyed with the seed, in that order (the order to
    review them in). The rank of an item depends only on the seed and its own id, so the order the ids come in does
    not matter, a larger `n` only adds items to a smaller one's sample, and an auditor can recompute the ranks with
    any BLAKE2b. Ids are compared as text, so 7 and "7" are the same item; a repeated id is refused."""
    if n < 0:
        raise SamplingError("the sample size cannot be negative")
    pool = list(items)
    texts = [str(item) for item in pool]
    if len(set(texts)) != len(texts):
        twice = next(text for text, count in Counter(texts).items() if count > 1)
        raise SamplingError(f"item {twice!r} appears twice in the lot")
    key = hashlib.blake2b(str(seed).encode(), digest_size=32, person=b"annodesk-sample").digest()
    keyed = hashlib.blake2b(key=key, digest_size=16)
    ranks = []
    for text in texts:  # copying the keyed state is a third faster than keying each hash anew
        h = keyed.copy()
        h.update(text.encode())
        ranks.append(h.digest())
    return [pool[i] for i in heapq.nsmallest(n, range(len(pool)), key=ranks.__getitem__)]
