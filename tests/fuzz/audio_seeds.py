"""Seeds of the audio label formats for the fuzz corpus: an Audacity label track, a TextGrid in each text form and
an RTTM file, each beside the short recording it names (so an import also adds and decodes it)."""

from __future__ import annotations

import json
import wave
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tests.fuzz.files import put

if TYPE_CHECKING:
    from tests.fuzz.seeds import Seed

AUDACITY = "0.100000\t0.200000\tspeech\n0,300000\t0,300000\tclick\n\\\t100.0\t4000.0\n0.25\t0.45\t\n"
TEXTGRID_LONG = '''File type = "ooTextFile"
Object class = "TextGrid"

xmin = 0
xmax = 0.5
tiers? <exists>
size = 2
item []:
    item [1]:
        class = "IntervalTier"
        name = "words"
        xmin = 0
        xmax = 0.5
        intervals: size = 3
        intervals [1]:
            xmin = 0
            xmax = 0.1
            text = ""
        intervals [2]:
            xmin = 0.1
            xmax = 0.3
            text = "say ""hi"""
        intervals [3]:
            xmin = 0.3
            xmax = 0.5
            text = "there"
    item [2]:
        class = "TextTier"
        name = "tones"
        xmin = 0
        xmax = 0.5
        points: size = 1
        points [1]:
            number = 0.2
            mark = "H*"
'''
TEXTGRID_SHORT = 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n0\n0.5\n<exists>\n1\n"IntervalTier"\n' \
                 '"phones"\n0\n0.5\n2\n0\n0.25\n"a"\n0.25\n0.5\n"b"\n'
RTTM = "SPEAKER rec 1 0.10 0.20 <NA> <NA> alice <NA> <NA>\nSPEAKER rec 1 0.15 0.30 <NA> <NA> bob <NA> <NA>\n"


@cache
def wav_bytes() -> bytes:
    """Half a second of 8 kHz mono: a tone burst in silence."""
    import io

    t = np.arange(4000) / 8000
    pcm = (np.where((t > 0.1) & (t < 0.3), 0.5 * np.sin(2 * np.pi * 440 * t), 0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _seed(name: str, text: str) -> Callable[[Path], Seed]:
    def build(folder: Path) -> Seed:
        from tests.fuzz.seeds import Seed

        media = put(folder / "rec.wav", wav_bytes())
        doc = put(folder / name, text)
        return Seed(folder, doc, [doc], [media])

    return build


AUDIO_SEEDS: dict[str, dict[str, Callable[[Path], Seed]]] = {
    "audacity": {"audacity": _seed("rec.txt", AUDACITY)},
    "textgrid": {"textgrid_long": _seed("rec.TextGrid", TEXTGRID_LONG),
                 "textgrid_short": _seed("rec.TextGrid", TEXTGRID_SHORT)},
    "rttm": {"rttm": _seed("rec.rttm", RTTM)},
}
AUDIO_FAMILIES = tuple(AUDIO_SEEDS)


def _with(seed: str, name: str, text: str | bytes) -> Callable[[Path], Path]:
    """A case: the recording and a label file `name` holding `text`; import is given the label file."""

    def build(folder: Path) -> Path:
        put(folder / "rec.wav", wav_bytes())
        return put(folder / name, text)

    return build


def audio_specials() -> list[tuple[str, str, Callable[[Path], Path]]]:
    """Names with NUL, lone surrogates and 300 characters in each audio format (tests/fuzz/known.py's classes)."""
    from tests.fuzz.files import LONG, SURROGATE_BYTES

    grid = TEXTGRID_SHORT.replace('"phones"', '"{}"')
    return [
        ("audacity", "nul-name", _with("audacity", "rec.txt", "0.1\t0.2\tsp\x00eech\n")),
        ("textgrid", "nul-name", _with("textgrid", "rec.TextGrid", grid.format("ph\x00ones"))),
        ("rttm", "nul-name", _with("rttm", "rec.rttm", RTTM.replace("rec", "re\x00c", 1))),
        ("audacity", "surrogate", _with("audacity", "rec.txt", b"0.1\t0.2\t" + SURROGATE_BYTES + b"\n")),
        ("textgrid", "surrogate", _with("textgrid", "rec.TextGrid", grid.format("\udcff").encode("utf-8",
                                                                                             "surrogateescape"))),
        ("rttm", "surrogate", _with("rttm", "rec.rttm", RTTM.encode().replace(b"alice", SURROGATE_BYTES))),
        ("audacity", "long-name", _with("audacity", "rec.txt", f"0.1\t0.2\t{LONG}\n")),
        ("textgrid", "long-name", _with("textgrid", "rec.TextGrid", grid.format(LONG))),
        ("rttm", "long-name", _with("rttm", "rec.rttm", RTTM.replace("rec", LONG, 1))),
        ("vtt", "nul-name", _with("vtt", "rec.vtt", VTT.replace("Alice", "Al\x00ice"))),
        ("vtt", "surrogate", _with("vtt", "rec.vtt", VTT.encode().replace(b"Alice", SURROGATE_BYTES))),
        ("vtt", "long-name", _with("vtt", "rec.vtt", VTT.replace("Alice", LONG))),
        ("srt", "nul-name", _with("srt", "rec.srt", SRT.replace("Alice", "Al\x00ice"))),
        ("srt", "surrogate", _with("srt", "rec.srt", SRT.encode().replace(b"Alice", SURROGATE_BYTES))),
        ("srt", "long-name", _with("srt", "rec.srt", SRT.replace("Alice", LONG))),
        ("nemo", "nul-name", _with("nemo", "manifest.json", NEMO.replace("rec.wav", "rec\\u0000.wav", 1))),
        ("nemo", "surrogate", _with("nemo", "manifest.json", NEMO.replace("alice", "\\ud800"))),
        ("nemo", "long-name", _with("nemo", "manifest.json", NEMO.replace("rec.wav", LONG, 1))),
        ("labelstudio", "nul-name", _with("labelstudio", "export.json", LABELSTUDIO.replace("alice", "al\\u0000"))),
        ("labelstudio", "surrogate", _with("labelstudio", "export.json", LABELSTUDIO.replace("alice", "\\udfff"))),
        ("labelstudio", "long-name", _with("labelstudio", "export.json", LABELSTUDIO.replace("rec.wav", LONG))),
    ]


VTT = "WEBVTT\n\nNOTE a comment\n\n00:00.100 --> 00:00.300 align:start\n<v Alice>say <b>hi</b>\n\n" \
      "00:00:00.250 --> 00:00:00.450\nthere\nsecond line\n"
SRT = "1\n00:00:00,100 --> 00:00:00,300\nAlice: say hi\n\n2\n00:00:00,250 --> 00:00:00,450\nthere\n"
NEMO = '{"audio_filepath": "rec.wav", "offset": 0.1, "duration": 0.2, "text": "say hi", "speaker": "alice"}\n' \
       '{"audio_filepath": "rec.wav", "duration": 0.5, "text": "all of it"}\n'
LABELSTUDIO = json.dumps([{"id": 1, "data": {"audio": "/data/upload/1/0a1b2c3d-rec.wav"}, "annotations": [{"result": [
    {"id": "a", "type": "labels", "from_name": "speaker", "to_name": "audio",
     "value": {"start": 0.1, "end": 0.3, "channel": 0, "labels": ["alice"]}},
    {"id": "a", "type": "textarea", "from_name": "transcription", "to_name": "audio",
     "value": {"start": 0.1, "end": 0.3, "text": ["say hi"]}},
    {"id": "b", "type": "choices", "from_name": "mood", "to_name": "audio", "value": {"choices": ["calm"]}}]}],
    "predictions": [{"model_version": "vad", "score": 0.8, "result": [
        {"id": "p", "type": "labels", "from_name": "speaker", "to_name": "audio",
         "value": {"start": 0.05, "end": 0.35, "labels": ["speech"]}}]}]}])
AUDIO_SEEDS.update({"vtt": {"vtt": _seed("rec.vtt", VTT)}, "srt": {"srt": _seed("rec.srt", SRT)},
                    "nemo": {"nemo": _seed("manifest.json", NEMO)},
                    "labelstudio": {"labelstudio": _seed("export.json", LABELSTUDIO)}})
AUDIO_FAMILIES = tuple(AUDIO_SEEDS)
