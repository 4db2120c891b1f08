"""The format table as the app's import and export dialogs show it: one entry per title, its rows told apart by options.

Beside `name`, `read` and `write`, a row of core.formats.FORMATS may declare:
- `title`: what the dialogs list ("YOLO (Ultralytics)"); rows that share a title are one entry (default: the name);
- `options`: the row's value of each of its entry's options, {field: value} ({"Task": "segment"}). An entry's
  fields are these keys, each a choice of the values its rows give, in table order (so the first row's are the
  defaults). Each combination stays a row of its own, which is how the command line names it (`yolo-segment`);
- `file_types`: patterns of the single files its reader takes, for the file picker ("*.json"); every reader also
  takes a folder;
- `reads = False` on a row that only writes (coco-frames).
So a new format, or a new value of an option, is a row; nothing in the dialogs branches on a format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.formats.dataset import Format, FormatError


def title_of(fmt: Format) -> str:
    return str(getattr(fmt, "title", fmt.name))


def options_of(fmt: Format) -> dict[str, str]:
    return dict(getattr(fmt, "options", {}))


def file_types_of(fmt: Format) -> tuple[str, ...]:
    return tuple(getattr(fmt, "file_types", ()))


def reads(fmt: Format) -> bool:
    return bool(getattr(fmt, "reads", True))


@dataclass(frozen=True, slots=True)
class FormatEntry:
    """Rows of the table under one title: a format choice in a dialog, with fields for what tells its rows apart."""

    title: str
    rows: tuple[Format, ...]

    def fields(self) -> dict[str, list[str]]:
        """Each option's values, in table order (the first is the default)."""
        fields: dict[str, list[str]] = {}
        for row in self.rows:
            for key, value in options_of(row).items():
                values = fields.setdefault(key, [])
                if value not in values:
                    values.append(value)
        return fields

    def resolve(self, chosen: Mapping[str, str]) -> Format:
        """The row with these option values (missing ones at their defaults)."""
        wanted = {key: chosen.get(key, values[0]) for key, values in self.fields().items()}
        for row in self.rows:
            if options_of(row) == wanted:
                return row
        shown = ", ".join(f"{k} {v}" for k, v in wanted.items())
        raise FormatError(f"{self.title} has no variant with {shown}")

    def file_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for row in self.rows for t in file_types_of(row)))


def format_entries(formats: Iterable[Format], reading: bool) -> list[FormatEntry]:
    """The entries of `formats` (in their order); with `reading`, only rows that can be read."""
    grouped: dict[str, list[Format]] = {}
    for fmt in formats:
        if reads(fmt) or not reading:
            grouped.setdefault(title_of(fmt), []).append(fmt)
    return [FormatEntry(title, tuple(rows)) for title, rows in grouped.items()]


def entry_of(entries: Iterable[FormatEntry], name: str) -> tuple[FormatEntry, dict[str, str]] | None:
    """The entry holding the row called `name`, and that row's option values."""
    for entry in entries:
        for row in entry.rows:
            if row.name == name:
                return entry, options_of(row)
    return None
