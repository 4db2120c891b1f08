"""Tile pyramids of huge images, built once and kept on disk, so reopening a 200 MP image is instant.

A pyramid lives in `<cache>/<key>/`: one `level<k>.npy` per level (memory-mapped when read, so only the tiles on
screen are paged in and memory stays bounded) and a `manifest.json` written last, which marks the build complete.
The key is the content hash when the caller knows it (the workspace does), else the path, size and mtime.

The first view comes before the build is done: a JPEG is first decoded at 1/8 scale (libjpeg's DCT scaling, several
times faster than a full decode) and handed to `on_overview` as the coarse levels. Tiled and striped TIFFs are read
segment by segment into the level-0 file, and 8-bit colour or grey and 16-bit grey PNGs and JPEGs are decoded by
Pillow straight into memory-mapped files, so neither needs image-sized memory (nor OpenCV, which refuses more than
2^30 pixels); other formats and layouts are decoded in one go.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import platformdirs
from PIL import Image

from core.media import MediaError, decode_image, displayed_size, exif_orientation, open_image
from core.pyramid import Pyramid, PyramidError, check_pixels, display_range, downscale, level_sizes

HUGE_PIXELS = 50_000_000  # images larger than this are shown from a cached pyramid
OVERVIEW_LEVEL = 3  # a JPEG's 1/8-scale decode is level 3
BAND_ROWS = 2048  # rows of a finer level averaged per step when building the next level (bounded memory)
MANIFEST = "manifest.json"
FORMAT_VERSION = 1
_EXIF_ORIENTATION = 0x0112
# Pillow modes decoded straight into a file: the mode its image memory is mapped as, dtype, channels (0: HxW)
_STREAMED_MODES = {"L": ("L", "u1", 0), "I;16": ("I;16", "<u2", 0), "RGB": ("RGBX", "u1", 4), "RGBA": ("RGBA", "u1", 4)}
COPY_BYTES = 64 << 20  # RGBX rows copied to BGR per step


def default_cache_dir() -> Path:
    """$ANNODESK_CACHE_DIR, else the platform's user cache folder; pyramids go in its `pyramids` subfolder."""
    root = os.environ.get("ANNODESK_CACHE_DIR") or platformdirs.user_cache_dir("annodesk", appauthor=False)
    return Path(root) / "pyramids"


def image_size(path: str | Path) -> tuple[int, int]:
    """Displayed (EXIF-rotated) width and height from the file header, without decoding pixels."""
    try:
        with open_image(path) as im:
            return displayed_size(im)
    except MediaError as exc:  # past the app's size limits
        raise PyramidError(str(exc)) from None
    except (OSError, SyntaxError, ValueError) as exc:
        return _tiff_size(path, exc)


def _tiff_size(path: str | Path, error: Exception) -> tuple[int, int]:
    """Second opinion for TIFFs Pillow cannot open (some 16-bit and tiled layouts)."""
    try:
        import tifffile

        with tifffile.TiffFile(path) as tif:
            return tif.pages.first.imagewidth, tif.pages.first.imagelength
    except Exception:
        raise PyramidError(f"{path}: cannot read the image header: {error}") from None


def is_huge(width: int, height: int) -> bool:
    return width * height > HUGE_PIXELS


class PyramidCache:
    """Finds, builds and prunes the pyramids in one cache folder."""

    def __init__(self, root: str | Path | None = None, max_bytes: int = 16 << 30) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.max_bytes = max_bytes  # least recently opened pyramids are deleted beyond this

    def key(self, path: str | Path, content_hash: str | None = None) -> str:
        if content_hash:
            return f"h-{content_hash[:40]}"
        stat = Path(path).stat()
        ident = f"{Path(path).resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        return "p-" + hashlib.blake2b(ident.encode(), digest_size=20).hexdigest()

    def open(self, path: str | Path, content_hash: str | None = None) -> Pyramid | None:
        """The complete cached pyramid of an image, or None when it has not been built."""
        folder = self.root / self.key(path, content_hash)
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        if manifest.get("version") != FORMAT_VERSION:
            return None
        levels = {k: np.load(folder / f"level{k}.npy", mmap_mode="r") for k in range(manifest["levels"])}
        os.utime(folder / MANIFEST)  # recently used: pruned last
        value_range = manifest["value_range"]
        return Pyramid(
            manifest["width"], manifest["height"], levels, value_range=tuple(value_range) if value_range else None
        )

    def build(
        self,
        path: str | Path,
        content_hash: str | None = None,
        on_overview: Callable[[Pyramid], None] | None = None,
    ) -> Pyramid:
        """Build (or, if another build finished first, reuse) the pyramid of `path`; blocking, run it off the GUI."""
        cached = self.open(path, content_hash)
        if cached is not None:
            return cached
        key = self.key(path, content_hash)
        partial = self.root / f"{key}.partial-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        try:
            _build_into(Path(path), partial, on_overview)
            try:
                partial.rename(self.root / key)
            except OSError:  # someone else finished the same pyramid first: theirs is as good
                shutil.rmtree(partial, ignore_errors=True)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        self.prune()
        built = self.open(path, content_hash)
        if built is None:
            raise PyramidError(f"{path}: the pyramid was built but cannot be read back from {self.root}")
        return built

    def prune(self) -> None:
        """Delete the least recently used pyramids while the cache is over `max_bytes` (never the newest)."""
        entries = []
        for folder in self.root.glob("*"):
            manifest = folder / MANIFEST
            if manifest.is_file():
                size = sum(f.stat().st_size for f in folder.iterdir())
                entries.append((manifest.stat().st_mtime, size, folder))
        entries.sort()
        total = sum(size for _, size, _ in entries)
        for _, size, folder in entries[:-1]:
            if total <= self.max_bytes:
                break
            shutil.rmtree(folder, ignore_errors=True)
            total -= size


def _build_into(path: Path, folder: Path, on_overview: Callable[[Pyramid], None] | None) -> None:
    """Write every level and, last, the manifest; calls on_overview early when a quick overview is possible."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if on_overview is not None and head[:3] == b"\xff\xd8\xff":
        on_overview(_jpeg_overview(path))
    tiff = head in (b"II*\x00", b"MM\x00*")
    level0 = stream_tiff_level0(path, folder) if tiff else stream_pillow_level0(path, folder)
    if level0 is None:
        level0 = _save_level(folder, 0, _decode_full(path))
    sizes = level_sizes(level0.shape[1], level0.shape[0])
    finer = level0
    for k in range(1, len(sizes)):
        finer = _halve_into(folder, k, finer, sizes[k])
    value_range = None
    if level0.dtype != np.uint8:  # 16-bit: percentiles of the coarsest level of >= 1 MP stand for the whole image
        k = max([k for k, (w, h) in enumerate(sizes) if w * h >= 1 << 20], default=0)
        value_range = display_range(np.load(folder / f"level{k}.npy", mmap_mode="r"))
    manifest = {
        "version": FORMAT_VERSION,
        "width": sizes[0][0],
        "height": sizes[0][1],
        "levels": len(sizes),
        "value_range": list(value_range) if value_range else None,
        "source": str(path),
        "built": time.time(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))


def _jpeg_overview(path: Path) -> Pyramid:
    """Levels 3 and coarser from a 1/8-scale decode: the first view of a huge JPEG in a fraction of a full decode."""
    data = np.fromfile(path, dtype=np.uint8)
    try:
        small = cv2.imdecode(data, cv2.IMREAD_REDUCED_COLOR_8)
    except cv2.error:  # past OpenCV's limits even at 1/8 scale
        small = None
    if small is None:
        raise PyramidError(f"{path}: cannot decode: not an image, or corrupt or truncated")
    width, height = image_size(path)
    sizes = level_sizes(width, height)
    k = min(OVERVIEW_LEVEL, len(sizes) - 1)
    levels = {k: downscale(small, sizes[k]) if (small.shape[1], small.shape[0]) != sizes[k] else small}
    for j in range(k + 1, len(sizes)):
        levels[j] = downscale(levels[j - 1], sizes[j])
    return Pyramid(width, height, levels, complete=False)


def _decode_full(path: Path) -> np.ndarray:
    try:
        return check_pixels(decode_image(path), str(path))
    except MediaError as exc:
        raise PyramidError(str(exc)) from None


def _save_level(folder: Path, k: int, pixels: np.ndarray) -> np.ndarray:
    level = np.lib.format.open_memmap(folder / f"level{k}.npy", mode="w+", dtype=pixels.dtype, shape=pixels.shape)
    level[:] = pixels
    level.flush()
    return level


def _halve_into(folder: Path, k: int, finer: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Level k from level k-1, BAND_ROWS source rows at a time, into its own memory-mapped file."""
    width, height = size
    shape = (height, width, *finer.shape[2:])
    level = np.lib.format.open_memmap(folder / f"level{k}.npy", mode="w+", dtype=finer.dtype, shape=shape)
    for top in range(0, finer.shape[0], BAND_ROWS):
        band = np.asarray(finer[top : top + BAND_ROWS])
        out_top = top // 2
        rows = min(height, out_top + (band.shape[0] + 1) // 2) - out_top
        level[out_top : out_top + rows] = downscale(band, (width, rows))
    level.flush()
    return level


def stream_tiff_level0(path: Path, folder: Path) -> np.ndarray | None:
    """Stream a TIFF's tiles or strips into the level-0 file; None when its layout needs the generic decoder."""
    try:
        import tifffile

        tif = tifffile.TiffFile(path)
        page = tif.pages.first
    except Exception:  # not a TIFF tifffile can read: the generic decoder reports what is wrong
        return None
    with tif:
        samples = page.samplesperpixel
        plain = (
            page.dtype in (np.uint8, np.uint16)
            and page.planarconfig == tifffile.PLANARCONFIG.CONTIG
            and page.photometric in (tifffile.PHOTOMETRIC.MINISBLACK, tifffile.PHOTOMETRIC.RGB)
            and samples in (1, 3, 4)
            and page.tags.valueof(_EXIF_ORIENTATION, 1) == 1
            and page.imagedepth == 1
        )
        if not plain:
            return None
        height, width = page.imagelength, page.imagewidth
        shape = (height, width) if samples == 1 else (height, width, samples)
        level = np.lib.format.open_memmap(folder / "level0.npy", mode="w+", dtype=page.dtype, shape=shape)
        try:
            for segment, index, _ in page.segments():
                if segment is not None:  # None: an empty (sparse) tile, zeros as the file says
                    _put_segment(level, segment, index[2], index[3], page.photometric == tifffile.PHOTOMETRIC.RGB)
        except Exception:  # damaged data, or a codec tifffile lacks (LZW needs imagecodecs): decode the generic way
            return None
        level.flush()
        return level


def _put_segment(level: np.ndarray, segment: np.ndarray, y: int, x: int, rgb: bool) -> None:
    """Copy one decoded tile or strip (depth, rows, columns, samples) into its place, cut at the image's edge."""
    block = segment[0, : level.shape[0] - y, : level.shape[1] - x]
    if level.ndim == 2:
        block = block[..., 0]
    elif rgb:
        block = block[..., [2, 1, 0, 3][: level.shape[2]]]  # to BGR(A), as everything else in Annodesk
    level[y : y + block.shape[0], x : x + block.shape[1]] = block


def stream_pillow_level0(path: Path, folder: Path) -> np.ndarray | None:
    """Decode a PNG or JPEG with Pillow straight into the level-0 file (colour through an RGBX file, then swapped
    to BGR band by band); None when the generic decoder must do it: another format or mode, 16-bit colour (Pillow
    makes it 8-bit, OpenCV keeps it), or an EXIF rotation (OpenCV applies it)."""
    try:
        im = open_image(path)
    except (MediaError, OSError, SyntaxError, ValueError):  # the generic decoder reports what is wrong
        return None
    with im:
        deep_colour = im.format == "PNG" and im.mode != "I;16" and str(im.tile[0].args).endswith("16B")
        if im.format not in ("PNG", "JPEG") or im.mode not in _STREAMED_MODES or deep_colour:
            return None
        if exif_orientation(im) not in (None, 1):
            return None
        mapped_mode, dtype, channels = _STREAMED_MODES[im.mode]
        shape = (im.height, im.width, channels) if channels else (im.height, im.width)
        decoded = np.lib.format.open_memmap(folder / ("decoded.npy" if channels else "level0.npy"), mode="w+",
                                            dtype=dtype, shape=shape)
        # Pillow decodes into the image memory it finds in place: here, the memory-mapped file
        im.im = Image.frombuffer(im.mode, im.size, decoded, "raw", mapped_mode, 0, 1).im
        try:
            im.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise PyramidError(f"{path}: cannot decode: {exc}") from None
    if not channels:
        decoded.flush()
        return decoded
    level = np.lib.format.open_memmap(folder / "level0.npy", mode="w+", dtype=np.uint8, shape=(*shape[:2], 3))
    step = max(1, COPY_BYTES // (4 * shape[1]))
    for top in range(0, shape[0], step):
        cv2.cvtColor(decoded[top : top + step], cv2.COLOR_RGBA2BGR, dst=level[top : top + step])
    level.flush()
    del decoded
    (folder / "decoded.npy").unlink()
    return level
