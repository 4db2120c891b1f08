"""The spectrogram a waveform view draws inside a rectangle of its own: cached tiles, made on a worker thread.

`paint` runs on the UI thread and never decodes: it draws the tiles in memory that cover [t0, t1] (the level just
finer than the view's zoom, scaled down into the rectangle), a coarser cached tile scaled up where one is missing
(else the finer halves cached, over a neutral grey), and hands the missing ones to the worker, newest first: each
paint of a channel replaces that channel's earlier requests, so tiles scrolled away are never made. The worker owns
its readers (each from `opener`, a fresh Source), renders the channels asked for the same tile together, and emits
`changed` when tiles are ready.

Between requests the worker decodes the recording once, from the start, into a core.audio.spectrogram.Overview
(about 5 s of one core an hour of MP3, when the duration is known). Zoomed out, a tile the overview does not cover
yet is a sketch read one window a column; once covered it is made again from the overview (every sample counted, a
few ms), and the sketch is drawn until then. A failure to read becomes one `failed` message. Tiles live in an LRU
bounded in bytes, keyed by settings too, so switching scales back and forth reuses them.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from core.audio import Source, iter_chunks
from core.audio.spectrogram import (
    MAX_LEVEL,
    MIX,
    Overview,
    SpectrogramSettings,
    WindowReader,
    level_for,
    overview_level,
    render_tile,
    tile_span,
    tiles_for,
)

NICE = 5  # the worker's priority below the UI thread (Linux)
NEUTRAL = QColor(64, 64, 68)  # a missing tile: not the colour of silence
COARSER_LEVELS = 4  # how far up a stand-in for a missing tile is looked for
TileKey = tuple[SpectrogramSettings, int, int, int]  # settings, level, tile index, channel (MIX: the mean)


class SpectrogramLayer(QObject):
    """Spectrogram tiles of one recording for `paint`; call `close` when the view goes (it stops the worker)."""

    changed = Signal()  # tiles arrived (or the settings changed): repaint
    failed = Signal(str)  # reading the recording failed: the reason, once

    def __init__(self, opener: Callable[[], Source], sample_rate: int, channels: int,
                 duration_s: float | None = None, settings: SpectrogramSettings | None = None,
                 cache_mb: float = 96, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sample_rate, self.channels, self.duration_s = sample_rate, channels, duration_s
        self.settings = settings or SpectrogramSettings()
        self.cache_bytes = int(cache_mb * 2**20)
        self.cached_bytes = 0
        self.rendered = 0  # tiles made on the worker (tests, benchmarks)
        self.error: str | None = None
        self.overview: Overview | None = None  # the worker's; the UI thread reads only how far it covers
        self._opener = opener
        self._tiles: OrderedDict[TileKey, QImage] = OrderedDict()
        self.sketches: set[TileKey] = set()  # cached tiles read a window a column, to make again from the overview
        self._shown: set[TileKey] = set()
        self._lock = threading.Lock()
        self._plan: list[TileKey] = []  # newest first
        self._ready: dict[TileKey, tuple[QImage, bool]] = {}  # made, not yet taken: image, whether a sketch
        self._thread: threading.Thread | None = None
        self._reader: WindowReader | None = None  # the worker's; opened on its first tile
        self._chunks: Iterator[tuple[int, int, np.ndarray]] | None = None  # the worker's overview pass
        self._in_hand: list[TileKey] = []  # the keys the worker is making
        self._pass_done = duration_s is None
        # Tiles read at the overview's levels are sketches, made again once it covers them.
        self._sketch_level = overview_level(duration_s, channels) if duration_s is not None else MAX_LEVEL + 1
        self._closed = False

    def set_settings(self, settings: SpectrogramSettings) -> None:
        """Show another scale, dB range or top frequency; the tiles of the old settings stay cached (LRU)."""
        if settings != self.settings:
            self.settings = settings
            with self._lock:
                self._plan.clear()
            self.changed.emit()

    def paint(self, painter: QPainter, rect: QRectF, t0: float, t1: float, channel: int = MIX) -> None:
        """Draw [t0, t1] seconds of `channel` (MIX: the channels' mean power) into `rect`, from cached tiles only."""
        rect = QRectF(rect)
        if not (t1 > t0 and rect.width() > 0 and rect.height() > 0):
            return
        self._take_ready()
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        level = level_for((t1 - t0) / (rect.width() * ratio))
        end = min(t1, self.duration_s) if self.duration_s is not None else t1
        keys = [(self.settings, level, i, channel) for i in tiles_for(level, t0, end)]
        scale, span = rect.width() / (t1 - t0), tile_span(level)
        painter.save()
        clip = QRectF(rect)
        if self.duration_s is not None:  # nothing past the recording's end
            clip.setRight(min(rect.right(), rect.left() + (self.duration_s - t0) * scale))
        painter.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        missing = []
        for key in keys:
            target = QRectF(rect.left() + (key[2] * span - t0) * scale, rect.top(), span * scale, rect.height())
            image = self._tiles.get(key)
            if image is None:
                missing.append(key)
                self._draw_stand_in(painter, target, key)
            else:
                self._tiles.move_to_end(key)
                painter.drawImage(target, image, QRectF(image.rect()))
        painter.restore()
        self._shown = {k for k in self._shown if k[3] != channel} | set(keys)
        overview = self.overview
        redo = [k for k in keys if k in self.sketches and overview is not None and overview.covers(k[1], k[2])]
        if keys:
            self._request(channel, missing + redo, keys)

    def close(self) -> None:
        """Stop the worker (after its current step) and close its reader; the layer draws cached tiles only."""
        with self._lock:
            self._closed = True
            self._plan.clear()
            thread = self._thread
        if thread is not None:
            thread.join()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if isinstance(self._chunks, Generator):
            self._chunks.close()  # closes its file
        self._chunks = None

    def idle(self) -> bool:
        """True when the worker has nothing to do: no tile planned, the overview done (tests and benchmarks)."""
        with self._lock:
            return self._thread is None

    def cached(self, key: TileKey) -> bool:
        """Whether the tile is in memory, sketch or not (tests)."""
        with self._lock:
            return key in self._tiles or key in self._ready

    def _draw_stand_in(self, painter: QPainter, target: QRectF, key: TileKey) -> None:
        """A coarser cached tile's part for this span, scaled up (zooming in); else the neutral grey under the
        halves of the next finer level that are cached (zooming out)."""
        settings, level, index, channel = key
        start = index * tile_span(level)
        for up in range(level + 1, level + 1 + COARSER_LEVELS):
            span = tile_span(up)
            image = self._tiles.get((settings, up, int(start // span), channel))
            if image is not None:
                x = (start - int(start // span) * span) / span * image.width()
                part = QRectF(x, 0, image.width() * tile_span(level) / span, image.height())
                painter.drawImage(target, image, part)
                return
        painter.fillRect(target, NEUTRAL)
        for half in (0, 1):
            image = self._tiles.get((settings, level - 1, 2 * index + half, channel))
            if image is not None:
                width = target.width() / 2
                painter.drawImage(QRectF(target.left() + half * width, target.top(), width, target.height()), image,
                                  QRectF(image.rect()))

    def _request(self, channel: int, wanted: list[TileKey], shown: list[TileKey]) -> None:
        """This channel's requests become `wanted` (visible), then one tile either side (scrolling)."""
        if self.error is not None:
            return
        settings, level, first, _ = shown[0]
        last = shown[-1][2]
        around = [(settings, level, i, channel) for i in (last + 1, first - 1) if i >= 0]
        with self._lock:
            if self._closed:
                return
            plan = [k for k in wanted if k not in self._in_hand]
            plan += [k for k in around if k not in self._tiles and k not in self._ready and k not in self._in_hand]
            self._plan = plan + [k for k in self._plan if k[3] != channel and k[0] == settings]
            if (self._plan or not self._pass_done) and self._thread is None:
                # Not a daemon: at exit Python waits for the step in hand instead of killing the thread inside Qt.
                self._thread = threading.Thread(target=self._work, name="spectrogram-tiles")
                self._thread.start()

    def _take_ready(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, {}
        for key, (image, sketch) in ready.items():
            if key in self._tiles and key not in self.sketches:
                continue
            if key in self._tiles:
                self.cached_bytes -= self._tiles.pop(key).sizeInBytes()
            self._tiles[key] = image
            self.cached_bytes += image.sizeInBytes()
            (self.sketches.add if sketch else self.sketches.discard)(key)
        self._evict()

    def _evict(self) -> None:
        """Drop the least recently drawn tiles past the bound, those off screen first."""
        for spare_shown in (True, False):
            for key in list(self._tiles):
                if self.cached_bytes <= self.cache_bytes:
                    return
                if not (spare_shown and key in self._shown):
                    self.cached_bytes -= self._tiles.pop(key).sizeInBytes()
                    self.sketches.discard(key)

    def _work(self) -> None:
        if sys.platform == "linux":  # a thread's own nice value: the UI thread wins a core both want
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        while True:
            with self._lock:
                self._in_hand = []
                if self._closed or not (self._plan or not self._pass_done):
                    self._thread = None
                    return
                same: list[TileKey] = []
                if self._plan:
                    head = self._plan[0][:3]
                    same = self._in_hand = [k for k in self._plan if k[:3] == head]
                    self._plan = [k for k in self._plan if k[:3] != head]
            try:
                if same:
                    self._make(same)
                else:
                    self._advance_overview()
            except Exception as exc:  # any failure, damage or a bug, is one message, never a dead worker
                with self._lock:
                    self._plan.clear()
                    self._in_hand = []
                    self._pass_done = True
                    self._thread = None
                self.error = str(exc) or type(exc).__name__
                self.failed.emit(self.error)
                return

    def _make(self, keys: list[TileKey]) -> None:
        """One tile for every channel in `keys`: from the overview where it covers the tile, else read."""
        settings, level, index, _ = keys[0]
        overview = self.overview
        if overview is not None and overview.covers(level, index):
            images, sketch = overview.tile(level, index, [k[3] for k in keys], settings), False
        else:
            if self._reader is None:
                self._reader = WindowReader(self._opener())
            images = render_tile(self._reader, level, index, [k[3] for k in keys], settings)
            sketch = level >= self._sketch_level
        with self._lock:
            first = not self._ready
            for key in keys:
                self._ready[key] = (_to_qimage(images[key[3]]), sketch)
            self.rendered += len(keys)
        if first:
            self.changed.emit()

    def _advance_overview(self) -> None:
        """Decode and add the next chunk (about 1.5 s of audio); `changed` whenever sketches may be redone."""
        if self._chunks is None:
            self._chunks = iter_chunks(self._opener())
        before = self.overview.covered_s if self.overview is not None else 0.0
        chunk = next(self._chunks, None)
        if chunk is None:
            if self.overview is not None:
                self.overview.finish()
            self._chunks = None
            with self._lock:
                self._pass_done = True
        else:
            rate, channels, samples = chunk
            if self.overview is None:
                assert self.duration_s is not None
                self.overview = Overview(rate, channels, self.duration_s)
            self.overview.feed(samples)
        if not self.sketches or self.overview is None:
            return
        span = tile_span(self.overview.level)
        if self._pass_done or self.overview.covered_s // span > before // span:
            self.changed.emit()


def _to_qimage(rgb: np.ndarray) -> QImage:
    """An RGB32 copy (the screen's format, so drawing it scaled needs no conversion); safe on any thread."""
    rgb = np.ascontiguousarray(rgb)
    height, width, _ = rgb.shape
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)
