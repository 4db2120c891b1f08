"""Bad models and cards: one clear ModelError that names the model (and card) and the mismatch."""

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from test_inference_graphs import const_model, image_input, names_metadata

from inference import ModelError, Predictor
from inference.interactive import InteractiveSegmenter

A = 8400


def det(tmp_path, name="m.onnx", rows=7, **kw):
    return const_model(tmp_path / name, {"output0": np.zeros((rows, A), np.float32)}, **kw)


def load_error(*args, **kwargs) -> str:
    with pytest.raises(ModelError) as info:
        Predictor.load(*args, provider="cpu", **kwargs)
    return str(info.value)


def test_not_onnx_and_missing_file(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00\x01 PK not a protobuf of a model")
    message = load_error(junk)
    assert message.startswith(str(junk)) and "not a loadable ONNX model" in message
    assert "no such model file" in load_error(tmp_path / "missing.onnx")


def test_card_class_count_contradicts_the_output(tmp_path):
    path = det(tmp_path)  # 7 rows: 3 classes
    card = tmp_path / "m.json"
    card.write_text(json.dumps({"family": "yolov8", "classes": ["a", "b"]}))
    message = load_error(path)
    assert str(path) in message and str(card) in message
    assert "2 class names given but the output's 7 rows minus 4 box rows holds 3 classes" in message
    assert "output0 [?x7x8400]" in message


def test_metadata_names_contradict_the_output(tmp_path):
    path = det(tmp_path, metadata=names_metadata(["a", "b", "c", "d"], "detect"))
    assert "4 class names given" in load_error(path)


def test_unexpected_inputs(tmp_path):
    two = [image_input("images"), helper.make_tensor_value_info("sizes", TensorProto.FLOAT, [1, 2])]
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 7, A])
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["output0"])]
    init = [helper.make_tensor("shape", TensorProto.INT64, [3], [1, 7, A])]
    graph = helper.make_graph(nodes, "g", two, [out], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "two.onnx"
    onnx.save(model, str(path))
    (tmp_path / "two.json").write_text(json.dumps({"family": "yolov8"}))
    assert "expects one image input, not 2" in load_error(path)


def test_unexpected_outputs_for_the_family(tmp_path):
    path = det(tmp_path)
    message = load_error(path, overrides={"family": "yolov8-seg"})
    assert "segmentation needs two outputs" in message and str(path) in message
    assert "classification expects one (batch, classes) output" in load_error(path, overrides={"family": "classify"})
    assert "text detection expects one (batch, 1, H, W)" in load_error(path, overrides={"family": "dbnet"})


def test_layout_that_no_family_fits_asks_for_a_card(tmp_path):
    path = const_model(tmp_path / "odd.onnx", {"a": np.zeros((2, 3, 4, 5)), "b": np.zeros((5,))})
    message = load_error(path)
    assert "cannot tell which kind of model this is" in message and '"family": one of' in message


def test_bad_card_fields_name_the_card_and_field(tmp_path):
    path = det(tmp_path)
    card = tmp_path / "m.json"
    card.write_text("{not json")
    assert load_error(path).startswith(f"{card}: not a valid card")
    card.write_text(json.dumps({"conf": 1.5}))
    assert load_error(path) == f"{card}: conf: expected a number in [0, 1], got 1.5"
    card.write_text(json.dumps({"cnof": 0.5}))
    assert "unknown field 'cnof'" in load_error(path)
    card.write_text(json.dumps({"family": "yolo-nas"}))
    assert "unknown model family 'yolo-nas'" in load_error(path)
    card.write_text(json.dumps({"input_size": [320, 320]}))
    assert "input_size [320, 320] differs from the input's fixed 640x640" in load_error(path)
    assert "no such card file" in load_error(path, tmp_path / "nowhere.json")


def test_nan_output_names_the_model_and_output(tmp_path):
    out = np.zeros((7, A), np.float32)
    out[2, 5] = np.inf
    path = const_model(tmp_path / "inf.onnx", {"output0": out})
    predictor = Predictor.load(path, provider="cpu")
    with pytest.raises(ModelError, match=r"inf\.onnx: output output0 contains NaN or infinite values"):
        predictor.predict(np.zeros((64, 64, 3), np.uint8))


def test_fixed_batch_model_runs_one_image_at_a_time(tmp_path):
    path = det(tmp_path, batch=1)
    predictor = Predictor.load(path, provider="cpu")
    assert predictor.max_batch == 1
    assert predictor.predict_batch([np.zeros((64, 64, 3), np.uint8)] * 3) == [[], [], []]


def test_interactive_model_refuses_the_batch_path_and_bad_decoders(tmp_path):
    from test_inference_graphs import sam_encoder

    enc = sam_encoder(tmp_path / "enc.onnx")
    assert "take prompts" in load_error(enc, overrides={"family": "sam"})
    not_decoder = det(tmp_path, "dec.onnx")
    with pytest.raises(ModelError, match="not a SAM prompt decoder: missing inputs"):
        InteractiveSegmenter.load(enc, not_decoder, provider="cpu")
    with pytest.raises(ModelError, match="the card must name the prompt decoder"):
        InteractiveSegmenter.load(enc, provider="cpu")
