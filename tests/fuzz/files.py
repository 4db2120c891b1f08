"""The bytes fuzz cases are made of: files under odd names, images and PNG bombs, and JSON that json.dumps refuses to
write (NaN, lone surrogates, nesting past its recursion limit, digits past int's limit)."""

from __future__ import annotations

import json
import os
import random
import struct
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

SURROGATE_BYTES = b"\xed\xa0\x80"  # U+D800 encoded as if it were a character: Python reads it as '\udced\udca0\udc80'
LONG = "a" * 296 + ".jpg"  # 300 characters: longer than a file name may be
IMAGE_EXTENSIONS = (".jpg", ".png", ".bmp", ".webp", ".tif")
ODD_NAMES = [SURROGATE_BYTES, b"\xff\xfe", b"a\nb", b"a\rb", b" ", b"-x", b"..", b"x" * 245, b"\xe2\x80\xae", b"a\\b",
             b"a;b,c", b"$(x)", b"%00", b"a\tb", b"\xef\xbb\xbfbom"]


def put(path: Path, data: bytes | str) -> Path:
    """Write `data`, creating its folders; lone surrogates in a str become the invalid UTF-8 they stand for."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def raw_path(folder: Path, name: bytes) -> Path:
    """`folder / name` for a name given as raw bytes, which need not be UTF-8."""
    return Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))


@cache
def image_bytes(width: int, height: int, ext: str = ".png", depth: type = np.uint8) -> bytes:
    """A noise image, the same for the same arguments (so a case's files are the same on every run)."""
    top = 255 if depth is np.uint8 else 65535
    pixels = np.random.default_rng(width * 7919 + height).integers(0, top, (height, width, 3), dtype=depth)
    ok, data = cv2.imencode(ext, pixels)
    assert ok, ext
    return data.tobytes()


def image(path: Path, width: int, height: int, depth: type = np.uint8) -> Path:
    """An image encoded as its extension says (PNG for an extension OpenCV does not write)."""
    ext = path.suffix.lower() if path.suffix.lower() in IMAGE_EXTENSIONS else ".png"
    return put(path, image_bytes(width, height, ext, depth))


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png(width: int, height: int, rows: bytes) -> bytes:
    """An 8-bit grey PNG of width x height whose compressed pixel data is `rows`."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def png_header(width: int, height: int) -> bytes:
    """A PNG whose valid header claims width x height, with pixel data for a few rows only: a bomb's header."""
    return _png(width, height, zlib.compress(b"\x00" * (min(width, 1 << 16) + 1) * 4))


@cache
def png_bomb(side: int = 20_000) -> bytes:
    """A complete, valid PNG of side x side black pixels in well under a megabyte: a real decompression bomb."""
    z = zlib.compressobj(9)
    row = bytes(side + 1)
    return _png(side, side, b"".join(z.compress(row) for _ in range(side)) + z.flush())


def nested(depth: int, leaf: str = "", opening: str = "[", closing: str = "]") -> str:
    """`leaf` inside `depth` brackets (or tags): nesting deeper than a recursive parser survives."""
    return opening * depth + leaf + closing * depth


class RawJson:
    """A value written into the JSON text as it is: nesting deeper than json.dumps recurses, digits past int's limit."""

    def __init__(self, text: str) -> None:
        self.text = text


def dump_json(data: Any, ensure_ascii: bool = True) -> bytes:
    """JSON as the fuzzer wants it: NaN and Infinity allowed, RawJson spliced in, lone surrogates kept as escapes
    (ensure_ascii) or as the invalid UTF-8 that encodes them."""
    raws: list[str] = []

    def default(value: Any) -> str:
        if not isinstance(value, RawJson):
            raise TypeError(type(value).__name__)
        raws.append(value.text)
        return f"\x01{len(raws) - 1}\x01"

    text = json.dumps(data, ensure_ascii=ensure_ascii, allow_nan=True, default=default)
    for i, raw in enumerate(raws):
        text = text.replace(f'"\\u0001{i}\\u0001"', raw, 1)
    return text.encode("utf-8", "surrogatepass")


def truncated(data: bytes, rng: random.Random) -> bytes:
    """`data` cut inside its pixel data (never only the trailer: a PNG loses at least IEND, a JPEG a data byte)."""
    end = len(data) - (12 if data.startswith(b"\x89PNG") else 3)
    return data[: rng.randrange(1, max(2, end))]
