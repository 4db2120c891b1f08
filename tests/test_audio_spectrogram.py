"""Spectrogram tiles (core.audio.spectrogram) and the layer that caches and draws them (widgets.spectrogram_layer):
tones land in their bins and bands, the dB range clips, tiles join without seams (sparse and dense reads, WAV and
MP3), channels, and the layer's worker, cache, stand-ins and failure message."""

import threading

import numpy as np
import pytest

from core.audio.spectrogram import (
    COLOURS,
    MIX,
    TILE_COLUMNS,
    Overview,
    SpectrogramSettings,
    WindowReader,
    colourize,
    column_times,
    fft_size,
    frames_from_samples,
    frequency_at,
    level_for,
    mel_filterbank,
    overview_level,
    power_spectra,
    render_tile,
    spectrogram,
    tile_span,
    tiles_for,
    to_db,
)
from tests.audio_samples import convert, write_wav

RATE = 16000
TONES = (1000.0, 3000.0)  # channel 0, channel 1
SECONDS = 40.0


def tone(freq: float, amplitude: float = 0.5, seconds: float = 1.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None]


def tile_db(samples: np.ndarray, settings: SpectrogramSettings, n_fft: int = 1024, rate: int = RATE) -> np.ndarray:
    centres = np.arange(n_fft, samples.shape[1] - n_fft, 256)
    return to_db(power_spectra(frames_from_samples(samples, 0, centres, n_fft))[0], rate, settings)


@pytest.fixture(scope="module")
def stereo(tmp_path_factory):
    """40 s at 16 kHz: a 1 kHz tone on channel 0, 3 kHz on channel 1, as WAV and as 128 kb/s MP3."""
    folder = tmp_path_factory.mktemp("spectrogram")
    data = np.concatenate([tone(f, 0.5, SECONDS) for f in TONES])
    wav = write_wav(folder / "tones.wav", data, RATE)
    return {"wav": wav, "mp3": convert(wav, folder / "tones.mp3", "-b:a", "128k")}


def test_a_sine_peaks_in_its_bin_at_its_level():
    settings = SpectrogramSettings()
    for freq in (1000.0, 1234.0, 5600.0):
        db = tile_db(tone(freq), settings)
        assert np.all(db.argmax(axis=0) == round(freq * 1024 / RATE))
    db = tile_db(tone(1000.0, amplitude=1.0), settings)  # 1 kHz is bin 64 exactly
    assert abs(db.max() - 0.0) < 0.05  # a full-scale sine is 0 dB
    assert abs(tile_db(tone(1000.0, amplitude=0.1), settings).max() + 20.0) < 0.05


def test_a_sine_peaks_in_its_mel_band():
    settings = SpectrogramSettings(scale="mel", n_mels=64)
    for freq in (300.0, 1000.0, 5600.0):
        db = tile_db(tone(freq), settings)
        assert db.shape[0] == 64
        row = int(np.bincount(db.argmax(axis=0)).argmax())
        bank = mel_filterbank(RATE, 1024, 64, RATE / 2)
        assert row == bank[:, round(freq * 1024 / RATE)].argmax()
        assert abs(frequency_at((row + 0.5) / 64, RATE, settings) - freq) < 0.1 * freq


def test_the_mel_bank_is_cached_and_has_no_empty_band():
    assert mel_filterbank(RATE, 128, 128, 8000.0) is mel_filterbank(RATE, 128, 128, 8000.0)
    bank = mel_filterbank(RATE, 128, 128, 8000.0)  # bands narrower than a bin at low frequencies
    assert bank.shape == (128, 65) and np.all(bank.max(axis=1) > 0)


def test_max_frequency_limits_the_rows():
    settings = SpectrogramSettings(max_hz=4000.0)
    assert tile_db(tone(1000.0), settings).shape[0] == 4000 * 1024 // RATE + 1
    assert frequency_at(1.0, RATE, settings) == 4000.0 and frequency_at(1.0, RATE, SpectrogramSettings()) == 8000.0


def test_the_db_range_clips_and_maps_to_the_colour_ends():
    settings = SpectrogramSettings(floor_db=-60.0, top_db=-50.0)
    quiet = np.concatenate([tone(1000.0, amplitude=0.01), np.zeros((1, RATE), np.float32)], axis=1)  # -40 dB
    db = tile_db(quiet, settings)
    assert db.max() == -50.0 and db.min() == -60.0
    rgb = colourize(db, settings.floor_db, settings.top_db)
    assert rgb.shape == (*db.shape, 3) and rgb.dtype == np.uint8
    peak = db.shape[0] - 1 - 64  # the top row is the highest frequency
    assert np.all(rgb[peak, 0] == COLOURS[255]) and np.all(rgb[0, -1] == COLOURS[0])
    with pytest.raises(ValueError):
        SpectrogramSettings(floor_db=0.0, top_db=-10.0)
    with pytest.raises(ValueError):
        SpectrogramSettings(scale="log")  # type: ignore[arg-type]


def test_the_colour_map_rises_in_lightness():
    linear = np.where(COLOURS / 255 <= 0.04045, COLOURS / 255 / 12.92, ((COLOURS / 255 + 0.055) / 1.055) ** 2.4)
    luminance = linear @ [0.2126, 0.7152, 0.0722]
    assert np.all(np.diff(luminance) > 0) and luminance[0] < 0.01 and luminance[-1] > 0.85


def test_zoom_picks_levels_and_windows():
    assert level_for(1 / 100) == -7 and level_for(1.0) == 0 and level_for(0.0) <= -16
    assert tile_span(-7) == TILE_COLUMNS / 128 and list(tiles_for(-7, 3.0, 9.0)) == [0, 1, 2]
    sizes = [fft_size(44100, level) for level in range(-16, 3)]
    assert sizes == sorted(sizes) and sizes[0] == 128 and sizes[-1] == 1024  # finer in time when zoomed in


@pytest.mark.parametrize("kind", ["wav", "mp3"])
@pytest.mark.parametrize("level", [-10, -6, -2])  # dense reads (one block); -2: each column's window read alone
def test_adjacent_tiles_equal_one_wider_computation(stereo, kind, level):
    reader = WindowReader(stereo[kind])
    try:
        settings = SpectrogramSettings(scale="mel", n_mels=64)
        n_fft = fft_size(reader.rate, level)
        index = max(1, int(SECONDS / 2 / tile_span(level)))
        if (index + 2) * tile_span(level) > SECONDS:
            index = 0
        left = render_tile(reader, level, index, [0], settings)[0]
        right = render_tile(reader, level, index + 1, [0], settings)[0]
        wide = spectrogram(reader, column_times(level, index, 2 * TILE_COLUMNS), n_fft, [0], settings)[0]
        assert left.shape == (64, TILE_COLUMNS, 3)
        assert np.array_equal(np.concatenate([left, right], axis=1), wide)
    finally:
        reader.close()


@pytest.mark.parametrize("kind", ["wav", "mp3"])
def test_windows_read_one_by_one_equal_one_block(stereo, kind):
    """The preroll before each sparse read decodes the same samples as a long read (MP3's bit reservoir)."""
    reader = WindowReader(stereo[kind])
    try:
        centres = np.array([50_000, 90_011, 130_500, 200_123, 400_000])
        sparse = reader.windows(centres, 1024)
        block = reader.read(centres[0] - 512, centres[-1] - centres[0] + 1024)
        assert np.array_equal(sparse, frames_from_samples(block, centres[0] - 512, centres, 1024))
        assert np.abs(sparse).max() > 0.3
    finally:
        reader.close()


def test_channels_and_their_mix(stereo):
    reader = WindowReader(stereo["wav"])
    try:
        images = render_tile(reader, -6, 1, [1, 0, MIX], SpectrogramSettings())
        rows = {c: 512 - round(f * 1024 / RATE) for c, f in enumerate(TONES)}  # 513 rows, top row 8 kHz
        for channel, row in rows.items():
            bright = images[channel][:, 100].astype(int).sum(axis=1)
            assert bright.argmax() == row
        mix = images[MIX][:, 100].astype(int).sum(axis=1)  # each tone 3 dB below its channel's
        assert all(mix[row] > 400 for row in rows.values()) and np.median(mix) < 100
        with pytest.raises(ValueError):
            render_tile(reader, -6, 1, [2], SpectrogramSettings())
    finally:
        reader.close()


def test_past_the_end_is_silence(stereo):
    reader = WindowReader(stereo["wav"])
    try:
        image = render_tile(reader, -6, int(SECONDS / tile_span(-6)) + 3, [0], SpectrogramSettings())[0]
        assert np.all(image == COLOURS[0])
    finally:
        reader.close()


def bursts(seconds: float = 8.0) -> np.ndarray:
    """A full-scale 2 kHz tone (bin 128 of 1,024 at 16 kHz) for 50 ms at 0.3 s of every second, silence between."""
    t = np.arange(round(seconds * RATE)) / RATE
    return np.where((t % 1.0 >= 0.3) & (t % 1.0 < 0.35), np.sin(2 * np.pi * 2000 * t), 0).astype(np.float32)[None]


def overview_of(samples: np.ndarray, splits=()) -> Overview:
    overview = Overview(RATE, len(samples), samples.shape[1] / RATE)
    for part in np.split(samples, list(splits), axis=1):
        overview.feed(part)
    overview.finish()
    return overview


def test_the_overview_averages_the_power_of_every_window():
    samples = bursts()
    overview = overview_of(samples)
    assert overview.level == -3 and overview.complete
    centres = np.arange(0, samples.shape[1] + 1, 512)  # Hann windows at half a window: every sample weighs the same
    power = power_spectra(frames_from_samples(samples, 0, centres, 1024))[0, :, 128]  # the 2 kHz bin
    cells = centres // (RATE // 8)  # 0.125 s cells
    expected = 10 * np.log10(np.maximum(np.bincount(cells, power) / np.bincount(cells), 1e-12))
    db = overview.codes[0, : len(expected), 128] / 2 - 120
    assert np.abs(np.maximum(expected, -120) - db).max() <= 0.26  # 0.5 dB codes
    assert db.max() > -10 and db.min() < -100  # bursts and silence
    settings = SpectrogramSettings(floor_db=-30.0, top_db=0.0)
    column = overview.tile(-1, 0, [0], settings)[0][:, 2]  # 0.5 s columns: the one from 1 s holds a burst
    mean_db = 10 * np.log10(np.mean(10 ** (expected[8:12] / 10)))  # the mean of its four cells
    shown = int(np.flatnonzero((column[512 - 128] == COLOURS).all(axis=1))[0])
    assert abs(shown - (mean_db + 30) / 30 * 255) <= 2


def test_the_overview_does_not_depend_on_how_the_decode_is_chunked():
    samples = np.concatenate([bursts(), tone(500.0, 0.3, 8.0)])
    whole = overview_of(samples)
    assert np.array_equal(overview_of(samples, (1, 777, 5000, 60_001, 60_002)).codes, whole.codes)


def test_the_overview_covers_tiles_as_it_fills():
    samples = bursts(30.0)
    overview = Overview(RATE, 1, 30.0)
    assert not overview.covers(-3, 0)
    overview.feed(samples[:, : 20 * RATE])
    assert overview.covers(-3, 0) is False and overview.covers(-5, 0) is False  # -5 is finer than the overview
    assert 19.5 < overview.covered_s <= 20.0 and overview.covers(-4, 0) is False
    overview.feed(samples[:, 20 * RATE :])
    overview.finish()
    assert overview.covers(-3, 0) and overview.covers(4, 0)
    assert overview_level(3600.0, 2) == -3 and overview_level(8 * 3600.0, 2) == -1  # bounded memory


# The layer: worker, cache and painting, on a real WAV (the pixels at the tone's row are bright).


@pytest.fixture
def qt_layer(qtbot, stereo):
    from widgets.spectrogram_layer import SpectrogramLayer

    layers = []

    def make(opener=None, **kwargs):
        layer = SpectrogramLayer(opener or (lambda: stereo["wav"]), RATE, 2, SECONDS, **kwargs)
        layers.append(layer)
        return layer

    yield make
    for layer in layers:
        layer.close()


def paint(layer, t0, t1, channel=0, width=600, height=200):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0)
    painter = QPainter(image)
    layer.paint(painter, QRectF(0, 0, width, height), t0, t1, channel)
    painter.end()
    return image


def row_brightness(image, y):
    return np.mean([image.pixelColor(x, y).lightness() for x in range(10, image.width() - 10, 7)])


def tone_is_drawn(image, freq):
    """The brightest row is the tone's (within 2 px in a 0-8 kHz column) and bright; far rows are dark."""
    y = round((1 - freq / (RATE / 2)) * image.height())
    rows = [row_brightness(image, row) for row in range(image.height())]
    return abs(int(np.argmax(rows)) - y) <= 2 and max(rows) > 150 and np.median(rows) < 40


def test_missing_tiles_are_requested_arrive_and_are_cached(qtbot, qt_layer):
    from widgets.spectrogram_layer import NEUTRAL

    layer = qt_layer()
    with qtbot.waitSignal(layer.changed, timeout=10_000):
        first = paint(layer, 0.0, 5.0)
    assert first.pixelColor(300, 100) == NEUTRAL  # nothing decoded on the UI thread
    qtbot.waitUntil(layer.idle, timeout=10_000)
    image = paint(layer, 0.0, 5.0)
    assert tone_is_drawn(image, TONES[0])
    made = layer.rendered
    level = level_for(5.0 / 600)
    assert all(layer.cached((layer.settings, level, i, 0)) for i in tiles_for(level, 0.0, 5.0))
    paint(layer, 0.0, 5.0)
    qtbot.wait(50)
    assert layer.rendered == made  # repaints and the tile ahead draw from the cache
    assert layer.idle()


def test_channels_draw_their_own_tone(qtbot, qt_layer):
    layer = qt_layer()
    for channel in (0, 1):
        paint(layer, 10.0, 12.0, channel)
    qtbot.waitUntil(layer.idle, timeout=10_000)
    for channel, freq in enumerate(TONES):
        image = paint(layer, 10.0, 12.0, channel)
        assert tone_is_drawn(image, freq)
    assert layer.rendered == 2 * 4  # tiles 10 and 11 (1 s each) and one either side, for both channels, once


def test_tiles_scrolled_away_are_never_made(qtbot, qt_layer, stereo):
    gate = threading.Event()

    def slow_opener():
        gate.wait(10)
        return stereo["wav"]

    layer = qt_layer(slow_opener)
    level = level_for(2.0 / 600)
    paint(layer, 0.0, 2.0)  # tile 0 goes in hand (the worker waits in the opener), tile 1 is planned
    paint(layer, 20.0, 22.0)  # scrolled: this replaces the plan
    gate.set()
    qtbot.waitUntil(layer.idle, timeout=10_000)
    far = tiles_for(level, 20.0, 22.0)
    assert all(layer.cached((layer.settings, level, i, 0)) for i in far)
    assert not layer.cached((layer.settings, level, 1, 0))


def test_coarser_and_finer_tiles_stand_in_while_one_is_made(qtbot, qt_layer):
    from widgets.spectrogram_layer import NEUTRAL

    layer = qt_layer()
    paint(layer, 0.0, 8.0)
    qtbot.waitUntil(layer.idle, timeout=10_000)
    zoomed = paint(layer, 2.0, 4.0)  # four times finer: not made yet
    assert zoomed.pixelColor(300, 100) != NEUTRAL
    assert tone_is_drawn(zoomed, TONES[0])
    qtbot.waitUntil(layer.idle, timeout=10_000)
    wider = paint(layer, 0.0, 16.0)  # twice coarser: its finer halves stand in
    assert wider.pixelColor(100, 100) != NEUTRAL and tone_is_drawn(wider, TONES[0])
    qtbot.waitUntil(layer.idle, timeout=10_000)


def test_settings_change_the_tiles_and_the_cache_is_bounded(qtbot, qt_layer):
    layer = qt_layer(cache_mb=3)
    for start in (0.0, 6.0, 12.0, 18.0):
        paint(layer, start, start + 5.0)
        qtbot.waitUntil(layer.idle, timeout=10_000)
        paint(layer, start, start + 5.0)
    assert layer.cached_bytes <= 3 * 2**20
    with qtbot.waitSignal(layer.changed):
        layer.set_settings(SpectrogramSettings(scale="mel", n_mels=64))
    paint(layer, 0.0, 5.0)
    qtbot.waitUntil(layer.idle, timeout=10_000)
    image = paint(layer, 0.0, 5.0)
    rows = [row_brightness(image, y) for y in range(0, 200, 2)]
    assert max(rows) > 150 and np.median(rows) < 40


def test_sketches_are_made_again_from_the_overview(qtbot, qt_layer, stereo):
    gate, calls = threading.Event(), []

    def opener():  # the first call is the tiles' reader, the second the overview pass: held until the gate opens
        calls.append(1)
        if len(calls) > 1:
            gate.wait(10)
        return stereo["wav"]

    layer = qt_layer(opener)
    paint(layer, 0.0, SECONDS, width=100)  # 0.4 s a pixel: level -2, at the overview's levels
    key = (layer.settings, -2, 0, 0)
    qtbot.waitUntil(lambda: layer.cached(key), timeout=10_000)
    paint(layer, 0.0, SECONDS, width=100)
    assert key in layer.sketches
    gate.set()
    qtbot.waitUntil(layer.idle, timeout=10_000)
    made = layer.rendered
    with qtbot.waitSignal(layer.changed, timeout=10_000):
        paint(layer, 0.0, SECONDS, width=100)  # the overview covers the sketch now: it is made again
    qtbot.waitUntil(layer.idle, timeout=10_000)
    image = paint(layer, 0.0, SECONDS, width=100)
    assert key not in layer.sketches and layer.rendered == made + 1 and tone_is_drawn(image, TONES[0])


def test_a_recording_that_cannot_be_read_is_one_message(qtbot, qt_layer, tmp_path):
    bad = tmp_path / "not-audio.wav"
    bad.write_bytes(b"RIFF" + b"\x00" * 400)
    layer = qt_layer(lambda: bad)
    messages = []
    layer.failed.connect(messages.append)
    with qtbot.waitSignal(layer.failed, timeout=10_000):
        paint(layer, 0.0, 5.0)
    qtbot.waitUntil(layer.idle, timeout=10_000)
    paint(layer, 10.0, 15.0)  # no new request once failed
    qtbot.wait(50)
    assert len(messages) == 1 and "not-audio.wav" in messages[0] and layer.idle()
