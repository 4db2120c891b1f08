"""Imports and exports are all or nothing: a cancel or an error at any step leaves the workspace, or the export
target, exactly as it was; progress is reported on the way; the CLI shows it on a terminal only."""

import json
import os
import pty
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from core.annotation import Annotation, TaskStatus, new_id
from core.formats import FORMATS
from core.shapes import Box
from sync.transfer import Cancelled, export_dataset, import_dataset
from sync.transfer_export import STAGE_SUFFIX
from sync.workspace import Workspace, WorkspaceError
from tests.test_transfer import SCHEMA, coco_file, write_image

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def template(tmp_path):
    """A closed workspace (two images, three annotations) and a COCO file: two boxes on a stored image, one on an
    image beside the file (added by the import), a label the schema lacks, and an image that is nowhere."""
    media = tmp_path / "media"
    write_image(media / "one.png", 64, 48, 1)
    write_image(media / "two.png", 32, 40, 2)
    with Workspace.create(tmp_path / "ws", SCHEMA) as ws:
        ws.add_media([media])
        one = ws.find_task("one.png")
        ws.insert_annotations([Annotation(new_id(), one.id, "car", Box(4, 5, 20, 10), {"occluded": True})])
        ws.insert_annotations([Annotation(new_id(), one.id, "person", Box(1, 1, 5, 5))])
    data = tmp_path / "data"
    write_image(data / "three.png", 16, 16, 3)
    path = coco_file(
        data,
        [{"id": 1, "file_name": "one.png", "width": 64, "height": 48},
         {"id": 2, "file_name": "three.png", "width": 16, "height": 16},
         {"id": 3, "file_name": "nowhere.png", "width": 8, "height": 8}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 2, 10, 10]},
         {"id": 2, "image_id": 1, "category_id": 2, "bbox": [3, 3, 9, 9]},
         {"id": 3, "image_id": 2, "category_id": 2, "bbox": [1, 1, 4, 4]},
         {"id": 4, "image_id": 3, "category_id": 1, "bbox": [1, 1, 2, 2]}],
        [{"id": 1, "name": "car"}, {"id": 2, "name": "truck"}],
    )  # fmt: skip
    return tmp_path / "ws", path


def rows(ws_dir: Path) -> dict[str, list]:
    """Every row of every table of the workspace file, sorted (the workspace must be closed)."""
    conn = sqlite3.connect(ws_dir / "workspace.db")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def copy(ws_dir: Path, name: str) -> Path:
    target = ws_dir.parent / name
    shutil.copytree(ws_dir, target)
    return target


def test_a_cancel_at_any_step_leaves_every_row_as_it_was(template):
    ws_dir, path = template
    before = rows(ws_dir)
    assert before["annotations"]
    step = 0
    while True:  # cancel after 1, 2, 3 ... progress reports, until the import runs to its end
        step += 1
        target = copy(ws_dir, f"ws{step}")
        calls = []
        with Workspace.open(target) as ws:
            try:
                report = import_dataset(ws, "coco", path, progress=lambda d, t: calls.append((d, t)),  # noqa: B023
                                        cancelled=lambda: len(calls) >= step)  # noqa: B023
            except Cancelled:
                assert ws.schema == SCHEMA  # the in-memory schema too
                ws.close()
                assert rows(target) == before, f"cancelled after {step} reports"
                continue
        break
    assert step > 5  # it was cancelled midway: matching, adding the image, planning, storing
    assert calls[-1][0] == calls[-1][1] and all(d <= t for d, t in calls)
    assert (report.annotations_added, report.media_added, report.labels_added) == (3, 1, ["truck"])
    assert rows(target)["annotations"] != before["annotations"]


def test_an_error_midway_rolls_back_the_images_added_and_the_schema(template, monkeypatch):
    ws_dir, path = template
    before = rows(ws_dir)
    plain = Workspace.set_schema

    def stored_then_failed(self, schema):
        plain(self, schema)
        raise OSError("disk full")

    monkeypatch.setattr(Workspace, "set_schema", stored_then_failed)
    with Workspace.open(ws_dir) as ws, pytest.raises(OSError, match="disk full"):
        import_dataset(ws, "coco", path)
    assert ws.schema == SCHEMA
    assert rows(ws_dir) == before

    monkeypatch.setattr(Workspace, "set_schema", plain)
    monkeypatch.setattr(Workspace, "insert_annotations", lambda self, anns: (_ for _ in ()).throw(
        WorkspaceError("nothing imported: a broken row")))
    with Workspace.open(ws_dir) as ws, pytest.raises(WorkspaceError):
        import_dataset(ws, "coco", path)
    assert rows(ws_dir) == before


def test_another_threads_write_waits_for_the_import_and_survives_its_rollback(template):
    ws_dir, path = template
    with Workspace.open(ws_dir) as ws:
        two = ws.find_task("two.png")
        writer = threading.Thread(target=ws.set_task_status, args=(two.id, TaskStatus.DONE))
        waited = []

        def progress(done, total):
            if ws._conn.in_transaction and not writer.is_alive() and not waited:  # the import's transaction is open
                writer.start()
                time.sleep(0.3)
                waited.append(writer.is_alive())  # blocked on the workspace while the import's transaction is open

        with pytest.raises(Cancelled):
            import_dataset(ws, "coco", path, progress=progress, cancelled=lambda: bool(waited))
        writer.join(5)
        assert waited == [True] and ws.task(two.id).status is TaskStatus.DONE
        assert ws.find_task("three.png") is None


def test_only_the_selected_tasks_take_annotations_and_nothing_is_added(template):
    ws_dir, path = template
    with Workspace.open(ws_dir) as ws:
        two = ws.find_task("two.png")
        report = import_dataset(ws, "coco", path, task_ids=[two.id])
        assert report.annotations_added == 0 and ws.find_task("three.png") is None
        assert "3 items of the file are not on the selected tasks; left out" in report.messages
        one = ws.find_task("one.png")
        report = import_dataset(ws, "coco", path, task_ids=[one.id])
        assert report.annotations_added == 2 and report.skipped == 2 and ws.task_count() == 2
        assert report.summary()[0] == ("imported 2 annotations on 1 of 3 images (0 images added, 0 already present, "
                                       "2 skipped)")


@pytest.fixture
def workspace(template):
    ws_dir, _path = template
    with Workspace.open(ws_dir) as ws:
        yield ws


class Broken:
    """A format whose writer writes one file, then fails."""

    name = "broken"
    description = "fails midway"

    def read(self, path):
        raise NotImplementedError

    def write(self, dataset, out_dir):
        (out_dir / "annotations.json").write_text("{half")
        raise RuntimeError("the writer failed midway")


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"/" for p in folder.rglob("*")}


def test_a_failed_export_leaves_no_partial_output_and_keeps_the_old_target(tmp_path, workspace, monkeypatch):
    monkeypatch.setitem(FORMATS, "broken", Broken())
    parent = tmp_path / "exports"
    with pytest.raises(RuntimeError, match="midway"):
        export_dataset(workspace, "broken", parent / "new" / "out")
    assert not parent.exists()  # nor the folders made for it

    old = parent / "old"
    (old / "annotations").mkdir(parents=True)
    (old / "annotations.json").write_text('{"old": true}')
    (old / "notes.txt").write_text("mine")
    before = listing(parent)
    with pytest.raises(RuntimeError, match="midway"):
        export_dataset(workspace, "broken", old)
    assert listing(parent) == before


def test_a_cancelled_export_writes_nothing(tmp_path, workspace):
    calls = []
    with pytest.raises(Cancelled):
        export_dataset(workspace, "coco", tmp_path / "out", progress=lambda d, t: calls.append(d),
                       cancelled=lambda: len(calls) >= 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "media", "ws"]


def test_an_export_into_a_folder_replaces_its_files_and_keeps_the_others(tmp_path, workspace):
    out = tmp_path / "out"
    (out / "labels").mkdir(parents=True)
    (out / "data.yaml").write_text("old")
    (out / "labels" / "stale.txt").write_text("not ours")
    paths = export_dataset(workspace, "yolo", out)
    assert out / "data.yaml" in paths and all(p.is_file() and p.is_relative_to(out) for p in paths)
    assert yaml.safe_load((out / "data.yaml").read_text())["path"] == str(out.resolve())
    assert (out / "labels" / "stale.txt").read_text() == "not ours" and (out / "images" / "one.png").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "media", "out", "ws"]  # no staging left


def test_a_rename_that_fails_midway_puts_every_file_back(tmp_path, workspace):
    out = tmp_path / "out"
    (out / "labels" / "one.txt").mkdir(parents=True)  # a folder where the export writes a file
    (out / "data.yaml").write_text("old")
    before = listing(out)
    with pytest.raises(IsADirectoryError, match=r"one\.txt"):
        export_dataset(workspace, "yolo", out)
    assert listing(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "media", "out", "ws"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_export_beside_a_read_only_folder_fails_and_writes_nothing(tmp_path, workspace):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            export_dataset(workspace, "coco", locked / "out")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workspace: images, a video with tracks, a recording with segments."""
    from desktop.demo import make_demo

    folder = tmp_path_factory.mktemp("demo")
    make_demo(folder, images=2).close()
    return folder / "workspace"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_exported_file_names_the_staging_folder(tmp_path, demo, fmt):
    out = tmp_path / "out"
    with Workspace.open(demo, readonly=True) as ws:
        paths = export_dataset(ws, fmt, out)
    assert paths and all(p.is_relative_to(out) for p in paths)
    for path in paths:
        assert STAGE_SUFFIX.encode() not in path.read_bytes(), path
    if fmt == "labelme":  # relative to where the file ended up
        for path in paths:
            assert (path.parent / json.loads(path.read_text())["imagePath"]).resolve().is_file()


# --- the command line: a progress line on a terminal, nothing when piped -----------------------------------------


def run_cli(args, tty: bool) -> tuple[int, str, str]:
    """`annodesk ARGS` with stdout piped and stderr a pseudo-terminal (or piped): exit status, stdout, stderr."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "desktop", *map(str, args)]
    if not tty:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    err = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        try:
            chunk = os.read(master, 65536) if ready else b""
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            break
        err += chunk
    out = process.stdout.read()
    os.close(master)
    return process.wait(60), out, err.decode()


def test_cli_import_and_export_show_progress_on_a_terminal_only(template, tmp_path):
    ws_dir, path = template
    piped = copy(ws_dir, "piped")
    code, out, err = run_cli(["import", piped, "--format", "coco", path], tty=False)
    assert code == 0 and "\r" not in err and "importing [" not in err
    code, tty_out, tty_err = run_cli(["import", ws_dir, "--format", "coco", path], tty=True)
    assert code == 0 and tty_out == out  # the same report on stdout
    assert "\rimporting [" in tty_err and re.search(r"\] (\d+)/\1\r?\n", tty_err)  # ended at the total
    assert "nowhere.png: image not in the workspace and not found beside the annotation file" in tty_err

    code, out, err = run_cli(["export", ws_dir, "--format", "coco", "--out", tmp_path / "a"], tty=False)
    assert code == 0 and "exporting [" not in err and out.strip().endswith("instances_default.json")
    code, tty_out, tty_err = run_cli(["export", ws_dir, "--format", "coco", "--out", tmp_path / "b"], tty=True)
    assert code == 0 and "\rexporting [" in tty_err and tty_out.strip().endswith("instances_default.json")


def test_the_progress_line_is_ended_when_an_import_fails(capsys, monkeypatch):
    from desktop import cli_support

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with pytest.raises(RuntimeError), cli_support.progress_line("importing") as progress:
        progress(1, 4)
        progress(2, 4)  # within a tenth of a second of the last: not redrawn
        raise RuntimeError("broken")
    assert capsys.readouterr().err == f"\rimporting [{'#' * 7}{'.' * 23}] 1/4\n"


class Outbox:
    """A workspace as `annodesk sync` sees it while a round sends its changes: the outbox shrinks."""

    def __init__(self):
        self.left = [40, 40, 25, 0]

    def pending_changes(self):
        return self.left.pop(0) if len(self.left) > 1 else self.left[0]


def test_sync_shows_the_changes_sent_on_a_terminal_only(capsys, monkeypatch):
    from desktop import cli

    with cli._sync_progress(Outbox()):
        time.sleep(0.7)
    assert capsys.readouterr().err == ""  # not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    outbox = Outbox()
    with cli._sync_progress(outbox):
        deadline = time.monotonic() + 10
        while len(outbox.left) > 1 and time.monotonic() < deadline:  # two redraws, half a second apart
            time.sleep(0.05)
    err = capsys.readouterr().err
    assert err.startswith("\rsyncing [") and re.search(rf"\[{'#' * 30}\] 40/40 changes sent · \d+ s\n$", err)
    assert "15/40 changes sent" in err
    with cli._sync_progress(Outbox()):
        pass  # a quick round: no line at all
    assert capsys.readouterr().err == ""


def test_new_media_is_probed_before_the_transaction_and_a_cancel_then_stores_nothing(template):
    """Hashing and decoding the media beside the file happen with no lock held; cancelled there, nothing is added."""
    ws_dir, path = template
    with Workspace.open(ws_dir) as ws:
        seen = []

        def progress(done, total):
            seen.append(ws._conn.in_transaction)

        with pytest.raises(Cancelled):
            import_dataset(ws, "coco", path, progress=progress, cancelled=lambda: len(seen) >= 4)
        assert seen and not any(seen) and ws.find_task("three.png") is None
