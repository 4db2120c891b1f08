"""The app icon: set on the application (so on every window, the taskbar and the dialogs) at each rendered size; the
committed PNGs are still what resources/icons/annodesk.svg draws; Pillow packs the Windows .ico and macOS .icns the
bundle spec uses; pyproject ships the files; the Linux bundle's .desktop entry names the icon."""

import configparser
import importlib.util
import tomllib

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication

from desktop.app import application
from desktop.main_window import MainWindow
from desktop.settings import Settings
from resources import ICONS, RESOURCES
from widgets.app_icon import app_icon

ROOT = RESOURCES.parent


def _render_module():
    """resources/icons/render.py (a script beside the icons, not a module of the package)."""
    spec = importlib.util.spec_from_file_location("icon_render", ICONS / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_application_and_its_window_have_the_icon_at_every_size(qtbot, keys):
    app = application()
    sizes = {size.width() for size in app.windowIcon().availableSizes()}
    assert {16, 24, 32, 48, 64, 128, 256, 512} <= sizes
    assert QGuiApplication.desktopFileName() == "annodesk"  # Wayland matches it to annodesk.desktop
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    assert not window.windowIcon().isNull()
    assert window.windowIcon().pixmap(QSize(16, 16)).toImage() == app_icon().pixmap(QSize(16, 16)).toImage()


def test_committed_pngs_are_what_the_svg_draws(qtbot, tmp_path):
    icons = _render_module()
    for fresh in icons.render_pngs(tmp_path):
        committed = np.asarray(Image.open(ICONS / fresh.name).convert("RGBA"), np.int16)
        drawn = np.asarray(Image.open(fresh).convert("RGBA"), np.int16)
        assert committed.shape == drawn.shape and np.abs(committed - drawn).max() <= 2, (
            f"{fresh.name} differs from annodesk.svg: run python resources/icons/render.py")
        assert drawn[..., 3].min() == 0 and drawn[drawn.shape[0] // 2, drawn.shape[1] // 2, 3] == 255  # a tile


def test_pillow_packs_the_ico_and_icns(tmp_path):
    icons = _render_module()
    ico, icns = icons.platform_icons(tmp_path)
    with Image.open(ico) as image:
        assert sorted(image.ico.sizes()) == [(s, s) for s in icons.ICO_SIZES]
    with Image.open(icns) as image:
        assert image.format == "ICNS" and (512, 512) in {size[:2] for size in image.info["sizes"]}
    with pytest.raises(FileNotFoundError, match="icon PNGs missing"):
        icons.platform_icons(tmp_path / "out", pngs=tmp_path / "nothing")


def test_package_data_ships_the_icons_and_the_desktop_entry_names_them():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["resources"]
    shipped = {path for pattern in patterns for path in RESOURCES.glob(pattern)}
    assert ICONS / "annodesk.svg" in shipped and {ICONS / f"annodesk-{s}.png" for s in (16, 256, 512)} <= shipped
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "packaging" / "linux" / "annodesk.desktop")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Icon"], desktop["Exec"], desktop["Terminal"]) == (
        "Application", "annodesk", "annodesk", "false")
