"""Agreement and consensus (core/agreement, `annodesk agreement` / `consensus`): each measure against values worked
out by hand, the matching and its counts, consensus by quorum, and the CLI on workspaces made here."""

import json
import math
import random
import shutil
import time
import tracemalloc
import unicodedata

import cv2
import numpy as np
import pytest

from core.agreement import (
    Item,
    TrackSamples,
    cer,
    consensus,
    items_from_annotations,
    levenshtein,
    match,
    similarity,
    track_similarity,
)
from core.agreement.distances import COCO_SIGMAS, POINT_TOLERANCE, sigmas_for
from core.annotation import Annotation, Source, SourceKind, TaskStatus, new_id
from core.schema import Label, LabelSchema
from core.shapes import (
    Box,
    Ellipse,
    Instant,
    Keypoints,
    Mask,
    PointShape,
    Polygon,
    Polyline,
    RotatedBox,
    Segment,
    Tag,
    Visibility,
)
from core.tracks import Keyframe, Track, track_rows
from desktop.agreement_cli import _rows
from desktop.cli import main
from sync.workspace import Workspace

V, OCC, S = Visibility.VISIBLE, Visibility.OCCLUDED, Visibility.SKIPPED


def item(label, shape, **attributes):
    return Item(new_id(), label, shape, attributes=attributes)


# -- measures ---------------------------------------------------------------------------------------------------


def test_box_iou_of_offset_boxes():
    assert similarity(Box(0, 0, 10, 10), Box(5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert similarity(Box(0, 0, 10, 10), Box(10, 0, 10, 10)) == 0.0  # touching only
    assert similarity(Box(0, 0, 10, 10), Box(2, 2, 4, 4)) == pytest.approx(16 / 100)


def test_rotated_box_iou_is_exact():
    """A square and the same square turned 45 degrees overlap in a regular octagon: IoU 1 / sqrt(2)."""
    assert similarity(RotatedBox(50, 50, 10, 10, 45), RotatedBox(50, 50, 10, 10, 0)) == pytest.approx(2**-0.5)
    assert similarity(RotatedBox(0, 0, 10, 4, 30), RotatedBox(0, 0, 10, 4, 210)) == pytest.approx(1.0)
    assert similarity(RotatedBox(5, 5, 10, 10, 0), Box(0, 0, 10, 10)) == pytest.approx(1.0)  # across kinds


def test_polygon_iou_of_a_concave_pair_either_orientation():
    ell = Polygon.from_points([(0, 0), (20, 0), (20, 10), (10, 10), (10, 20), (0, 20)])  # area 300
    square = Polygon.from_points([(5, 5), (15, 5), (15, 15), (5, 15)])  # overlaps 100 - 25 = 75 of it
    assert similarity(ell, square) == pytest.approx(75 / 325)
    assert similarity(ell, Polygon(tuple(reversed(square.points)))) == pytest.approx(75 / 325)
    assert similarity(ell, ell) == pytest.approx(1.0)
    assert similarity(ell, Box(0, 0, 20, 20)) == pytest.approx(300 / 400)
    assert similarity(square, Polygon.from_points([(30, 30), (40, 30), (40, 40)])) == 0.0


def test_polygon_iou_agrees_with_a_fine_raster():
    rng = np.random.default_rng(4)
    for _ in range(5):
        outlines = []
        for n in (9, 7):
            p = rng.uniform(0, 100, (n, 2))
            c = p.mean(axis=0)
            outlines.append(p[np.argsort(np.arctan2(p[:, 1] - c[1], p[:, 0] - c[0]))])  # a star-shaped polygon
        rasters = []
        for p in outlines:
            canvas = np.zeros((2000, 2000), np.uint8)
            cv2.fillPoly(canvas, [np.round(p * 20).astype(np.int32)], 1)
            rasters.append(canvas.astype(bool))
        raster_iou = (rasters[0] & rasters[1]).sum() / (rasters[0] | rasters[1]).sum()
        exact = similarity(Polygon.from_points(outlines[0].tolist()), Polygon.from_points(outlines[1].tolist()))
        assert exact == pytest.approx(raster_iou, abs=2e-3)


def test_ellipses_keep_their_area():
    assert similarity(Ellipse(50, 50, 20, 20), Ellipse(50, 50, 10, 10)) == pytest.approx(0.25)
    assert similarity(Ellipse(0, 0, 30, 10, 20), Ellipse(0, 0, 30, 10, 20)) == pytest.approx(1.0)


def test_masks_of_a_huge_image_without_dense_memory():
    """Two 2000 x 2000 squares 1000 px apart on a 100,000 x 100,000 image (10 GB as a dense array)."""
    size = 100_000
    square = np.ones((2000, 2000), dtype=bool)
    a = Mask.from_crop(square, 10_000, 20_000, size, size)
    b = Mask.from_crop(square, 11_000, 20_000, size, size)
    tracemalloc.start()
    try:
        iou = similarity(a, b)
        with_box = similarity(Box(10_000, 20_000, 2000, 2000), b)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert iou == pytest.approx(1 / 3)  # 2000 x 1000 shared of 3000 x 2000
    assert with_box == pytest.approx(1 / 3)  # the box rasterised over its own crop only
    assert peak < 100 << 20
    assert similarity(a, Mask.from_crop(square, 10_000, 20_000, size, size + 1)) == 0.0  # another image


def test_oks_respects_visibility():
    """Point 1 the same, point 2 3 px apart (occluded on one side still counts), point 3 placed by one side only
    (scores 0), point 4 skipped by both (left out)."""
    a = Keypoints(((0, 0, V), (10, 10, V), (5, 0, S), (0, 0, S)))
    b = Keypoints(((0, 0, V), (10, 13, OCC), (5, 0, V), (0, 0, S)))
    scale = (10 * 10 + 10 * 13) / 2  # the mean of the boxes of each side's placed points
    k = 2 * 0.1  # the uniform sigma of a template that is not COCO's
    expected = (1 + math.exp(-9 / (2 * scale * k**2)) + 0) / 3
    assert similarity(a, b) == pytest.approx(expected)
    assert similarity(a, Keypoints(((0, 0, V), (10, 10, V)))) == 0.0  # another template


def test_oks_uses_coco_sigmas_for_17_points():
    assert sigmas_for(17) is COCO_SIGMAS and sigmas_for(5).tolist() == [0.1] * 5
    person = [(float(10 * i), float(5 * i), V) for i in range(17)]
    moved = [(person[0][0] + 4, person[0][1], V), *person[1:]]  # the nose 4 px off
    scale = (160 * 80 + 156 * 80) / 2  # the moved nose narrows its side's box by 4 px
    expected = (16 + math.exp(-16 / (2 * scale * (2 * 0.026) ** 2))) / 17
    assert similarity(Keypoints(tuple(person)), Keypoints(tuple(moved))) == pytest.approx(expected)


def test_points_and_polylines_within_the_tolerance():
    assert similarity(PointShape(0, 0), PointShape(3, 4)) == pytest.approx(1 - 5 / POINT_TOLERANCE)
    assert similarity(PointShape(0, 0), PointShape(30, 40)) == 0.0
    line = Polyline(((0, 0), (100, 0)))
    assert similarity(line, Polyline(((0, 2), (50, 2), (100, 2)))) == pytest.approx(1 - 2 / POINT_TOLERANCE)
    assert similarity(line, Polyline(((100, 0), (0, 0)))) == pytest.approx(1.0)  # drawn the other way
    assert similarity(line, PointShape(0, 0)) == 0.0  # different families


def test_temporal_iou_and_instants():
    assert similarity(Segment(0.0, 2.0), Segment(1.0, 4.0)) == pytest.approx(1 / 4)
    assert similarity(Segment(0.0, 2.0, "words"), Segment(0.0, 2.0, "speaker")) == 0.0
    assert similarity(Segment(3.0, 3.0), Segment(3.0, 3.0)) == 1.0
    assert similarity(Instant(1.0), Instant(1.05)) == pytest.approx(0.75)
    assert similarity(Tag(), Tag()) == 1.0


def _dp_levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def test_levenshtein_matches_the_textbook_table():
    rng = random.Random(3)
    for _ in range(500):
        a = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 80)))
        b = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 80)))
        assert levenshtein(a, b) == _dp_levenshtein(a, b)


def test_cer_of_vietnamese_in_nfc_and_nfd():
    text = "Tiếng Việt có dấu"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text and levenshtein(text, nfd) > 0  # as code points they differ
    assert cer(text, nfd) == 0.0 and cer(nfd, text) == 0.0
    dropped = unicodedata.normalize("NFD", "Tiêng Việt có dấu")  # one tone mark missing, typed decomposed
    assert cer(text, dropped) == pytest.approx(1 / len(text))  # one character wrong, not two code points
    assert cer("", "") == 0.0 and cer("", "x") == 1.0


def test_cer_is_fast_on_10k_characters():
    rng = random.Random(5)
    a = "".join(rng.choice("aăâbcdđeêghiklmnoôơpqrstuưvxy ") for _ in range(10_000))
    b = list(a)
    for _ in range(300):
        b[rng.randrange(len(b))] = "z"
    start = time.perf_counter()
    value = cer(a, "".join(b))
    assert time.perf_counter() - start < 1.0
    assert 0 < value <= 300 / 10_000


# -- matching ---------------------------------------------------------------------------------------------------


def test_matching_counts_a_label_confusion():
    car, bus, person = Box(0, 0, 10, 10), Box(100, 0, 20, 10), Box(200, 0, 5, 10)
    ref = [item("car", car), item("bus", bus), item("person", person)]
    other = [item("car", Box(1, 0, 10, 10)), item("truck", Box(100, 0, 20, 10)), item("car", Box(300, 0, 9, 9))]
    c = match(ref, other)
    assert [(p.a.label, p.b.label) for p in c.pairs] == [("car", "car"), ("bus", "truck")]
    assert [x.label for x in c.only_a] == ["person"] and [y.label for y in c.only_b] == ["car"]
    tally = c.tally()
    assert tally.confusions() == [(("bus", "truck"), 1)]
    assert tally.confusion[("person", None)] == 1 and tally.confusion[(None, "car")] == 1
    stats = tally.labels
    assert (stats["car"].tp, stats["car"].fp, stats["car"].fn) == (1, 1, 0)
    assert stats["car"].precision == 0.5 and stats["car"].recall == 1.0 and stats["car"].f1 == pytest.approx(2 / 3)
    assert (stats["bus"].fn, stats["truck"].fp, stats["person"].fn) == (1, 1, 1)
    assert stats["bus"].f1 == 0.0
    mean = (90 / 110 + 1.0) / 2
    assert c.f1 == pytest.approx(2 * 1 / (2 * 1 + 2 + 2))  # TP 1; FP: the extra car, the truck; FN: person, bus
    assert c.agreement == pytest.approx(mean * c.f1)

    strict = match(ref, other, per_label=True)
    assert [(p.a.label, p.b.label) for p in strict.pairs] == [("car", "car")]
    assert len(strict.only_a) == 2 and len(strict.only_b) == 2


def test_matching_is_optimal_not_greedy():
    """Greedy would pair a0 with b0 (IoU 0.82) and leave a1 alone; the optimum pairs both."""
    a = [item("x", Box(0, 0, 10, 10)), item("x", Box(3, 0, 10, 10))]
    b = [item("x", Box(1.5, 0, 10, 10)), item("x", Box(-2, 0, 10, 10))]
    c = match(a, b)
    assert len(c.pairs) == 2 and {(p.a.shape.x, p.b.shape.x) for p in c.pairs} == {(0, -2), (3, 1.5)}


def test_attributes_and_transcriptions_over_matched_pairs():
    a = [Item("1", "speech", Segment(0.0, 2.0, text="xin chào"), attributes={"lang": "vi"}),
         item("car", Box(0, 0, 10, 10), color="red")]
    b = [Item("2", "speech", Segment(0.1, 2.0, text="xin chao"), attributes={"lang": "vi"}),
         item("car", Box(0, 0, 10, 10), color="blue")]
    tally = match(a, b).tally()
    assert tally.attributes == {"lang": (1, 1), "color": (0, 1)}
    assert tally.text_similarity == pytest.approx(1 - 1 / 8)


def test_empty_answers_agree_and_a_one_sided_answer_does_not():
    assert match([], []).agreement == 1.0
    assert match([item("car", Box(0, 0, 5, 5))], []).agreement == 0.0


def test_matching_1000_by_1000_boxes_is_fast():
    rng = np.random.default_rng(0)
    xy, wh = rng.uniform(0, 4000, (1000, 2)), rng.uniform(10, 80, (1000, 2))
    a = [item("car", Box(*xy[i], *wh[i])) for i in range(1000)]
    b = [item("car", Box(*(xy[i] + rng.normal(0, 1.5, 2)), *wh[i])) for i in rng.permutation(1000)]
    match(a, b)  # warm up imports and caches
    start = time.perf_counter()
    c = match(a, b)
    elapsed = time.perf_counter() - start
    assert len(c.pairs) > 950
    assert elapsed < 1.0, f"{elapsed:.2f} s"


# -- tracks -----------------------------------------------------------------------------------------------------


def _track(*keyframes):
    return Track(new_id(), "car", tuple(keyframes))


def test_track_agreement_over_the_union_of_frames():
    """a: a still box on frames 0-9. b: from frame 5 sliding 1 px a frame to frame 9, then holding to frame 14."""
    a = _track(Keyframe(0, Box(0, 0, 10, 10)), Keyframe(10, Box(0, 0, 10, 10), outside=True))
    b = _track(Keyframe(5, Box(0, 0, 10, 10)), Keyframe(9, Box(4, 0, 10, 10)),
               Keyframe(15, Box(4, 0, 10, 10), outside=True))
    shared = sum((10 - s) / (10 + s) for s in range(5))  # IoU of boxes s px apart on frames 5-9
    expected = shared / 15  # frames 0-14 shown by one or both
    assert track_similarity(TrackSamples.of(a, 20), TrackSamples.of(b, 20)) == pytest.approx(expected)

    rows_a, rows_b = track_rows(1, a), track_rows(1, b)
    items_a, items_b = items_from_annotations(rows_a, 20), items_from_annotations(rows_b, 20)
    assert [x.kind for x in items_a] == ["track:box"]
    c = match(items_a, items_b, threshold=0.2)
    assert len(c.pairs) == 1 and c.pairs[0].score == pytest.approx(expected)
    lonely = Annotation(new_id(), 1, "car", Box(0, 0, 10, 10), frame=3)  # a one-frame shape matches only shapes
    assert match(items_from_annotations([lonely], 20), items_a).pairs == ()


def test_track_that_holds_to_the_end_is_cut_at_the_video_length():
    held = _track(Keyframe(0, Box(0, 0, 10, 10)))
    assert TrackSamples.of(held, 30).frames.tolist() == list(range(30))


def test_predictions_are_not_an_answer():
    human = Annotation(new_id(), 1, "car", Box(0, 0, 5, 5))
    predicted = Annotation(new_id(), 1, "car", Box(9, 9, 5, 5), source=Source(SourceKind.MODEL, 0.9, "yolo"))
    assert [x.id for x in items_from_annotations([human, predicted])] == [human.id]


# -- consensus --------------------------------------------------------------------------------------------------


def test_consensus_of_three_annotators_with_quorum_two():
    """Annotator 3 misses the person and calls the car a truck; a stray box only annotator 2 drew is dropped."""
    ann1 = [item("car", Box(0, 0, 10, 10), color="red"), item("person", Box(50, 50, 4, 10))]
    ann2 = [item("car", Box(2, 0, 10, 10), color="red"), item("person", Box(51, 50, 4, 10)),
            item("dog", Box(200, 200, 8, 8))]
    ann3 = [item("truck", Box(1, 1, 10, 10), color="blue")]
    result = consensus([ann1, ann2, ann3], quorum=2)
    merged = {m.item.label: m for m in result.merged}
    assert set(merged) == {"car", "person"}
    car = merged["car"]
    assert car.item.shape == Box(1.0, 1 / 3, 10.0, 10.0)  # mean corners
    assert car.item.attributes == {"color": "red"} and len(car.members) == 3
    assert merged["person"].item.shape == Box(50.5, 50.0, 4.0, 10.0)
    assert [[x.label for _, x in members] for members in result.dropped] == [["dog"]]
    assert len(result.comparisons) == 3
    # 1-2: IoU 2/3 (car) and 0.6 (person), F1 4/5 (the dog); 1-3 and 2-3 match only the car, as a truck: F1 0
    assert result.agreement == pytest.approx((2 / 3 + 0.6) / 2 * 0.8 / 3)
    assert result.tally().confusions() == [(("car", "truck"), 2)]
    assert result.to_lead  # the default 0.5
    assert not consensus([ann1, ann2, ann3], quorum=2, min_agreement=0.15).to_lead


def test_consensus_never_puts_two_shapes_of_one_annotator_together():
    ann1 = [item("x", Box(0, 0, 10, 10)), item("x", Box(1, 0, 10, 10))]
    ann2 = [item("x", Box(0.5, 0, 10, 10))]
    result = consensus([ann1, ann2], quorum=2)
    assert len(result.merged) == 1 and len(result.dropped) == 1
    assert sorted(k for k, _ in result.merged[0].members) == [0, 1]


def test_consensus_of_transcriptions_polygons_and_keypoints():
    texts = ["xin chào các bạn", "xin chao các bạn", "xin chào các bạn!"]
    starts = (1.0, 1.1, 1.2)
    segments = [[Item(new_id(), "speech", Segment(s, 3.0, "words", t))] for s, t in zip(starts, texts, strict=True)]
    merged = consensus(segments, quorum=2).merged[0].item.shape
    assert (merged.start, merged.end) == pytest.approx((1.1, 3.0))
    assert (merged.tier, merged.text) == ("words", "xin chào các bạn")  # the text nearest the others by CER
    squares = [[item("lake", Polygon.from_points([(d, 0), (10 + d, 0), (10 + d, 10), (d, 10)]))] for d in (0, 2, 3)]
    assert consensus(squares, quorum=2).merged[0].item.shape == squares[1][0].shape  # the medoid
    poses = [[item("hand", Keypoints(((0, 0, V), (10, 0, V), (5, 5, v))))] for v in (V, S, S)]
    pose = consensus(poses, quorum=2).merged[0].item.shape
    assert pose.points == ((0, 0, V), (10, 0, V), (0, 0, S))  # placed by one of three: left out


def test_consensus_of_tracks_keeps_the_medoid_track_and_writes_its_rows():
    tracks = [_track(Keyframe(0, Box(d, 0, 10, 10)), Keyframe(10, Box(d, 0, 10, 10), outside=True)) for d in (0, 1, 3)]
    annotators = [[Item(t.id, label, track=TrackSamples.of(t, 20), attributes={"parked": d == 0})]
                  for t, label, d in zip(tracks, ("car", "car", "van"), (0, 1, 3), strict=True)]
    result = consensus(annotators, quorum=3)
    (merged,) = result.merged
    assert merged.item.track.track is tracks[1] and merged.item.label == "car"  # the middle one is the medoid
    assert merged.item.attributes == {"parked": False}
    rows = _rows(7, merged)
    assert [(r.frame, r.outside, r.label, r.author, r.task_id) for r in rows] == [(0, False, "car", "consensus", 7),
                                                                                 (10, True, "car", "consensus", 7)]
    assert len({r.track for r in rows}) == 1 and rows[0].track != tracks[1].id


# -- the CLI on workspaces --------------------------------------------------------------------------------------


@pytest.fixture
def annotators(tmp_path, monkeypatch):
    """Three annotators' workspaces on the same two images: B holds a re-encoded img1 (another hash, the same
    name), C holds copies under other names (the same hashes). Each also has an image nobody annotated."""
    monkeypatch.setattr(Workspace, "codec_provider", None)  # main() installs its keyring lookup
    rng = np.random.default_rng(1)
    originals = tmp_path / "media"
    originals.mkdir()
    for i in range(3):
        cv2.imwrite(str(originals / f"img{i}.png"), rng.integers(0, 255, (80, 120, 3), dtype=np.uint8))
    reencoded = tmp_path / "media_b"
    reencoded.mkdir()
    shutil.copy(originals / "img0.png", reencoded / "img0.png")
    shutil.copy(originals / "img2.png", reencoded / "img2.png")
    cv2.imwrite(str(reencoded / "img1.png"), cv2.imread(str(originals / "img1.png")), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    renamed = tmp_path / "media_c"
    renamed.mkdir()
    for i in range(3):
        shutil.copy(originals / f"img{i}.png", renamed / f"copy_{i}.png")
    schema = LabelSchema((Label("car", "#ff0000"), Label("truck", "#00ff00"), Label("person", "#0000ff")))
    answers = {
        "A": (originals, {0: [("car", Box(10, 10, 30, 20)), ("person", Box(70, 20, 10, 30))],
                          1: [("car", Box(0, 0, 20, 20))]}),
        "B": (reencoded, {0: [("car", Box(12, 10, 30, 20)), ("person", Box(71, 20, 10, 30))],
                          1: [("car", Box(1, 0, 20, 20))]}),
        "C": (renamed, {0: [("truck", Box(11, 11, 30, 20))], 1: [("car", Box(0, 1, 20, 20))]}),
    }
    paths = {}
    for name, (folder, shapes) in answers.items():
        path = tmp_path / f"ws_{name}"
        with Workspace.create(path, schema) as ws:
            ws.add_media([folder])
            tasks = sorted(ws.tasks(0, 10), key=lambda t: t.name)
            ws.insert_annotations(Annotation(new_id(), tasks[i].id, label, shape, author=name)
                                  for i, found in shapes.items() for label, shape in found)
        paths[name] = path
    return paths


def test_agreement_cli_pairs_tasks_by_hash_then_name(annotators, capsys):
    a, b, c = (str(annotators[k]) for k in "ABC")
    assert main(["agreement", a, b, c, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    tasks = {t["name"]: t for t in report["tasks"]}
    assert set(tasks) == {"img0.png", "img1.png"}  # img2 was annotated by nobody: not compared
    assert tasks["img1.png"]["workspaces"] == [0, 1, 2] and tasks["img1.png"]["unmatched"] == 0
    assert tasks["img0.png"]["matched"] == 4 and tasks["img0.png"]["unmatched"] == 2  # C missed the person twice
    overall = report["overall"]
    assert overall["tasks"] == 2
    assert overall["confusions"] == [{"reference": "car", "other": "truck", "count": 2}]
    # every pair, the earlier as reference: A-B find the person, A-C and B-C miss it
    assert overall["labels"]["person"] == {"precision": 1.0, "recall": 0.3333, "f1": 0.5, "tp": 1, "fp": 0, "fn": 2}
    assert overall["to_lead"] == ["img0.png"]

    assert main(["agreement", a, c]) == 0
    text = capsys.readouterr().out
    assert "img0.png: agreement" in text and "2 tasks compared" in text and "per label" in text
    assert "car -> truck: 1" in text


def test_consensus_cli_writes_a_merged_workspace(annotators, tmp_path, capsys):
    out = tmp_path / "merged"
    a, b, c = (str(annotators[k]) for k in "ABC")
    assert main(["consensus", a, b, c, "--quorum", "2", "--into", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 tasks, 3 shapes kept, 0 dropped" in printed
    with Workspace.open(out, readonly=True) as ws:
        tasks = {t.name: t for t in ws.tasks(0, 10)}
        assert set(tasks) == {"img0.png", "img1.png"} and all(t.status is TaskStatus.NEW for t in tasks.values())
        img0 = sorted(ws.annotations(tasks["img0.png"].id), key=lambda x: x.label)
        assert [(x.label, x.author, x.source.kind) for x in img0] == [("car", "consensus", SourceKind.HUMAN),
                                                                      ("person", "consensus", SourceKind.HUMAN)]
        assert img0[0].shape == Box(11.0, 31 / 3, 30.0, 20.0)
        assert img0[1].shape == Box(70.5, 20.0, 10.0, 30.0)
        assert [x.shape for x in ws.annotations(tasks["img1.png"].id)] == [Box(1 / 3, 1 / 3, 20.0, 20.0)]

    with pytest.raises(SystemExit) as exit_info:
        main(["consensus", a, b, "--quorum", "3", "--into", str(tmp_path / "other")])
    assert exit_info.value.code == 2
    assert main(["consensus", a, b, "--into", str(out)]) == 2  # the workspace exists: refused, left alone
    assert "already exists" in capsys.readouterr().err
