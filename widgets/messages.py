"""The app's language for texts of the Qt-free layers (core.messages): translate the template, then fill the fields.

Both widgets/ and desktop/ show such texts (errors, import summaries), so this lives below both. A template the
installed translator does not know is shown in English, as its str() is.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication

from core.messages import Message, error_text

log = logging.getLogger(__name__)


def translated(value: object) -> str:
    """`value` in the app's language: a Message (or an exception whose one argument is a Message) translated with
    its fields filled in, fields that are Messages translated too; anything else as str()."""
    if isinstance(value, BaseException):
        value = error_text(value)
    if not isinstance(value, Message):
        return str(value)
    template = QCoreApplication.translate(value.context, value.template)
    if not value.fields:
        return template
    fields = {name: translated(field) if isinstance(field, Message) else field for name, field in value.fields.items()}
    try:
        return template.format_map(fields)
    except (KeyError, IndexError, ValueError) as exc:  # a translation that names another field: English, logged
        log.warning("translation of %r in %s does not fit its fields: %s", value.template, value.context, exc)
        return str(value)
