"""Image files: find them, check them cheaply at import, and decode them for display.

`probe_image` runs once per file at import, so it must catch what would later fail on screen (empty, truncated,
unreadable or mislabelled files) without paying a full decode: a JPEG is decoded at 1/8 scale through libjpeg's DCT
scaling (every entropy-coded byte is still read, so truncation is caught; ~150 ms instead of ~400 ms for 24 MP) and a
PNG has every chunk's CRC checked without inflating (~100 ms instead of ~1.1 s for 24 MP). What the name says does not
matter: a PNG named .jpg is read by its content; only content that no decoder reads is an error.

Sizes are bounded by the app's own limits (MAX_SIDE, MAX_PIXELS), not by Pillow's "decompression bomb" limit of
179 MP, which real scans and mosaics pass: an image above `_FULL_CHECK_PIXELS` is checked without a full decode (a JPEG
at 1/8 scale, a PNG by its CRCs and by whether its compressed data could hold that many pixels at all, a TIFF by
where its tiles or strips lie; other formats by their header alone).
"""

from __future__ import annotations

import hashlib
import stat
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from core.messages import compose, translate

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm"}
)
_HASH_CHUNK = 1 << 20
_SWAPPED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that turn the image by 90 degrees
_EXIF_ORIENTATION = 0x0112
_DECODE_FLAGS = cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR  # keeps 16 bit and grey; applies EXIF orientation
# OpenCV's own limit per side (CV_IO_MAX_IMAGE_WIDTH/HEIGHT); a longer side is a damaged header, not a photo.
MAX_SIDE = 1 << 20
# 17 GP: past the largest whole-slide scans (about 100,000 x 150,000); such an image is shown from a pyramid whose
# level 0 takes 1 to 3 bytes a pixel of disk. A header that claims more is damaged or hostile, refused before anything
# is allocated (core.formats.untrusted holds declared sizes to the same bounds).
MAX_PIXELS = 1 << 34
_DEFLATE_MAX_RATIO = 1032  # deflate's best case: 258 bytes from 2 bits; PNG data smaller than this cannot be whole
_FULL_CHECK_PIXELS = 50_000_000  # as core.pyramid_cache.HUGE_PIXELS: larger images are never decoded whole
_PIL_LIMIT_LOCK = threading.Lock()


class MediaError(ValueError):
    """A media file that cannot be used; `reason` says why without the path (stored on the task)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(compose("{path}: {reason}", path=path, reason=reason))
        self.path = str(path)
        self.reason = reason


def _cannot_read(exc: OSError) -> str:
    return translate("media", "cannot read: {error}").format(error=exc.strerror or exc)


def _cannot_decode(reason: str) -> str:
    return translate("media", "cannot decode: {reason}").format(reason=reason)


_EMPTY = translate("media", "empty file (0 bytes)")


@dataclass(frozen=True)
class MediaInfo:
    path: str
    size: int
    content_hash: str
    width: int
    height: int
    kind: str = "image"  # a name in core.media_kinds.MEDIA_KINDS
    frames: int = 1  # a video's frame count, from its frame index; an audio file's samples per channel
    frame_index: bytes | None = None  # a video's core.video.FrameIndex, as the workspace stores it
    sample_rate: int = 0  # audio: samples per second; `frames` then counts samples per channel
    channels: int = 0  # audio channels
    peaks: bytes | None = None  # audio: core.audio.PeaksPyramid.to_bytes, stored by content hash


def content_hash(path: str | Path) -> str:
    """blake2b (32-byte digest, hex) of the file's bytes, read in chunks so huge files do not fill memory."""
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def probe_image(path: str | Path) -> MediaInfo:
    """Size, content hash and displayed (EXIF-rotated) size of an image; MediaError if it cannot be shown."""
    try:
        status = Path(path).stat()
    except OSError as exc:
        raise MediaError(path, _cannot_read(exc)) from None
    if not stat.S_ISREG(status.st_mode):  # reading a FIFO or a device named *.png would block or never end
        raise MediaError(path, translate("media", "not a regular file (a pipe, device or folder)"))
    size = status.st_size
    if size == 0:
        raise MediaError(path, _EMPTY)
    try:
        digest = content_hash(path)
    except OSError as exc:
        raise MediaError(path, _cannot_read(exc)) from None
    width, height = _checked_size(path)
    return MediaInfo(str(path), size, digest, width, height)


def size_problem(width: int, height: int, names: tuple[str, str] = ("width", "height")) -> str:
    """Why an image of this size is refused (past MAX_SIDE or MAX_PIXELS), or "" when it is not; `names` are the
    fields the message names (a reader says which field of its file is wrong)."""
    for name, value in zip(names, (width, height), strict=True):
        if value > MAX_SIDE:
            return translate("media", "{name} {value} is past the limit of {limit} pixels a side").format(
                name=name, value=value, limit=MAX_SIDE)
    if width * height > MAX_PIXELS:
        return translate("media", "{width_name} x {height_name} {width} x {height} ({mp:,.0f} MP) is past the "
                         "limit of {limit:.1f} GP (2^34 pixels)").format(
            width_name=names[0], height_name=names[1], width=width, height=height, mp=width * height / 1e6,
            limit=MAX_PIXELS / 1e9)
    return ""


def open_image(path: str | Path) -> ImageFile.ImageFile:
    """Pillow's lazy image (header read, no pixels) with the app's size limits instead of Pillow's; MediaError when
    the header claims more than they allow. Pillow's errors for what it cannot open pass through."""
    with _PIL_LIMIT_LOCK:  # Pillow's limit is a module global: lifted only while this thread opens the file
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            im = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = limit
    reason = size_problem(*im.size)
    if reason:
        im.close()
        raise MediaError(path, reason)
    return im


def exif_orientation(im: Image.Image) -> int | None:
    """The EXIF orientation from the header. A PNG's getexif() would decode every pixel to look for an eXIf chunk
    after them; one before them is already in `info` (and OpenCV reads no later one either)."""
    if im.format == "PNG" and "exif" not in im.info:
        return None
    return im.getexif().get(_EXIF_ORIENTATION)


def displayed_size(im: Image.Image) -> tuple[int, int]:
    """Width and height as shown, after EXIF rotation."""
    width, height = im.size
    return (height, width) if exif_orientation(im) in _SWAPPED_ORIENTATIONS else (width, height)


def _checked_size(path: str | Path) -> tuple[int, int]:
    """Displayed width and height after a real (cheap) decode check with Pillow, or OpenCV for what Pillow lacks."""
    try:
        with open_image(path) as im:
            _verify(im, path)
        with open_image(path) as im:  # verify() spends the image, so the header is read again (cheap)
            return displayed_size(im)
    except MediaError:
        raise
    except UnidentifiedImageError:
        return _size_by_opencv(path, translate("media", "not an image file, or a format that cannot be read"))
    except (OSError, SyntaxError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
        if "truncated" in reason.lower():
            raise MediaError(path, translate("media", "corrupt or truncated image: {reason}").format(
                reason=reason)) from None
        return _size_by_opencv(path, _cannot_decode(reason))


def _verify(im: Image.Image, path: str | Path) -> None:
    """Decode enough to find truncation and corruption; must run directly after open (PNG verify requires it)."""
    if im.format == "JPEG":
        im.draft(im.mode, (max(1, im.width // 8), max(1, im.height // 8)))
        im.load()
    elif im.format == "PNG":
        _check_png_data(path, im.width * im.height)
        im.verify()
    elif im.width * im.height <= _FULL_CHECK_PIXELS:
        im.load()
    elif im.format == "TIFF":
        _check_tiff_segments(path)


def _check_png_data(path: str | Path, pixels: int) -> None:
    """A PNG whose compressed pixel data is too small to inflate to even 1 bit a pixel is truncated or forged (a
    hostile one claims 10 GP in a few bytes); verify() checks only the CRCs. Reads the chunk headers alone."""
    data = 0
    with open(path, "rb") as fh:
        fh.seek(8)  # the signature
        while len(chunk := fh.read(8)) == 8 and chunk[4:] != b"IEND":
            length = int.from_bytes(chunk[:4], "big")
            data += length if chunk[4:] == b"IDAT" else 0
            fh.seek(length + 4, 1)  # the chunk's data and CRC
    if data * _DEFLATE_MAX_RATIO * 8 < pixels:
        raise MediaError(path, translate("media", "corrupt or truncated image: {data:,} bytes of pixel data cannot "
                                         "hold {pixels:,} pixels").format(data=data, pixels=pixels))


def _check_tiff_segments(path: str | Path) -> None:
    """A huge TIFF is checked without decoding it: every tile or strip must lie inside the file (truncation)."""
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages.first
            ends = [offset + count for offset, count in zip(page.dataoffsets, page.databytecounts, strict=True)]
    except Exception as exc:  # tifffile raises many kinds for a damaged structure
        raise MediaError(path, translate("media", "cannot read the TIFF structure: {error}").format(
            error=exc)) from None
    if max(ends, default=0) > Path(path).stat().st_size:
        raise MediaError(path, translate("media", "corrupt or truncated image: its tiles or strips run past the "
                                         "end of the file"))


def _size_by_opencv(path: str | Path, reason: str) -> tuple[int, int]:
    """Second opinion for formats Pillow reads badly (some 16-bit TIFFs); `reason` is Pillow's if OpenCV fails too."""
    try:
        image = decode_image(path)
    except MediaError:
        raise MediaError(path, reason) from None
    return image.shape[1], image.shape[0]


def decode_image(path: str | Path) -> np.ndarray:
    """Pixels for display: HxW grey, HxWx3 BGR (or HxWx4 BGRA), uint8 or uint16, EXIF orientation applied.

    Reads the bytes with numpy and decodes from memory, so paths with non-ASCII characters work on every platform.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise MediaError(path, _cannot_read(exc)) from None
    return decode_image_bytes(data, path)


def decode_image_bytes(data: bytes | np.ndarray, source: str | Path = "<memory>") -> np.ndarray:
    """`decode_image` for bytes already in memory (media that has no file of its own, such as a synced workspace's
    encrypted cache): the same pixels, depths and EXIF orientation. `source` names the media in errors."""
    buffer = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    if buffer.size == 0:
        raise MediaError(source, _EMPTY)
    try:
        image = cv2.imdecode(buffer, _DECODE_FLAGS)
    except cv2.error as exc:  # OpenCV raises, rather than returning None, for images past its own size limits
        raise MediaError(source, _cannot_decode(_opencv_reason(exc))) from None
    if image is None:
        raise MediaError(source, translate("media", "cannot decode: not an image, or corrupt or truncated"))
    return image


def _opencv_reason(exc: cv2.error) -> str:
    """OpenCV's error in words: its size limit (CV_IO_MAX_IMAGE_PIXELS, 2^30 by default) said plainly."""
    message = str(exc)
    if "CV_IO_MAX_IMAGE" in message:
        return "too large for OpenCV to decode in one piece (its limit is 2^30 pixels, 2^20 a side)"
    return message.strip().splitlines()[-1] if message.strip() else type(exc).__name__


def iter_media_files(paths: Iterable[str | Path], extensions: frozenset[str] = IMAGE_EXTENSIONS) -> Iterator[Path]:
    """Media files among `paths` (images unless `extensions` says more, as core.media_kinds does): files as given,
    folders searched recursively in sorted order, by extension."""
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix.lower() in extensions and p.is_file())
            yield from sorted(found)
        elif path.suffix.lower() in extensions:
            yield path
