"""The app's language: Qt's translation system (resources/translations/annodesk_<lang>.ts, compiled to .qm).

The setting is "system" (the desktop's locale: Vietnamese when it is Vietnamese, else English), "en" or "vi". The
translator is installed before the window is built, so every `tr()` and `translate()` finds it; a change from
View → Language applies when the app starts again. `./dev install` compiles the .qm files next to the sources; when
one is missing (a checkout run without it), the .ts is compiled once into the user cache, else the app stays English.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import platformdirs
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QTranslator
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from resources import TRANSLATIONS

log = logging.getLogger(__name__)
# The setting's values and their menu texts; each language is named in itself, as people look for their own.
CHOICES = {"system": QT_TRANSLATE_NOOP("i18n", "&System"), "en": "English", "vi": "Tiếng Việt"}
_installed: list[QTranslator] = []  # kept alive: Qt does not own an installed translator


def resolve(choice: str) -> str:
    """The language a choice means here: "en" or "vi" (an unknown value: the system's, logged)."""
    if choice not in CHOICES:
        log.warning("unknown language %r, following the system (expected one of %s)", choice, ", ".join(CHOICES))
        choice = "system"
    if choice == "system":
        return "vi" if QLocale.system().language() == QLocale.Language.Vietnamese else "en"
    return choice


def install_translator(choice: str) -> str:
    """Install the translator of `choice` in the application (replacing an earlier one); returns the language in
    force, "en" when the chosen one has no compiled translations."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    language = resolve(choice)
    if language == "en":  # the sources are English
        return language
    qm = compiled(language)
    translator = QTranslator()
    if qm is None or not translator.load(str(qm)):
        log.warning("no %s translations (%s): the app is in English", language, qm or "not compiled")
        return "en"
    app.installTranslator(translator)
    _installed.append(translator)
    return language


def compiled(language: str) -> Path | None:
    """The .qm of `language`: the one `./dev install` compiled, else one compiled now into the user cache."""
    source = TRANSLATIONS / f"annodesk_{language}.ts"
    qm = source.with_suffix(".qm")
    if qm.exists() and qm.stat().st_mtime >= source.stat().st_mtime:
        return qm
    cached = Path(platformdirs.user_cache_dir("annodesk")) / "translations" / qm.name
    if cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime:
        return cached
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent)) or shutil.which(
        "pyside6-lrelease")
    if lrelease is None:
        log.warning("pyside6-lrelease not found: cannot compile %s", source)
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([lrelease, "-silent", str(source), "-qm", str(cached)], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0 or not cached.exists():
        log.warning("cannot compile %s: %s", source, done.stderr.strip() or done.returncode)
        return None
    log.info("compiled %s into %s", source.name, cached)
    return cached


def language_menu(parent: QWidget, current: str, on_chosen: Callable[[str], None]) -> QMenu:
    """View → Language: System, English, Tiếng Việt, the setting checked; `on_chosen` saves a new one."""
    menu = QMenu(QCoreApplication.translate("i18n", "&Language"), parent)
    group = QActionGroup(menu)
    for choice, text in CHOICES.items():
        action = menu.addAction(QCoreApplication.translate("i18n", text) if choice == "system" else text)
        action.setCheckable(True)
        action.setChecked(choice == current)
        action.setData(choice)
        group.addAction(action)
    group.triggered.connect(lambda action: on_chosen(action.data()))
    return menu
