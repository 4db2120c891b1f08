"""The reason a rejected lot gives each task it sends back: written by the server in English, read back by the app
to show it in the annotator's language (the reason travels as plain text, like a lead's own words)."""

from __future__ import annotations

import re

from core.messages import Message, translate

_LOT_REJECTED = re.compile(r"lot (?P<key>.+) rejected: (?P<defects>\d+) defects in a sample of (?P<n>\d+) "
                           r"\(Re (?P<re>\d+)\)")


def lot_rejected(key: str, defects: int, n: int, re_: int) -> Message:
    """The reason of a task sent back by lot `key` (Re: the plan's rejection number)."""
    return translate("sampling", "lot {key} rejected: {defects} defects in a sample of {n} (Re {re})").format(
        key=key, defects=defects, n=n, re=re_)


def read_reason(text: str) -> str:
    """A rejection reason as a Message again when a lot wrote it (so the app translates it), else as it stands."""
    found = _LOT_REJECTED.fullmatch(text)
    if found is None:
        return text
    return lot_rejected(found["key"], int(found["defects"]), int(found["n"]), int(found["re"]))
