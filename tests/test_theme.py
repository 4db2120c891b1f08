"""Themes: light and dark palettes, following the desktop's scheme, the setting, and colours that follow the theme."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from desktop.main_window import MainWindow
from desktop.settings import Settings, load_settings, save_settings
from resources import THEMES as THEMES_DIR
from widgets.canvas import ImageCanvas
from widgets.theme import THEMES, apply_theme, color, load_theme
from widgets.timeline import Timeline, TimelineRow
from widgets.tool_icons import GLYPHS, tool_icon

ROOT = Path(__file__).resolve().parent.parent
# Files whose text, rulers and icons follow the theme: they must take those colours from widgets/theme.py.
THEMED = ["widgets/canvas.py", "widgets/timeline.py", "widgets/tool_icons.py", "widgets/comment_pins.py",
          "widgets/task_list.py"]


@pytest.fixture(autouse=True)
def _restore(qapp):
    """Leave the shared QApplication as the other tests know it."""
    palette, tips, sheet = qapp.palette(), QToolTip.palette(), qapp.styleSheet()
    yield
    QApplication.setPalette(palette)
    QToolTip.setPalette(tips)
    qapp.setStyleSheet(sheet)
    qapp.styleHints().unsetColorScheme()
    THEMES.choice, THEMES._theme = "system", None


def window(app):
    return app.palette().color(QPalette.ColorRole.Window)


def text(app):
    return app.palette().color(QPalette.ColorRole.WindowText)


def test_dark_gives_a_dark_window_and_light_text(qapp):
    apply_theme("dark")
    assert window(qapp).lightness() < 80 and text(qapp).lightness() > 200
    assert qapp.palette().color(QPalette.ColorRole.Base).lightness() < 80
    assert THEMES.theme.name == "dark" and "indicator" in qapp.styleSheet()
    qapp.setStyleSheet("")  # the style sheet's own style wraps Fusion; without it, Fusion shows
    assert qapp.style().name().lower() == "fusion"
    assert QToolTip.palette().color(QPalette.ColorRole.ToolTipBase).lightness() < 80


def test_light_gives_a_light_window_and_dark_text(qapp):
    apply_theme("dark")
    apply_theme("light")
    assert window(qapp).lightness() > 200 and text(qapp).lightness() < 80
    assert color("ruler_text").lightness() < color("ruler").lightness()


def test_system_follows_the_desktop_scheme(qapp):
    apply_theme("system")
    THEMES.follow(Qt.ColorScheme.Dark)  # what QStyleHints.colorSchemeChanged calls
    assert THEMES.theme.name == "dark" and window(qapp).lightness() < 80
    THEMES.follow(Qt.ColorScheme.Light)
    assert THEMES.theme.name == "light" and window(qapp).lightness() > 200
    apply_theme("dark")  # a chosen theme no longer follows the desktop
    THEMES.follow(Qt.ColorScheme.Light)
    assert THEMES.theme.name == "dark"


def test_the_signal_reaches_the_theme(qapp):
    apply_theme("system")
    seen = []
    THEMES.changed.connect(seen.append)
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    THEMES.changed.disconnect(seen.append)
    assert seen == ["dark"]


def test_unknown_choice_follows_the_system(qapp):
    apply_theme("blue")
    assert THEMES.choice == "system"


def test_both_themes_set_every_role():
    roles = {r.name for r in QPalette.ColorRole} - {"NoRole", "NColorRoles"}
    light, dark = (json.loads((THEMES_DIR / f"{n}.json").read_text()) for n in ("light", "dark"))
    assert set(light["palette"]) == set(dark["palette"]) == roles
    assert set(light["roles"]) == set(dark["roles"]) and set(light["disabled"]) == set(dark["disabled"])
    for name in ("light", "dark"):  # the canvas and tracks show pictures and signals: dark-ish in both
        roles_of = load_theme(name).roles
        assert roles_of["canvas"].lightness() < 100 and roles_of["track"].lightness() < 100
        assert roles_of["canvas_text"].lightness() > 180 and roles_of["track_text"].lightness() > 180


def test_the_setting_round_trips(tmp_path):
    path = tmp_path / "settings.json"
    assert Settings().theme == "system"
    save_settings(Settings(theme="dark"), path)
    assert load_settings(path).theme == "dark"
    path.write_text(json.dumps({"theme": 3}))
    assert load_settings(path).theme == "system"


def icon_pixels(name):
    return tool_icon(name).pixmap(QSize(32, 32)).toImage()


def test_tool_icons_follow_the_theme(qapp):
    apply_theme("light")
    light = {name: icon_pixels(name) for name in GLYPHS}
    apply_theme("dark")
    for name in GLYPHS:
        dark = icon_pixels(name)
        assert dark != light[name], name
        ink = [dark.pixelColor(x, y) for x in range(32) for y in range(32) if dark.pixelColor(x, y).alpha() > 200]
        assert ink and max(c.lightness() for c in ink) > 180, name  # light ink on the dark toolbar
    assert icon_pixels("box").pixelColor(0, 0).alpha() == 0  # transparent around the glyph
    assert tool_icon("box").pixmap(QSize(28, 28), 2.0).size() == QSize(56, 56)  # sharp on a HiDPI screen


def test_timeline_ruler_follows_the_theme(qapp, qtbot):
    timeline = Timeline()
    qtbot.addWidget(timeline)
    timeline.resize(400, 80)
    timeline.set_length(100)
    timeline.set_rows([TimelineRow("t", "car", "#e69f00", np.array([0, 50]))])
    shots = {}
    for name in ("light", "dark"):
        apply_theme(name)
        shots[name] = timeline.grab().toImage()
    ruler_y, row_y = 7, 5 + 20 + 8  # under the minimap, above the tick labels; the first row
    light, dark = (shots[n].pixelColor(300, ruler_y).lightness() for n in ("light", "dark"))
    assert light > 150 > dark
    assert all(shots[n].pixelColor(300, row_y).lightness() < 100 for n in shots)  # the tracks stay dark


def test_canvas_background_follows_a_theme_change(qapp, qtbot):
    canvas = ImageCanvas()
    qtbot.addWidget(canvas)
    for name in ("light", "dark", "light"):
        apply_theme(name)
        assert canvas.backgroundBrush().color() == load_theme(name).roles["canvas"]
        assert load_theme(name).roles["canvas_text"].name() in canvas.message.styleSheet()


def test_view_theme_menu_applies_at_once_and_saves(qapp, qtbot):
    window = MainWindow(Settings())
    qtbot.addWidget(window)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    menu = next(a.menu() for a in view.actions() if a.menu() is not None and a.menu().title() == "&Theme")
    choices = {a.data(): a for a in menu.actions()}
    assert list(choices) == ["system", "light", "dark"] and choices["system"].isChecked()
    icon = window.actions_by_id["tool.box"].icon()
    before = icon.pixmap(QSize(28, 28)).toImage()
    choices["dark"].trigger()
    assert THEMES.theme.name == "dark" and choices["dark"].isChecked() and not choices["system"].isChecked()
    assert window.canvas.backgroundBrush().color() == color("canvas")
    assert icon.pixmap(QSize(28, 28)).toImage() != before  # the same icon, redrawn in the new ink
    assert load_settings().theme == "dark" and window.settings.theme == "dark"
    window.close()


def test_themed_widgets_keep_no_colour_literals():
    """Text, rulers and icons that must follow the theme take their colours from widgets/theme.py's roles."""
    literal = re.compile(r"#[0-9a-fA-F]{6}\b|QColor\(\s*\"[a-z]+\"|QColor\(\s*\d+\s*,|Qt\.GlobalColor\.(white|black)")
    for name in THEMED:
        source = (ROOT / name).read_text(encoding="utf-8")
        assert not literal.findall(source), f"{name}: {literal.findall(source)}"
