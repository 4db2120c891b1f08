"""Light and dark themes: a Fusion palette for Qt's own widgets plus the app's colour roles for what it paints itself
(canvas and timeline backgrounds, rulers, muted and error text, pins, task status dots).

The themes are data (resources/themes/*.json), so a colour changes in one place and tests can check both. The choice
is "system" (the default: the desktop's light or dark scheme, followed while the app runs), "light" or "dark".
Widgets read `color(role)` when they paint; applying a theme sends every widget a PaletteChange, so they repaint, and
the few that keep a colour (a background brush, a style sheet) refresh it then.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QToolTip, QWidget

from resources import THEMES as THEMES_DIR

log = logging.getLogger(__name__)
CHOICES = {  # the setting's values and their menu texts
    "system": QT_TRANSLATE_NOOP("theme", "&System"),
    "light": QT_TRANSLATE_NOOP("theme", "&Light"),
    "dark": QT_TRANSLATE_NOOP("theme", "&Dark"),
}
# Fusion rims an unchecked box in window.darker(140), which vanishes on a dark base: the one place a palette cannot
# reach. A checked box keeps Fusion's own look (its check mark shows on both themes).
_STYLE_SHEET = """
QAbstractItemView::indicator:unchecked, QCheckBox::indicator:unchecked {
    border: 1px solid %(indicator)s; border-radius: 2px; background: %(base)s; width: 12px; height: 12px; }
QCheckBox::indicator:unchecked:disabled { border-color: %(indicator_disabled)s; }
"""


@dataclass(frozen=True)
class Theme:
    name: str
    palette: QPalette
    roles: dict[str, QColor]


@functools.cache
def load_theme(name: str) -> Theme:
    """A theme file: every QPalette role (all groups), the disabled group's overrides, and the app's roles."""
    data = json.loads((THEMES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    palette = QPalette()
    for role, value in data["palette"].items():
        palette.setColor(QPalette.ColorRole[role], QColor(value))
    for role, value in data["disabled"].items():
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole[role], QColor(value))
    return Theme(name, palette, {role: QColor(value) for role, value in data["roles"].items()})


class Themes(QObject):
    """The theme in force and the user's choice; while the choice is "system", follows the desktop's scheme."""

    changed = Signal(str)  # the name of the theme just applied: "light" or "dark"

    def __init__(self) -> None:
        super().__init__()
        self.choice = "system"
        self._theme: Theme | None = None
        self._desktop_dark: bool | None = None  # the desktop's own palette, for platforms that name no scheme

    @property
    def theme(self) -> Theme:
        if self._theme is None:  # nothing applied yet (tests, a bare widget): paint as the light theme does
            self._theme = load_theme("light")
        return self._theme

    def apply(self, choice: str) -> None:
        """Apply "system", "light" or "dark" to the whole application at once (another value: "system", logged, as
        the settings file does with a wrong value)."""
        if choice not in CHOICES:
            log.warning("unknown theme %r, following the system (expected one of %s)", choice, ", ".join(CHOICES))
            choice = "system"
        app = QApplication.instance()
        hints = app.styleHints()
        if self._desktop_dark is None:  # first use: read the desktop before our palette replaces its own
            self._desktop_dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
            hints.colorSchemeChanged.connect(self.follow)
            app.setStyle("Fusion")  # native styles (Windows, macOS) ignore much of a palette
        self.choice = choice
        if choice == "system":
            hints.unsetColorScheme()
            self._install(self._resolve(hints.colorScheme()))
        else:  # also asks the platform for matching window decorations (dark title bars on Windows)
            hints.setColorScheme(Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light)
            self._install(choice)

    def follow(self, scheme: Qt.ColorScheme) -> None:
        """The desktop switched between light and dark (QStyleHints.colorSchemeChanged)."""
        if self.choice == "system":
            self._install(self._resolve(scheme))

    def _resolve(self, scheme: Qt.ColorScheme) -> str:
        if scheme == Qt.ColorScheme.Unknown:
            return "dark" if self._desktop_dark else "light"
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"

    def _install(self, name: str) -> None:
        self._theme = load_theme(name)  # before the palette, so widgets repainting on PaletteChange see its roles
        QApplication.setPalette(self._theme.palette)
        QToolTip.setPalette(self._theme.palette)  # tooltips keep the platform's palette otherwise
        app = QApplication.instance()
        app.setStyleSheet(_STYLE_SHEET % {
            "base": self._theme.palette.color(QPalette.ColorRole.Base).name(),
            "indicator": self._theme.roles["indicator"].name(),
            "indicator_disabled": self._theme.roles["indicator_disabled"].name(),
        })
        self.changed.emit(name)


THEMES = Themes()


def color(role: str) -> QColor:
    """An app role of the theme in force (a copy: the caller may change its alpha)."""
    return QColor(THEMES.theme.roles[role])


def apply_theme(choice: str) -> None:
    THEMES.apply(choice)


def theme_menu(parent: QWidget, on_chosen: Callable[[str], None]) -> QMenu:
    """View → Theme: System, Light, Dark, the choice in force checked; `on_chosen` applies and saves a new one."""
    menu = QMenu(QCoreApplication.translate("theme", "&Theme"), parent)
    group = QActionGroup(menu)
    for choice, text in CHOICES.items():
        action = menu.addAction(QCoreApplication.translate("theme", text))
        action.setCheckable(True)
        action.setChecked(choice == THEMES.choice)
        action.setData(choice)
        group.addAction(action)
    group.triggered.connect(lambda action: on_chosen(action.data()))
    return menu
