"""numpy images to QImage: every layout the decoder returns, and the 16-bit percentile stretch."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtGui import QColor

from widgets.image_layer import ImageFormatError, array_to_qimage, stretch_to_8bit


def rgb(image, x, y):
    c = QColor(image.pixel(x, y))
    return c.red(), c.green(), c.blue()


def test_bgr_gray_and_bgra_keep_their_colours():
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[1, 2] = (255, 0, 0)  # blue in OpenCV's order
    assert rgb(array_to_qimage(bgr), 2, 1) == (0, 0, 255)
    gray = np.arange(20, dtype=np.uint8).reshape(4, 5) * 10
    assert rgb(array_to_qimage(gray), 3, 2) == (130, 130, 130)
    bgra = np.zeros((4, 5, 4), np.uint8)
    bgra[0, 0] = (0, 0, 255, 255)  # opaque red
    bgra[0, 1] = (0, 255, 0, 0)  # transparent
    image = array_to_qimage(bgra)
    assert rgb(image, 0, 0) == (255, 0, 0)
    assert QColor.fromRgba(image.pixel(1, 0)).alpha() == 0


def test_image_owns_its_pixels():
    array = np.full((8, 8, 3), 200, np.uint8)
    image = array_to_qimage(array[:, ::-1])  # a non-contiguous view as well
    array[:] = 0
    del array
    assert rgb(image, 4, 4) == (200, 200, 200)


def test_16_bit_stretch_uses_percentiles_not_the_high_byte():
    values = np.linspace(3000, 4000, 10_000).reshape(100, 100).astype(np.uint16)
    values[0, 0] = 65535  # one hot pixel must not squash the rest
    out = stretch_to_8bit(values)
    assert out.dtype == np.uint8
    assert out[1, 0] <= 2 and out[98, 99] >= 253
    assert 120 < out[50, 0] < 135
    high_byte = values[1:] >> 8  # what "take the high byte" would show: 11..15, nearly black
    assert int(high_byte.max()) - int(high_byte.min()) <= 4
    assert int(out[1:].max()) - int(out[1:].min()) >= 250
    flat = stretch_to_8bit(np.full((5, 5), 1234, np.uint16))
    assert flat.min() == flat.max()


def test_16_bit_colour_and_alpha():
    bgra = np.zeros((2, 2, 4), np.uint16)
    bgra[..., 2] = [[1000, 2000], [3000, 4000]]
    bgra[..., 3] = 65535
    image = array_to_qimage(bgra)
    assert QColor.fromRgba(image.pixel(0, 0)).alpha() == 255
    assert rgb(image, 1, 1)[0] > rgb(image, 0, 0)[0]


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros((4, 4), np.float32), "dtype"),
        (np.zeros((4, 4, 2), np.uint8), "shape"),
        (np.zeros((0, 4), np.uint8), "empty"),
        ([[1, 2]], "numpy array"),
    ],
)
def test_bad_arrays_are_refused_with_the_reason(array, message):
    with pytest.raises(ImageFormatError, match=message):
        array_to_qimage(array)
