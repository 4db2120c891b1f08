"""core.media on real files written with OpenCV, numpy and Pillow."""

import cv2
import numpy as np
import pytest
from PIL import Image

from core.media import IMAGE_EXTENSIONS, MediaError, content_hash, decode_image, iter_media_files, probe_image


def _write(path, image):
    ok, data = cv2.imencode(path.suffix, image)
    assert ok
    data.tofile(path)
    return path


def _noise(h, w, channels=3, dtype=np.uint8):
    rng = np.random.default_rng(0)
    top = np.iinfo(dtype).max
    shape = (h, w) if channels == 1 else (h, w, channels)
    return cv2.GaussianBlur(rng.integers(0, top, shape, dtype=dtype), (0, 0), 2)


def test_probe_8bit_jpeg_and_hash(tmp_path):
    path = _write(tmp_path / "a.jpg", _noise(48, 64))
    info = probe_image(path)
    assert (info.width, info.height) == (64, 48)
    assert info.size == path.stat().st_size
    assert info.content_hash == content_hash(path) and len(info.content_hash) == 64
    other = _write(tmp_path / "b.jpg", _noise(48, 64) // 2)
    assert probe_image(other).content_hash != info.content_hash


def test_decode_16bit_png_stays_uint16(tmp_path):
    image = _noise(30, 40, dtype=np.uint16)
    path = _write(tmp_path / "deep.png", image)
    decoded = decode_image(path)
    assert decoded.dtype == np.uint16 and decoded.shape == (30, 40, 3)
    assert np.array_equal(decoded, image)
    assert (probe_image(path).width, probe_image(path).height) == (40, 30)


def test_decode_grayscale_stays_2d(tmp_path):
    gray = _noise(20, 30, channels=1)
    path = _write(tmp_path / "gray.png", gray)
    decoded = decode_image(path)
    assert decoded.shape == (20, 30) and decoded.dtype == np.uint8
    assert np.array_equal(decoded, gray)
    gray16 = _noise(20, 30, channels=1, dtype=np.uint16)
    assert decode_image(_write(tmp_path / "gray16.tif", gray16)).dtype == np.uint16


def test_exif_rotation_is_applied_to_size_and_pixels(tmp_path):
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = 255  # left half white: after a 90 degree clockwise turn the top half is white
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    Image.fromarray(pixels).save(path, exif=exif, quality=95)
    info = probe_image(path)
    assert (info.width, info.height) == (20, 40)
    decoded = decode_image(path)
    assert decoded.shape == (40, 20, 3)
    assert decoded[:15].mean() > 200 and decoded[25:].mean() < 50


def test_non_ascii_path(tmp_path):
    folder = tmp_path / "Пример données 写真"
    folder.mkdir()
    path = _write(folder / "снимок.png", _noise(10, 12))
    assert probe_image(path).width == 12
    assert decode_image(path).shape == (10, 12, 3)


def test_png_named_jpg_is_readable_by_content(tmp_path):
    png_bytes = cv2.imencode(".png", _noise(10, 12))[1]
    path = tmp_path / "mislabelled.jpg"
    png_bytes.tofile(path)
    assert (probe_image(path).width, probe_image(path).height) == (12, 10)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jpg", b"", "empty file"),
        ("notes.jpg", b"this is a text file, not a JPEG\n" * 10, "not an image"),
    ],
)
def test_bad_files_raise_media_error_naming_the_file(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError, match=reason) as info:
        probe_image(path)
    assert name in str(info.value)
    with pytest.raises(MediaError, match=name):
        decode_image(path)


def test_truncated_jpeg_and_png_are_caught(tmp_path):
    for suffix in (".jpg", ".png"):
        whole = _write(tmp_path / f"whole{suffix}", _noise(400, 600))
        data = whole.read_bytes()
        cut = tmp_path / f"cut{suffix}"
        cut.write_bytes(data[: len(data) // 2])
        probe_image(whole)
        with pytest.raises(MediaError, match="truncated") as info:
            probe_image(cut)
        assert info.value.path == str(cut)


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="cannot read"):
        probe_image(tmp_path / "gone.png")


def test_iter_media_files_recursive_sorted_by_extension(tmp_path):
    (tmp_path / "b" / "deep").mkdir(parents=True)
    for rel in ("b/deep/z.PNG", "b/a.jpg", "a.tif", "notes.txt", "b/deep/readme.md"):
        (tmp_path / rel).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_media_files([tmp_path])]
    assert found == ["a.tif", "b/a.jpg", "b/deep/z.PNG"]
    single = tmp_path / "a.tif"
    assert list(iter_media_files([single, tmp_path / "notes.txt"])) == [single]
    assert {".jpg", ".png", ".tif", ".tiff", ".bmp", ".webp"} <= IMAGE_EXTENSIONS
