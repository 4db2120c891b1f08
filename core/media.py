"""Image files: find them, check them cheaply at import, and decode them for display.

`probe_image` runs once per file at import, so it must catch what would later fail on screen (empty, truncated,
unreadable or mislabelled files) without paying a full decode: a JPEG is decoded at 1/8 scale through libjpeg's DCT
scaling (every entropy-coded byte is still read, so truncation is caught; ~150 ms instead of ~400 ms for 24 MP) and a
PNG has every chunk's CRC checked without inflating (~100 ms instead of ~1.1 s for 24 MP). What the name says does not
matter: a PNG named .jpg is read by its content; only content that no decoder reads is an error.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".pbm", ".pgm", ".ppm", ".pnm"}
)
_HASH_CHUNK = 1 << 20
_SWAPPED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF orientations that turn the image by 90 degrees
_EXIF_ORIENTATION = 0x0112
_DECODE_FLAGS = cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR  # keeps 16 bit and grey; applies EXIF orientation


class MediaError(ValueError):
    """A media file that cannot be used; `reason` says why without the path (stored on the task)."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class MediaInfo:
    path: str
    size: int
    content_hash: str
    width: int
    height: int


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
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(status.st_mode):  # reading a FIFO or a device named *.png would block or never end
        raise MediaError(path, "not a regular file (a pipe, device or folder)")
    size = status.st_size
    if size == 0:
        raise MediaError(path, "empty file (0 bytes)")
    try:
        digest = content_hash(path)
    except OSError as exc:
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    width, height = _checked_size(path)
    return MediaInfo(str(path), size, digest, width, height)


def _checked_size(path: str | Path) -> tuple[int, int]:
    """Displayed width and height after a real (cheap) decode check with Pillow, or OpenCV for what Pillow lacks."""
    try:
        with Image.open(path) as im:
            _verify(im)
        with Image.open(path) as im:  # verify() spends the image, so the header is read again (cheap)
            width, height = im.size
            orientation = im.getexif().get(_EXIF_ORIENTATION)
    except UnidentifiedImageError:
        return _size_by_opencv(path, "not an image file, or a format that cannot be read")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        reason = str(exc) or type(exc).__name__
        if "truncated" in reason.lower():
            raise MediaError(path, f"corrupt or truncated image: {reason}") from None
        return _size_by_opencv(path, f"cannot decode: {reason}")
    if orientation in _SWAPPED_ORIENTATIONS:
        width, height = height, width
    return width, height


def _verify(im: Image.Image) -> None:
    """Decode enough to find truncation and corruption; must run directly after open (PNG verify requires it)."""
    if im.format == "JPEG":
        im.draft(im.mode, (max(1, im.width // 8), max(1, im.height // 8)))
        im.load()
    elif im.format == "PNG":
        im.verify()
    else:
        im.load()


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
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    return decode_image_bytes(data, path)


def decode_image_bytes(data: bytes | np.ndarray, source: str | Path = "<memory>") -> np.ndarray:
    """`decode_image` for bytes already in memory (media that has no file of its own, such as a synced workspace's
    encrypted cache): the same pixels, depths and EXIF orientation. `source` names the media in errors."""
    buffer = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    if buffer.size == 0:
        raise MediaError(source, "empty file (0 bytes)")
    image = cv2.imdecode(buffer, _DECODE_FLAGS)
    if image is None:
        raise MediaError(source, "cannot decode: not an image, or corrupt or truncated")
    return image


def iter_media_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Image files among `paths`: files as given, folders searched recursively in sorted order, by extension."""
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())
            yield from sorted(found)
        elif path.suffix.lower() in IMAGE_EXTENSIONS:
            yield path
