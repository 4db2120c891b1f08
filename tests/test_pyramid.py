"""Tile pyramids: level sizes and pixels, the on-disk cache (reuse, 16-bit and tiled TIFF, JPEG overview first), and
bad files. Real images are written with OpenCV and tifffile in tmp_path."""

import json

import cv2
import numpy as np
import pytest
import tifffile

from core.pyramid import TILE, Pyramid, PyramidError, level_sizes
from core.pyramid_cache import MANIFEST, PyramidCache, image_size, stream_tiff_level0


def blocks(width, height, block, dtype=np.uint8, channels=3, seed=0):
    """An image of constant block x block squares of random values: area averaging gives exact block means."""
    rng = np.random.default_rng(seed)
    top = 255 if dtype == np.uint8 else 65535
    cells = rng.integers(0, top, size=(-(-height // block), -(-width // block), channels), dtype=np.int64)
    image = np.repeat(np.repeat(cells, block, axis=0), block, axis=1)[:height, :width].astype(dtype)
    return image if channels > 1 else image[..., 0]


def test_level_sizes_halve_rounding_up_until_one_tile():
    assert level_sizes(5000, 1201) == [(5000, 1201), (2500, 601), (1250, 301), (625, 151), (313, 76)]
    assert level_sizes(TILE, 10) == [(TILE, 10)]


def test_in_memory_levels_are_area_averages_of_the_level_below():
    image = blocks(1600, 1200, 4)
    pyramid = Pyramid.from_array(image)
    assert pyramid.level_count == 3
    level1 = pyramid.level(1)
    assert level1.shape == (600, 800, 3)
    assert np.array_equal(level1, image[::2, ::2])  # each 2x2 block of level 0 is one value
    level2 = pyramid.level(2)
    expected = image.reshape(300, 4, 400, 4, 3).astype(np.float64).mean(axis=(1, 3))
    assert np.abs(level2.astype(np.float64) - expected).max() <= 1.0
    tile = pyramid.tile(1, 1, 1)  # the bottom-right tile is cut at the level's edge
    assert tile.shape == (600 - TILE, 800 - TILE, 3)
    assert np.array_equal(tile, level1[TILE:, TILE:])


def test_level_for_scale_picks_the_nearest_available_level():
    pyramid = Pyramid.from_array(blocks(4000, 3000, 8))
    assert [pyramid.level_for_scale(s) for s in (2.0, 1.0, 0.6, 0.4, 0.26, 0.01)] == [0, 0, 1, 1, 2, 3]
    coarse_only = Pyramid(4000, 3000, {3: pyramid.level(3)}, complete=False)
    assert coarse_only.level_for_scale(1.0) == 3 and not coarse_only.has_level(0)
    with pytest.raises(KeyError, match="not built"):
        coarse_only.level(0)


def test_jpeg_pyramid_is_built_once_and_read_back_from_the_cache(tmp_path):
    image = blocks(3000, 2000, 64, seed=1)
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    cache = PyramidCache(tmp_path / "cache")
    assert cache.open(path) is None
    overviews = []
    pyramid = cache.build(path, on_overview=overviews.append)
    [overview] = overviews  # the JPEG's 1/8-scale decode came first
    assert not overview.complete and overview.available_levels() == [3]
    assert overview.level(3).shape == (250, 375, 3)
    assert np.abs(overview.level(3).astype(int) - image[4::8, 4::8].astype(int)).mean() < 6
    assert pyramid.complete and pyramid.level_count == 4
    for k, (w, h) in enumerate(level_sizes(3000, 2000)):
        level = pyramid.level(k)
        assert level.shape == (h, w, 3) and isinstance(level, np.memmap)
    assert np.abs(pyramid.level(0).astype(int) - image.astype(int)).mean() < 3  # JPEG loss only
    assert np.abs(pyramid.level(2).astype(int) - image[2::4, 2::4].astype(int)).mean() < 3
    [folder] = [f for f in (tmp_path / "cache").iterdir()]
    assert json.loads((folder / MANIFEST).read_text())["levels"] == 4
    stamps = {f.name: f.stat().st_mtime_ns for f in folder.glob("level*.npy")}
    again = cache.build(path, on_overview=overviews.append)  # cached: no overview, no rewrite
    assert len(overviews) == 1
    assert {f.name: f.stat().st_mtime_ns for f in folder.glob("level*.npy")} == stamps
    assert np.array_equal(again.tile(1, 0, 0), pyramid.tile(1, 0, 0))


def test_content_hash_keys_the_cache_across_moves(tmp_path):
    path = tmp_path / "a.png"
    cv2.imwrite(str(path), blocks(700, 600, 10))
    cache = PyramidCache(tmp_path / "cache")
    cache.build(path, content_hash="ab" * 32)
    moved = path.rename(tmp_path / "b.png")
    assert cache.open(moved, content_hash="ab" * 32) is not None
    assert cache.open(moved) is None  # by path, size and mtime it is a new file


def test_16_bit_tiled_tiff_is_streamed_tile_by_tile(tmp_path):
    rgb = blocks(1100, 700, 2, dtype=np.uint16, seed=2)
    path = tmp_path / "scan.tif"
    tifffile.imwrite(path, rgb, tile=(256, 256), photometric="rgb")
    assert image_size(path) == (1100, 700)
    (tmp_path / "probe").mkdir()
    assert stream_tiff_level0(path, tmp_path / "probe") is not None  # read tile by tile, not decoded whole
    pyramid = PyramidCache(tmp_path / "cache").build(path)
    level0 = pyramid.level(0)
    assert level0.dtype == np.uint16
    assert np.array_equal(level0, rgb[..., ::-1])  # exact, in BGR order
    assert np.array_equal(pyramid.level(1), rgb[::2, ::2, ::-1])
    lo, hi = pyramid.value_range
    assert 0 <= lo < 2000 and 63000 < hi <= 65535


@pytest.mark.parametrize("compression", [1, 5])  # none: streamed by strips; LZW: the generic decoder
def test_16_bit_grey_striped_tiff(tmp_path, compression):
    grey = blocks(900, 650, 2, dtype=np.uint16, channels=1, seed=3) // 16 + 1000
    path = tmp_path / "grey.tif"
    assert cv2.imwrite(str(path), grey, [cv2.IMWRITE_TIFF_COMPRESSION, compression])
    pyramid = PyramidCache(tmp_path / "cache").build(path)
    assert np.array_equal(pyramid.level(0), grey)
    assert pyramid.level(1).shape == (325, 450)
    lo, hi = pyramid.value_range
    assert 1000 <= lo < hi <= 1000 + 4096


@pytest.mark.parametrize("content", [b"", b"\xff\xd8\xff\xe0 not really a jpeg", b"II*\x00garbage"])
def test_unreadable_files_fail_clearly_and_leave_no_partial_cache(tmp_path, content):
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    cache = PyramidCache(tmp_path / "cache")
    with pytest.raises((PyramidError, OSError), match=r"broken\.jpg"):
        cache.build(path)
    assert not any((tmp_path / "cache").glob("*"))


def test_prune_keeps_the_cache_under_its_budget(tmp_path):
    cache = PyramidCache(tmp_path / "cache", max_bytes=1)
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.png")
        cv2.imwrite(str(paths[-1]), blocks(600, 600, 10, seed=i))
        cache.build(paths[-1])
    assert [cache.open(p) is not None for p in paths] == [False, False, True]  # only the newest survives
