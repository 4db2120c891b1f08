"""Praat TextGrid: interval tiers (segments) and point tiers (instants), long and short text forms.

Both text forms are one stream of values (strings in double quotes with "" for a quote, numbers, <flags>); the long
form adds `key =` names and `[n]` indices, which the reader skips, as Praat does. UTF-8 and UTF-16 (with or without
a byte order mark, as Praat writes non-ASCII files) are read. Each interval's text is the segment's transcription,
its label the tier's name (docs/formats.md); empty intervals are the gaps Praat needs and are not segments. An
interval that overlaps the one before it (a tier forbids that) is skipped with the line that says so; tiers that
share a name get " (2)", " (3)" added. Written files are the long form in UTF-8, gaps filled with empty intervals.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from core.formats.audio_common import (
    AUDIO,
    audio_item,
    end_of,
    instant,
    read_text,
    segment,
    start_of,
    write_per_item,
    written_text,
)
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.messages import translate
from core.names import label_name_problem
from core.shapes import Instant, Segment

_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\[\s*\d*\s*\])|<(\w+)>|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|[^\s"<\[]+')
DEFAULT_TIER = "segments"  # the name segments without a tier are written under
MAX_ITEMS = 10_000_000  # intervals or points one tier may declare; a larger count is a damaged file


@dataclass
class _Tok:
    kind: str  # "str", "flag", "num"
    value: str
    line: int


class _Stream:
    def __init__(self, text: str, file: Path) -> None:
        self.file = file
        newlines = [m.start() for m in re.finditer("\n", text)]
        self.tokens: list[_Tok] = []
        for m in _TOKEN.finditer(text):
            line = bisect.bisect_left(newlines, m.start()) + 1
            if m.group(1) is not None:
                self.tokens.append(_Tok("str", m.group(1).replace('""', '"'), line))
            elif m.group(3) is not None:
                self.tokens.append(_Tok("flag", m.group(3), line))
            elif m.group(4) is not None:
                self.tokens.append(_Tok("num", m.group(4), line))
        self.pos = 0

    def line(self) -> int:
        return self.tokens[min(self.pos, len(self.tokens) - 1)].line if self.tokens else 1

    def take(self, kind: str, what: str) -> str:
        if self.pos >= len(self.tokens):
            raise FormatError(f"{self.file}: line {self.line()}: the file ends where {what} should be")
        tok = self.tokens[self.pos]
        if tok.kind != kind:
            raise FormatError(f"{self.file}: line {tok.line}: expected {what}, found {tok.value!r:.40}")
        self.pos += 1
        return tok.value

    def number(self, what: str) -> float:
        return float(self.take("num", what))

    def count(self, what: str) -> int:
        value = self.number(what)
        if value != int(value) or not 0 <= value <= MAX_ITEMS:
            raise FormatError(f"{self.file}: line {self.line()}: {what} {value} is not a count up to {MAX_ITEMS:,}")
        return int(value)


class TextGridFormat:
    name = "textgrid"
    description = translate(
        "formats", "Praat TextGrid: interval and point tiers, long or short text form (UTF-8 or UTF-16)")
    title = "Praat TextGrid"
    file_types = ("*.TextGrid", "*.textgrid")
    media_kinds = (AUDIO,)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".textgrid") if path.is_dir() else [path]
        if not files:
            raise FormatError(f"{path}: no .TextGrid file found")
        dataset = Dataset()
        for file in files:
            item = audio_item(dataset, file, file.stem)
            _read_grid(_Stream(read_text(file, dataset), file), item, dataset)
            dataset.items.append(item)
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        return write_per_item(dataset, Path(out_dir), ".TextGrid", lambda item, anns: _render(dataset, item, anns))


TEXTGRID = TextGridFormat()


def _read_grid(s: _Stream, item: DatasetItem, dataset: Dataset) -> None:
    if s.take("str", '"ooTextFile"') != "ooTextFile":
        raise FormatError(f"{s.file}: not a Praat text file (a binary TextGrid? save it as a text file in Praat)")
    if s.take("str", '"TextGrid"') != "TextGrid":
        raise FormatError(f"{s.file}: a Praat file, but not a TextGrid")
    s.number("xmin")
    s.number("xmax")
    flagged = s.pos < len(s.tokens) and s.tokens[s.pos].kind == "flag"
    if flagged and s.take("flag", "<exists>") != "exists":
        return  # <absent>: no tiers
    seen: dict[str, int] = {}
    for index in range(s.count("the number of tiers")):
        kind = s.take("str", '"IntervalTier" or "TextTier"')
        line = s.line()
        name = s.take("str", "the tier name").strip() or f"tier {index + 1}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            dataset.issue(f"{s.file.name}: line {line}", f"tier name {name!r} is used again; read as "
                                                         f"'{name} ({seen[name]})'")
            name = f"{name} ({seen[name]})"
        if label_name_problem(name):
            dataset.issue(f"{s.file.name}: line {line}", f"tier name {name!r:.60} cannot be a label; "
                                                         f"read as 'tier {index + 1}'")
            name = f"tier {index + 1}"
        s.number("the tier's xmin")
        s.number("the tier's xmax")
        if kind == "IntervalTier":
            _read_intervals(s, name, item, dataset)
        elif kind == "TextTier":
            _read_points(s, name, item, dataset)
        else:
            raise FormatError(f"{s.file}: line {line}: unknown tier class {kind!r:.40}")


def _read_intervals(s: _Stream, tier: str, item: DatasetItem, dataset: Dataset) -> None:
    reach = -1.0
    for _ in range(s.count("the number of intervals")):
        line = s.line()
        start, end = s.number("an interval's xmin"), s.number("an interval's xmax")
        text = s.take("str", "an interval's text")
        where = f"{s.file.name}: line {line}"
        if start < reach - 1e-9:
            dataset.issue(where, f"interval {start}-{end} overlaps the one before it (ending at {reach}) on tier "
                                 f"{tier!r}; an interval tier forbids overlaps; skipped")
            continue
        reach = max(reach, end)
        if text.strip():
            ann = segment(dataset, where, tier, start, end, tier, text)
            if ann is not None:
                item.annotations.append(ann)


def _read_points(s: _Stream, tier: str, item: DatasetItem, dataset: Dataset) -> None:
    for _ in range(s.count("the number of points")):
        line = s.line()
        time = s.number("a point's time")
        mark = s.take("str", "a point's mark")
        if time < 0:
            dataset.issue(f"{s.file.name}: line {line}", f"point at {time} s is before the start; skipped")
            continue
        item.annotations.append(instant(tier, time, tier, mark))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _lanes(segments: list[DatasetAnnotation]) -> list[list[DatasetAnnotation]]:
    """Segments in as few non-overlapping lanes as they allow (an interval tier cannot hold an overlap)."""
    lanes: list[list[DatasetAnnotation]] = []
    for ann in segments:
        lane = next((ln for ln in lanes if end_of(ln[-1]) <= start_of(ann) + 1e-9), None)
        if lane is None:
            lanes.append([ann])
        else:
            lane.append(ann)
    return lanes


def _render(dataset: Dataset, item: DatasetItem, anns: list[DatasetAnnotation]) -> str:
    xmax = max(end_of(a) for a in anns)
    tiers: list[tuple[str, str, list[DatasetAnnotation]]] = []  # class, name, annotations
    order = list(dict.fromkeys(getattr(a.shape, "tier", "") or DEFAULT_TIER for a in anns))
    for name in order:
        members = [a for a in anns if (getattr(a.shape, "tier", "") or DEFAULT_TIER) == name]
        segs = [a for a in members if isinstance(a.shape, Segment)]
        points = [a for a in members if isinstance(a.shape, Instant)]
        lanes = _lanes(segs)
        if len(lanes) > 1:
            dataset.issue(item.file_name, f"tier {name!r} has overlapping segments: written as {len(lanes)} tiers")
        for k, lane in enumerate(lanes):
            tiers.append(("IntervalTier", name if k == 0 else f"{name} ({k + 1})", lane))
        if points:
            tiers.append(("TextTier", name if not segs else f"{name} (points)", points))
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0", f"xmax = {xmax!r}",
           "tiers? <exists>", f"size = {len(tiers)}", "item []:"]
    for i, (cls, name, members) in enumerate(tiers, 1):
        body: list[_Entry] = _intervals(members, xmax) if cls == "IntervalTier" else [(a, None) for a in members]
        out += [f"    item [{i}]:", f"        class = {_quote(cls)}", f"        name = {_quote(name)}",
                "        xmin = 0", f"        xmax = {xmax!r}"]
        if cls == "IntervalTier":
            out.append(f"        intervals: size = {len(body)}")
            for j, (ann, gap) in enumerate(body, 1):
                start, end, text = (gap[0], gap[1], "") if gap else (start_of(ann), end_of(ann), written_text(ann))
                out += [f"        intervals [{j}]:", f"            xmin = {start!r}", f"            xmax = {end!r}",
                        f"            text = {_quote(text)}"]
        else:
            out.append(f"        points: size = {len(members)}")
            for j, ann in enumerate(members, 1):
                out += [f"        points [{j}]:", f"            number = {start_of(ann)!r}",
                        f"            mark = {_quote(written_text(ann))}"]
    return "\n".join(out) + "\n"


_Entry = tuple[DatasetAnnotation, tuple[float, float] | None]  # a segment, or (its neighbour, the gap's times)


def _intervals(segs: list[DatasetAnnotation], xmax: float) -> list[_Entry]:
    """The segments with empty intervals in the gaps, from 0 to xmax, as Praat requires."""
    body: list[_Entry] = []
    at = 0.0
    for ann in segs:
        if start_of(ann) > at:
            body.append((ann, (at, start_of(ann))))
        body.append((ann, None))
        at = end_of(ann)
    if at < xmax:
        body.append((segs[-1], (at, xmax)))
    return body
