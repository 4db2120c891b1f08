"""Huge images and their masks: past Pillow's 179 MP and OpenCV's 2^30 pixel limits, within the app's own.

The images are written band by band as PNG by hand (zlib streaming), so even the 900 MP one needs no image-sized
memory to make; masks of huge images are read, stored and written through crops, which tracemalloc checks.
"""

import base64
import json
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
import tifffile

from core.annotation import TaskStatus
from core.formats import get_format
from core.media import MAX_PIXELS, MediaError, decode_image, probe_image
from core.pyramid import PyramidError
from core.pyramid_cache import PyramidCache, image_size, stream_pillow_level0
from core.shapes import Mask, mask_from_polygons, polygons_from_mask
from sync.transfer import import_dataset
from sync.workspace import Workspace
from tools.brush import stroked_mask

MB = 1 << 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path: Path, width: int, height: int, marked_every: int = 1000, idat: bytes | None = None) -> Path:
    """An 8-bit grey PNG, black but for every `marked_every`-th row, whose right half is white; `idat` replaces
    the pixel data (a header that claims more than the file holds)."""
    blank, marked = bytes(width + 1), b"\x00" + bytes(width // 2) + b"\xff" * (width - width // 2)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
        if idat is not None:
            out.write(_chunk(b"IDAT", idat))
        else:
            deflate = zlib.compressobj(1)
            for top in range(0, height, 512):
                rows = b"".join(marked if y % marked_every == 0 else blank for y in range(top, min(height, top + 512)))
                if data := deflate.compress(rows):
                    out.write(_chunk(b"IDAT", data))
            out.write(_chunk(b"IDAT", deflate.flush()))
        out.write(_chunk(b"IEND", b""))
    return path


def _good(path: Path) -> Path:
    cv2.imencode(path.suffix, np.full((12, 16, 3), 90, np.uint8))[1].tofile(path)
    return path


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.create(tmp_path / "ws")
    yield workspace
    workspace.close()


def _peak(call):
    """`call()` and the peak of what numpy and Python allocated meanwhile, in bytes."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---------------------------------------------------------------- images


def test_impossible_headers_become_error_tasks_and_the_rest_is_added(ws, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bomb = write_png(folder / "bomb.png", 100_000, 100_000, idat=zlib.compress(bytes(1000)))  # CRCs all hold
    vast = write_png(folder / "vast.png", 200_000, 200_000, idat=zlib.compress(bytes(1000)))
    _good(folder / "a.png")
    _good(folder / "b.jpg")
    report = ws.add_media([folder])
    assert report.added == 4
    tasks = {Path(t.media_path).name: t for t in ws.tasks()}
    assert {n: t.status for n, t in tasks.items()} == {
        "a.png": TaskStatus.NEW, "b.jpg": TaskStatus.NEW, "bomb.png": TaskStatus.ERROR, "vast.png": TaskStatus.ERROR}
    assert "cannot hold 10,000,000,000 pixels" in tasks["bomb.png"].error
    assert "200000 x 200000" in tasks["vast.png"].error and "past the limit" in tasks["vast.png"].error
    with pytest.raises(MediaError, match="too large for OpenCV"):
        decode_image(bomb)  # OpenCV's own limit raises cv2.error: it must come out as MediaError
    with pytest.raises(PyramidError, match="past the limit"):
        image_size(vast)
    assert image_size(bomb) == (100_000, 100_000) and MAX_PIXELS > 100_000 * 100_000


def test_huge_png_in_a_yolo_dataset_is_read_by_its_header_and_imported(ws, tmp_path):
    root = tmp_path / "ds"
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    write_png(root / "images" / "scan.png", 20_000, 20_000)
    (root / "labels" / "scan.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "data.yaml").write_text("train: images\nnames:\n  0: cell\n")
    dataset = get_format("yolo").read(root)
    assert [(i.width, i.height, len(i.annotations)) for i in dataset.items] == [(20_000, 20_000, 1)]
    report = import_dataset(ws, "yolo", root)
    assert (report.media_added, report.annotations_added) == (1, 1), report.messages
    (task,) = ws.tasks()
    assert (task.status, task.width, task.height) == (TaskStatus.NEW, 20_000, 20_000)


def test_huge_tiff_is_probed_by_where_its_tiles_lie(tmp_path):
    path = tmp_path / "big.tif"
    tifffile.imwrite(path, np.zeros((8192, 8192), np.uint8), tile=(1024, 1024))  # 67 MP: above the full check
    assert (probe_image(path).width, probe_image(path).height) == (8192, 8192)
    cut = tmp_path / "cut.tif"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(MediaError, match="truncated"):
        probe_image(cut)


@pytest.mark.parametrize("suffix, shape, dtype", [
    (".png", (37, 53), np.uint8), (".png", (37, 53, 3), np.uint8), (".png", (37, 53, 4), np.uint8),
    (".png", (37, 53), np.uint16), (".jpg", (37, 53), np.uint8), (".jpg", (37, 53, 3), np.uint8)])
def test_streamed_level0_equals_opencv_decoding(tmp_path, suffix, shape, dtype):
    pixels = np.random.default_rng(0).integers(0, np.iinfo(dtype).max, shape, dtype=dtype)
    path = tmp_path / f"a{suffix}"
    cv2.imencode(suffix, pixels)[1].tofile(path)
    level = stream_pillow_level0(path, tmp_path)
    expected = decode_image(path)
    assert level is not None and level.shape == expected.shape and level.dtype == expected.dtype
    tolerance = 2 if suffix == ".jpg" else 0  # Pillow and OpenCV may bundle different libjpeg builds
    assert np.abs(level.astype(np.int32) - expected).max() <= tolerance
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".npy"] == ["level0.npy"]


def test_16_bit_colour_png_is_left_to_opencv(tmp_path):
    path = tmp_path / "deep.png"
    cv2.imencode(".png", np.zeros((5, 6, 3), np.uint16))[1].tofile(path)
    assert stream_pillow_level0(path, tmp_path) is None


# ---------------------------------------------------------------- masks


def test_masks_go_through_crops_without_the_whole_image():
    rng = np.random.default_rng(1)
    for _ in range(300):
        height, width = (int(v) for v in rng.integers(1, 12, 2))
        bits = rng.random((int(rng.integers(0, 6)), int(rng.integers(0, 6)))) < 0.5
        left, top = int(rng.integers(-3, width + 2)), int(rng.integers(-3, height + 2))
        padded = np.zeros((height + 20, width + 20), bool)
        padded[top + 10 : top + 10 + bits.shape[0], left + 10 : left + 10 + bits.shape[1]] = bits
        dense = padded[10 : 10 + height, 10 : 10 + width]
        mask = Mask.from_crop(bits, left, top, width, height)
        assert mask == Mask.from_array(dense)
        crop, x, y = mask.crop()
        b = mask.bounds()
        assert np.array_equal(crop, dense[int(b.y1) : int(b.y2), int(b.x1) : int(b.x2)]) and (x, y) == (b.x1, b.y1)
    bits = np.ones((300, 400), bool)
    bits[100:200, 100:300] = False
    (mask, polygons), peak = _peak(lambda: (m := Mask.from_crop(bits, 5000, 7000, 30_000, 30_000),
                                            polygons_from_mask(m.translated(10, -20))))
    assert mask.area() == bits.sum() and mask.bounds().x1 == 5000 and mask.bounds().y1 == 7000
    assert min(x for p in polygons for x, _ in p) == 5010.5
    again, peak_polygons = _peak(lambda: mask_from_polygons([[(10, 10), (20000, 10), (20000, 40)]], 30_000, 30_000))
    assert again.bounds().x2 <= 20001
    stroke = [(4000.0, 6000.0), (4100.0, 6050.0)]
    painted, peak_brush = _peak(lambda: stroked_mask(mask, stroke, 8.0, True, 30_000, 30_000))
    assert painted is not None and painted.bounds().x1 == 3992 and painted.area() > mask.area()
    assert max(peak, peak_polygons, peak_brush) < 50 * MB  # a dense 30,000 x 30,000 mask would be 900 MB


def _labelme(path: Path, width: int, height: int, bits: np.ndarray, x: int, y: int, image: str | None = None) -> Path:
    png = base64.b64encode(cv2.imencode(".png", bits.astype(np.uint8) * 255)[1].tobytes()).decode()
    shape = {"label": "cell", "shape_type": "mask", "mask": png, "flags": {},
             "points": [[x, y], [x + bits.shape[1] - 1, y + bits.shape[0] - 1]]}
    box = {"label": "cell", "shape_type": "rectangle", "points": [[1, 1], [50, 60]], "flags": {}}
    document = {"version": "5.5.0", "flags": {}, "shapes": [shape, box], "imagePath": image,
                "imageData": None, "imageWidth": width, "imageHeight": height}
    path.write_text(json.dumps(document))
    return path


def test_labelme_mask_of_a_huge_image_reads_and_writes_without_a_dense_array(tmp_path):
    labelme = get_format("labelme")
    bits = np.zeros((400, 300), bool)
    bits[50:350, 20:280] = True
    bits[100:120, 100:200] = False
    source = _labelme(tmp_path / "a.json", 30_000, 30_000, bits, 12_000, 25_000)
    dataset, peak_read = _peak(lambda: labelme.read(source))
    (item,) = dataset.items
    mask = item.annotations[0].shape
    assert isinstance(mask, Mask) and (mask.width, mask.height) == (30_000, 30_000)
    crop, x, y = mask.crop()
    assert (x, y) == (12_020, 25_050) and np.array_equal(crop, bits[50:350, 20:280])
    out = tmp_path / "out"
    _, peak_write = _peak(lambda: labelme.write(dataset, out))
    (again,) = labelme.read(out).items
    assert again.annotations[0].shape == mask
    assert max(peak_read, peak_write) < 50 * MB, (peak_read, peak_write)


def test_labelme_sizes_past_the_limits_are_refused_per_file(tmp_path):
    bits = np.ones((2, 2), bool)
    _labelme(tmp_path / "wide.json", 10_000_000_000, 5, bits, 0, 0)
    _labelme(tmp_path / "vast.json", 200_000, 200_000, bits, 0, 0)
    _labelme(tmp_path / "ok.json", 100, 100, bits, 0, 0)
    oversized = _labelme(tmp_path / "oversized.json", 100, 100, np.ones((200, 50), bool), 0, 0)
    dataset = get_format("labelme").read(tmp_path)
    messages = [str(i) for i in dataset.issues]
    assert any("wide.json" in m and "imageWidth 10000000000 is past the limit" in m for m in messages), messages
    assert any("vast.json" in m and "imageWidth x imageHeight 200000 x 200000" in m for m in messages), messages
    assert any(oversized.name in m and "larger than its 100x100 image" in m for m in messages), messages
    assert sorted(i.file_name.split(".")[0] for i in dataset.items) == ["ok", "oversized"]


def test_declared_size_that_the_image_does_not_have_is_a_mismatch_not_an_allocation(ws, tmp_path):
    _good(tmp_path / "small.png")
    _labelme(tmp_path / "small.json", 100_000, 100_000, np.ones((5, 5), bool), 10, 10, image="small.png")
    report, peak = _peak(lambda: import_dataset(ws, "labelme", tmp_path / "small.json"))
    assert report.annotations_added == 0
    assert any("100000x100000" in m and "16x12" in m for m in report.messages), report.messages
    assert peak < 50 * MB


def _cvat(path: Path, image: str) -> Path:
    path.write_text(f'<?xml version="1.0"?>\n<annotations><version>1.1</version>{image}</annotations>')
    return path


def test_cvat_masks_with_impossible_runs_are_refused_quickly(tmp_path):
    many = ", ".join(["1"] * 200)
    shapes = (
        '<box label="a" xtl="1" ytl="2" xbr="30" ybr="40" occluded="0"/>'
        '<mask label="a" rle="0, 10000000000" left="0" top="0" width="100000" height="100000"/>'
        '<mask label="a" rle="0, 10000000000" left="0" top="0" width="10" height="10"/>'
        f'<mask label="a" rle="{many}" left="0" top="0" width="10" height="10"/>'
        '<mask label="a" rle="5, 10, 85" left="600" top="400" width="10" height="10"/>'
    )
    file = _cvat(tmp_path / "annotations.xml", f'<image id="0" name="a.png" width="640" height="480">{shapes}</image>'
                 '<image id="1" name="vast.png" width="200000" height="200000"><box label="a" xtl="1" ytl="2" '
                 'xbr="30" ybr="40"/></image>')
    start = time.perf_counter()
    dataset, peak = _peak(lambda: get_format("cvat").read(file))
    assert time.perf_counter() - start < 2 and peak < 50 * MB
    messages = [str(i) for i in dataset.issues]
    assert sum("larger than its 640x480 image" in m for m in messages) == 1, messages
    assert sum("does not cover its 10x10 box" in m for m in messages) == 1, messages
    assert sum("more runs than its 10x10 box" in m for m in messages) == 1, messages
    assert any("vast.png" in m and "200000 x 200000" in m for m in messages), messages
    (item,) = dataset.items
    kinds = [a.shape.kind for a in item.annotations]
    assert kinds == ["box", "mask"]
    crop, x, y = item.annotations[1].shape.crop()
    assert (x, y) == (600, 400) and crop.sum() == 10 and crop.shape == (2, 10)


# ---------------------------------------------------------------- a huge image with masks, imported and opened


def _import_and_open(ws, tmp_path, width: int, height: int):
    folder = tmp_path / "data"
    folder.mkdir()
    write_png(folder / "scan.png", width, height)
    bits = np.zeros((500, 700), bool)
    bits[100:400, 100:600] = True
    _labelme(folder / "scan.json", width, height, bits, width - 1000, height - 800, image="scan.png")
    report, peak_import = _peak(lambda: import_dataset(ws, "labelme", folder))
    assert (report.media_added, report.annotations_added) == (1, 2), report.messages
    (task,) = ws.tasks()
    assert (task.status, task.width, task.height) == (TaskStatus.NEW, width, height)
    (mask,) = [a.shape for a in ws.annotations(task.id) if isinstance(a.shape, Mask)]
    assert mask.crop()[1:] == (width - 900, height - 700)
    pyramid, peak_build = _peak(lambda: PyramidCache(tmp_path / "cache").build(task.media_path, task.content_hash))
    assert (pyramid.width, pyramid.height) == (width, height)
    level0 = pyramid.level(0)
    assert level0.shape == (height, width) and level0[0, width // 2 - 1] == 0 and level0[0, width // 2] == 255
    assert level0[1000, -1] == 255 and level0[1001, -1] == 0
    assert max(peak_import, peak_build) < 100 * MB, (peak_import, peak_build)  # level 0 alone is width x height bytes


def test_225_mp_png_with_a_mask_imports_and_its_pyramid_builds(ws, tmp_path):
    _import_and_open(ws, tmp_path, 15_000, 15_000)


@pytest.mark.slow
@pytest.mark.parametrize("width, height", [(30_000, 30_000), (40_000, 30_000)])  # 900 MP; 1.2 GP, past OpenCV's limit
def test_gigapixel_png_with_a_mask_imports_and_its_pyramid_builds(ws, tmp_path, width, height):
    _import_and_open(ws, tmp_path, width, height)
    if width * height > 1 << 30:  # so the pyramid was built without OpenCV
        with pytest.raises(MediaError, match="too large for OpenCV"):
            decode_image(tmp_path / "data" / "scan.png")
