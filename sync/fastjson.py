"""JSON for the sync hot paths (sealing, opening and storing batches): orjson, with the standard library's output
kept for the rare value orjson refuses to write (an int beyond 64 bits, a non-string key).

orjson reads strictly (no NaN/Infinity, no integers beyond 64 bits, valid UTF-8 only): such input is not JSON a
client of ours writes, so refusing it costs nothing and spares the database odd values.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError
Encoded = orjson.Fragment  # JSON text already encoded, written as is inside a value given to `dumps`


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: a value outside what orjson writes
        return json.dumps(value, separators=(",", ":")).encode("utf-8")


def dumps_str(value: Any) -> str:
    """Compact JSON text (for database JSON columns)."""
    return dumps(value).decode("utf-8")


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Parse JSON; raises JSONDecodeError (a ValueError) on anything that is not strict JSON."""
    return orjson.loads(data)
