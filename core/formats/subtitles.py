"""WebVTT and SRT: transcriptions as timed cues, one file per recording.

A cue is a segment on the `transcript` tier whose text is the cue's text (lines joined with newlines). Its label is
the speaker when the cue names one (WebVTT `<v Alice>` voice spans, or a `Alice:` prefix SRT tools write), else
`segment`. Other markup (<b>, <i>, <c.red>, timestamps inside a cue) is removed from the text. Cue settings,
STYLE, REGION and NOTE blocks are not kept. A cue whose timing line does not parse, or ends before it starts, is
reported with its line and skipped. Written: WebVTT with `<v label>` when the label is not `segment`; SRT with
numbered cues and comma decimals, the speaker as an `Alice: ` prefix.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.formats.audio_common import (
    AUDIO,
    DEFAULT_LABEL,
    audio_item,
    end_of,
    read_text,
    segment,
    start_of,
    write_per_item,
)
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem, FormatError
from core.messages import translate
from core.names import label_name_problem
from core.shapes import Segment

TIER = "transcript"
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_PREFIX = re.compile(r"^([^\s:][^:]{0,40}):\s+")


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _stamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


class _Subtitles:
    media_kinds = (AUDIO,)

    def __init__(self, name: str, suffix: str, title: str, description: str) -> None:
        self.name, self.suffix, self.title, self.description = name, suffix, title, description
        self.file_types = (f"*{suffix}",)

    def read(self, path: Path) -> Dataset:
        path = Path(path)
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == self.suffix) if path.is_dir() else [path]
        if not files:
            raise FormatError(f"{path}: no {self.suffix} file found")
        dataset = Dataset()
        for file in files:
            text = read_text(file, dataset)
            if self.name == "vtt" and not text.lstrip("\ufeff").startswith("WEBVTT"):
                raise FormatError(f"{file}: not a WebVTT file (it does not start with WEBVTT)")
            item = audio_item(dataset, file, file.stem)
            _read_cues(file, text, item, dataset)
            dataset.items.append(item)
        return dataset

    def write(self, dataset: Dataset, out_dir: Path) -> list[Path]:
        render = _render_vtt if self.name == "vtt" else _render_srt
        return write_per_item(dataset, Path(out_dir), self.suffix, render)


VTT = _Subtitles("vtt", ".vtt", "WebVTT", translate(
    "formats", "WebVTT transcription cues, one .vtt per recording (speakers as <v> spans)"))
SRT = _Subtitles("srt", ".srt", "SubRip (SRT)", translate("formats", "SRT transcription cues, one .srt per recording"))


def _read_cues(file: Path, text: str, item: DatasetItem, dataset: Dataset) -> None:
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "-->" not in line:
            i += 1
            continue
        number = i + 1
        body = []
        i += 1
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        where = f"{file.name}: line {number}"
        timing = _TIMING.match(line)
        if timing is None:
            dataset.issue(where, f"{line.strip()!r:.60} is not a cue timing (hh:mm:ss.mmm --> hh:mm:ss.mmm); skipped")
            continue
        start, end = _seconds(*timing.groups()[:4]), _seconds(*timing.groups()[4:])
        label, words = _speaker("\n".join(body))
        ann = segment(dataset, where, label, start, end, TIER, words)
        if ann is not None:
            item.annotations.append(ann)


def _speaker(text: str) -> tuple[str, str]:
    """(label, plain text) of a cue: its voice span's or prefix's speaker, else the default label."""
    voice = _VOICE.search(text)
    plain = _TAG.sub("", text).strip()
    name = voice.group(1).strip() if voice else None
    if name is None and (prefix := _PREFIX.match(plain)):
        name, plain = prefix.group(1).strip(), plain[prefix.end() :]
    if name and label_name_problem(name) is None:
        return name, plain
    return DEFAULT_LABEL, plain


def _cues(anns: list[DatasetAnnotation]) -> list[DatasetAnnotation]:
    return [a for a in anns if isinstance(a.shape, Segment)]


def _text(ann: DatasetAnnotation) -> str:
    text = ann.shape.text if isinstance(ann.shape, Segment) else ""
    lines = [line for line in (text or "").splitlines() if line.strip()] or [""]
    return "\n".join(lines).replace("-->", "->")  # a blank line or an arrow would end or split the cue


def _render_vtt(item: DatasetItem, anns: list[DatasetAnnotation]) -> str:
    out = ["WEBVTT", ""]
    for ann in _cues(anns):
        voice = f"<v {ann.label.replace('>', '')}>" if ann.label != DEFAULT_LABEL else ""
        text = _text(ann).replace("<", "&lt;")
        out += [f"{_stamp(start_of(ann), '.')} --> {_stamp(end_of(ann), '.')}", f"{voice}{text}", ""]
    return "\n".join(out)


def _render_srt(item: DatasetItem, anns: list[DatasetAnnotation]) -> str:
    out = []
    for n, ann in enumerate(_cues(anns), 1):
        who = f"{ann.label}: " if ann.label != DEFAULT_LABEL else ""
        out += [str(n), f"{_stamp(start_of(ann), ',')} --> {_stamp(end_of(ann), ',')}", f"{who}{_text(ann)}", ""]
    return "\n".join(out)
