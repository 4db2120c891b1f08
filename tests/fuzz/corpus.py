"""Generated malformed datasets (for every importer) and damaged media folders (for `add`).

A case is rebuilt from (seed, index) alone, so a worker process builds only the cases it runs and a failure is
reproduced by its index (`python -m tests.fuzz --only INDEX`). The first import cases are the crash classes found by
hand (known.py); the rest are random mutations (mutate.py) of valid datasets of every format (seeds.py). Add cases
mix good images with one damaged file of each class below.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from core.formats import FORMATS
from tests.fuzz.files import SURROGATE_BYTES, image, image_bytes, png_bomb, png_header, put, truncated
from tests.fuzz.known import SPECIAL_CLASSES, specials
from tests.fuzz.mutate import mutate_document, mutate_media
from tests.fuzz.seeds import FAMILIES, SEEDS, family

__all__ = ["FAMILIES", "SPECIAL_CLASSES", "Case", "Written", "case", "cases", "family", "image"]

ADD_CLASSES = ("truncated", "zero-byte", "wrong-extension", "png-bomb-header", "fifo", "unreadable", "symlink-loop",
               "directory", "text-as-image")


@dataclass
class Written:
    """What a case wrote: the path import is given, and for an add case what each file must become."""

    target: Path
    notes: list[str] = field(default_factory=list)  # the mutations applied, for the report
    inputs: list[Path] = field(default_factory=list)  # add: the paths given to add_media
    good: dict[str, tuple[int, int]] = field(default_factory=dict)  # add: path -> size; must become a NEW task
    bad: list[str] = field(default_factory=list)  # add: paths that are skipped or become one ERROR task
    skip: list[str] = field(default_factory=list)  # add: paths that must not become a task at all
    either: list[str] = field(default_factory=list)  # add: a task or not (a complete bomb, a non-UTF-8 name)


@dataclass(frozen=True)
class Case:
    index: int
    kind: str  # "import" or "add"
    format: str  # a name in core.formats.FORMATS; "media" for add
    klass: str  # what is wrong with it: a SPECIAL_CLASSES key, "mutate:<seed>" (Written.notes has the ops), "add:..."
    write: Callable[[Path], Written]  # builds the case's files under `folder` (which it creates)


def cases(seed: int, count: int, kind: str = "import") -> Iterator[Case]:
    for index in range(count):
        yield case(seed, index, kind)


def case(seed: int, index: int, kind: str = "import") -> Case:
    if kind == "add":
        return _add_case(seed, index)
    known = specials()
    if index < len(known):
        fmt, klass, build = known[index]
        return Case(index, "import", fmt, klass, lambda folder: Written(build(folder)))
    return _mutation_case(seed, index)


def _mutation_case(seed: int, index: int) -> Case:
    rng = random.Random(f"{seed}/import/{index}")
    fam = rng.choice(FAMILIES)
    fmt = rng.choice(sorted(name for name in FORMATS if family(name) == fam))
    seed_family = rng.choice(FAMILIES) if rng.random() < 0.08 else fam  # now and then another format's files
    name = rng.choice(sorted(SEEDS[seed_family]))

    def write(folder: Path) -> Written:
        r = random.Random(f"{seed}/import/{index}/write")
        s = SEEDS[seed_family][name](folder)
        ops: list[str] = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            mutate_document(r.choice(s.documents), r, ops)
        if s.media and r.random() < 0.25:
            mutate_media(s, r, ops)
        return Written(s.file if r.random() < 0.3 else s.root, notes=ops)

    return Case(index, "import", fmt, f"mutate:{name}", write)


# ---------------------------------------------------------------------------------------------- add over damaged media

GOOD_NAMES = ["photo.jpg", "scan.png", "x ray.bmp", "\u00fcn\u00efcode.webp", "tile.tif", "UPPER.JPG", "deep16.png"]


def _add_case(seed: int, index: int) -> Case:
    """Cases 0 and 1 hold one file of every damage class (0 adds the folder, 1 lists the files); the rest a mix."""
    every = index < 2
    klass = "add:every-class" if every else "add:mix"

    def write(folder: Path) -> Written:
        rng = random.Random(f"{seed}/add/{index}")
        media = folder / "media"
        media.mkdir(parents=True)
        written = Written(media)
        for name in GOOD_NAMES if every else rng.sample(GOOD_NAMES, rng.randint(1, 4)):
            width, height = rng.randint(1, 80), rng.randint(1, 80)
            depth = np.uint16 if name.startswith("deep16") else np.uint8
            suffix = Path(name).suffix.lower()
            ext = suffix if suffix in (".jpg", ".webp", ".bmp", ".tif") else ".png"
            written.good[str(put(media / name, image_bytes(width, height, ext, depth)))] = (width, height)
        kinds = [*ADD_CLASSES, "complete-bomb", "undecodable-name", "long-name"] if every else [
            rng.choice(ADD_CLASSES) for _ in range(rng.randint(2, 6))]
        for i, kind in enumerate(kinds):
            _damaged(media, f"{i}-{kind}", kind, rng, written)
        written.notes = kinds
        direct = index == 1 or (not every and rng.random() < 0.5)
        written.inputs = sorted(media.iterdir()) if direct else [media]
        return written

    return Case(index, "add", "media", klass, write)


def _damaged(media: Path, stem: str, kind: str, rng: random.Random, written: Written) -> None:
    """One damaged file of `kind`, filed under what add must make of it."""
    source = image_bytes(rng.randint(8, 64), rng.randint(8, 64), rng.choice([".png", ".jpg"]))
    ext = ".png" if source.startswith(b"\x89PNG") else ".jpg"
    path = media / (stem + ext)
    if kind == "truncated":
        written.bad.append(str(put(path, truncated(source, rng))))
    elif kind == "zero-byte":
        written.bad.append(str(put(path, b"")))
    elif kind == "wrong-extension":  # decoded by content, so still an image; an image named .txt is no media file
        other = rng.choice([".jpg", ".png", ".PNG", ".bmp", ".txt"] if ext == ".png" else [".png", ".JPEG", ".txt"])
        path = put(media / (stem + other), source)
        if other == ".txt":
            written.skip.append(str(path))
        else:
            written.good[str(path)] = _size(source)
    elif kind == "png-bomb-header":
        written.bad.append(str(put(media / (stem + rng.choice([".png", ".jpg"])), png_header(100_000, 100_000))))
    elif kind == "fifo":
        os.mkfifo(path)
        written.bad.append(str(path))
    elif kind == "unreadable":  # as root the permissions stop nothing: then it must be read like any image
        put(path, source).chmod(0)
        if os.access(path, os.R_OK):
            written.good[str(path)] = _size(source)
        else:
            written.bad.append(str(path))
    elif kind == "symlink-loop":
        other = media / (stem + "-b" + ext)
        path.symlink_to(other.name)
        other.symlink_to(path.name)
        written.bad += [str(path), str(other)]
    elif kind == "directory":
        path.mkdir()
        written.skip.append(str(path))
    elif kind == "text-as-image":
        written.bad.append(str(put(path, "this is not an image\n" * rng.randint(0, 50))))
    elif kind == "complete-bomb":
        written.either.append(str(put(media / (stem + ".png"), png_bomb())))
    elif kind == "undecodable-name":
        raw = os.path.join(os.fsencode(media), SURROGATE_BYTES + b".png")
        Path(os.fsdecode(raw)).write_bytes(source)
        written.either.append(os.fsdecode(raw))
    elif kind == "long-name":
        written.good[str(put(media / ("n" * (255 - len(ext)) + ext), source))] = _size(source)


def _size(data: bytes) -> tuple[int, int]:
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return pixels.shape[1], pixels.shape[0]
