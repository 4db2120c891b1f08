"""File → Import annotations… / Export annotations… driven offscreen on the demo workspace: the fields come from the
format table, the run goes to the background with progress and Cancel, and the summary says what the CLI says."""

import json
import shutil
import sqlite3
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from core.formats import FORMATS, format_entries
from desktop.cli import main
from desktop.demo import SIZE, make_demo
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.workspace import Workspace
from widgets.transfer_dialog import ExportDialog, ImportDialog, ImportRequest

READING = format_entries(FORMATS.values(), reading=True)
WRITING = format_entries(FORMATS.values(), reading=False)
TEXTGRID = '''File type = "ooTextFile"
Object class = "TextGrid"

0
2
<exists>
1
"IntervalTier"
"words"
0
2
2
0
0.6
"xin chào"
0.6
2
""
'''


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo")
    make_demo(directory, images=4).close()
    return directory


@pytest.fixture
def demo(demo_template, tmp_path):
    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    return target / "workspace"


@pytest.fixture
def window(qtbot, demo):
    w = MainWindow(Settings())
    qtbot.addWidget(w)
    w.open_workspace(demo)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def coco(folder, with_missing=True):
    """One box on the demo's first image, and one on an image that is nowhere."""
    folder.mkdir(parents=True, exist_ok=True)
    images = [{"id": 1, "file_name": "street_001.jpg", "width": SIZE[0], "height": SIZE[1]}]
    annotations = [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40]}]
    if with_missing:
        images.append({"id": 2, "file_name": "nowhere.png", "width": 8, "height": 8})
        annotations.append({"id": 2, "image_id": 2, "category_id": 1, "bbox": [1, 1, 2, 2]})
    path = folder / "instances.json"
    path.write_text(json.dumps({"images": images, "annotations": annotations,
                                "categories": [{"id": 1, "name": "pothole"}]}))
    return path


def rows(ws_dir):
    conn = sqlite3.connect(ws_dir / "workspace.db")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def test_every_row_of_the_format_table_says_how_the_dialogs_show_it():
    for fmt in FORMATS.values():
        assert isinstance(getattr(fmt, "title", None), str), fmt.name
        assert getattr(fmt, "reads", True) is False or getattr(fmt, "file_types", ()), fmt.name
    for entry in WRITING:  # rows sharing a title differ in their options, each combination once
        assert len({tuple(sorted(getattr(r, "options", {}).items())) for r in entry.rows}) == len(entry.rows)


def test_import_dialog_builds_its_fields_from_the_format_table(qtbot, tmp_path):
    path = coco(tmp_path / "coco")
    dialog = ImportDialog(None, READING, selected=[3, 4])
    qtbot.addWidget(dialog)
    titles = [dialog.chooser.combo.itemText(i) for i in range(dialog.chooser.combo.count())]
    assert "COCO JSON" in titles and "YOLO (Ultralytics)" in titles and "Praat TextGrid" in titles
    assert "COCO JSON, an image per video frame" not in titles  # it only writes
    assert not dialog.ok.isEnabled() and "Choose the file" in dialog.status.text()

    dialog.chooser.combo.setCurrentText("COCO JSON")
    assert dialog.chooser.option_boxes == {}  # COCO has no options
    dialog.path.setText(str(tmp_path / "nope.json"))
    assert not dialog.ok.isEnabled() and "no such file or folder" in dialog.status.text()
    dialog.path.setText(str(path))
    assert dialog.ok.isEnabled()
    assert dialog.request() == ImportRequest("coco", path, None, True)
    dialog.selected_tasks.setChecked(True)  # onto the selected tasks only: nothing is added
    assert not dialog.add_media.isEnabled()
    assert dialog.request() == ImportRequest("coco", path, [3, 4], False)


def test_yolo_task_is_a_field_and_each_value_is_the_cli_format(qtbot, tmp_path):
    dialog = ImportDialog(None, READING, initial_path=str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.chooser.combo.setCurrentText("YOLO (Ultralytics)")
    task = dialog.chooser.option_boxes["Task"]
    assert [task.itemText(i) for i in range(task.count())] == ["auto", "detect", "segment", "pose", "obb"]
    assert dialog.request().format == "yolo"
    task.setCurrentText("segment")
    assert dialog.request().format == "yolo-segment"
    assert "--format yolo-segment" in dialog.chooser.about.text() and "segment labels" in dialog.chooser.about.text()
    dialog.chooser.combo.setCurrentText("Pascal VOC")  # the Task field goes with YOLO
    assert dialog.chooser.option_boxes == {} and dialog.request().format == "voc"

    export = ExportDialog(None, WRITING, initial_format="yolo-obb", initial_folder=str(tmp_path / "out"))
    qtbot.addWidget(export)
    assert export.chooser.combo.currentText() == "YOLO (Ultralytics)"
    assert export.chooser.option_boxes["Task"].currentText() == "obb" and export.request().format == "yolo-obb"
    export.chooser.combo.setCurrentText("COCO JSON, an image per video frame")
    export.chooser.option_boxes["Frames"].setCurrentText("labels and JPEG frames")
    assert export.request().format == "coco-frames-images" and "video" in export.chooser.about.text()
    export.chooser.combo.setCurrentText("YOLO (Ultralytics), an image per video frame")
    export.chooser.option_boxes["Task"].setCurrentText("segment")
    assert export.request().format == "yolo-frames-segment"
    export.chooser.option_boxes["Frames"].setCurrentText("labels and JPEG frames")
    assert export.request().format == "yolo-frames-segment-images"
    (tmp_path / "file").write_text("x")
    export.path.setText(str(tmp_path / "file"))
    assert not export.ok.isEnabled() and "not a folder" in export.status.text()


def accept_when_shown(qtbot, dialog_type, fill):
    """Fill and accept the next modal dialog of `dialog_type` once it is open (exec() blocks the test)."""

    def look():
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, dialog_type) and w.isVisible()),
                      None)
        if dialog is None:
            QTimer.singleShot(20, look)
            return
        fill(dialog)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, look)


def test_import_from_the_file_menu_runs_in_the_background_and_reloads_the_open_task(qtbot, window, tmp_path):
    path = coco(tmp_path / "coco")
    first = window.session.reader.find_task("street_001.jpg")
    window.show_task(first.id)
    before = len(window.session.editor.doc)
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert window.transfer.import_action in file_menu.actions()

    def fill(dialog):
        dialog.chooser.combo.setCurrentText("COCO JSON")
        dialog.path.setText(str(path))

    accept_when_shown(qtbot, ImportDialog, fill)
    window.transfer.import_action.trigger()
    qtbot.waitUntil(lambda: window.transfer.job is None and window.transfer.summary is not None, timeout=20000)
    summary = window.transfer.summary
    assert summary.headline.text().startswith("imported 1 annotations on 1 of 2 images")
    assert "labels added to the schema: pothole" in summary.headline.text()
    shown = summary.messages.toPlainText().splitlines()
    assert "nowhere.png: image not in the workspace and not found beside the annotation file" in shown
    assert len(window.session.editor.doc) == before + 1  # the open task reloaded with the new box
    assert window.session.editor.schema.get("pothole") is not None and "pothole" in window.labels.labels()


def test_the_summary_lists_the_cli_messages(qtbot, window, tmp_path, capfd):
    path = coco(tmp_path / "coco")
    cli_copy = tmp_path / "cli-ws"
    window.session.writer.flush()
    shutil.copytree(window.session.path, cli_copy)
    assert main(["import", str(cli_copy), "--format", "coco", str(path)]) == 0
    out, err = capfd.readouterr()
    job = window.transfer.import_annotations(ImportRequest("coco", path, None, True))
    qtbot.waitUntil(lambda: window.transfer.job is None, timeout=20000)
    assert job is not None
    summary = window.transfer.summary
    assert summary.headline.text().splitlines() == out.splitlines()
    assert summary.messages.toPlainText().splitlines() == [line.removeprefix("  ") for line in err.splitlines()]


def test_cancel_in_the_status_bar_leaves_the_workspace_as_it_was(qtbot, window, demo, tmp_path, monkeypatch):
    import desktop.transfer as transfer

    path = coco(tmp_path / "coco")
    window.session.writer.flush()
    before = rows(demo)
    go = threading.Event()
    plain = transfer.import_dataset

    def held(*args, **kwargs):
        go.wait(10)  # until the test has pressed Cancel
        return plain(*args, **kwargs)

    monkeypatch.setattr(transfer, "import_dataset", held)
    window.transfer.import_annotations(ImportRequest("coco", path, None, True))
    assert window.progress.job is window.transfer.job is not None
    qtbot.mouseClick(window.progress.cancel_button, Qt.MouseButton.LeftButton)
    go.set()
    qtbot.waitUntil(lambda: window.transfer.job is None, timeout=20000)
    assert "Import cancelled" in window.statusBar().currentMessage()
    window.session.writer.flush()
    assert rows(demo) == before


def test_a_textgrid_import_onto_the_demo_recording(qtbot, window, tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "greetings.TextGrid").write_text(TEXTGRID)

    def fill(dialog):
        dialog.chooser.combo.setCurrentText("Praat TextGrid")
        assert "recordings" in dialog.chooser.about.text()
        dialog.path.setText(str(folder / "greetings.TextGrid"))

    accept_when_shown(qtbot, ImportDialog, fill)
    window.transfer.import_action.trigger()
    qtbot.waitUntil(lambda: window.transfer.job is None and window.transfer.summary is not None, timeout=20000)
    assert window.transfer.summary.headline.text().startswith("imported 1 annotations on 1 of 1 images")
    with Workspace.open(window.session.path, readonly=True) as ws:
        task = ws.find_task("greetings.wav")
        texts = [a.shape.text for a in ws.annotations(task.id) if getattr(a.shape, "tier", "") == "words"]
        assert texts == ["xin chào"]


def test_export_from_the_file_menu_writes_the_folder_and_says_where(qtbot, window, tmp_path):
    out = tmp_path / "exported"

    def fill(dialog):
        dialog.chooser.select("yolo-detect")
        dialog.path.setText(str(out))

    accept_when_shown(qtbot, ExportDialog, fill)
    window.transfer.export_action.trigger()
    qtbot.waitUntil(lambda: window.transfer.job is None and window.transfer.summary is not None, timeout=20000)
    headline = window.transfer.summary.headline.text()
    assert headline.startswith("saved ") and str(out) in headline and "(yolo-detect)" in headline
    assert (out / "data.yaml").is_file() and len(list((out / "labels").glob("*.txt"))) == 4
    assert "video tasks left out" in window.transfer.summary.messages.toPlainText()
    assert [p.name for p in tmp_path.iterdir() if "annodesk-partial" in p.name] == []
