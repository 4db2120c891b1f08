"""Character error rate of transcriptions: Levenshtein distance on characters of NFC-normalised text.

NFC first, so that "ế" typed as one code point and as "e" + two combining marks is the same character (Vietnamese
keyboards and macOS file names produce either). The distance is Hyyrö's bit-parallel form of Myers' algorithm: the
DP column of the shorter text is one Python integer, so each character of the longer text costs a dozen big-integer
operations; two 10,000-character texts take a few tenths of a second in pure Python.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def levenshtein(a: str, b: str) -> int:
    """Insertions, deletions and substitutions that turn `a` into `b` (on code points, as given)."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, c in enumerate(b):
        peq[c] = peq.get(c, 0) | (1 << i)
    mask, top = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for c in a:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & mask  # the | 1: row 0 of the table grows by one per character (global distance)
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def cer(reference: str, hypothesis: str) -> float:
    """Edits over the reference's length, after NFC; an empty reference gives 0 against empty text, else 1."""
    ref, hyp = unicodedata.normalize("NFC", reference), unicodedata.normalize("NFC", hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return levenshtein(ref, hyp) / len(ref)


def text_similarity(reference: str, hypothesis: str) -> float:
    """1 - CER, held to [0, 1] (CER passes 1 when the hypothesis is much longer)."""
    return 1.0 - min(1.0, cer(reference, hypothesis))


def medoid_text(texts: Sequence[str]) -> int:
    """Index of the text with the least total CER against the others (each other text as the reference); the
    first such on a tie."""
    costs = [sum(cer(other, text) for j, other in enumerate(texts) if j != i) for i, text in enumerate(texts)]
    return min(range(len(texts)), key=costs.__getitem__)
