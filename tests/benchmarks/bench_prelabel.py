"""Benchmark: `annodesk prelabel`'s pipeline against plain loops, and SAM-style decoder latency per click.

Run: .venv/bin/python -m tests.benchmarks.bench_prelabel [--quick]
Everything is generated in a temp dir: a detector built with onnx.helper whose compute resembles YOLOv8n at 640
(a stack of 3x3 convolutions down to strides 8/16/32 and a 1 x 84 x 8400 output, the v8 layout), JPEG photos-like
images (smooth colour fields, shapes and grain) at 1920 x 1080 and 24 MP, and a SAM-style decoder with the official
export's inputs. Rows:
- 1080p: pipeline images/s (decode, letterbox, infer, NMS, store) vs a bare loop of session.run on the same images
  already preprocessed (target >= 0.85 of the bare loop);
- 24 MP: pipeline vs a plain serial loop (read, letterbox, run, postprocess, store per image) (target >= 2x);
- SAM decoder: ms per click with a cached embedding (median), including the mask's RLE encoding.
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from core.media import decode_image
from core.shapes import Mask
from inference import InteractiveSegmenter, LabelMapper, Predictor, PrelabelJob, PrelabelOptions
from inference.providers import cpu_threads, create_session
from sync.workspace import Workspace

REPEATS = 3
CLASSES = [f"class{i}" for i in range(80)]
DETECTIONS = 100  # anchors over the threshold on the sample image: ~10-30 boxes after NMS, like a busy photo
TARGET_MS = 40.0  # per image on the machine at hand, like YOLOv8n at 640 on the project's 2-core CPUs
# Detector sizes in increasing cost (channels per stage, 3x3 convolutions after each downsampling).
SIZES = [((8, 16, 32, 64, 128), 0), ((16, 32, 64, 128, 256), 0), ((24, 48, 96, 192, 384), 0),
         ((32, 64, 128, 256, 512), 0), ((32, 64, 128, 256, 512), 1)]  # fmt: skip


def build_detector(
    path: Path, channels: tuple[int, ...] = (8, 16, 32, 64, 128), depth: int = 0, batch: int | str = "batch",
    class_bias: float = -10.0,
) -> Path:
    """Input N x 3 x 640 x 640, output N x 84 x 8400: conv stages at strides 2-32 (ReLU), 1x1 heads at 8/16/32.

    `width` multiplies the channels and `depth` is the number of 3x3 convolutions after each downsampling; 1 and 2
    make about 7 GFLOPs, ~40 ms per image on 2 cores, like YOLOv8n at 640 (8.7 GFLOPs with cheaper layers).
    """
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    x, ch = "images", 3

    def conv(src: str, cin: int, cout: int, stride: int, k: int = 3, relu: bool = True, bias: float = 0.0) -> str:
        name = f"c{len(nodes)}"
        w = rng.normal(0, np.sqrt(2 / (cin * k * k)), (cout, cin, k, k)).astype(np.float32)
        inits.extend([numpy_helper.from_array(w, name + "_w"),
                      numpy_helper.from_array(np.full(cout, bias, np.float32), name + "_b")])  # fmt: skip
        nodes.append(helper.make_node("Conv", [src, name + "_w", name + "_b"], [name], strides=[stride, stride],
                                      pads=[k // 2] * 4))  # fmt: skip
        if not relu:
            return name
        nodes.append(helper.make_node("Relu", [name], [name + "_r"]))
        return name + "_r"

    heads = []
    for stage, cout in enumerate(channels):
        x = conv(x, ch, cout, 2)
        ch = cout
        for _ in range(depth if stage else 0):
            x = conv(x, ch, ch, 1)
        if stage >= 2:  # strides 8, 16, 32: 80x80, 40x40, 20x20 anchors
            box = conv(x, ch, 4, 1, k=1, relu=False)
            cls = conv(x, ch, len(CLASSES), 1, k=1, relu=False, bias=class_bias)
            side = 640 >> (stage + 1)
            for part, rows in ((box, 4), (cls, len(CLASSES))):
                shape = numpy_helper.from_array(np.array([0, rows, side * side], np.int64), f"{part}_shape")
                inits.append(shape)
                nodes.append(helper.make_node("Reshape", [part, f"{part}_shape"], [f"{part}_flat"]))
            heads.append((f"{box}_flat", f"{cls}_flat"))
    nodes += [
        helper.make_node("Concat", [b for b, _ in heads], ["boxes_raw"], axis=2),
        helper.make_node("Concat", [c for _, c in heads], ["cls_raw"], axis=2),
        helper.make_node("Sigmoid", ["boxes_raw"], ["boxes_01"]),
        helper.make_node("Mul", ["boxes_01", "box_scale"], ["boxes"]),
        helper.make_node("Sigmoid", ["cls_raw"], ["scores"]),
        helper.make_node("Concat", ["boxes", "scores"], ["output0"], axis=1),
    ]
    inits.append(numpy_helper.from_array(np.array([640, 640, 160, 160], np.float32).reshape(1, 4, 1), "box_scale"))
    graph = helper.make_graph(
        nodes, "yolov8n_like",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, 640, 640])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [batch, 4 + len(CLASSES), 8400])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    entry = model.metadata_props.add()
    entry.key, entry.value = "names", repr(dict(enumerate(CLASSES)))
    task = model.metadata_props.add()
    task.key, task.value = "task", "detect"
    onnx.save(model, str(path))
    return path


def calibrated_detector(directory: Path, sample: Path) -> tuple[Path, float]:
    """The first of SIZES whose session.run takes at least 0.8 x TARGET_MS per image here (the last one otherwise),
    so the benchmark compares like with like on fast and slow CPUs; its class bias is then set so that about
    DETECTIONS anchors of the `sample` photo reach the 0.25 threshold. Returns the model and its ms per image."""
    x = cv2.dnn.blobFromImage(cv2.resize(cv2.imread(str(sample)), (640, 640)), 1 / 255, swapRB=True)
    for i, (channels, depth) in enumerate(SIZES):
        path = build_detector(directory / f"det{i}.onnx", channels, depth, class_bias=0.0)
        session, _ = create_session(path, "cpu")
        session.run(None, {"images": x})
        start = time.perf_counter()
        for _ in range(5):
            scores = session.run(None, {"images": x})[0][0, 4:].max(axis=0)
        ms = (time.perf_counter() - start) / 5 * 1000
        if ms >= 0.8 * TARGET_MS:
            break
    logits = np.log(scores / np.maximum(1 - scores, 1e-12))
    bias = math.log(0.25 / 0.75) - float(np.sort(logits)[-DETECTIONS])
    return build_detector(path, channels, depth, class_bias=bias), ms


def build_sam(directory: Path) -> tuple[Path, Path]:
    """An encoder (16x16 pooling + 1x1 conv to 256 channels) and a decoder with the official inputs and outputs whose
    compute is a 1x1 conv mix of the embedding, a 1-channel head and a resize of the logits to the image size."""
    rng = np.random.default_rng(1)
    f = TensorProto.FLOAT
    enc_w = numpy_helper.from_array(rng.normal(0, 0.5, (256, 3, 1, 1)).astype(np.float32), "w")
    enc = helper.make_graph(
        [helper.make_node("AveragePool", ["images"], ["p"], kernel_shape=[16, 16], strides=[16, 16]),
         helper.make_node("Conv", ["p", "w"], ["image_embeddings"])], "enc",
        [helper.make_tensor_value_info("images", f, [1, 3, 1024, 1024])],
        [helper.make_tensor_value_info("image_embeddings", f, [1, 256, 64, 64])], [enc_w],
    )  # fmt: skip
    inits = [
        numpy_helper.from_array(rng.normal(0, 0.06, (256, 256, 1, 1)).astype(np.float32), "mix"),
        numpy_helper.from_array(rng.normal(0, 0.06, (1, 256, 1, 1)).astype(np.float32), "head"),
        numpy_helper.from_array(np.array([1, 1], np.int64), "nc"),
        numpy_helper.from_array(np.zeros((), np.float32), "z"),
    ]  # fmt: skip
    n = helper.make_node
    nodes = [
        n("Conv", ["image_embeddings", "mix"], ["m"]), n("Relu", ["m"], ["mr"]), n("Conv", ["mr", "head"], ["low0"]),
        n("ReduceSum", ["point_coords"], ["pc"], keepdims=0), n("ReduceSum", ["point_labels"], ["pl"], keepdims=0),
        n("Add", ["pc", "pl"], ["p"]), n("Mul", ["p", "z"], ["p0"]), n("Add", ["low0", "p0"], ["low"]),
        n("Cast", ["orig_im_size"], ["hw"], to=TensorProto.INT64), n("Concat", ["nc", "hw"], ["sizes"], axis=0),
        n("Resize", ["low", "", "", "sizes"], ["masks"], mode="linear"),
        n("ReduceMax", ["low"], ["iou_predictions"], axes=[2, 3], keepdims=0),
        n("Identity", ["low"], ["low_res_masks"]),
        n("ReduceSum", ["mask_input"], ["_a"], keepdims=0), n("ReduceSum", ["has_mask_input"], ["_b"], keepdims=0),
    ]  # fmt: skip
    dec = helper.make_graph(nodes, "dec", [
        helper.make_tensor_value_info("image_embeddings", f, [1, 256, 64, 64]),
        helper.make_tensor_value_info("point_coords", f, [1, "n", 2]),
        helper.make_tensor_value_info("point_labels", f, [1, "n"]),
        helper.make_tensor_value_info("mask_input", f, [1, 1, 256, 256]),
        helper.make_tensor_value_info("has_mask_input", f, [1]),
        helper.make_tensor_value_info("orig_im_size", f, [2]),
    ], [
        helper.make_tensor_value_info("masks", f, [1, 1, "H", "W"]),
        helper.make_tensor_value_info("iou_predictions", f, [1, 1]),
        helper.make_tensor_value_info("low_res_masks", f, [1, 1, 64, 64]),
    ], inits)  # fmt: skip
    paths = directory / "sam_enc.onnx", directory / "sam_dec.onnx"
    for graph, path in zip((enc, dec), paths, strict=True):
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        onnx.save(model, str(path))
    return paths


def make_jpegs(directory: Path, count: int, size: tuple[int, int]) -> list[Path]:
    """Photo-like JPEGs (quality 90): a smooth colour field, filled shapes and a little grain."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    w, h = size
    paths = []
    for i in range(count):
        img = cv2.resize(rng.integers(0, 255, (9, 16, 3), dtype=np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
        for _ in range(30):
            centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            colour = tuple(int(c) for c in rng.integers(0, 255, 3))
            cv2.circle(img, centre, int(rng.integers(h // 40, h // 6)), colour, -1, cv2.LINE_AA)
        grain = rng.integers(-6, 7, (h, w, 1), dtype=np.int16)
        img = np.clip(img.astype(np.int16) + grain, 0, 255).astype(np.uint8)
        path = directory / f"img{i:03d}.jpg"
        cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        paths.append(path)
    return paths


def fresh_workspace(directory: Path, media: Path) -> Workspace:
    ws = Workspace.create(directory)
    ws.add_media([media])
    return ws


def pipeline_rate(root: Path, media: Path, predictor: Predictor, tag: str, options: PrelabelOptions | None = None
                  ) -> float:  # fmt: skip
    """Median images/s of `PrelabelJob.run` over fresh workspaces (the set-up import is not timed)."""
    rates = []
    for r in range(REPEATS):
        with fresh_workspace(root / f"ws-{tag}-{r}", media) as ws:
            report = PrelabelJob(predictor, ws, options).run()
            assert not report.failures, report.failures
            rates.append(report.images_per_second)
    return statistics.median(rates)


def bare_rate(model: Path, predictor: Predictor, paths: list[Path], spin: bool = True) -> float:
    """Median images/s of session.run alone on inputs prepared beforehand (ORT's default: spinning threads)."""
    session, _ = create_session(model, "cpu", spin=spin)
    tensors = [predictor.prepare(cv2.imread(str(p))).tensor for p in paths]
    session.run(None, {"images": tensors[0]})
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for t in tensors:
            session.run(None, {"images": t})
        rates.append(len(tensors) / (time.perf_counter() - start))
    return statistics.median(rates)


def serial_rate(root: Path, media: Path, predictor: Predictor) -> float:
    """Median images/s of a plain loop: read the full image, letterbox, run, postprocess, store, one by one."""
    rates = []
    for r in range(REPEATS):
        with fresh_workspace(root / f"ws-serial-{r}", media) as ws:
            mapper = LabelMapper(ws.schema)
            start = time.perf_counter()
            for task in ws.tasks(limit=10_000):
                image = decode_image(task.media_path)
                prepared = predictor.prepare(image)
                predictions = predictor.decode(predictor.infer([prepared])[0], prepared)
                annotations = mapper.annotations(task.id, predictions, predictor.model_id)
                if mapper.schema != ws.schema:
                    ws.set_schema(mapper.schema)
                if annotations:
                    ws.insert_annotations(annotations)
            rates.append(ws.task_count() / (time.perf_counter() - start))
    return statistics.median(rates)


def sam_click_ms(root: Path, size: tuple[int, int]) -> tuple[float, float, float]:
    """Median ms per click (decode + mask RLE) with a cached embedding, of the RLE encoding alone, and the encode
    time, on a `size` image."""
    encoder, decoder = build_sam(root)
    segmenter = InteractiveSegmenter.load(encoder, decoder, provider="cpu")
    image = np.full((size[1], size[0], 3), 128, np.uint8)
    start = time.perf_counter()
    embedding = segmenter.encode(image)
    encode_ms = (time.perf_counter() - start) * 1000
    rng = np.random.default_rng(3)
    times, rle = [], []
    for _ in range(40):
        point = (float(rng.uniform(0, size[0])), float(rng.uniform(0, size[1])))
        start = time.perf_counter()
        mask = segmenter.decode(embedding, [point], [1])
        times.append((time.perf_counter() - start) * 1000)
        array = mask.to_array()
        start = time.perf_counter()
        Mask.from_array(array)
        rle.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[5:]), statistics.median(rle[5:]), encode_ms


def row(what: str, figure: str, target: str, ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{what:<58} {figure:>22} {target:>14} {verdict:>6}", flush=True)


def main() -> int:
    quick = "--quick" in sys.argv
    n_hd, n_big = (8, 4) if quick else (48, 12)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hd = root / "hd"
        big = root / "big"
        hd_paths = make_jpegs(hd, n_hd, (1920, 1080))
        model, ms = calibrated_detector(root, hd_paths[0])
        make_jpegs(big, n_big, (6000, 4000))
        predictor = Predictor.load(model, provider="cpu", spin=False)
        found = statistics.mean(len(predictor.predict(cv2.imread(str(p)))) for p in hd_paths[:8])
        print(f"detector: {predictor.card.family} layout, 80 classes, {found:.0f} detections and {ms:.0f} ms per "
              f"image alone; provider "
              f"{predictor.runtime.describe()}, {cpu_threads()} threads; {n_hd} images 1920x1080, {n_big} images "
              f"6000x4000; medians of {REPEATS}\n")  # fmt: skip
        row("measured", "figure", "target")
        bare = bare_rate(model, predictor, hd_paths)
        piped = pipeline_rate(root, hd, predictor, "hd")
        row("bare session.run loop, preprocessed 640 inputs", f"{bare:.1f} img/s", "baseline")
        row("prelabel pipeline, 1920x1080 JPEG", f"{piped:.1f} img/s", "")
        row("  ratio pipeline / bare loop", f"{piped / bare:.2f}", ">= 0.85", piped / bare >= 0.85)
        if "--variants" in sys.argv:
            row("  bare loop without spinning threads", f"{bare_rate(model, predictor, hd_paths, False):.1f} img/s", "")
            for priority, workers in ((0, 2), (19, 2), (10, 1), (19, 1)):
                options = PrelabelOptions(read_priority=priority, workers=workers)
                rate = pipeline_rate(root, hd, predictor, f"v{priority}-{workers}", options)
                row(f"  pipeline, read threads nice {priority}, {workers} of them", f"{rate:.1f} img/s", "")
        serial = serial_rate(root, big, predictor)
        piped_big = pipeline_rate(root, big, predictor, "big")
        row("plain serial loop, 24 MP JPEG", f"{serial:.2f} img/s", "baseline")
        row("prelabel pipeline, 24 MP JPEG", f"{piped_big:.2f} img/s", "")
        row("  ratio pipeline / serial loop", f"{piped_big / serial:.2f}x", ">= 2x", piped_big / serial >= 2)
        click, rle, encode = sam_click_ms(root, (1920, 1080))
        row("SAM-style decoder per click, cached embedding, 1920x1080", f"{click:.1f} ms", "")
        row("  of which the mask's RLE encoding", f"{rle:.1f} ms", "")
        row("  (encoder of the stand-in, once per image)", f"{encode:.0f} ms", "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
