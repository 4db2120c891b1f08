"""Start-up: the QApplication, the main window on a workspace, and the screenshot mode used for docs and checks."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import platformdirs
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow
from desktop.settings import load_settings
from sync.client.at_rest import is_encrypted
from sync.workspace import Workspace, WorkspaceError

log = logging.getLogger(__name__)
SCREENSHOT_UNLOCK_S = 30.0  # how long a screenshot waits for a synced workspace's key


def default_demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("annodesk")) / "demo"


def application() -> QApplication:
    _drop_opencv_qt_paths()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Annodesk")
    app.setOrganizationName("Annodesk")
    return app  # type: ignore[return-value]


def _drop_opencv_qt_paths() -> None:
    """opencv-python points Qt at its own bundled plugins and fonts on import; PySide6 must use its own."""
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        if "cv2" in os.environ.get(name, ""):
            del os.environ[name]


def run_app(workspace_dir: Path, task_id: int | None = None, screenshot: str | None = None) -> int:
    """Open the main window on a workspace; with `screenshot`, save a PNG of it once shown and exit 0."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:  # fail before any window appears when the workspace cannot be opened (and migrate an older one)
        if not is_encrypted(workspace_dir):  # a synced one needs its key: the window reads it off the UI thread
            Workspace.open(workspace_dir).close()
    except WorkspaceError as exc:
        print(f"annodesk: error: {exc}", file=sys.stderr)
        return 2
    app = application()
    window = MainWindow(load_settings())
    window.sync_status.keys.install()  # the window's keys (passphrase dialog), not the command line's (terminal)
    window.open_workspace(workspace_dir, task_id)
    if screenshot:
        window.resize(1600, 1000)
    window.show()
    if screenshot:
        QTimer.singleShot(300, lambda: _save_screenshot(window, Path(screenshot), app))
    return app.exec()


def _save_screenshot(window: MainWindow, path: Path, app: QApplication) -> None:
    deadline = time.monotonic() + SCREENSHOT_UNLOCK_S
    while window.unlocker.job is not None and time.monotonic() < deadline:  # a synced workspace being unlocked
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    window.wait_until_idle()
    app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(path), "PNG")
    print(f"screenshot saved to {path}" if ok else f"annodesk: error: cannot write {path}")
    window.close()
    app.exit(0 if ok else 1)
