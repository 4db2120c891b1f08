"""`annodesk prelabel` remembers images where the model found nothing: a second run infers nothing, a new image is
still run."""

from __future__ import annotations

import cv2
import numpy as np
from onnx import TensorProto, helper, numpy_helper
from test_inference_graphs import _save, image_input, names_metadata

from core.annotation import SourceKind
from core.schema import Label, LabelSchema
from desktop.cli import main
from inference import Predictor
from sync.workspace import Workspace

A = 8400


def brightness_detector(path):
    """YOLOv8 layout: one car whose score is 0.9 x the image's mean brightness (0..1): found on a white image,
    nothing on a black one."""
    box = np.zeros((1, 4 + 3, A), np.float32)
    box[0, :4, 0] = [320, 320, 100, 50]
    score = np.zeros((1, 4 + 3, A), np.float32)
    score[0, 5, 0] = 0.9  # class 1, car
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Reshape", ["mean", "shape"], ["mean3"]),
        helper.make_node("Mul", ["mean3", "score"], ["scored"]),
        helper.make_node("Add", ["scored", "box"], ["output0"]),
    ]
    inits = [numpy_helper.from_array(np.array([-1, 1, 1], np.int64), "shape"),
             numpy_helper.from_array(score, "score"), numpy_helper.from_array(box, "box")]
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 4 + 3, A])
    return _save(path, nodes, [image_input()], [out], inits, names_metadata(["person", "car", "dog"], "detect"))


def test_a_second_run_skips_images_where_the_model_found_nothing(tmp_path, monkeypatch, capsys):
    media = tmp_path / "media"
    media.mkdir()
    for i, value in enumerate([255, 0, 255, 0]):
        cv2.imwrite(str(media / f"img{i}.png"), np.full((640, 640, 3), value, np.uint8))
    with Workspace.create(tmp_path / "ws", LabelSchema((Label("car", "#ff0000"),))) as ws:
        ws.add_media([media])
    inferred = []
    infer = Predictor.infer
    monkeypatch.setattr(Predictor, "infer", lambda self, batch: inferred.extend(batch) or infer(self, batch))
    model = brightness_detector(tmp_path / "det.onnx")

    def prelabel() -> str:
        assert main(["prelabel", str(tmp_path / "ws"), "--model", str(model), "--provider", "cpu"]) == 0
        return capsys.readouterr().out

    assert "done: 4 tasks pre-labelled with 2 shapes, 0 already done" in prelabel()
    assert len(inferred) == 4
    with Workspace.open(tmp_path / "ws", readonly=True) as ws:
        found = {t.name: [a.label for a in ws.annotations(t.id) if a.source.kind is SourceKind.MODEL]
                 for t in ws.tasks()}
    assert found == {"img0.png": ["car"], "img1.png": [], "img2.png": ["car"], "img3.png": []}

    assert "done: 0 tasks pre-labelled with 0 shapes, 4 already done by this model" in prelabel()
    assert len(inferred) == 4  # the empty images were not run again

    cv2.imwrite(str(media / "img4.png"), np.zeros((640, 640, 3), np.uint8))
    with Workspace.open(tmp_path / "ws") as ws:
        ws.add_media([media / "img4.png"])
    assert "done: 1 tasks pre-labelled with 0 shapes, 4 already done" in prelabel()
    assert len(inferred) == 5
    assert "done: 0 tasks pre-labelled" in prelabel() and len(inferred) == 5
