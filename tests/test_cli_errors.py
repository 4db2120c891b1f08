"""Unexpected errors: the CLI says one line and exits 1 (the traceback only with --debug); the app shows a warning
and goes on."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

import desktop.cli
from core.schema import LabelSchema
from desktop.app import install_error_reporter
from desktop.cli import main
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.workspace import Workspace


@pytest.fixture
def ws_dir(tmp_path):
    Workspace.create(tmp_path / "ws", LabelSchema()).close()
    return tmp_path / "ws"


@pytest.fixture
def broken_export(monkeypatch):
    def explode(*args):
        raise RuntimeError("disk\nexploded")

    monkeypatch.setattr(desktop.cli, "export_dataset", explode)


@pytest.mark.parametrize("where", ["before", "after", "none"])
def test_an_unexpected_error_is_one_line_and_status_1(tmp_path, ws_dir, broken_export, capsys, where):
    command = ["export", str(ws_dir), "--format", "coco", "--out", str(tmp_path / "out")]
    argv = {"before": ["--debug", *command], "after": [*command, "--debug"], "none": command}[where]
    assert main(argv) == 1
    err = capsys.readouterr().err
    if where == "none":
        assert err == ("annodesk: error: disk exploded (RuntimeError); run with --debug for the traceback\n")
    else:
        assert "Traceback (most recent call last)" in err and "in explode" in err
        assert err.splitlines()[-1] == "annodesk: error: disk exploded (RuntimeError)"


def test_user_mistakes_keep_status_2_and_unknown_options_are_refused(tmp_path, capsys):
    assert main(["stats", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("annodesk: error: ") and err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(SystemExit) as exit_info:
        main(["stats", str(tmp_path), "--debug", "--bogus"])
    assert exit_info.value.code == 2 and "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_ctrl_c_is_one_line_and_status_130(ws_dir, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Workspace, "stats", interrupted)
    assert main(["stats", str(ws_dir)]) == 130
    assert capsys.readouterr().err == "annodesk: interrupted\n"


def test_a_slot_that_raises_shows_a_warning_and_the_window_goes_on(qtbot, ws_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    images = tmp_path / "images"
    images.mkdir()
    for i in range(2):
        (images / f"img{i}.png").write_bytes(_png())
    with Workspace.open(ws_dir) as ws:
        ws.add_media([images])
    window = MainWindow(Settings())
    qtbot.addWidget(window)
    window.open_workspace(ws_dir)
    window.show()
    install_error_reporter(window)
    first = window.session.task.id
    monkeypatch.setattr(window.session, "neighbour", lambda *args: 1 / 0)
    window.actions_by_id["task.next"].trigger()  # a slot raising: PySide6 hands it to sys.excepthook

    def warning() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets()  # this window's: not one an earlier test left open
                     if isinstance(w, QMessageBox) and w.isVisible() and w.parentWidget() is window), None)

    qtbot.waitUntil(lambda: warning() is not None)
    assert "division by zero (ZeroDivisionError)" in warning().text()
    thread = threading.Thread(target=lambda: {}["missing"])
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: "(KeyError)" in warning().text())  # the same warning, updated from the UI thread
    assert sum(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()) == 1
    warning().close()
    monkeypatch.undo()
    window.actions_by_id["task.next"].trigger()
    assert window.session.task.id != first  # the window still works
    window.close()


def _png() -> bytes:
    import cv2
    import numpy as np

    return cv2.imencode(".png", np.full((20, 30, 3), 90, np.uint8))[1].tobytes()
