"""Start-up: the QApplication, the main window on a workspace, and the screenshot mode used for docs and checks."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from core.collector import collect_less
from desktop.i18n import install_translator
from desktop.main_window import MainWindow
from desktop.prelabel import warn
from desktop.settings import load_settings
from desktop.welcome import last_workspace
from sync.client.at_rest import is_encrypted
from sync.workspace import Workspace, WorkspaceError
from widgets.app_icon import app_icon
from widgets.theme import apply_theme

log = logging.getLogger(__name__)
SCREENSHOT_UNLOCK_S = 30.0  # how long a screenshot waits for a synced workspace's key


def application() -> QApplication:
    _drop_opencv_qt_paths()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Annodesk")
    app.setOrganizationName("Annodesk")
    app.setDesktopFileName("annodesk")  # Wayland and the taskbars match the window to annodesk.desktop's icon
    app.setWindowIcon(app_icon())
    return app  # type: ignore[return-value]


def _drop_opencv_qt_paths() -> None:
    """opencv-python points Qt at its own bundled plugins and fonts on import; PySide6 must use its own."""
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        if "cv2" in os.environ.get(name, ""):
            del os.environ[name]


def run_app(workspace_dir: Path | None, task_id: int | None = None, screenshot: str | None = None,
            frame: int | None = None, time: float | None = None, theme: str | None = None,
            language: str | None = None) -> int:
    """Open the main window on a workspace (a video task at `frame`, a recording at `time` seconds); with none, on
    the last one still there, else on the welcome page. With `screenshot`, save a PNG of it once shown and exit 0.
    `theme` and `language` override the settings for this run."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    named, workspace_dir = workspace_dir is not None, workspace_dir or last_workspace(settings)
    try:  # fail before any window appears when the workspace cannot be opened (and migrate an older one)
        if workspace_dir is not None and not is_encrypted(workspace_dir):  # a synced one needs its key: the window
            Workspace.open(workspace_dir).close()  # reads it off the UI thread
    except WorkspaceError as exc:
        if named:
            print(f"annodesk: error: {exc}", file=sys.stderr)
            return 2
        log.warning("not reopening the last workspace: %s", exc)  # the welcome page instead
        workspace_dir = None
    app = application()
    apply_theme(theme or settings.theme)  # before the window, so it is built in the theme's colours
    install_translator(language or settings.language)  # and in its language
    window = MainWindow(settings)
    window.sync_status.keys.install()  # the window's keys (passphrase dialog), not the command line's (terminal)
    install_error_reporter(window)
    # the window lives as long as the app: frozen; a workspace opened later stays collectable when it is closed.
    # A frame's shapes are ~10^4 short-lived objects: no collections in the middle of them
    collect_less()
    if workspace_dir is None:
        window.welcome.show()
    else:
        window.open_workspace(workspace_dir, task_id, frame, time)
    if screenshot:
        window.resize(1600, 1000)
    window.show()
    if screenshot:
        QTimer.singleShot(300, lambda: _save_screenshot(window, Path(screenshot), app))
    return app.exec()


class ErrorReporter(QObject):
    """An exception that escapes a slot or event handler (PySide6 only prints those) or a thread: logged with its
    traceback and shown in a warning that does not block, so the person knows and the app goes on. Errors seen while
    the warning is open update it instead of stacking a window per repaint."""

    reported = Signal(str)  # queued to the UI thread when an error comes from another thread

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.box: QMessageBox | None = None
        self.reported.connect(self._show)

    def excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):  # Ctrl+C in the terminal that started the app: stop as usual
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("unexpected error", exc_info=(kind, exc, tb))
        self.reported.emit(f"Unexpected error: {' '.join(str(exc).split()) or 'no message'} ({kind.__name__}).\n\n"
                           "The app goes on; the traceback is in the log.")

    def thread_excepthook(self, hook: threading.ExceptHookArgs) -> None:
        if not issubclass(hook.exc_type, SystemExit) and hook.exc_value is not None:  # a thread's exit is no error
            self.excepthook(hook.exc_type, hook.exc_value, hook.exc_traceback)

    def _show(self, text: str) -> None:
        if self.box is not None:
            self.box.setText(text)
            return
        self.box = warn(self.window, text)
        self.box.finished.connect(self._closed)

    def _closed(self) -> None:
        self.box = None


def install_error_reporter(window: MainWindow) -> ErrorReporter:
    """The one place where unexpected errors of the app end up (sys.excepthook and threading.excepthook)."""
    reporter = ErrorReporter(window)
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.thread_excepthook
    return reporter


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
