"""The `annodesk` command line, run as a real process the way a pipeline scripts it."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.annotation import Annotation, TaskStatus, new_id
from core.shapes import Box
from sync.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def annodesk(*args, check=True):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "desktop", *map(str, args)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images" / "nested"
    folder.mkdir(parents=True)
    for i in range(3):
        cv2.imwrite(str(folder / f"img{i}.png"), np.full((60, 80, 3), 40 * i, np.uint8))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return tmp_path / "images"


def test_init_add_stats(tmp_path, images):
    schema = tmp_path / "labels.json"
    schema.write_text(json.dumps({"labels": [{"name": "cat"}, {"name": "dog"}]}))
    ws = tmp_path / "ws"
    annodesk("init", ws, "--schema", schema)
    out = annodesk("add", ws, images).stdout
    assert "added 4 tasks" in out and "1 errors" in out
    stats = json.loads(annodesk("stats", ws, "--json").stdout)
    assert stats["tasks"]["total"] == 4 and stats["tasks"]["error"] == 1 and stats["tasks"]["new"] == 3
    assert stats["annotations"]["total"] == 0
    assert "added 0 tasks, skipped 4" in annodesk("add", ws, images).stdout


def test_coco_export_and_import_through_the_cli(tmp_path, images):
    ws = tmp_path / "ws"
    annodesk("init", ws)
    annodesk("add", ws, images)
    with Workspace.open(ws) as w:
        w.set_schema(w.schema.with_label("cat"))
        task = w.tasks(0, 1, TaskStatus.NEW)[0]
        w.insert_annotations([Annotation(new_id(), task.id, "cat", Box(5, 6, 20, 10))])
    out = tmp_path / "export"
    annodesk("export", ws, "--format", "coco", "--out", out)
    exported = json.loads((out / "annotations" / "instances_default.json").read_text())
    assert [a["bbox"] for a in exported["annotations"]] == [[5, 6, 20, 10]]
    fresh = tmp_path / "fresh"
    annodesk("init", fresh)
    annodesk("add", fresh, images)
    result = annodesk("import", fresh, "--format", "coco", out / "annotations" / "instances_default.json")
    assert "imported 1 annotations" in result.stdout and "cat" in result.stdout
    stats = json.loads(annodesk("stats", fresh, "--json").stdout)
    assert stats["annotations"]["by_label"] == {"cat": 1}


def test_bad_input_is_refused_with_the_file_named_and_nothing_changes(tmp_path, images):
    ws = tmp_path / "ws"
    bad_schema = tmp_path / "bad.json"
    bad_schema.write_text('{"labels": [{"name": "a", "color": "blue"}]}')
    result = annodesk("init", ws, "--schema", bad_schema, check=False)
    assert result.returncode == 2 and "bad.json" in result.stderr and "color" in result.stderr
    assert not ws.exists()
    annodesk("init", ws)
    annodesk("add", ws, images)
    before = annodesk("stats", ws, "--json").stdout
    bad_coco = tmp_path / "broken.json"
    bad_coco.write_text("[1, 2, 3]")
    result = annodesk("import", ws, "--format", "coco", bad_coco, check=False)
    assert result.returncode == 2 and "broken.json" in result.stderr
    assert annodesk("stats", ws, "--json").stdout == before
    result = annodesk("stats", tmp_path / "nowhere", check=False)
    assert result.returncode == 2 and "nowhere" in result.stderr


def test_a_workspace_from_a_newer_annodesk_is_refused_untouched(tmp_path):
    ws = tmp_path / "ws"
    annodesk("init", ws)
    db = next(ws.glob("*.db"))
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA user_version = 999")
    con.close()
    before = db.read_bytes()
    result = annodesk("stats", ws, check=False)
    assert result.returncode == 2 and "newer" in result.stderr.lower()
    assert db.read_bytes() == before


def test_open_with_screenshot_renders_the_task(tmp_path, images):
    ws = tmp_path / "ws"
    annodesk("init", ws)
    annodesk("add", ws, images)
    shot = tmp_path / "shot.png"
    result = annodesk("open", ws, "--task", 2, "--screenshot", shot)
    assert "screenshot saved" in result.stdout
    picture = cv2.imread(str(shot))
    assert picture is not None and picture.shape[0] > 400 and picture.shape[1] > 600
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 20  # a real render, not a blank image


def test_demo_creates_a_ready_workspace(tmp_path):
    annodesk("demo", tmp_path / "demo", "--no-open")
    stats = json.loads(annodesk("stats", tmp_path / "demo" / "workspace", "--json").stdout)
    assert stats["tasks"]["total"] == 14 and stats["annotations"]["total"] > 10
    assert stats["annotations"]["by_source"]["model"] > 0 and stats["annotations"]["by_source"]["human"] > 0
    assert stats["media"]["video"] == {"tasks": 1, "frames": 240}  # the street clip, with its tracks
    assert stats["tracks"] == {"tracks": 2, "keyframes": 11}
    audio = stats["media"]["audio"]  # the spoken recording, with its transcribed segments and one prediction
    assert audio["tasks"] == 1 and audio["segments"] == 4 and 10 < audio["seconds"] < 30
