"""Who last wrote each field of a server annotation: kept once per write, not once per field.

A write is `[revision, author, by_a_reviewer, origin]`, the op that last set a field (merge.py's rules read them).
An annotation's fields come from a few ops (its creation sets a dozen at once, a move sets one), so the column
holds the distinct writes and each field's place among them, `[[write, ...], {field: index}]`: ~220 bytes a row
where a write per field took ~700, which is most of what a push reads, parses and writes per annotation. Rows
written before (a JSON object of field -> write) read the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sync.fastjson import dumps_str, loads

Write = list[Any]


class FieldMeta:
    """The writes behind an annotation's fields, read like a mapping of field -> write."""

    __slots__ = ("at", "writes")

    def __init__(self, writes: list[Write], at: dict[str, int]) -> None:
        self.writes, self.at = writes, at

    @classmethod
    def parse(cls, text: str | bytes) -> FieldMeta:
        data = loads(text)
        if isinstance(data, dict):
            return cls.of(data)
        writes, at = data
        return cls(writes, at)

    @classmethod
    def of(cls, per_field: dict[str, Write]) -> FieldMeta:
        """From field -> write (the older stored form), equal writes kept once."""
        places: dict[tuple[Any, ...], int] = {}
        for write in per_field.values():
            places.setdefault(tuple(write), len(places))
        return cls([list(w) for w in places], {name: places[tuple(w)] for name, w in per_field.items()})

    @classmethod
    def written(cls, names: Iterable[str], write: Write) -> FieldMeta:
        """Every one of `names` set by one write (a new annotation)."""
        return cls([write], dict.fromkeys(names, 0))

    def get(self, name: str) -> Write | None:
        at = self.at.get(name)
        return None if at is None else self.writes[at]

    def __getitem__(self, name: str) -> Write:
        return self.writes[self.at[name]]

    def __contains__(self, name: object) -> bool:
        return name in self.at

    def __iter__(self) -> Iterator[str]:
        return iter(self.at)

    def set(self, names: Iterable[str], write: Write) -> None:
        """`names` were just set by `write`."""
        self.at.update(dict.fromkeys(names, len(self.writes)))
        self.writes.append(write)

    def stored(self) -> list[Any]:
        """The column's value, without the writes whose fields have all been written again since."""
        used = set(self.at.values())
        if len(used) < len(self.writes):
            keep = sorted(used)
            moved = {old: new for new, old in enumerate(keep)}
            self.writes = [self.writes[i] for i in keep]
            self.at = {name: moved[i] for name, i in self.at.items()}
        return [self.writes, self.at]

    def dumps(self) -> str:
        return dumps_str(self.stored())
