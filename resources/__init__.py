"""Data files shipped with the app (default label schemas), found next to this module so `pip install .` works."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
DEFAULT_SCHEMA = RESOURCES / "schemas" / "default.json"
