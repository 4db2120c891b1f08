"""Data files shipped with the app (label schemas, themes, translations, the app icon), found next to this module so
`pip install .` works."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
DEFAULT_SCHEMA = RESOURCES / "schemas" / "default.json"
THEMES = RESOURCES / "themes"  # light.json, dark.json: widgets/theme.py
TRANSLATIONS = RESOURCES / "translations"  # annodesk_vi.ts, compiled to .qm: desktop/i18n.py
ICONS = RESOURCES / "icons"  # annodesk.svg and its PNGs (icons/render.py): widgets/app_icon.py, packaging/
