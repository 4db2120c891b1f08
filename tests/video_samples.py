"""Test videos made with ffmpeg whose frames carry their own number, so a test can check the frame shown is the one
asked for: a 4x4 grid of black or white cells (16 bits, frame n's bit b in cell b, row by row) drawn by ffmpeg's
drawbox filter, big enough to survive any lossy codec. Used by tests/test_video_decode.py and the video benchmark.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

FFMPEG = "ffmpeg"
# H.264 with a long GOP and B-frames; scenecut off, so keyframes are every 150 frames exactly.
X264 = ("-c:v", "libx264", "-g", "150", "-bf", "3", "-sc_threshold", "0", "-pix_fmt", "yuv420p")


def ffmpeg(*args: str | Path) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *map(str, args)], check=True, timeout=600)


def number_filter(grid: tuple[int, int], first: int = 0) -> str:
    """drawbox filters writing frame number n + first into a grid of grid[0] x grid[1] pixels at the top left."""
    cw, ch = grid[0] // 4, grid[1] // 4
    parts = []
    for b in range(16):
        r, c = divmod(b, 4)
        bit = f"mod(floor((n+{first})/{1 << b}),2)"
        box = f"x={c * cw}:y={r * ch}:w={cw}:h={ch}:t=fill"
        parts += [f"drawbox={box}:color=white:enable='{bit}'", f"drawbox={box}:color=black:enable='1-{bit}'"]
    return ",".join(parts)


def read_number(image: np.ndarray, grid: tuple[int, int] | None = None) -> int:
    """The number drawn by number_filter, read from the middle of each cell of a BGR frame."""
    gw, gh = grid or (image.shape[1], image.shape[0])
    cw, ch = gw // 4, gh // 4
    grey = image[:gh, :gw].mean(axis=2)
    n = 0
    for b in range(16):
        r, c = divmod(b, 4)
        if grey[r * ch + ch // 4 : (r + 1) * ch - ch // 4, c * cw + cw // 4 : (c + 1) * cw - cw // 4].mean() > 128:
            n |= 1 << b
    return n


def make_video(
    path: Path,
    *,
    size: tuple[int, int] = (320, 240),
    frames: int = 300,
    rate: int = 30,
    grid: tuple[int, int] | None = None,
    first: int = 0,
    source: str = "color=c=gray",
    after: str = "",
    encode: tuple[str, ...] = X264,
) -> Path:
    """A numbered video of `frames` frames; `after` is more filters (e.g. setpts), `encode` the output options."""
    w, h = size
    vf = number_filter(grid or size, first) + (f",{after}" if after else "")
    lavfi = f"{source}{':' if '=' in source else '='}s={w}x{h}:r={rate}"
    ffmpeg("-f", "lavfi", "-i", lavfi, "-frames:v", str(frames), "-vf", vf, *encode, path)
    return path
