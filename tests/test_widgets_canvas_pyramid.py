"""Huge images on the canvas: opened from a tile pyramid built in the background (overview first) and cached on disk,
drawn from the level nearest the zoom, with bounded tile memory. The size threshold is lowered so a 4 MP JPEG counts
as huge; everything else is the real path."""

import itertools
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPointF

import core.pyramid_cache
import widgets.canvas
import widgets.image_tiles
from core.pyramid import PyramidError
from tests.test_widgets_canvas import pixel, view_pos, viewport_image, wheel
from widgets.canvas import ImageCanvas

W, H = 2400, 1600


@pytest.fixture
def huge_jpeg(tmp_path, monkeypatch):
    """Quadrants: red | green over blue | white, with a 1-px black grid every 64 px (to check alignment)."""
    monkeypatch.setattr(core.pyramid_cache, "HUGE_PIXELS", 1_000_000)
    monkeypatch.setenv("ANNODESK_CACHE_DIR", str(tmp_path / "cache"))
    image = np.empty((H, W, 3), np.uint8)
    image[: H // 2, : W // 2] = (0, 0, 255)
    image[: H // 2, W // 2 :] = (0, 255, 0)
    image[H // 2 :, : W // 2] = (255, 0, 0)
    image[H // 2 :, W // 2 :] = (255, 255, 255)
    path = tmp_path / "huge.jpg"
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


@pytest.fixture
def canvas(qtbot):
    view = ImageCanvas()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.loader.wait(30)


def colour_at(canvas, x, y):
    c = pixel(viewport_image(canvas), view_pos(canvas, x, y))
    return c.red(), c.green(), c.blue()


def close(a, b, tolerance=40):
    return all(abs(p - q) <= tolerance for p, q in zip(a, b, strict=True))


def open_and_wait(canvas, qtbot, path):
    with qtbot.waitSignal(canvas.image_ready, timeout=60_000):
        canvas.open_image(path)


def test_huge_image_shows_its_overview_first_then_the_full_pyramid(canvas, qtbot, huge_jpeg, tmp_path):
    seen = []
    canvas.loader.overview.connect(lambda request, pyramid: seen.append(("overview", pyramid.complete)))
    canvas.loader.ready.connect(lambda request, pyramid: seen.append(("ready", pyramid.complete)))
    open_and_wait(canvas, qtbot, huge_jpeg)
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen == [("overview", False), ("ready", True)]
    assert (canvas.image_rect().width(), canvas.image_rect().height()) == (W, H)
    canvas.fit_to_view()
    assert canvas.image_level() == 2  # 640 px for 2400: the 600 px level
    assert close(colour_at(canvas, 300, 300), (255, 0, 0))
    assert close(colour_at(canvas, 2100, 300), (0, 255, 0))
    assert close(colour_at(canvas, 300, 1300), (0, 0, 255))
    assert close(colour_at(canvas, 2100, 1300), (255, 255, 255))
    assert any((tmp_path / "cache" / "pyramids").glob("*/manifest.json"))


def test_zoomed_in_the_canvas_draws_full_resolution_pixels(canvas, qtbot, huge_jpeg):
    open_and_wait(canvas, qtbot, huge_jpeg)
    canvas.set_scale(4.0)
    canvas.centerOn(W / 2, H / 2)
    assert canvas.image_level() == 0
    left, right = view_pos(canvas, W / 2 - 6, H / 2 - 20), view_pos(canvas, W / 2 + 6, H / 2 - 20)
    image = viewport_image(canvas)
    assert close(rgb(pixel(image, left)), (255, 0, 0)) and close(rgb(pixel(image, right)), (0, 255, 0))
    # 4 screen pixels per image pixel, nearest neighbour: across the (JPEG-blurred) boundary, runs of 4 equal pixels
    row = [rgb(pixel(image, left + QPointF(dx, 0))) for dx in range(48)]
    runs = [1]
    for a, b in itertools.pairwise(row):
        runs[-1:] = [runs[-1] + 1] if a == b else [runs[-1], 1]
    assert len(runs) >= 3 and all(n % 4 == 0 for n in runs[1:-1])


def rgb(colour):
    return colour.red(), colour.green(), colour.blue()


def test_reopening_reads_the_cached_pyramid_at_once(canvas, qtbot, huge_jpeg):
    open_and_wait(canvas, qtbot, huge_jpeg)
    overviews = []
    canvas.loader.overview.connect(lambda *args: overviews.append(args))
    canvas.show_message("another task")
    with qtbot.waitSignal(canvas.image_ready, timeout=1000):
        canvas.open_image(huge_jpeg)  # answered from the cache, before open_image returns
    assert overviews == [] and canvas.image_level() is not None and not canvas.message.isVisible()


def test_a_build_for_an_image_the_user_left_is_ignored(canvas, qtbot, huge_jpeg):
    canvas.open_image(huge_jpeg)
    canvas.set_image(np.full((100, 100, 3), 50, np.uint8))  # moved on before the pyramid was ready
    canvas.loader.wait(60)
    qtbot.wait(50)  # deliver the late signals
    assert (canvas.image_rect().width(), canvas.image_rect().height()) == (100, 100)


def test_tile_memory_stays_bounded_while_panning(canvas, qtbot, huge_jpeg, monkeypatch):
    monkeypatch.setattr(widgets.image_tiles, "CACHE_BYTES", 8 * 256 * 256 * 4)  # eight tiles
    open_and_wait(canvas, qtbot, huge_jpeg)
    canvas.set_scale(1.0)
    item = canvas._image_item
    bar = canvas.horizontalScrollBar()
    for value in range(bar.minimum(), bar.maximum(), 200):
        bar.setValue(value)
        canvas.viewport().repaint()
        assert item.cached_bytes <= widgets.image_tiles.CACHE_BYTES + 256 * 256 * 4
    made = item.tiles_made
    canvas.viewport().repaint()
    assert item.tiles_made == made  # what is on screen is cached


def settle_prefetch(canvas, qtbot):
    """Let the user pause: the worker finishes its plan and the event loop takes its tiles."""
    item = canvas._image_item
    qtbot.waitUntil(item.prefetcher.idle, timeout=10_000)
    qtbot.wait(20)


def test_after_a_pause_a_zoom_step_paints_prefetched_tiles_only(canvas, qtbot, huge_jpeg, monkeypatch):
    monkeypatch.setattr(widgets.canvas, "SETTLE_MS", 60_000)  # sharp tiles may only come from the prefetch
    open_and_wait(canvas, qtbot, huge_jpeg)
    canvas.set_scale(0.3)
    canvas.centerOn(W / 2, H / 2)
    item = canvas._image_item
    for anchor, delta in (((100, 100), 120), ((550, 400), 120), ((20, 440), -120), ((600, 30), -120)):
        viewport_image(canvas)
        settle_prefetch(canvas, qtbot)
        made = item.tiles_made
        with monkeypatch.context() as m:  # a paint that reads a pyramid level (the disk) now fails
            m.setattr(item.pyramid, "level", no_disk_reads)
            wheel(canvas, QPointF(*anchor), delta)
            frame = viewport_image(canvas)  # the notch's own frame
        assert item.sharp and item.tiles_made == made  # every visible tile sharp, none rendered in the paint
        assert frame == reference_frame(canvas)


def no_disk_reads(k):
    raise AssertionError(f"level {k} read while painting")


def reference_frame(canvas):
    """The same view drawn from scratch, every tile rendered on the UI thread."""
    item = canvas._image_item
    item.set_pyramid(item.pyramid)
    canvas.settle_zoom()
    return viewport_image(canvas)


def test_a_zoom_step_straight_after_another_stands_in_until_the_worker_delivers(canvas, qtbot, huge_jpeg, monkeypatch):
    monkeypatch.setattr(widgets.canvas, "SETTLE_MS", 60_000)
    open_and_wait(canvas, qtbot, huge_jpeg)
    canvas.set_scale(0.3)
    viewport_image(canvas)
    settle_prefetch(canvas, qtbot)
    item = canvas._image_item
    made = item.tiles_made
    wheel(canvas, QPointF(300, 200))
    wheel(canvas, QPointF(300, 200))  # two steps in: nothing was prefetched for this zoom
    stand_in = viewport_image(canvas)
    assert not item.sharp and item.tiles_made == made
    x, y = canvas.mapToScene(300, 200).toTuple()
    expected = [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]][y >= H // 2][x >= W // 2]
    assert close(rgb(pixel(stand_in, QPointF(300, 200))), expected)  # the last zoom's tiles, scaled
    qtbot.waitUntil(lambda: item.sharp, timeout=10_000)  # the worker's tiles arrive and are painted by themselves
    assert item.tiles_made == made and viewport_image(canvas) == reference_frame(canvas)


def test_tiles_prefetched_for_other_zooms_respect_the_memory_bound(canvas, qtbot, huge_jpeg, monkeypatch):
    monkeypatch.setattr(widgets.image_tiles, "CACHE_BYTES", 24 * 256 * 256 * 4)
    open_and_wait(canvas, qtbot, huge_jpeg)
    item = canvas._image_item
    for scale in (0.3, 0.6, 1.0, 2.0):
        canvas.set_scale(scale)
        viewport_image(canvas)
        settle_prefetch(canvas, qtbot)
        assert item.prefetcher.rendered > 0 and item.cached_bytes <= widgets.image_tiles.CACHE_BYTES


def test_unreadable_huge_file_is_reported_with_its_name(canvas, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNODESK_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    with pytest.raises(PyramidError, match=r"scan\.jpg"):
        canvas.open_image(path)


def test_16_bit_tiff_through_the_canvas(canvas, qtbot, tmp_path, monkeypatch):
    import tifffile

    monkeypatch.setattr(core.pyramid_cache, "HUGE_PIXELS", 100_000)
    monkeypatch.setenv("ANNODESK_CACHE_DIR", str(tmp_path / "cache"))
    ramp = np.tile(np.linspace(1000, 1255, 800), (600, 1)).astype(np.uint16)  # high byte alone would be black
    path = tmp_path / "ramp.tif"
    tifffile.imwrite(path, ramp, tile=(256, 256))
    open_and_wait(canvas, qtbot, path)
    canvas.fit_to_view()
    left, middle, right = (colour_at(canvas, x, 300)[0] for x in (4, 400, 795))
    assert left < 15 and right > 240 and 100 < middle < 155
