"""Exact frame decoding: frame n is the frame whose pts is the index's n-th, found by decoding, never by time x fps.

`VideoDecoder.frame(n)` goes on decoding when n is just ahead of the last decoded frame (a step forward costs one
frame's decode), else seeks to the keyframe at or before n and decodes forward until the pts matches. On the way,
non-reference frames before n are skipped (nothing else depends on them), which makes a random seek in a long GOP
about a third cheaper. A step back decodes its GOP forward without skipping and keeps the frames it passes in the
cache, so the steps back that follow are cache hits.

Frames are cached as decoded (YUV 4:2:0 takes half the bytes of BGR) and turned into BGR, rotation applied, when
they are taken. PyAV containers are not thread-safe: one lock guards the container and the decoding state; the
prefetcher gives it up between frames whenever a caller is waiting. Frames that change size midway (a new sequence
header) are scaled to the first frame's size, so every frame has the index's size and annotations one frame of
reference.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from types import TracebackType

import av.error
import cv2
import numpy as np
from av.packet import Packet
from av.video.frame import VideoFrame

from core.video.cache import FrameCache
from core.video.container import FrameLost, Source, VideoError, open_video, source_name, translated
from core.video.index import FrameIndex, IndexCancelled

_SKIP_MIN = 4  # frames to decode past before the target: past this many, non-reference ones are skipped
_SEEK_RETRIES = 3  # a seek that lands after its keyframe is retried this many keyframes earlier
_REORDER_SLACK = 4  # frames decoded past the target's pts before it counts as lost (streams that under-declare
# their reorder delay give a frame out late)
_ROTATE = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
_NO_SKIP = -(1 << 63)
# Frame threads: FFmpeg's own choice is cores + 1, but frames waiting on their references leave cores idle, and more
# in flight fill them: on 2 cores 8 threads make a random seek ~15% faster (docs/benchmarks.md). At most FFmpeg's 16.
_THREADS = max(8, min(16, (os.cpu_count() or 1) + 1))


class VideoDecoder:
    """Exact, threaded frame access to one video with a byte-bounded cache; see the module docstring."""

    def __init__(self, source: Source, index: FrameIndex, *, cache_mb: float = 512.0) -> None:
        self.index = index
        self.name = source_name(source)
        self._container, self._stream = open_video(source)
        self._codec = self._stream.codec_context
        self._codec.thread_type = "AUTO"
        self._codec.thread_count = _THREADS
        self._cache: FrameCache[VideoFrame] = FrameCache(int(cache_mb * (1 << 20)))
        self._frame_bytes = index.width * index.height * 3 // 2  # refined by the first decoded frame
        self._lock = threading.Lock()  # the container, the codec and the decoding state below
        self._waiting_lock = threading.Lock()
        self._waiting = 0  # callers waiting for `_lock`; the prefetcher gives way to them
        self._closed = False
        self._lost: set[int] = set()
        self._last_request: int | None = None
        self._first_key = int(index.keyframes[0]) if len(index.keyframes) else 0
        # Decoding state: the packets since the last seek, frames decoded but not yet taken, the last frame taken
        # (-1: at the start of the file), the pts the first frame after a seek must not pass, frames before which
        # are leading frames of an earlier GOP, and the pts below which non-reference frames are skipped.
        self._packets: Iterator[Packet] | None = self._container.demux(self._stream)
        self._pending: deque[VideoFrame] = deque()
        self._pos: int | None = -1
        self._landing: int | None = None
        self._min_pts: int | None = None
        self._skip_below = _NO_SKIP
        self._skipping = False
        self._by_dts = False  # seek to keyframes' dts, not pts (learnt from a seek that landed late)

    # -- public ------------------------------------------------------------------------------------------------

    def frame(self, n: int, *, timeout: float = 10.0) -> np.ndarray:
        """Frame n as HxWx3 BGR uint8, rotation applied; FrameLost when its data does not decode.

        Blocks while decoding (up to one GOP), so call it from a worker; TimeoutError when another thread holds the
        decoder longer than `timeout` seconds.
        """
        self._check(n)
        frame = self._cache.get(n)
        if frame is None:
            frame = self._decode_waiting(n, timeout)
        self._last_request = n
        return self._to_bgr(frame)

    def cached(self, n: int) -> np.ndarray | None:
        """Frame n when it is in the cache, else None; never decodes, so the UI thread may call it."""
        frame = self._cache.get(n) if 0 <= n < self.index.frames else None
        return None if frame is None else self._to_bgr(frame)

    def is_cached(self, n: int) -> bool:
        return n in self._cache

    @property
    def lost_frames(self) -> frozenset[int]:
        """Frames found not to decode so far (damaged packets)."""
        return frozenset(self._lost)

    @property
    def cache_bytes(self) -> int:
        return self._cache.nbytes

    @property
    def cache_limit(self) -> int:
        return self._cache.limit

    def window(self) -> int:
        """How many frames a step back or the prefetcher keeps: half of what the cache holds."""
        return max(1, self._cache.limit // max(1, self._frame_bytes) // 2)

    def scan(self, *, cancel: Callable[[], bool] | None = None) -> frozenset[int]:
        """Decode every frame once, from the start, and return those that do not decode (a full check: slow)."""
        with self._lock, translated(self.name):
            self._check(0)
            with contextlib.suppress(FrameLost):  # a lost frame 0 is recorded; the scan goes on
                self._decode(0, backward=False)
            while (frame := self._next_frame()) is not None:
                m = None if frame.pts is None else self.index.frame_of_pts(frame.pts)
                if m is not None:
                    self._note_gap(m)
                    self._pos = m if self._pos is None else max(self._pos, m)
                if cancel is not None and cancel():
                    raise IndexCancelled(self.name)
            self._lost.update(range(0 if self._pos is None else self._pos + 1, self.index.frames))
            self._pos = None  # at the end of the stream: the next frame() seeks
            return frozenset(self._lost)

    def close(self, timeout: float = 5.0) -> None:
        """Release the file; a decode in progress elsewhere stops at its next frame (given up after `timeout`)."""
        self._closed = True
        if self._lock.acquire(timeout=timeout):
            try:
                if self._packets is not None:
                    self._packets.close()  # type: ignore[attr-defined]
                    self._packets = None
                self._container.close()
            finally:
                self._lock.release()
        self._cache.clear()

    def __enter__(self) -> VideoDecoder:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- used by Prefetcher ------------------------------------------------------------------------------------

    def prefetch(self, n: int, *, backward: bool, interrupt: Callable[[], bool]) -> bool:
        """Decode frame n into the cache unless it is there; False when it gave way (a caller waits, or
        `interrupt()`), True when there is nothing more to do for n (cached, lost, or closed)."""
        if n in self._cache or n in self._lost or self._closed:
            return True
        if self._waiting or not self._lock.acquire(timeout=0.05):
            return False
        try:
            if self._closed or n in self._cache:
                return True
            with translated(self.name):
                frame = self._decode(n, backward=backward, interrupt=lambda: bool(self._waiting) or interrupt())
            return frame is not None
        except VideoError:
            return True
        finally:
            self._lock.release()

    # -- decoding ----------------------------------------------------------------------------------------------

    def _check(self, n: int) -> None:
        if self._closed:
            raise VideoError(self.name, "the decoder is closed")
        if not 0 <= n < self.index.frames:
            raise IndexError(f"frame {n} out of range 0..{self.index.frames - 1}")

    def _decode_waiting(self, n: int, timeout: float) -> VideoFrame:
        with self._waiting_lock:
            self._waiting += 1
        try:
            acquired = self._lock.acquire(timeout=timeout)
        finally:
            with self._waiting_lock:
                self._waiting -= 1
        if not acquired:
            raise TimeoutError(f"{self.name}: decoder busy for more than {timeout} s")
        try:
            self._check(n)
            frame = self._cache.get(n)
            if frame is None:
                backward = self._last_request is not None and n == self._last_request - 1
                with translated(self.name):
                    frame = self._decode(n, backward=backward)
            assert frame is not None  # only an interrupt returns None
            return frame
        finally:
            self._lock.release()

    def _decode(self, n: int, *, backward: bool, interrupt: Callable[[], bool] | None = None) -> VideoFrame | None:
        """Decode up to frame n (the lock held), caching what the step needs; None when interrupted."""
        if n in self._lost:
            raise FrameLost(self.name, n)
        pts = self.index.pts
        target = int(pts[n])
        key = self.index.keyframe_at_or_before(n)
        key = self._first_key if key is None else key
        skip = not backward and n - key > _SKIP_MIN
        keep_from = max(key, n - self.window() + 1) if backward else n
        if self._pos is None or not key - 1 <= self._pos < n or target < self._skip_below:  # else n is still to come
            self._seek(key)
            self._skip_below = target if skip else _NO_SKIP
        elif skip and n - self._pos > _SKIP_MIN:
            self._skip_below = max(self._skip_below, target)
        retries = overshoot = 0
        while True:
            if self._closed:
                raise VideoError(self.name, "the decoder is closed")
            if interrupt is not None and interrupt():
                return None
            frame = self._next_frame()
            if self._landing is not None:  # the first frame since a seek: did the demuxer land after the keyframe?
                late = frame is None or (frame.pts is not None and frame.pts > self._landing)
                self._landing = None
                if late and not self._by_dts:  # MPEG-TS seeks by dts: from now on, so do we
                    self._by_dts = True
                    self._seek(key)
                    continue
                if late and key > self._first_key and retries < _SEEK_RETRIES:
                    retries += 1
                    key = self.index.keyframe_at_or_before(key - 1) or self._first_key
                    self._seek(key)
                    continue
            if frame is None:
                self._lost.add(n)
                raise FrameLost(self.name, n, "the stream ends before it (truncated or damaged)")
            m = None if frame.pts is None else self.index.frame_of_pts(frame.pts)
            if m is None or (self._min_pts is not None and int(self.index.pts[m]) < self._min_pts):
                continue  # not in the index, or a leading frame of the GOP before the keyframe sought
            self._note_gap(m)
            self._pos = m if self._pos is None else max(self._pos, m)
            if m >= keep_from:
                self._frame_bytes = sum(p.buffer_size for p in frame.planes)
                self._cache.put(m, frame, self._frame_bytes)
            if m == n:
                return frame
            if m > n:
                overshoot += 1
                if overshoot > _REORDER_SLACK:
                    self._lost.add(n)
                    raise FrameLost(self.name, n)

    def _seek(self, key: int) -> None:
        if self._packets is not None:
            self._packets.close()  # type: ignore[attr-defined]
        self._pending.clear()
        keys = self.index.keyframes
        at = self.index.key_dts[np.searchsorted(keys, key)] if self._by_dts else self.index.pts[key]
        self._container.seek(int(at), stream=self._stream, backward=True, any_frame=False)
        self._packets = self._container.demux(self._stream)
        self._pos = None
        self._landing = int(self.index.pts[key])
        self._min_pts = self._landing if key != self._first_key else None

    def _next_frame(self) -> VideoFrame | None:
        """The next decoded frame in presentation order, None at the end of the stream."""
        while not self._pending:
            if self._packets is None:
                return None
            packet: Packet | None
            try:
                packet = next(self._packets)
            except StopIteration:
                self._packets = None
                continue
            except (av.error.FFmpegError, OSError):
                self._packets, packet = None, None  # a damaged or truncated end: drain what the decoder holds
            skip = packet is not None and packet.pts is not None and packet.pts < self._skip_below
            if skip != self._skipping:
                self._codec.skip_frame = "NONREF" if skip else "DEFAULT"
                self._skipping = skip
            try:
                self._pending.extend(f for f in self._codec.decode(packet) if isinstance(f, VideoFrame))
            except av.error.FFmpegError:
                continue  # a damaged packet: its frame never comes out and is reported lost
        return self._pending.popleft()

    def _note_gap(self, m: int) -> None:
        """Frames between the last one taken and m that were not skipped on purpose did not decode."""
        self._lost.discard(m)  # a frame given out late is not lost after all
        if self._pos is None or m <= self._pos + 1:
            return
        between = np.arange(self._pos + 1, m)
        self._lost.update(int(i) for i in between[self.index.pts[between] >= self._skip_below])

    def _to_bgr(self, frame: VideoFrame) -> np.ndarray:
        w, h = self.index.width, self.index.height
        if frame.format.name == "yuv420p" and (frame.width, frame.height) == (w, h) and w % 2 == 0 and h % 2 == 0:
            image = cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)  # ~3x faster than swscale
        else:
            image = frame.to_ndarray(format="bgr24", width=w, height=h)
        rotate = _ROTATE.get(self.index.rotation)
        return image if rotate is None else cv2.rotate(image, rotate)


class Prefetcher:
    """A worker thread that decodes the frames ahead of the playhead, in the direction of play, into the cache.

    `update` after every frame shown; the worker stops at once when the playhead moves or a caller needs the
    decoder, and decodes at most `ahead` frames (and never more than half the cache) per update.
    """

    def __init__(self, decoder: VideoDecoder, *, ahead: int = 30) -> None:
        self._decoder = decoder
        self._ahead = ahead
        self._cond = threading.Condition()
        self._request: tuple[int, int] | None = None
        self._generation = 0
        self._busy = False
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="video-prefetch", daemon=True)
        self._thread.start()

    def update(self, playhead: int, direction: int = 1) -> None:
        """The frame on screen and the direction of play (+1 forward, -1 backward)."""
        with self._cond:
            self._request = (playhead, 1 if direction >= 0 else -1)
            self._generation += 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the last update's frames are decoded (or given up); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._request is None and not self._busy, timeout)

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or self._request is not None)
                if self._stop:
                    return
                assert self._request is not None
                (playhead, direction), generation = self._request, self._generation
                self._request, self._busy = None, True
            try:
                self._fill(playhead, direction, generation)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _fill(self, playhead: int, direction: int, generation: int) -> None:
        def moved() -> bool:
            return self._stop or self._generation != generation

        count = min(self._ahead, self._decoder.window())
        for i in range(1, count + 1):
            n = playhead + direction * i
            if not 0 <= n < self._decoder.index.frames:
                return
            while not self._decoder.prefetch(n, backward=direction < 0, interrupt=moved):
                if moved():
                    return
                with self._cond:  # a caller has the decoder: wait for it briefly, then try again
                    self._cond.wait(0.005)
