"""Audio label formats: Audacity label tracks, Praat TextGrid, RTTM; files written by other tools (praatio,
audiomate), bad lines named by file and line, round trips, and import/export through a workspace."""

from pathlib import Path

import pytest

from core.formats import FORMATS, FormatError, read_dataset
from core.formats.audacity import AUDACITY
from core.formats.dataset import Dataset, DatasetAnnotation, DatasetItem
from core.formats.rttm import RTTM
from core.formats.textgrid import TEXTGRID
from core.shapes import Box, Instant, Segment
from sync.transfer import export_dataset, import_dataset
from sync.workspace import Workspace
from tests.audio_samples import bursts_wav

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "audio-samples"
if not SAMPLES.is_dir():
    SAMPLES = Path("/work/shared/data/audio-samples")
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/data/audio-samples is not here")


def issues(dataset):
    return [str(i) for i in dataset.issues]


def test_the_formats_are_registered_for_audio():
    for name in ("audacity", "textgrid", "rttm", "vtt", "srt", "nemo", "labelstudio"):
        assert FORMATS[name].media_kinds == ("audio",)


@needs_samples
def test_audacity_files_of_audiomate_german_decimal_commas_and_empty_labels():
    de = read_dataset("audacity", SAMPLES / "audiomate" / "audacity_labels_de.txt")
    (item,) = de.items
    assert item.kind == "audio" and item.file_name == "audacity_labels_de"
    assert [(a.label, a.shape) for a in item.annotations] == [
        ("music", Segment(43352.824046, 43525.837661)), ("speech_male", Segment(43512.446969, 43531.343483))]
    empty = read_dataset("audacity", SAMPLES / "audiomate" / "audacity_labels_empty_value.txt")
    assert [a.label for a in empty.items[0].annotations] == ["music", "segment", "speech_male"]


def test_audacity_points_spectral_lines_and_bad_lines(tmp_path):
    file = tmp_path / "talk.txt"
    file.write_text("1.5\t1.5\tclick\n2\t3\thello there\n\\\t100.0\t4000.0\nabc\t3\tx\n5\t4\tbackwards\n"
                    "7\n8 9 spaced label\n", encoding="utf-8")
    data = AUDACITY.read(file)
    anns = data.items[0].annotations
    assert anns[0].shape == Instant(1.5) and anns[0].label == "click"
    assert anns[1].label == "hello there" and anns[2].shape == Segment(8, 9) and anns[2].label == "spaced label"
    found = issues(data)
    assert any("talk.txt: line 4" in i and "not a time" in i for i in found)
    assert any("talk.txt: line 5" in i and "before it starts" in i for i in found)
    assert any("talk.txt: line 6" in i for i in found)
    assert any("1 spectral selections" in i for i in found)
    long_text = "word " * 40
    file.write_text(f"0\t1\t{long_text}\n", encoding="utf-8")
    ann = AUDACITY.read(file).items[0].annotations[0]
    assert ann.label == "segment" and ann.shape.text == long_text.strip()  # a transcription, not a label


@needs_samples
def test_textgrids_written_by_other_tools():
    elan = TEXTGRID.read(SAMPLES / "praatio" / "bobby_phones_elan.TextGrid")
    anns = elan.items[0].annotations
    assert len(anns) == 13 and {a.label for a in anns} == {"phone"} and anns[1].shape.text == "AA1"
    assert anns[0].shape == Segment(0.06469123242311078, 0.08438971390281873, "phone", "B")
    words = TEXTGRID.read(SAMPLES / "praatio" / "bobby_words_with_newlines.TextGrid").items[0].annotations
    texts = [a.shape.text for a in words if a.shape.tier == '"word"']
    assert texts[1] == "RIPPED\nVerb" and texts[0] == '"""BOBBY"""\nNoun'
    points = [a for a in words if isinstance(a.shape, Instant)]
    assert len(points) == 4 and points[2].shape.text == '93\n"p3"' and points[0].shape.tier == "tier 3"
    assert [round(p.shape.time, 4) for p in points] == [0.2329, 0.5305, 0.6967, 0.9232]
    same = TEXTGRID.read(SAMPLES / "praatio" / "all_tiers_have_the_same_name.TextGrid")
    assert [a.shape.tier for a in same.items[0].annotations] == ["Mary", "Mary (2)", "Mary (3)"]
    assert sum("is used again" in i for i in issues(same)) == 2


SHORT = '''File type = "ooTextFile"
Object class = "TextGrid"

0
2.5
<exists>
2
"IntervalTier"
"words"
0
2.5
4
0
1
"hello ""you"""
0.8
1.5
"overlapping"
1.5
2
""
2
2.5
"there"
"TextTier"
"tones"
0
2.5
1
1.2
"H*"
'''


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_textgrid_short_form_encodings_and_an_overlap(tmp_path, encoding):
    file = tmp_path / "talk.TextGrid"
    file.write_text(SHORT.replace("there", "thére"), encoding=encoding)
    data = TEXTGRID.read(file)
    shapes = [a.shape for a in data.items[0].annotations]
    assert shapes == [Segment(0, 1, "words", 'hello "you"'), Segment(2, 2.5, "words", "thére"),
                      Instant(1.2, "tones", "H*")]
    (overlap,) = [i for i in issues(data) if "overlaps" in i]
    assert overlap.startswith("talk.TextGrid: line 16")


def test_textgrid_that_is_not_one(tmp_path):
    file = tmp_path / "x.TextGrid"
    file.write_bytes(b"ooBinaryFile\x08TextGrid\x00\x01")
    with pytest.raises(FormatError, match=r"x\.TextGrid"):
        TEXTGRID.read(file)
    file.write_text(SHORT[:120], encoding="utf-8")
    with pytest.raises(FormatError, match=r"x.TextGrid: line \d+: the file ends"):
        TEXTGRID.read(file)


def test_rttm_turns_other_types_and_bad_lines(tmp_path):
    file = tmp_path / "meeting.rttm"
    file.write_text("SPEAKER meet 1 0.50 1.25 <NA> <NA> alice <NA> <NA>\n"
                    "SPEAKER meet 1 1.00 2.00 <NA> <NA> bob <NA> <NA>\n"
                    "LEXEME meet 1 0.5 0.2 hello lex alice <NA> <NA>\n"
                    "SPEAKER meet 1 x 2.00 <NA> <NA> bob <NA> <NA>\n"
                    "SPEAKER other 1 3 1 <NA> <NA> carol <NA> <NA>\n", encoding="utf-8")
    data = RTTM.read(file)
    by_name = {item.file_name: item for item in data.items}
    assert [(a.label, a.shape) for a in by_name["meet"].annotations] == [
        ("alice", Segment(0.5, 1.75, "speaker")), ("bob", Segment(1.0, 3.0, "speaker"))]  # overlap is speech
    assert by_name["other"].annotations[0].label == "carol"
    assert any("meeting.rttm: line 4" in i for i in issues(data))
    assert any("1 lines of types other than SPEAKER" in i for i in issues(data))


def _dataset():
    anns = [DatasetAnnotation("alice", Segment(0.5, 1.25, "speaker")),
            DatasetAnnotation("bob", Segment(1.0, 2.0, "speaker")),
            DatasetAnnotation("word", Segment(0.5, 0.9, "words", "hello")),
            DatasetAnnotation("word", Segment(1.0, 1.5, "words", 'say "hi"\nnow')),
            DatasetAnnotation("beep", Instant(1.75, "events"))]
    return Dataset([DatasetItem("rec/talk.wav", 0, 0, anns, kind="audio")])


def test_round_trips(tmp_path):
    out = tmp_path / "tg"
    (written,) = TEXTGRID.write(_dataset(), out)
    assert written == out / "rec" / "talk.TextGrid"
    back = TEXTGRID.read(written).items[0].annotations
    by_tier = {}
    for a in back:
        by_tier.setdefault(a.shape.tier, []).append(a)
    assert [a.shape.text for a in by_tier["speaker"] + by_tier["speaker (2)"]] == ["alice", "bob"]  # two lanes
    assert [a.shape for a in by_tier["words"]] == [Segment(0.5, 0.9, "words", "hello"),
                                                   Segment(1.0, 1.5, "words", 'say "hi"\nnow')]
    assert by_tier["events"][0].shape == Instant(1.75, "events", "beep")

    (rttm,) = RTTM.write(_dataset(), tmp_path / "rttm")
    assert rttm.read_text().splitlines()[0] == "SPEAKER talk 1 0.500 0.750 <NA> <NA> alice <NA> <NA>"
    turns = RTTM.read(rttm).items[0].annotations
    assert [(a.label, a.shape.start, a.shape.end) for a in turns][:2] == [("alice", 0.5, 1.25), ("bob", 1.0, 2.0)]

    data = _dataset()
    data.items[0].annotations.append(DatasetAnnotation("box", Box(0, 0, 1, 1)))
    (txt,) = AUDACITY.write(data, tmp_path / "aud")
    labels = AUDACITY.read(txt).items[0].annotations
    assert [(a.label, a.shape.text) for a in labels][:3] == [("alice", ""), ("hello", ""), ("bob", "")]
    assert labels[-1].shape == Instant(1.75) and "say \"hi\" now" in txt.read_text()
    assert any("box shapes left out" in str(i) for i in data.issues)


def test_import_into_audio_tasks_by_name_and_export(tmp_path):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    bursts_wav(recordings, "talk.wav")
    ws = Workspace.create(tmp_path / "ws")
    ws.add_media([recordings / "talk.wav"])
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "talk.TextGrid").write_text(SHORT, encoding="utf-8")
    report = import_dataset(ws, "textgrid", labels / "talk.TextGrid")
    assert report.annotations_added == 3 and report.tasks_matched == 1, report.messages
    assert any("overlaps" in m for m in report.messages)
    assert "tiers added to the schema: words (intervals), tones (points)" in report.messages
    assert [(t.name, t.points, t.overlap) for t in ws.schema.tiers] == [("words", False, True), ("tones", True, True)]
    again = import_dataset(ws, "textgrid", labels / "talk.TextGrid")
    assert again.annotations_added == 0 and again.duplicates == 3
    (labels / "talk.rttm").write_text("SPEAKER talk 1 0.5 1.0 <NA> <NA> alice <NA> <NA>\n", encoding="utf-8")
    assert import_dataset(ws, "rttm", labels / "talk.rttm").annotations_added == 1
    assert ws.stats()["media"]["audio"]["segments"] == 4
    paths = export_dataset(ws, "textgrid", tmp_path / "out")
    assert [p.name for p in paths] == ["talk.TextGrid"]
    tiers = {a.shape.tier for a in TEXTGRID.read(paths[0]).items[0].annotations}
    assert tiers == {"words", "tones", "speaker"}
    ws.close()


def test_labels_beside_their_recording_add_it(tmp_path):
    bursts_wav(tmp_path, "field.wav")
    (tmp_path / "field.txt").write_text("0.5\t1.0\tbird\n", encoding="utf-8")
    ws = Workspace.create(tmp_path / "ws")
    report = import_dataset(ws, "audacity", tmp_path / "field.txt")
    assert report.media_added == 1 and report.annotations_added == 1
    assert ws.tasks()[0].kind == "audio"
    ws.close()


def test_webvtt_and_srt_cues_speakers_and_bad_timings(tmp_path):
    vtt = tmp_path / "talk.vtt"
    vtt.write_text("WEBVTT\n\nNOTE made by hand\n\n1\n00:01.000 --> 00:02.500 align:start\n<v.loud Alice>Hello "
                   "<i>there</i>\nfriend\n\n00:00:03.000 --> 00:00:04.000\nno speaker\n\n"
                   "00:05 --> 00:06\nbroken\n\n00:00:08.000 --> 00:00:07.000\nbackwards\n", encoding="utf-8")
    data = FORMATS["vtt"].read(vtt)
    assert [(a.label, a.shape) for a in data.items[0].annotations] == [
        ("Alice", Segment(1.0, 2.5, "transcript", "Hello there\nfriend")),
        ("segment", Segment(3.0, 4.0, "transcript", "no speaker"))]
    assert any("talk.vtt: line 13" in i and "not a cue timing" in i for i in issues(data))
    assert any("talk.vtt: line 16" in i and "before it starts" in i for i in issues(data))
    srt = tmp_path / "talk.srt"
    srt.write_text("1\r\n00:00:01,000 --> 00:00:02,500\r\nBob: hi\r\n\r\n2\r\n01:00:00,000 --> 01:00:01,250\r\n"
                   "late\r\n", encoding="utf-8-sig")
    cues = FORMATS["srt"].read(srt).items[0].annotations
    assert [(a.label, a.shape.start, a.shape.end, a.shape.text) for a in cues] == [
        ("Bob", 1.0, 2.5, "hi"), ("segment", 3600.0, 3601.25, "late")]
    with pytest.raises(FormatError, match="WEBVTT"):
        FORMATS["vtt"].read(srt)


@pytest.mark.parametrize("name", ["vtt", "srt"])
def test_subtitles_round_trip(tmp_path, name):
    anns = [DatasetAnnotation("Alice", Segment(0.5, 1.25, "transcript", "two\nlines")),
            DatasetAnnotation("segment", Segment(61.0, 62.004, "transcript", "a --> b")),
            DatasetAnnotation("beep", Instant(3.0))]
    data = Dataset([DatasetItem("talk.wav", 0, 0, anns, kind="audio")])
    (written,) = FORMATS[name].write(data, tmp_path)
    back = FORMATS[name].read(written).items[0].annotations
    assert [(a.label, a.shape.start, a.shape.end, a.shape.text) for a in back] == [
        ("Alice", 0.5, 1.25, "two\nlines"), ("segment", 61.0, 62.004, "a -> b")]


def test_nemo_manifests(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"audio_filepath": "talk.wav", "offset": 1.5, "duration": 2.0, "text": "hello", '
                        '"speaker": "alice"}\n{"audio_filepath": "talk.wav", "duration": 1.0, "text": "start"}\n'
                        '{"audio_filepath": "other.wav", "duration": "long"}\nnot json\n\n'
                        '{"audio_filepath": "/elsewhere/x.wav", "duration": 1, "text": "far"}\n', encoding="utf-8")
    data = FORMATS["nemo"].read(tmp_path)
    by_name = {item.file_name: item for item in data.items}
    assert [(a.label, a.shape) for a in by_name["talk.wav"].annotations] == [
        ("alice", Segment(1.5, 3.5, "transcript", "hello")), ("segment", Segment(0, 1, "transcript", "start"))]
    assert any("manifest.json: line 3" in i for i in issues(data)) and any("line 4" in i for i in issues(data))
    assert by_name["/elsewhere/x.wav"].media_path is None
    out = tmp_path / "out"
    data.media_root = Path("/data")
    (written,) = FORMATS["nemo"].write(data, out)
    again = FORMATS["nemo"].read(written)
    talk = next(i for i in again.items if i.file_name == "/data/talk.wav")
    first = [(a.label, a.shape) for a in by_name["talk.wav"].annotations]
    assert [(a.label, a.shape) for a in talk.annotations] == sorted(first, key=lambda pair: pair[1].start)


def test_label_studio_regions_transcriptions_and_predictions(tmp_path):
    from tests.fuzz.audio_seeds import LABELSTUDIO

    (tmp_path / "export.json").write_text(LABELSTUDIO, encoding="utf-8")
    data = FORMATS["labelstudio"].read(tmp_path / "export.json")
    (item,) = data.items
    assert item.file_name == "rec.wav"  # the upload prefix is dropped
    (human, predicted) = item.annotations
    assert (human.label, human.shape) == ("alice", Segment(0.1, 0.3, "speaker", "say hi"))
    assert predicted.label == "speech" and predicted.source.is_model and predicted.source.score == 0.8
    assert any("1 results of other types" in i for i in issues(data))
    data.items[0].annotations.append(DatasetAnnotation("segment", Segment(1, 2, "words", "only text")))
    (written,) = FORMATS["labelstudio"].write(data, tmp_path / "out")
    again = FORMATS["labelstudio"].read(written).items[0].annotations
    assert [(a.label, a.shape) for a in again] == [
        ("speech", Segment(0.05, 0.35, "speaker")), ("alice", Segment(0.1, 0.3, "speaker", "say hi")),
        ("segment", Segment(1, 2, "words", "only text"))]
    for bad in ("{}", '[{"data": {"image": "x.jpg"}}]', '[{"data": {"audio": "a.wav"}, "annotations": [{"result": '
                '[{"id": 1, "type": "labels", "value": {"start": "x", "end": 1, "labels": ["a"]}}]}]}]'):
        (tmp_path / "bad.json").write_text(bad, encoding="utf-8")
        try:
            result = FORMATS["labelstudio"].read(tmp_path / "bad.json")
        except FormatError as exc:
            assert "bad.json" in str(exc)
        else:
            assert result.issues and all(not i.annotations for i in result.items)
