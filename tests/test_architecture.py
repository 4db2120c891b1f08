"""The layer rule of docs/ARCHITECTURE.md, checked by import-linter on every test run."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_qt_free_layers_import_without_qt():
    """Import every module of the Qt-free layers in a fresh interpreter and check that Qt was never loaded."""
    code = (
        "import pkgutil, importlib, sys\n"
        "for pkg in ('core', 'sync', 'inference', 'tools'):\n"
        "    m = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(m.__path__, pkg + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "assert not any(n.startswith(('PySide6', 'shiboken6')) for n in sys.modules), 'Qt imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
