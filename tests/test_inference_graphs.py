"""Small ONNX models with the exact input and output layouts of real exports, built with onnx.helper.

Their outputs are known: constant tensors (broadcast over the batch, and multiplied by the input's mean times zero
so a NaN input shows as a NaN output) or simple functions of the input, so the tests can expect exact shapes.
Other test modules import the builders; the tests here check that each builder makes a valid model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def _save(path: Path, nodes, inputs, outputs, initializers=(), metadata=None) -> Path:
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def image_input(name="images", size=(640, 640), batch=None):
    h, w = size if size else ("height", "width")
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [batch or "batch", 3, h, w])


def const_model(path: Path, outputs: dict[str, np.ndarray], *, input_name="images", size=(640, 640), batch=None,
                metadata=None) -> Path:
    """A model whose outputs are the given arrays (without batch dim), one copy per input image."""
    nodes = [
        helper.make_node("ReduceMean", [input_name], ["mean"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),  # (N, 1, 1, 1): 0, or NaN for a NaN input
    ]
    inits = [numpy_helper.from_array(np.zeros((), np.float32), "zero")]
    outs = []
    for name, value in outputs.items():
        value = np.asarray(value, np.float32)
        shape = np.array([-1] + [1] * value.ndim, dtype=np.int64)
        inits += [numpy_helper.from_array(value[None], f"{name}_value"), numpy_helper.from_array(shape, f"{name}_s")]
        nodes += [
            helper.make_node("Reshape", ["nothing", f"{name}_s"], [f"{name}_n"]),
            helper.make_node("Add", [f"{name}_n", f"{name}_value"], [name]),
        ]
        outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [batch or "batch", *value.shape]))
    return _save(path, nodes, [image_input(input_name, size, batch)], outs, inits, metadata)


def names_metadata(names, task, imgsz=(640, 640), **extra) -> dict[str, str]:
    """Metadata as Ultralytics writes it (Python literals as strings)."""
    meta = {"names": repr(dict(enumerate(names))), "task": task, "imgsz": repr(list(imgsz)), "stride": "32"}
    meta.update({k: repr(v) for k, v in extra.items()})
    return meta


def channel_mean_model(path: Path, *, input_name="x", output_name="fetch_name_0", keep_map=True) -> Path:
    """Dynamic-size input; output the mean over channels: a 1 x 1 x H x W map (DBNet layout), or with
    `keep_map=False` the per-channel means, 1 x 3 (a classifier's scores)."""
    if keep_map:
        node = helper.make_node("ReduceMean", [input_name], [output_name], axes=[1], keepdims=1)
        out = helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", 1, "height", "width"])
    else:
        node = helper.make_node("ReduceMean", [input_name], [output_name], axes=[2, 3], keepdims=0)
        out = helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", 3])
    return _save(path, [node], [image_input(input_name, None)], [out])


def sam_encoder(path: Path, side=1024) -> Path:
    """Input 1x3xSxS -> embedding 1x256x(S/16)x(S/16): 16x16 average pooling, then a 1x1 convolution."""
    weight = np.full((256, 3, 1, 1), 1 / 3, np.float32)
    nodes = [
        helper.make_node("AveragePool", ["images"], ["pooled"], kernel_shape=[16, 16], strides=[16, 16]),
        helper.make_node("Conv", ["pooled", "w"], ["image_embeddings"]),
    ]
    out = helper.make_tensor_value_info("image_embeddings", TensorProto.FLOAT, [1, 256, side // 16, side // 16])
    return _save(path, nodes, [image_input("images", (side, side), 1)], [out], [numpy_helper.from_array(weight, "w")])


def sam_decoder(path: Path, radius=20.0, side=1024) -> Path:
    """The official SAM decoder's inputs and outputs. Its mask (logits at the original size) is a disc of `radius`
    image pixels around the mean of the prompt points whose label is not -1 (the padding point)."""
    f = TensorProto.FLOAT
    inputs = [
        helper.make_tensor_value_info("image_embeddings", f, [1, 256, side // 16, side // 16]),
        helper.make_tensor_value_info("point_coords", f, [1, "n"]),
        helper.make_tensor_value_info("point_labels", f, [1, "n"]),
        helper.make_tensor_value_info("mask_input", f, [1, 1, 256, 256]),
        helper.make_tensor_value_info("has_mask_input", f, [1]),
        helper.make_tensor_value_info("orig_im_size", f, [2]),
    ]
    inputs[1] = helper.make_tensor_value_info("point_coords", f, [1, "n", 2])
    c = {
        "minus1": np.array(-1, np.float32), "side": np.array(side, np.float32), "r2": np.array(radius**2, np.float32),
        "i0": np.array([0], np.int64), "i1": np.array([1], np.int64), "zero": np.array(0, np.float32),
        "one": np.array(1, np.float32), "ax1": np.array([1], np.int64), "shape_y": np.array([-1, 1], np.int64),
        "iou": np.ones((1, 1), np.float32), "low": np.zeros((1, 1, 256, 256), np.float32),
    }
    n = helper.make_node
    nodes = [
        n("Equal", ["point_labels", "minus1"], ["is_pad"]), n("Not", ["is_pad"], ["real"]),
        n("Cast", ["real"], ["w"], to=f),  # (1, n)
        n("ReduceMax", ["orig_im_size"], ["long"], keepdims=0), n("Div", ["long", "side"], ["unscale"]),
        n("Mul", ["point_coords", "unscale"], ["pts"]),  # image pixels
        n("Gather", ["pts", "i0"], ["px3"], axis=2), n("Gather", ["pts", "i1"], ["py3"], axis=2),
        n("Squeeze", ["px3"], ["px"]), n("Squeeze", ["py3"], ["py"]),
        n("Mul", ["px", "w"], ["pxw"]), n("Mul", ["py", "w"], ["pyw"]),
        n("ReduceSum", ["pxw", "ax1"], ["sx"], keepdims=0), n("ReduceSum", ["pyw", "ax1"], ["sy"], keepdims=0),
        n("ReduceSum", ["w", "ax1"], ["sw"], keepdims=0),
        n("Div", ["sx", "sw"], ["cx"]), n("Div", ["sy", "sw"], ["cy"]),
        n("Gather", ["orig_im_size", "i0"], ["h1"]), n("Gather", ["orig_im_size", "i1"], ["w1"]),
        n("Squeeze", ["h1"], ["h"]), n("Squeeze", ["w1"], ["w_"]),
        n("Range", ["zero", "w_", "one"], ["xs0"]), n("Range", ["zero", "h", "one"], ["ys0"]),
        n("Add", ["xs0", "zero"], ["xs"]), n("Reshape", ["ys0", "shape_y"], ["ys"]),
        n("Sub", ["xs", "cx"], ["dx"]), n("Sub", ["ys", "cy"], ["dy"]),
        n("Mul", ["dx", "dx"], ["dx2"]), n("Mul", ["dy", "dy"], ["dy2"]), n("Add", ["dx2", "dy2"], ["d2"]),
        n("Sub", ["r2", "d2"], ["logits2"]),
        n("Unsqueeze", ["logits2", "i0"], ["l3"]), n("Unsqueeze", ["l3", "i0"], ["masks"]),
        n("Identity", ["iou"], ["iou_predictions"]), n("Identity", ["low"], ["low_res_masks"]),
        # keep the unused inputs in the graph, as the real decoder uses them
        n("ReduceSum", ["mask_input"], ["_m"], keepdims=0), n("ReduceSum", ["image_embeddings"], ["_e"], keepdims=0),
    ]  # fmt: skip
    outs = [
        helper.make_tensor_value_info("masks", f, [1, 1, "H", "W"]),
        helper.make_tensor_value_info("iou_predictions", f, [1, 1]),
        helper.make_tensor_value_info("low_res_masks", f, [1, 1, 256, 256]),
    ]
    inits = [numpy_helper.from_array(v, k) for k, v in c.items()]
    return _save(path, nodes, inputs, outs, inits)


def test_builders_make_valid_models(tmp_path):
    import onnxruntime as ort

    det = const_model(tmp_path / "d.onnx", {"output0": np.ones((7, 10), np.float32)})
    session = ort.InferenceSession(str(det), providers=["CPUExecutionProvider"])
    out = session.run(None, {"images": np.zeros((2, 3, 640, 640), np.float32)})[0]
    assert out.shape == (2, 7, 10) and np.all(out == 1)
    nan = session.run(None, {"images": np.full((1, 3, 640, 640), np.nan, np.float32)})[0]
    assert np.isnan(nan).all()
    dec = ort.InferenceSession(str(sam_decoder(tmp_path / "s.onnx")), providers=["CPUExecutionProvider"])
    masks = dec.run(None, {
        "image_embeddings": np.zeros((1, 256, 64, 64), np.float32),
        "point_coords": np.array([[[100.0, 50.0], [0.0, 0.0]]], np.float32),
        "point_labels": np.array([[1.0, -1.0]], np.float32),
        "mask_input": np.zeros((1, 1, 256, 256), np.float32),
        "has_mask_input": np.zeros(1, np.float32),
        "orig_im_size": np.array([512.0, 1024.0], np.float32),
    })[0]  # fmt: skip
    assert masks.shape == (1, 1, 512, 1024)
    assert masks[0, 0, 50, 100] == 400.0 and masks[0, 0, 50, 121] < 0
