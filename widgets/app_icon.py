"""The application's icon (resources/icons/): the window's, the taskbar's and the dialogs'.

Built from the rendered PNGs (annodesk-<size>.png), one image per size, so a 16 px taskbar gets the 16 px drawing
rather than a scaled 256 px one, and no SVG image plugin is needed at run time.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon

from resources import ICONS


def app_icon() -> QIcon:
    """The Annodesk icon at every size that ships; ValueError naming the folder when none is there."""
    icon = QIcon()
    for path in sorted(ICONS.glob("annodesk-*.png")):
        icon.addFile(str(path))
    if icon.isNull():
        raise ValueError(f"{ICONS}: no annodesk-<size>.png icon files (run python resources/icons/render.py)")
    return icon
