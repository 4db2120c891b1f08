"""Random mutations of a seed's documents, below and above their syntax: JSON values deleted, retyped, made huge,
non-finite or deep; XML elements and attributes; tokens and lines of text formats; YAML tags and aliases; and now
and then the bytes themselves (truncated, flipped, another encoding). Each op is named in the case's notes."""

from __future__ import annotations

import copy
import json
import math
import os
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from tests.fuzz.files import LONG, ODD_NAMES, RawJson, dump_json, image_bytes, nested, png_header, put, truncated
from tests.fuzz.seeds import Seed

HUGE = [10**30, 2**63, -(2**63) - 1, 2**64, 1e308, -1e308, 1.7976931348623157e308, 5e-324, -0.0, RawJson("9" * 5000)]
NON_FINITE = [math.nan, math.inf, -math.inf]
STRINGS = ["", " ", "\x00", "img0.jpg\x00.png", "\ud800", "\udcff.jpg", LONG, "../../../../etc/passwd",
           "/etc/passwd", "C:\\x.jpg", "..", ".", "\n", "\U0001f600.jpg", "1e308", "nan", "true", "<x>", "%s%n",
           "images/", "a" * 10_000]
WRONG = [None, True, False, 0, -1, 0.5, "x", "", [], {}, [[]], [None], {"": None}, [1, "x"], "[]", [[1, 2]],
         {"a": {"b": []}}]
XML_VALUES = ["nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e30", str(2**63), str(-(2**63) - 1), "-1", "0", "",
              " ", "x", "1,2", "1;2", "1,2;3,4;", ";", ",", "1,2,3", "nan,nan", "1e308,1e308;-1e308,1e308;0,0",
              "9" * 5000, "0x10", "1_000", "\u0661\u0662", "true", "\ud800", LONG, "../../x.jpg", "/etc/passwd",
              "1, -2, 3", "0, 0", "1" + ", 1" * 5000, "\x00", "&", "2.5"]
TEXT_VALUES = ["nan", "inf", "-inf", "1e308", "-1e308", "1e-400", "-1", "0", "1", "2", "1.5", "99999999999999999999",
               "9" * 5000, "0x1p3", "1_0", "\u0661", "x", "\x00", "1e30", "-0", "+1", "0.5e", "\u221e", "1.0000001"]
TAGS = ["box", "polygon", "polyline", "points", "mask", "skeleton", "ellipse", "tag", "image", "label", "object",
        "bndbox", "part", "size", "annotation", "annotations", "meta", "attribute", "name", "track", "width"]


def _json_nodes(holder: list[Any], limit: int = 5000) -> list[tuple[Any, Any]]:
    """(container, key) of every value in the document, breadth first, the document itself as holder[0]."""
    nodes: list[tuple[Any, Any]] = [(holder, 0)]
    i = 0
    while i < len(nodes) and len(nodes) < limit:
        container, key = nodes[i]
        value = container[key]
        if isinstance(value, dict):
            nodes += [(value, k) for k in value]
        elif isinstance(value, list):
            nodes += [(value, j) for j in range(len(value))]
        i += 1
    return nodes


def _mutate_json(data: Any, rng: random.Random, ops: list[str]) -> Any:
    """One op on one value anywhere in the document (the document itself too); returns the new document."""
    holder = [data]
    op = rng.choice(["delete", "wrong-type", "huge-number", "non-finite", "string", "duplicate", "nest", "swap",
                     "big-list", "empty"])
    ops.append(f"json-{op}")
    nodes = _json_nodes(holder)
    container, key = rng.choice(nodes[1:] or nodes)
    value = container[key]
    if op == "delete" and container is not holder:
        del container[key]
    elif op == "wrong-type":
        container[key] = copy.deepcopy(rng.choice(WRONG))
    elif op == "huge-number":
        container[key] = rng.choice(HUGE)
    elif op == "non-finite":
        container[key] = rng.choice(NON_FINITE)
    elif op == "string":
        container[key] = rng.choice(STRINGS)
    elif op == "duplicate" and isinstance(container, list):
        container.insert(key, copy.deepcopy(value))
    elif op == "nest":
        depth = rng.choice([10, 100, 990, 1100, 3000])
        container[key] = RawJson(nested(depth, json.dumps(rng.choice([0, "x", None]))))
    elif op == "swap" and isinstance(container, (list, dict)) and len(container) > 1:
        other = rng.choice(list(container) if isinstance(container, dict) else range(len(container)))
        container[key], container[other] = container[other], value
    elif op == "big-list":
        container[key] = [copy.deepcopy(value) for _ in range(rng.choice([100, 1000, 20_000]))]
    elif op == "empty":
        container[key] = type(value)() if isinstance(value, (list, dict, str)) else None
    return holder[0]


def _mutate_xml(root: ET.Element, rng: random.Random, ops: list[str]) -> None:
    """One op on one element of the tree, in place."""
    parents = {child: parent for parent in root.iter() for child in parent}
    elements = list(root.iter())
    element = rng.choice(elements)
    op = rng.choice(["delete-attr", "set-attr", "set-attr", "set-text", "delete-element", "duplicate", "rename",
                     "nest", "add-child", "big-repeat"])
    ops.append(f"xml-{op}")
    if op == "delete-attr" and element.attrib:
        del element.attrib[rng.choice(list(element.attrib))]
    elif op == "set-attr":
        keys = list(element.attrib) or ["points", "width", "rle", "label", "name", "xtl", "group_id", "z_order"]
        element.set(rng.choice(keys), rng.choice(XML_VALUES))
    elif op == "set-text":
        element.text = rng.choice(XML_VALUES)
    elif op == "delete-element" and element in parents:
        parents[element].remove(element)
    elif op == "duplicate" and element in parents:
        parents[element].append(copy.deepcopy(element))
    elif op == "rename":
        element.tag = rng.choice(TAGS)
    elif op == "nest" and element in parents:
        parent, outer = parents[element], element
        for _ in range(rng.choice([10, 100, 400])):
            wrapper = ET.Element(element.tag)
            wrapper.append(outer)
            outer = wrapper
        parent.remove(element)
        parent.append(outer)
    elif op == "add-child":
        ET.SubElement(element, rng.choice(TAGS), {"label": "car", "points": rng.choice(XML_VALUES)}).text = "1"
    elif op == "big-repeat" and element in parents:
        parents[element].extend(copy.deepcopy(element) for _ in range(rng.choice([100, 2000])))


def _mutate_lines(text: str, rng: random.Random, ops: list[str]) -> str:
    """One op on the space-separated tokens and lines of a text format (YOLO labels, file lists, classes.txt)."""
    lines = [line.split(" ") for line in text.splitlines()] or [[]]
    line = rng.choice(lines)
    op = rng.choice(["token", "token", "delete-token", "add-token", "duplicate-line", "many-lines", "garbage-line",
                     "long-line", "blank"])
    ops.append(f"text-{op}")
    if op == "token" and line:
        line[rng.randrange(len(line))] = rng.choice(TEXT_VALUES)
    elif op == "delete-token" and line:
        line.pop(rng.randrange(len(line)))
    elif op == "add-token":
        line.insert(rng.randrange(len(line) + 1), rng.choice(TEXT_VALUES))
    elif op == "duplicate-line":
        lines.append(list(line))
    elif op == "many-lines":
        lines += [list(line) for _ in range(rng.choice([1000, 20_000]))]
    elif op == "garbage-line":
        lines.append([bytes(rng.randrange(256) for _ in range(20)).decode("latin-1")])
    elif op == "long-line":
        lines.append(["0"] + ["0.5"] * rng.choice([1001, 20_000]))
    elif op == "blank":
        lines.insert(rng.randrange(len(lines) + 1), [" \t "])
    return "\n".join(" ".join(tokens) for tokens in lines) + rng.choice(["\n", "\r\n", ""])


YAML_TRICKS = ["names: *undefined\n", "train: !!python/object/apply:os.system ['true']\n", "train: !!binary AAAA\n",
               "? [a, b]\n: c\n", "names: [car]\nnames: {0: a}\n", "---\n---\n", "\tnames: [a]\n", "<<: *x\n",
               "kpt_shape: [17]\n", "kpt_shape: [-1, 3]\n", "kpt_shape: [2, 3.5]\n", "names: {-1: a, 1e3: b}\n",
               "names: {0: [a]}\n", "path: /\n", "path: ../../..\n", "train: /etc\n", "train: ../../../etc/passwd\n",
               "train: [images/train, 5, null, [x]]\n", "task: pose\n", "task: [segment]\n", "names: 5\n",
               "train: train.txt\n", "val: ''\n", "names: !!set {a, b}\n", "train: !!timestamp 2001-12-14\n"]


def _mutate_yaml(text: str, rng: random.Random, ops: list[str]) -> str:
    """A YAML trick (tags, aliases, odd keys) added or alone, or a JSON op on the loaded document."""
    if rng.random() < 0.4:
        ops.append("yaml-trick")
        return text + rng.choice(YAML_TRICKS) if rng.random() < 0.5 else rng.choice(YAML_TRICKS)
    data = yaml.safe_load(text) or {}
    data = _mutate_json(data, rng, ops)
    try:
        return yaml.safe_dump(data, allow_unicode=rng.random() < 0.5)
    except (yaml.YAMLError, TypeError, ValueError):  # RawJson or a lone surrogate: YAML flow style reads JSON
        return dump_json(data).decode("utf-8", "surrogatepass")


_UNPARSABLE = (ValueError, RecursionError, LookupError, ET.ParseError, yaml.YAMLError)


def mutate_document(path: Path, rng: random.Random, ops: list[str]) -> None:
    """Damage the file at `path` in place by its syntax (JSON, XML, YAML or text), and now and then its bytes."""
    data = path.read_bytes()
    try:
        data = _mutate_syntax(data, path.suffix.lower(), rng, ops)
    except _UNPARSABLE:  # an earlier mutation of this case broke its syntax: only its bytes are damaged further
        ops.append("unparsable")
    path.write_bytes(_mutate_bytes(data, rng, ops))


def _mutate_syntax(data: bytes, suffix: str, rng: random.Random, ops: list[str]) -> bytes:
    """One op of the syntax its suffix names; the errors of _UNPARSABLE where `data` does not parse."""
    if suffix == ".json":
        return dump_json(_mutate_json(json.loads(data), rng, ops), rng.random() < 0.7)
    if suffix == ".xml":
        root = ET.fromstring(data)
        _mutate_xml(root, rng, ops)
        declaration = rng.choice(["utf-8"] * 8 + ["utf-16", "latin-1", "x-nonsense", "ascii"])
        return (f'<?xml version="1.0" encoding="{declaration}"?>\n'.encode()
                + ET.tostring(root, encoding="unicode").encode("utf-8", "surrogatepass"))
    if suffix in (".yaml", ".yml"):
        return _mutate_yaml(data.decode("utf-8", "surrogatepass"), rng, ops).encode("utf-8", "surrogatepass")
    return _mutate_lines(data.decode("utf-8", "surrogateescape"), rng, ops).encode("utf-8", "surrogateescape")


def _mutate_bytes(data: bytes, rng: random.Random, ops: list[str]) -> bytes:
    """Damage below the syntax, now and then: truncation, flipped bytes, a BOM, another encoding, nothing at all."""
    roll = rng.random()
    if roll < 0.12:
        ops.append("truncate")
        return data[: rng.randrange(max(1, len(data)))]
    if roll < 0.18 and data:
        ops.append("flip-bytes")
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 5)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        return bytes(damaged)
    if roll < 0.20:
        ops.append("bom")
        return b"\xef\xbb\xbf" + data
    if roll < 0.22:
        ops.append("utf-16")
        return data.decode("utf-8", "replace").encode("utf-16")
    if roll < 0.23:
        ops.append("empty-file")
        return b""
    return data


def mutate_media(seed: Seed, rng: random.Random, ops: list[str]) -> None:
    """Damage one image of the dataset: the import adds it as a task and reads its header."""
    path = rng.choice(seed.media)
    op = rng.choice(["truncate", "zero-byte", "text", "other-format", "bomb-header", "resized", "fifo", "unreadable",
                     "directory", "symlink-outside", "symlink-loop", "missing", "renamed", "renamed"])
    ops.append(f"media-{op}")
    data = path.read_bytes()
    if op not in ("unreadable", "resized", "other-format", "truncate"):
        path.unlink()
    if op == "truncate":
        path.write_bytes(truncated(data, rng))
    elif op == "zero-byte":
        path.write_bytes(b"")
    elif op == "text":
        path.write_text("not an image\n")
    elif op == "other-format":
        path.write_bytes(image_bytes(48, 32, rng.choice([".png", ".jpg", ".bmp", ".webp", ".tif"])))
    elif op == "bomb-header":
        path.write_bytes(png_header(rng.choice([30_000, 100_000, 2**31 - 1]), rng.choice([30_000, 100_000, 1])))
    elif op == "resized":
        path.write_bytes(image_bytes(rng.randint(1, 70), rng.randint(1, 70), ".png"))
    elif op == "fifo":
        os.mkfifo(path)
    elif op == "unreadable":
        path.chmod(0)
    elif op == "directory":
        path.mkdir()
    elif op == "symlink-outside":
        outside = seed.root.parent / "outside" / "secret.png"
        put(outside, data)
        path.symlink_to(outside)
    elif op == "symlink-loop":
        other = path.with_name("loop-" + path.name)
        path.symlink_to(other.name)
        other.symlink_to(path.name)
    elif op == "renamed":  # the file list of YOLO and the name match of every format meet names people do not write
        name = rng.choice(ODD_NAMES) + os.fsencode(path.suffix)
        Path(os.fsdecode(os.path.join(os.fsencode(path.parent), name))).write_bytes(data)
