"""Image to input tensor, and the transform that maps model coordinates back onto the original image.

Big JPEGs are decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling, several times faster than a full decode) when
the model needs far fewer pixels than the file has: the largest reduction whose result still covers what the resize
to the model input keeps. The transform folds that reduction in, so predictions land on full-resolution coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.media import MediaError

_REDUCED = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8}  # fmt: skip


@dataclass(frozen=True)
class Transform:
    """model = image * gain + pad, per axis; `width` x `height` is the original image (for clipping)."""

    gain_x: float
    gain_y: float
    pad_x: float
    pad_y: float
    width: int
    height: int

    def points(self, xy: np.ndarray) -> np.ndarray:
        """Model-input points (..., 2) as original-image points."""
        out = np.empty_like(xy, dtype=np.float64)
        out[..., 0] = (xy[..., 0] - self.pad_x) / self.gain_x
        out[..., 1] = (xy[..., 1] - self.pad_y) / self.gain_y
        return out

    def boxes(self, xyxy: np.ndarray) -> np.ndarray:
        """Model-input boxes (N, 4) as original-image boxes, clipped to the image."""
        out = self.points(xyxy.reshape(-1, 2, 2)).reshape(-1, 4)
        np.clip(out[:, 0::2], 0, self.width, out=out[:, 0::2])
        np.clip(out[:, 1::2], 0, self.height, out=out[:, 1::2])
        return out

    def of_original(self, factor_x: float, factor_y: float, width: int, height: int) -> Transform:
        """The same transform for an image that was decoded `factor` times smaller than the original."""
        return Transform(self.gain_x / factor_x, self.gain_y / factor_y, self.pad_x, self.pad_y, width, height)


def as_bgr8(image: np.ndarray) -> np.ndarray:
    """Any decoded image (grey, BGRA, 16-bit) as 3-channel 8-bit BGR."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image


def letterbox(image: np.ndarray, size: tuple[int, int], pad_value: int = 114) -> tuple[np.ndarray, Transform]:
    """Resize keeping the aspect ratio and pad to `size` (h, w), centred, the way Ultralytics does."""
    h, w = image.shape[:2]
    th, tw = size
    r = min(th / h, tw / w)
    nw, nh = max(1, round(w * r)), max(1, round(h * r))
    left, top = round((tw - nw) / 2 - 0.1), round((th - nh) / 2 - 0.1)
    resized = image if (nw, nh) == (w, h) else cv2.resize(image, (nw, nh), interpolation=cv2.INTER_LINEAR)
    canvas = cv2.copyMakeBorder(resized, top, th - nh - top, left, tw - nw - left, cv2.BORDER_CONSTANT,
                                value=(pad_value,) * 3)  # fmt: skip
    return canvas, Transform(nw / w, nh / h, left, top, w, h)


def stretch(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, Transform]:
    """Resize to `size` (h, w) without keeping the aspect ratio."""
    h, w = image.shape[:2]
    th, tw = size
    resized = image if (tw, th) == (w, h) else cv2.resize(image, (tw, th), interpolation=cv2.INTER_LINEAR)
    return resized, Transform(tw / w, th / h, 0.0, 0.0, w, h)


def limited_size(width: int, height: int, limit: int, mode: str, multiple: int = 32) -> tuple[int, int]:
    """(h, w) for a fully convolutional model: the longest ("max") or shortest ("min") side brought to `limit`
    (only shrinking for "max", only growing for "min"), each side rounded to a multiple of `multiple`."""
    side = max(width, height) if mode == "max" else min(width, height)
    ratio = limit / side if (side > limit if mode == "max" else side < limit) else 1.0
    return (max(multiple, round(height * ratio / multiple) * multiple),
            max(multiple, round(width * ratio / multiple) * multiple))  # fmt: skip


def to_tensor(
    image: np.ndarray,
    channel_order: str,
    scale: float,
    mean: tuple[float, float, float],
    std: tuple[float, float, float],
) -> np.ndarray:
    """BGR uint8 HxWx3 to a 1x3xHxW float32 tensor: (pixel * scale - mean) / std, channels in `channel_order`."""
    blob: np.ndarray = cv2.dnn.blobFromImage(image, scalefactor=scale, swapRB=channel_order == "rgb")
    if any(mean) or any(s != 1.0 for s in std):
        blob = (blob - np.asarray(mean, dtype=np.float32)[None, :, None, None]) / np.asarray(
            std, dtype=np.float32
        )[None, :, None, None]
    return blob.astype(np.float32, copy=False)


def reduction_for(needed_scale: float) -> int:
    """The largest JPEG decode reduction (1, 2, 4 or 8) that keeps at least `needed_scale` of the resolution."""
    return next((r for r in (8, 4, 2) if 1.0 / r >= needed_scale), 1)


def read_image(
    path: str | Path,
    full_size: tuple[int, int] | None = None,
    needed_scale: Callable[[int, int], float] | None = None,
) -> tuple[np.ndarray, float, float]:
    """Decode a file as 8-bit BGR (EXIF orientation applied), reduced where the model needs fewer pixels.

    `full_size` (width, height) is the displayed size recorded at import; without it the file is decoded fully.
    Returns the image and the factors original/decoded per axis. MediaError when the file cannot be decoded.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise MediaError(path, f"cannot read: {exc.strerror or exc}") from None
    return decode_reduced(data, path, full_size, needed_scale)


def decode_reduced(
    data: bytes | np.ndarray,
    source: str | Path,
    full_size: tuple[int, int] | None = None,
    needed_scale: Callable[[int, int], float] | None = None,
) -> tuple[np.ndarray, float, float]:
    """`read_image` for encoded bytes already in memory (media without a file of its own, such as a synced
    workspace's encrypted cache): the same reduced JPEG decode. `source` names the media in errors."""
    buffer = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    if buffer.size == 0:
        raise MediaError(source, "empty file (0 bytes)")
    reduction = 1
    if full_size and full_size[0] > 0 and full_size[1] > 0 and needed_scale is not None:
        reduction = reduction_for(needed_scale(*full_size))
    image = cv2.imdecode(buffer, _REDUCED[reduction])
    if image is not None and reduction > 1 and full_size is not None:
        w, h = full_size
        if abs(image.shape[1] - w / reduction) <= 1 and abs(image.shape[0] - h / reduction) <= 1:
            return image, w / image.shape[1], h / image.shape[0]
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)  # the recorded size is stale: the file has changed
    if image is None:
        raise MediaError(source, "cannot decode: not an image, or corrupt or truncated")
    return image, 1.0, 1.0
