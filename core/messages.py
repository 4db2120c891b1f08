"""Texts for people from the Qt-free layers: an English template with named fields, translated where it is shown.

core/, sync/ and inference/ cannot call Qt's tr(). They declare a text with `translate(context, template)`, which
pyside6-lupdate extracts like Qt's own call (resources/translations/update.py scans these folders too), and fill its
fields with `.format(name=value)`. The result is a `Message`: a str whose value is the English text, so the command
line, logs, exceptions and string comparisons go on as before, and which keeps its context, template and fields so
that the app (widgets/messages.py) can translate the template and then fill in the fields, translating a field that
is itself a Message (an exception given as a field keeps its text: `error_text`). An exception carries one as its
argument:
`raise FormatError(translate("formats", "{path}: not a COCO file").format(path=path))`.
Only call `translate` with two string literals (what lupdate can read), and name every field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class Message(str):
    """The English text of `template` filled with `fields`; a template without fields is the text as it stands."""

    __slots__ = ("context", "fields", "template")
    context: str
    template: str
    fields: Mapping[str, Any]

    def __new__(cls, context: str, template: str, fields: Mapping[str, Any] | None = None) -> Message:
        fields = {name: error_text(value) if isinstance(value, BaseException) else value
                  for name, value in (fields or {}).items()}  # an error's text, not the error and its frames
        self = super().__new__(cls, template.format_map(fields) if fields else template)
        self.context, self.template, self.fields = context, template, fields
        return self

    def format(self, *args: object, **fields: Any) -> Message:
        """The same template with (more) named fields: `translate(ctx, "{n} files").format(n=3)`."""
        if args:
            raise TypeError("a Message's fields are named: .format(name=value)")
        return Message(self.context, self.template, {**self.fields, **fields})

    def __reduce__(self) -> tuple[Any, ...]:  # str's own would rebuild it from the English text alone
        return Message, (self.context, self.template, dict(self.fields))


def translate(context: str, template: str) -> Message:
    """Declare a text to translate where it is shown (lupdate extracts this call like QCoreApplication.translate)."""
    return Message(context, template)


def error_text(exc: BaseException) -> str:
    """What an exception says: its Message when it carries one (so it stays translatable), else its str()."""
    return exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Message) else str(exc)


def compose(template: str, **fields: Any) -> Message:
    """Fields joined by punctuation alone ("{where}: {message}"): nothing to translate but the fields themselves."""
    return Message("", template, fields)


def joined(texts: list[str], separator: str = "; ") -> Message:
    """Texts one after another, each still translatable where it is a Message."""
    return compose(separator.join(f"{{t{i}}}" for i in range(len(texts))), **{f"t{i}": t for i, t in enumerate(texts)})


def dumps(text: str) -> str:
    """`text` as JSON that `loads` makes the same Message again (fields that are Messages too), for texts stored to
    be shown later, such as the last sync error."""
    return json.dumps(_plain(text), ensure_ascii=False, default=str)  # a path field: its text


def loads(stored: str) -> str:
    """What `dumps` wrote, as a Message again; text that is not such JSON (an older store's) as it stands."""
    try:
        text = _message(json.loads(stored))
    except (ValueError, TypeError, KeyError, AttributeError):
        return stored
    return text if isinstance(text, str) else stored


def _plain(value: Any) -> Any:
    if not isinstance(value, Message):
        return value
    return {"context": value.context, "template": value.template,
            "fields": {name: _plain(field) for name, field in value.fields.items()}}


def _message(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    fields = {name: _message(field) for name, field in value["fields"].items()}
    return Message(str(value["context"]), str(value["template"]), fields)
