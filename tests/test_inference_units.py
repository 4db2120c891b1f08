"""Pre-processing, NMS, cards, providers and label mapping against hand-computed values."""

import json
import math

import numpy as np
import onnxruntime as ort
import pytest
from test_inference_graphs import const_model

from core.schema import Label, LabelSchema
from core.shapes import Box, Tag
from inference import LabelMapper, Prediction, parse_renames
from inference.families.dbnet import clockwise
from inference.nms import box_iou, nms, nms_rotated, probiou
from inference.preprocess import Transform, letterbox, limited_size, reduction_for, stretch, to_tensor
from inference.providers import CUDA, create_session, gpu_unavailable_reason, provider_list, session_options


def test_letterbox_pads_centred_and_maps_back():
    img = np.full((640, 1280, 3), 7, np.uint8)
    canvas, t = letterbox(img, (640, 640))
    assert canvas.shape == (640, 640, 3)
    assert (t.gain_x, t.gain_y, t.pad_x, t.pad_y) == (0.5, 0.5, 0, 160)
    assert (canvas[159] == 114).all() and (canvas[160] == 7).all() and (canvas[479] == 7).all()
    assert (canvas[480] == 114).all()
    assert t.points(np.array([[0.0, 160.0], [640.0, 480.0]])).tolist() == [[0, 0], [1280, 640]]
    # Odd padding: 100 x 37 into 64 x 64 -> 64 x 24, 20 rows above and 20 below (Ultralytics' -0.1 rounding).
    canvas, t = letterbox(np.zeros((37, 100, 3), np.uint8), (64, 64))
    assert (t.pad_x, t.pad_y, round(t.gain_y * 37)) == (0, 20, 24)


def test_transform_boxes_clip_and_reduced_decode_factors():
    t = Transform(0.5, 0.5, 0, 160, 1280, 640).of_original(2.0, 2.0, 2560, 1280)
    assert t.boxes(np.array([[-10.0, 150.0, 100.0, 200.0]])).tolist() == [[0.0, 0.0, 400.0, 160.0]]


def test_stretch_limited_size_and_reduction():
    resized, t = stretch(np.zeros((100, 200, 3), np.uint8), (50, 50))
    assert resized.shape == (50, 50, 3) and (t.gain_x, t.gain_y) == (0.25, 0.5)
    assert limited_size(1920, 1080, 960, "max") == (544, 960)  # 540 rounds to 544
    assert limited_size(400, 300, 736, "min") == (736, 992)  # 981.3 rounds to 992
    assert limited_size(400, 300, 960, "max") == (288, 384)  # no enlarging for "max": sides rounded only
    assert [reduction_for(s) for s in (1.0, 0.6, 0.5, 0.3, 0.25, 0.2, 0.107, 0.01)] == [1, 1, 2, 2, 4, 4, 8, 8]


def test_to_tensor_channel_order_and_normalisation():
    img = np.zeros((2, 2, 3), np.uint8)
    img[:] = (255, 0, 51)  # B, G, R
    rgb = to_tensor(img, "rgb", 1 / 255, (0, 0, 0), (1, 1, 1))
    assert rgb.shape == (1, 3, 2, 2) and rgb.dtype == np.float32
    assert rgb[0, :, 0, 0] == pytest.approx([0.2, 0.0, 1.0])
    bgr = to_tensor(img, "bgr", 1 / 255, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    assert bgr[0, :, 1, 1] == pytest.approx([1.0, -1.0, -0.6])
    sam = to_tensor(img, "rgb", 1.0, (123.675, 116.28, 103.53), (58.395, 57.12, 57.375))
    assert sam[0, 2, 0, 0] == pytest.approx((255 - 103.53) / 57.375)


def test_nms_greedy_class_aware():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [0, 0, 10, 10], [20, 20, 30, 30]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    assert box_iou(boxes[0], boxes[1:2])[0] == pytest.approx(90 / 110)
    assert nms(boxes, scores, 0.5).tolist() == [0, 3]
    assert nms(boxes, scores, 0.5, np.array([0, 0, 1, 0])).tolist() == [0, 2, 3]
    assert nms(boxes, scores, 0.95).tolist() == [0, 1, 3]  # 0.818 overlap kept at a high threshold
    assert nms(boxes, scores, 0.5, max_det=1).tolist() == [0]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []
    assert box_iou(boxes[:2], boxes).shape == (2, 4)


def test_nms_big_groups_take_the_row_path_with_the_same_result(monkeypatch):
    import inference.nms as module

    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 200, (300, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(5, 40, (300, 2))], axis=1)
    scores, classes = rng.uniform(0, 1, 300), rng.integers(0, 3, 300)
    by_matrix = nms(boxes, scores, 0.45, classes)
    monkeypatch.setattr(module, "_MATRIX_LIMIT", 2)
    assert nms(boxes, scores, 0.45, classes).tolist() == by_matrix.tolist()
    assert 20 < len(by_matrix) < 300


def test_rotated_nms_uses_probiou():
    a = np.array([50, 50, 40, 20, 0.3])
    same = probiou(a, a[None])[0]
    assert same == pytest.approx(1.0, abs=1e-3)
    assert probiou(a, np.array([[500, 500, 40, 20, 0.3]]))[0] == pytest.approx(0.0, abs=1e-6)
    # The same box turned by 90 degrees with w and h swapped is the same region.
    assert probiou(a, np.array([[50, 50, 20, 40, 0.3 + math.pi / 2]]))[0] == pytest.approx(1.0, abs=1e-3)
    boxes = np.array([[50, 50, 40, 20, 0.3], [51, 50, 40, 20, 0.3], [200, 200, 10, 10, 0.0]])
    assert nms_rotated(boxes, np.array([0.9, 0.8, 0.7]), 0.5).tolist() == [0, 2]


def test_clockwise_corners():
    corners = np.array([[10, 20], [0, 0], [10, 0], [0, 20]], float)
    assert clockwise(corners).tolist() == [[0, 0], [10, 0], [10, 20], [0, 20]]


def test_yaml_card_and_nested_normalisation(tmp_path):
    pytest.importorskip("yaml", reason="YAML cards need PyYAML, which is not installed")
    from inference import Predictor

    path = const_model(tmp_path / "m.onnx", {"output0": np.zeros((6, 8400), np.float32)})
    (tmp_path / "m.yaml").write_text(
        "family: yolov8\nclasses: [cat, dog]\nnormalize: {scale: 1.0, mean: [1, 2, 3], std: 2}\n"
        "thresholds: {conf: 0.4, iou: 0.6}\nchannel_order: BGR\n"
    )
    card = Predictor.load(path, provider="cpu").card
    assert (card.classes, card.scale, card.mean, card.std) == (("cat", "dog"), 1.0, (1, 2, 3), (2, 2, 2))
    assert (card.conf, card.iou, card.channel_order, card.source) == (0.4, 0.6, "bgr", str(tmp_path / "m.yaml"))


def test_provider_choice_and_runtime_report(tmp_path):
    assert provider_list("cpu") == (["CPUExecutionProvider"], "")
    with pytest.raises(ValueError, match="unknown provider 'gpu'"):
        provider_list("gpu")
    options = session_options(threads=2, spin=False)
    assert options.intra_op_num_threads == 2
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    path = const_model(tmp_path / "m.onnx", {"o": np.zeros((6, 10), np.float32)})
    session, runtime = create_session(path, "auto")
    assert runtime.providers == tuple(session.get_providers())
    reason = gpu_unavailable_reason(CUDA)
    if reason:  # this machine: the wheel lists CUDA, but it cannot run; the report says why
        assert runtime.active == "CPU" and not runtime.on_gpu
        assert runtime.note.startswith("CUDA requested but not available: ") and reason in runtime.note
        assert runtime.describe() == f"CPU ({runtime.note})"
    else:
        assert runtime.active == "CUDA" and runtime.on_gpu
    _, cpu = create_session(path, "cpu")
    assert (cpu.active, cpu.note) == ("CPU", "")


def test_label_mapper_matches_names_adds_labels_and_checks_shape_kinds():
    schema = LabelSchema((Label("Car", "#ff0000"), Label("sign", "#00ff00", shape_types=("polygon",))))
    mapper = LabelMapper(schema, {"truck": "Car"})
    preds = [Prediction(0, "car", 0.9, Box(0, 0, 1, 1)), Prediction(1, "truck", 0.8, Box(0, 0, 2, 2)),
             Prediction(2, "sign", 0.7, Box(0, 0, 3, 3)), Prediction(3, "cat", 0.6, Tag())]  # fmt: skip
    anns = mapper.annotations(5, preds, "m1", "bot")
    assert [(a.label, a.task_id, a.author, a.source.model_id) for a in anns] == [
        ("Car", 5, "bot", "m1"), ("Car", 5, "bot", "m1"), ("cat", 5, "bot", "m1")]  # fmt: skip
    assert mapper.schema.names() == ["Car", "sign", "cat"] and mapper.added == ["cat"]
    assert mapper.messages() == ["labels added to the schema: cat",
                                 "skipped 1 predictions: label 'sign' does not allow box shapes"]  # fmt: skip
    assert parse_renames(["a=b", " c = d "]) == {"a": "b", "c": "d"}
    with pytest.raises(ValueError, match="expected CLASS=LABEL"):
        parse_renames(["nolabel="])


def test_card_json_class_dict_and_keypoint_names_reach_new_labels(tmp_path):
    from test_inference_graphs import names_metadata

    from inference import Predictor

    out = np.zeros((4 + 1 + 3 * 2, 8400), np.float32)
    path = const_model(tmp_path / "p.onnx", {"output0": out}, metadata=names_metadata(["hand"], "pose"))
    (tmp_path / "p.json").write_text(json.dumps({"keypoints": ["thumb", "index"], "skeleton": [[0, 1]]}))
    card = Predictor.load(path, provider="cpu").card
    assert (card.keypoints, card.skeleton, card.options["kpt_shape"]) == (("thumb", "index"), ((0, 1),), [2, 3])
    mapper = LabelMapper(LabelSchema(), keypoints=card.keypoints, skeleton=card.skeleton)
    mapper.label_for("hand")
    assert mapper.schema.get("hand").keypoints == ("thumb", "index")


def test_demo_model_install_takes_only_the_model_from_the_wheel(tmp_path, monkeypatch):
    import zipfile

    from inference import ModelError
    from inference.models import DEMO_LICENSE_MEMBER, DEMO_MEMBER, demo_model_path, install_demo_model, models_dir

    wheel = tmp_path / "rapidocr-3.10.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(DEMO_MEMBER, b"model bytes")
        archive.writestr(DEMO_LICENSE_MEMBER, b"licences")
        archive.writestr("rapidocr/main.py", b"code we do not take")
    monkeypatch.setenv("ANNODESK_MODELS_DIR", str(tmp_path / "models"))
    assert models_dir() == tmp_path / "models" and demo_model_path() is None
    path = install_demo_model(wheel)
    assert path == demo_model_path() and path.read_bytes() == b"model bytes"
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "PP-OCRv6_det_small.LICENSES.md", "PP-OCRv6_det_small.json", "PP-OCRv6_det_small.onnx"]  # fmt: skip
    assert json.loads((path.parent / "PP-OCRv6_det_small.json").read_text())["family"] == "dbnet"
    (tmp_path / "empty.whl").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match=r"empty\.whl: cannot take"):
        install_demo_model(tmp_path / "empty.whl")
