"""The frame index of a video: every frame's pts and keyframe flag in presentation order, built by one demux pass.

Frame n is the n-th frame in presentation order, on constant and variable frame rate files alike: frames are found
by their pts, never by time x fps (the fps kept here is an average, for display only). Packets arrive in decode
order, so their pts are sorted; packets without pts (flush) are skipped, and so is everything before the first
keyframe (nothing decodes there). The pass reads packets without decoding them, except the first frame (its size and
rotation) and the last GOP: a truncated file is indexed up to its last frame that decodes.

The index is stored by the workspace (`to_bytes`, about one byte a frame for a constant frame rate) and reused on
reopen, so a 2-hour video is demuxed once.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import av.error
import numpy as np
from av.container import InputContainer
from av.packet import Packet
from av.video.codeccontext import VideoCodecContext
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from core.video.container import Source, VideoError, open_video, source_name, translated

MAGIC = b"AVIX"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<4sHI")  # magic, format version, length of the JSON header
_MAX_FRAMES = 1 << 28  # 100 days at 30 fps: a stored header claiming more is damaged
_MAX_SIDE = 1 << 16
_TAIL_MAX_BYTES = 256 << 20  # the last GOP is decoded from memory when its packets take less than this
_PROGRESS_EVERY = 256  # packets between progress reports and cancel checks


class IndexCancelled(Exception):
    """The caller's cancel flag stopped the index build."""


@dataclass(frozen=True, eq=False)
class FrameIndex:
    pts: np.ndarray  # int64, strictly increasing: frame n's pts in time_base units
    keyframe: np.ndarray  # bool: decoding can start at frame n
    key_dts: np.ndarray  # int64, one per keyframe: its dts (MPEG-TS seeks by dts, MP4 and MKV by pts)
    time_base: Fraction
    duration: int  # time_base units, from the first frame's pts to the end of the last frame
    width: int  # of the first decoded frame, before rotation; every frame is shown at this size
    height: int
    rotation: int  # degrees counter-clockwise (the display matrix), one of 0, 90, 180, 270
    codec: str
    trimmed: int = 0  # frames at the end of a truncated file that did not decode, left out
    keyframes: np.ndarray = field(init=False, repr=False)  # frame numbers of the keyframes, ascending

    def __post_init__(self) -> None:
        object.__setattr__(self, "keyframes", np.flatnonzero(self.keyframe))

    @property
    def frames(self) -> int:
        return len(self.pts)

    @property
    def duration_s(self) -> float:
        return float(self.duration * self.time_base)

    @property
    def fps(self) -> float:
        """Average frame rate, for display only: frames are addressed by pts."""
        return self.frames / self.duration_s if self.duration > 0 else 0.0

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) of the frames as shown, rotation applied."""
        return (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)

    def time_s(self, n: int) -> float:
        """Seconds from the first frame to frame n."""
        return float((int(self.pts[n]) - int(self.pts[0])) * self.time_base)

    def frame_of_pts(self, pts: int) -> int | None:
        """The frame with exactly this pts, or None (a pts the index does not hold)."""
        i = int(np.searchsorted(self.pts, pts))
        return i if i < len(self.pts) and self.pts[i] == pts else None

    def keyframe_at_or_before(self, n: int) -> int | None:
        """The last keyframe at or before frame n in presentation order; None before the first keyframe."""
        i = int(np.searchsorted(self.keyframes, n, side="right"))
        return int(self.keyframes[i - 1]) if i else None

    def to_bytes(self) -> bytes:
        """Compact form for the workspace: a JSON header, then zlib of the pts deltas, the packed keyframe bits and
        the keyframes' pts - dts."""
        header = {
            "frames": self.frames,
            "first_pts": int(self.pts[0]),
            "time_base": [self.time_base.numerator, self.time_base.denominator],
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "rotation": self.rotation,
            "codec": self.codec,
            "trimmed": self.trimmed,
        }
        raw = json.dumps(header).encode()
        deltas = np.diff(self.pts).astype("<i8").tobytes()
        offsets = (self.pts[self.keyframes] - self.key_dts).astype("<i8").tobytes()
        body = zlib.compress(deltas + np.packbits(self.keyframe).tobytes() + offsets, 6)
        return _HEADER.pack(MAGIC, FORMAT_VERSION, len(raw)) + raw + body

    @classmethod
    def from_bytes(cls, data: bytes) -> FrameIndex:
        """Read `to_bytes` output back; ValueError for anything else (another version, damage)."""
        if len(data) < _HEADER.size:
            raise ValueError("frame index: too short")
        magic, version, size = _HEADER.unpack_from(data)
        if magic != MAGIC or version != FORMAT_VERSION:
            raise ValueError(f"frame index: not format {FORMAT_VERSION} (magic {magic!r}, version {version})")
        try:
            h = json.loads(data[_HEADER.size : _HEADER.size + size])
            frames, num, den = int(h["frames"]), int(h["time_base"][0]), int(h["time_base"][1])
            width, height, rotation = int(h["width"]), int(h["height"]), int(h["rotation"])
            if not 0 < frames <= _MAX_FRAMES or num <= 0 or den <= 0 or rotation not in (0, 90, 180, 270):
                raise ValueError("values out of range")
            if not (0 < width <= _MAX_SIDE and 0 < height <= _MAX_SIDE):
                raise ValueError("frame size out of range")
            bits = 8 * (frames - 1)
            inflater = zlib.decompressobj()
            body = inflater.decompress(data[_HEADER.size + size :], bits + (frames + 7) // 8 + 8 * frames + 1)
        except (ValueError, KeyError, TypeError, IndexError, zlib.error) as exc:
            raise ValueError(f"frame index: damaged header or body ({exc})") from exc
        packed = np.frombuffer(body[bits : bits + (frames + 7) // 8], np.uint8)
        keyframe = np.unpackbits(packed, count=frames).astype(bool) if len(packed) == (frames + 7) // 8 else None
        if keyframe is None or len(body) != bits + len(packed) + 8 * int(keyframe.sum()) or not inflater.eof:
            raise ValueError("frame index: body does not match its header")
        deltas = np.frombuffer(body, "<i8", frames - 1)
        if (deltas <= 0).any():
            raise ValueError("frame index: pts not increasing")
        pts = np.concatenate(([int(h["first_pts"])], deltas)).astype(np.int64).cumsum()
        offsets = np.frombuffer(body, "<i8", offset=bits + len(packed))
        key_dts = pts[keyframe] - offsets
        return cls(pts, keyframe, key_dts, Fraction(num, den), int(h["duration"]), width, height, rotation,
                   str(h["codec"]), int(h["trimmed"]))


def build_index(
    source: Source, *, progress: Callable[[float], None] | None = None, cancel: Callable[[], bool] | None = None
) -> FrameIndex:
    """Index `source` in one demux pass; `progress` gets the fraction done, `cancel` returning True stops it."""
    name = source_name(source)
    container, stream = open_video(source)
    try:
        with translated(name):
            return _build(container, stream, name, progress, cancel)
    finally:
        container.close()


def rotation_of(frame: VideoFrame) -> int:
    """The frame's display rotation rounded to a quarter turn, counter-clockwise in [0, 360)."""
    return round(frame.rotation / 90.0) % 4 * 90


def _build(
    container: InputContainer,
    stream: VideoStream,
    name: str,
    progress: Callable[[float], None] | None,
    cancel: Callable[[], bool] | None,
) -> FrameIndex:
    codec = stream.codec_context
    codec.thread_type = "AUTO"
    time_base = Fraction(stream.time_base or Fraction(1, 90_000))  # type: ignore[arg-type]
    total = Fraction(container.duration or 0, 1_000_000) / time_base  # in time_base units; 0 when unknown
    pts: list[int] = []
    dts: list[int] = []
    keys: list[bool] = []
    ends: list[int] = []
    tail: list[Packet] | None = []  # packets from the last keyframe on (decode order); None when too big
    tail_bytes = 0
    first: VideoFrame | None = None
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except (av.error.FFmpegError, OSError):
            break  # a damaged or truncated end: what was read so far is kept, the tail check trims it
        if packet.pts is None or (not pts and not packet.is_keyframe):
            continue
        if packet.is_keyframe:
            tail, tail_bytes = [], 0
        pts.append(packet.pts)
        dts.append(packet.pts if packet.dts is None else packet.dts)
        keys.append(packet.is_keyframe)
        ends.append(packet.pts + (packet.duration or 0))
        if tail is not None:
            tail.append(packet)
            tail_bytes += packet.size
            if tail_bytes > _TAIL_MAX_BYTES:
                tail = None
        if first is None:
            first = _first_frame(_decode(codec, packet))
        if len(pts) % _PROGRESS_EVERY == 0:
            if cancel is not None and cancel():
                raise IndexCancelled(name)
            if progress is not None and total > 0:
                progress(min(1.0, float((packet.pts - pts[0]) / total)))
    if not pts:
        raise VideoError(name, "the video stream has no frames")
    if first is None:
        first = _first_frame(_decode(codec, None))
    last_good = None  # pts of the last frame that decodes, when the last GOP was checked
    if tail:
        decoded = _decode_tail(codec, tail)
        first = first or _first_frame(decoded)
        last_good = decoded[-1].pts if decoded else min(pts[-len(tail) :]) - 1
    if first is None:
        raise VideoError(name, f"no frame of the {codec.name} stream decodes")
    index = _assemble(name, pts, dts, keys, ends, last_good, first, time_base, codec.name)
    if progress is not None:
        progress(1.0)
    return index


def _first_frame(frames: list[VideoFrame]) -> VideoFrame | None:
    return frames[0] if frames else None


def _decode(codec: VideoCodecContext, packet: Packet | None) -> list[VideoFrame]:
    """The frames one packet gives (None drains the decoder); none for a damaged packet."""
    try:
        return [f for f in codec.decode(packet) if isinstance(f, VideoFrame)]
    except av.error.FFmpegError:
        return []


def _decode_tail(codec: VideoCodecContext, tail: list[Packet]) -> list[VideoFrame]:
    """Decode the last GOP from its packets in memory: the frames that come out, in presentation order."""
    codec.flush_buffers()
    out: list[VideoFrame] = []
    for packet in tail:
        out.extend(_decode(codec, packet))  # a damaged packet's frame is missing from `out`
    out.extend(_decode(codec, None))
    return sorted((f for f in out if f.pts is not None), key=lambda f: f.pts or 0)


def _last_without_hole(pts: np.ndarray, last_dts: int) -> int:
    """The pts up to which presentation order has no hole at the end of the file.

    Packets come in dts order and a frame's pts is at least its dts, so every frame with pts <= the last packet's dts
    was read. Past it, a file cut midway lacks the frames whose packets came after the cut (up to the reorder depth,
    a few frames): a step longer than 1.5x the recent frame step there marks the first one missing.
    """
    if not len(pts):
        return last_dts
    late = np.flatnonzero(pts > last_dts)
    recent = np.diff(pts[: late[0] if len(late) else len(pts)][-33:])
    if not len(late) or not len(recent) or late[0] == 0:
        return int(pts[-1])
    limit = 1.5 * float(np.median(recent))
    for i in late:
        if pts[i] - pts[i - 1] > limit:
            return int(pts[i - 1])
    return int(pts[-1])


def _assemble(
    name: str,
    pts_list: list[int],
    dts_list: list[int],
    keys: list[bool],
    ends: list[int],
    last_good: int | None,
    first: VideoFrame,
    time_base: Fraction,
    codec: str,
) -> FrameIndex:
    """Sort into presentation order, drop duplicate pts, and trim the frames after the last one that decodes."""
    pts = np.asarray(pts_list, np.int64)
    order = np.argsort(pts, kind="stable")
    pts, keyframe = pts[order], np.asarray(keys, bool)[order]
    dts, end = np.asarray(dts_list, np.int64)[order], np.asarray(ends, np.int64)[order]
    keep = np.ones(len(pts), bool)
    keep[1:] = pts[1:] != pts[:-1]  # a duplicate pts cannot be addressed: the first packet with it stands
    if last_good is not None:
        keep &= pts <= last_good
    last = _last_without_hole(pts[keep], dts_list[-1])
    trimmed = int((keep & (pts > last)).sum())
    keep &= pts <= last
    pts, keyframe, dts, end = pts[keep], keyframe[keep], dts[keep], end[keep]
    if not len(pts):
        raise VideoError(name, "no frame decodes: the file is truncated or damaged")
    step = int(np.median(np.diff(pts))) if len(pts) > 1 else 1
    last_end = int(end[-1]) if end[-1] > pts[-1] else int(pts[-1]) + step
    return FrameIndex(pts, keyframe, dts[keyframe], time_base, last_end - int(pts[0]), first.width, first.height,
                      rotation_of(first), codec, trimmed)
