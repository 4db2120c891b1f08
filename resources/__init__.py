"""Data files shipped with the app (label schemas, themes), found next to this module so `pip install .` works."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
DEFAULT_SCHEMA = RESOURCES / "schemas" / "default.json"
THEMES = RESOURCES / "themes"  # light.json, dark.json: widgets/theme.py
