"""Each family from model file to predictions, with outputs chosen so the expected shapes are computed by hand."""

import json
import math

import cv2
import numpy as np
import pytest
from test_inference_graphs import channel_mean_model, const_model, names_metadata, sam_decoder, sam_encoder

from core.shapes import Box, Keypoints, Mask, Polygon, RotatedBox, Tag, Visibility
from inference import InteractiveSegmenter, Predictor

A = 8400  # anchors of a 640 export


def image(w, h, value=0):
    return np.full((h, w, 3), value, np.uint8)


def v8_output(rows, anchors):
    """(F, A) with the given anchors set: {index: column values}."""
    out = np.zeros((rows, A), np.float32)
    for i, column in anchors.items():
        out[:, i] = column
    return out


def test_yolov8_boxes_letterboxed_back_with_class_aware_nms(tmp_path):
    # Image 1280 x 640 -> gain 0.5, content 640 x 320, padded 160 rows on top.
    out = v8_output(7, {
        0: [320, 320, 100, 50, 0.0, 0.9, 0.0],  # car
        1: [325, 320, 100, 50, 0.0, 0.8, 0.0],  # car, IoU 0.9 with the first: suppressed
        2: [320, 320, 100, 50, 0.0, 0.0, 0.7],  # dog, same box: kept (per class)
        3: [100, 200, 10, 10, 0.1, 0.0, 0.0],  # under conf
    })  # fmt: skip
    path = const_model(tmp_path / "det.onnx", {"output0": out}, metadata=names_metadata(["person", "car", "dog"],
                                                                                        "detect"))
    predictor = Predictor.load(path, provider="cpu")
    assert predictor.card.family == "yolov8" and predictor.card.classes == ("person", "car", "dog")
    preds = predictor.predict(image(1280, 640))
    assert [(p.class_name, round(p.score, 3)) for p in preds] == [("car", 0.9), ("dog", 0.7)]
    assert preds[0].shape == Box(540.0, 270.0, 200.0, 100.0) == preds[1].shape


def test_yolov5_layout_multiplies_objectness(tmp_path):
    out = np.zeros((25200, 7), np.float32)
    out[0] = [320, 320, 64, 64, 0.5, 0.9, 0.2]  # score 0.45 for class 0
    out[1] = [100, 100, 10, 10, 0.2, 1.0, 0.0]  # 0.2 < conf
    (tmp_path / "v5.json").write_text(json.dumps({"family": "yolov5", "classes": ["a", "b"]}))
    predictor = Predictor.load(const_model(tmp_path / "v5.onnx", {"output0": out}), provider="cpu")
    preds = predictor.predict(image(640, 640))
    assert [(p.class_name, round(p.score, 3), p.shape) for p in preds] == [("a", 0.45, Box(288, 288, 64, 64))]


def test_layout_is_guessed_without_card_or_metadata(tmp_path):
    v8 = Predictor.load(const_model(tmp_path / "a.onnx", {"o": np.zeros((6, A))}), provider="cpu")
    v5 = Predictor.load(const_model(tmp_path / "b.onnx", {"o": np.zeros((25200, 7))}), provider="cpu")
    assert (v8.card.family, v8.card.classes) == ("yolov8", ("class_0", "class_1"))
    assert (v5.card.family, v5.card.classes) == ("yolov5", ("class_0", "class_1"))


def test_segmentation_polygon_and_rle_mask(tmp_path):
    # One object, box (100..300, 200..300) in model space; its mask is the prototype that is 1 on the left half.
    protos = np.full((32, 160, 160), -20.0, np.float32)
    protos[0, :, :40] = 20.0  # model x < 160 (4 model px per prototype px)
    det = np.zeros((4 + 1 + 32, A), np.float32)
    det[:5, 0] = [200, 250, 200, 100, 0.9]
    det[5, 0] = 1.0  # coefficient of prototype 0
    meta = names_metadata(["blob"], "segment")
    path = const_model(tmp_path / "seg.onnx", {"output0": det, "output1": protos}, metadata=meta)
    predictor = Predictor.load(path, provider="cpu")
    (pred,) = predictor.predict(image(640, 640))
    assert isinstance(pred.shape, Polygon)
    # Mask cut to the box: pixels x 100..159, y 200..299; outlines run through the border pixels' centres (core's
    # polygon/mask convention, so the polygon rasterises back to exactly these pixels).
    bounds = pred.shape.bounds()
    assert (bounds.x1, bounds.y1, bounds.x2, bounds.y2) == (100.5, 200.5, 159.5, 299.5)
    masked = Predictor.load(path, provider="cpu", overrides={"mask_format": "mask"})
    (pred,) = masked.predict(image(1280, 1280))  # gain 0.5: the same region doubled
    assert isinstance(pred.shape, Mask)
    array = pred.shape.to_array()
    assert array.sum() == 120 * 200 and array[400:600, 200:320].all()


def test_pose_keypoints_with_low_confidence_points_skipped(tmp_path):
    k = 17
    out = np.zeros((4 + 1 + 3 * k, A), np.float32)
    out[:5, 0] = [320, 320, 200, 200, 0.8]
    kps = np.zeros((k, 3), np.float32)
    kps[:, 0], kps[:, 1], kps[:, 2] = np.arange(k) * 10 + 250, 300, 0.9
    kps[3, 2] = 0.1
    out[5:, 0] = kps.reshape(-1)
    meta = names_metadata(["person"], "pose", kpt_shape=[17, 3])
    predictor = Predictor.load(const_model(tmp_path / "pose.onnx", {"output0": out}, metadata=meta), provider="cpu")
    assert predictor.card.keypoints[0] == "nose" and len(predictor.card.skeleton) == 19
    (pred,) = predictor.predict(image(1280, 1280))  # gain 0.5, no padding
    assert isinstance(pred.shape, Keypoints)
    assert pred.shape.points[0] == (500.0, 600.0, Visibility.VISIBLE)
    assert pred.shape.points[3] == (0.0, 0.0, Visibility.SKIPPED)
    assert pred.shape.points[16] == (820.0, 600.0, Visibility.VISIBLE)


def test_obb_rotated_boxes_regularised(tmp_path):
    out = np.zeros((4 + 2 + 1, A), np.float32)
    out[:, 0] = [320, 320, 40, 100, 0.0, 0.9, 0.0]  # h > w: becomes w=100, h=40, angle 90 degrees
    out[:, 1] = [100, 100, 60, 20, 0.8, 0.0, math.pi / 6]  # 30 degrees
    meta = names_metadata(["plane", "ship"], "obb")
    predictor = Predictor.load(const_model(tmp_path / "obb.onnx", {"output0": out}, metadata=meta), provider="cpu")
    preds = predictor.predict(image(640, 640))
    assert [p.class_name for p in preds] == ["ship", "plane"]
    ship, plane = preds[0].shape, preds[1].shape
    assert isinstance(ship, RotatedBox)
    assert (ship.cx, ship.cy, ship.w, ship.h) == (320, 320, 100, 40) and ship.angle == pytest.approx(90)
    assert (plane.w, plane.h) == (60, 20) and plane.angle == pytest.approx(30, abs=1e-4)


def test_classification_tags_top_k_with_softmax_when_logits(tmp_path):
    # Scores = mean of each normalised channel: B=255, G=0, R=128 in BGR -> RGB order (128/255, 0, 1).
    path = channel_mean_model(tmp_path / "cls.onnx", input_name="images", output_name="output0", keep_map=False)
    (tmp_path / "cls.json").write_text(json.dumps({"family": "classify", "classes": ["r", "g", "b"], "top_k": 2,
                                                   "input_size": 32}))  # fmt: skip
    img = np.zeros((64, 96, 3), np.uint8)
    img[:] = (255, 0, 128)
    preds = Predictor.load(path, provider="cpu").predict(img)
    assert [p.class_name for p in preds] == ["b", "r"]
    assert all(isinstance(p.shape, Tag) for p in preds)
    scores = np.array([128 / 255, 0.0, 1.0])  # in [0, 1] but not summing to 1: logits, so softmax
    expected = np.exp(scores) / np.exp(scores).sum()
    assert [p.score for p in preds] == pytest.approx([expected[2], expected[0]], abs=1e-5)


def test_dbnet_polygon_is_the_unclipped_rectangle(tmp_path):
    # Output = channel mean of (x/255 - 0.5)/0.5: 1 on white, -1 on black. A white 200 x 40 bar at (100, 80).
    path = channel_mean_model(tmp_path / "det.onnx")
    (tmp_path / "det.json").write_text(json.dumps({"family": "dbnet", "dilate": False}))
    img = image(640, 320)
    img[80:120, 100:300] = 255
    (pred,) = Predictor.load(path, provider="cpu").predict(img)
    # minAreaRect of the contour through pixel centres: 199 x 39, centre (199.5, 99.5); grown by
    # d = 199*39*1.6 / (2*(199+39)) on each side.
    d = 199 * 39 * 1.6 / (2 * (199 + 39))
    expected = [(100 - d, 80 - d), (299 + d, 80 - d), (299 + d, 119 + d), (100 - d, 119 + d)]
    assert isinstance(pred.shape, Polygon) and pred.score == pytest.approx(1.0)
    assert np.allclose(pred.shape.points, expected, atol=1e-3)


def test_sam_clicks_and_box_through_the_real_prompt_layout(tmp_path):
    sam_encoder(tmp_path / "enc.onnx")
    sam_decoder(tmp_path / "dec.onnx", radius=20)
    (tmp_path / "enc.json").write_text(json.dumps({"family": "sam", "decoder": "dec.onnx"}))
    segmenter = InteractiveSegmenter.load(tmp_path / "enc.onnx", provider="cpu")
    embedding = segmenter.encode(image(800, 600, 90))
    assert embedding.features.shape == (1, 256, 64, 64) and embedding.scale == pytest.approx(1024 / 800)
    mask = segmenter.decode(embedding, [(100, 50)], [1])
    expected = np.zeros((600, 800), np.uint8)
    cv2.circle(expected, (100, 50), 20, 1, -1)
    array = mask.to_array()
    assert array.shape == (600, 800) and array[50, 100] and not array[50, 121] and not array[75, 100]
    assert abs(int(array.sum()) - int(expected.sum())) < 20
    boxed = segmenter.decode(embedding, box=(300, 200, 500, 400)).to_array()  # disc around the box centre
    assert boxed[300, 400] and not boxed[300, 430]
