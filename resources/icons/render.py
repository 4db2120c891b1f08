"""Make the app icon's files from resources/icons/annodesk.svg, the one drawing of it.

    python resources/icons/render.py                  # the PNGs beside the SVG (committed; the app and Linux use them)
    python resources/icons/render.py --platform DIR   # annodesk.ico (Windows) and annodesk.icns (macOS) in DIR

The PNGs are drawn by Qt's SVG renderer; the .ico and .icns are packed by Pillow from those PNGs, one image per size,
so each size keeps its own rendering instead of a scaled-down 256 px one. packaging/annodesk.spec runs the second
form at build time; tests/test_app_icon.py checks that the committed PNGs still match the SVG.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "annodesk.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # the freedesktop hicolor sizes the Linux bundle installs
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # an .ico holds at most 256 px
ICNS_SIZES = (16, 32, 64, 128, 256, 512)  # the sizes macOS's iconset names


def png_path(size: int, folder: Path = HERE) -> Path:
    return folder / f"annodesk-{size}.png"


def render_pngs(folder: Path = HERE, svg: Path = SVG, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Draw the SVG at each size on a transparent square and save it as a PNG; returns the files written."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["render", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG that Qt can draw")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = png_path(size, folder)
        if not image.save(str(path), "PNG"):
            raise OSError(f"{path}: could not be written")
        written.append(path)
    return written


def platform_icons(out: Path, pngs: Path = HERE) -> tuple[Path, Path]:
    """annodesk.ico and annodesk.icns in `out`, packed by Pillow from the PNGs in `pngs`."""
    from PIL import Image

    missing = [str(png_path(s, pngs)) for s in SIZES if not png_path(s, pngs).exists()]
    if missing:
        raise FileNotFoundError(f"icon PNGs missing (run python resources/icons/render.py): {', '.join(missing)}")
    out.mkdir(parents=True, exist_ok=True)
    ico, icns = out / "annodesk.ico", out / "annodesk.icns"
    for path, sizes in ((ico, ICO_SIZES), (icns, ICNS_SIZES)):
        images = [Image.open(png_path(s, pngs)).convert("RGBA") for s in sizes]
        largest = images[-1]
        largest.save(path, sizes=[(s, s) for s in sizes], append_images=images[:-1])
    return ico, icns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platform", type=Path, metavar="DIR", help="write annodesk.ico and annodesk.icns in DIR")
    args = parser.parse_args(argv)
    for path in platform_icons(args.platform) if args.platform else render_pngs():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
