"""The one rule for names that other people choose: task and image names, label names.

A task's name comes from whoever made the task (a lead, a field worker's phone, a server) and ends up as a file name
on every client that exports it (labelme, VOC and YOLO write one file per image, named after it). So the server
refuses, and a client makes safe, any name that is not one plain file name that every file system stores as given:
no folder part, nothing Windows strips or reserves, nothing a file system cannot hold. Labels never become paths, but
they are written into every export and shown everywhere, so they must be text a file and a screen can hold.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any

MAX_NAME_BYTES = 255  # one path component, as ext4, NTFS and APFS allow
MAX_LABEL_CHARS = 255
_FORBIDDEN = '/\\<>:"|?*'  # separators, and what Windows refuses in a name (":" opens an alternate data stream)
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])", re.IGNORECASE)


def _text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{value!r:.80} is not text"
    if not value.strip():
        return "it is empty"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "it is not valid Unicode (a lone surrogate)"
    if any(unicodedata.category(c) == "Cc" for c in value):
        return "it contains a control character (NUL, newline, ...)"
    return None


def item_name_problem(name: Any) -> str | None:
    """Why `name` cannot be a task's or image's name (None when it can): it must be one plain, portable file name."""
    problem = _text_problem(name)
    if problem:
        return problem
    if name in (".", ".."):
        return "it names a folder, not a file"
    if any(c in _FORBIDDEN for c in name):
        return f"it contains one of {_FORBIDDEN} (folder separators and characters Windows refuses)"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"it is longer than the {MAX_NAME_BYTES} bytes (UTF-8) a file name may have"
    if name != name.strip(" ") or name.startswith(".") or name.endswith("."):
        return "it starts or ends with a space or a dot (Windows drops those; a leading dot hides the file)"
    if _RESERVED.fullmatch(name.split(".", 1)[0].rstrip(" ")):
        return "it is a Windows device name (CON, NUL, COM1, ...)"
    return None


def label_name_problem(name: Any) -> str | None:
    """Why `name` cannot be a label (or attribute or keypoint) name, None when it can."""
    problem = _text_problem(name)
    if problem is None and len(name) > MAX_LABEL_CHARS:
        problem = f"it is longer than {MAX_LABEL_CHARS} characters"
    return problem


def safe_item_name(name: str, fallback: str = "image", max_bytes: int = MAX_NAME_BYTES) -> str:
    """`name` itself when it passes item_name_problem (and fits `max_bytes`), else a name that does: the last part
    of a path, unsafe characters replaced by "_", cut to `max_bytes` keeping the extension; `fallback` when nothing
    is left."""
    if item_name_problem(name) is None and len(name.encode("utf-8")) <= max_bytes:
        return name
    text = name.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?", then "_"
    text = PurePosixPath(text.replace("\\", "/")).name
    text = "".join("_" if c in _FORBIDDEN or unicodedata.category(c) == "Cc" else c for c in text).strip(" .")
    stem, dot, suffix = text.rpartition(".")
    if not dot or len(suffix) > 16:
        stem, dot, suffix = text, "", ""
    while len(f"{stem}{dot}{suffix}".encode()) > max_bytes:
        stem = stem[:-1]
    text = f"{stem}{dot}{suffix}".strip(" .")
    if _RESERVED.fullmatch(text.split(".", 1)[0].rstrip(" ")):
        text = "_" + text
    return text if item_name_problem(text) is None else fallback
