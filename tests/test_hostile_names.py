"""Names that others choose never become paths on a client (hardening issue 9).

The server refuses task names that are not one plain file name and label names a file cannot hold; names an older
(or compromised) server already holds are pulled by a real client over real HTTP, and its media cache and an export
in every format still write only inside their own folders. (Synced media is decoded in memory: there are no
thumbnail files.)
"""

import os
import random
import time
from pathlib import Path

import pytest

from core.formats import FORMATS, Dataset, DatasetAnnotation, DatasetItem, media_kinds_of
from core.names import item_name_problem, label_name_problem, safe_item_name
from core.shapes import Box
from desktop import cli
from sync.client.at_rest import MediaCache
from sync.client.http import SyncError
from sync.client.store import media_path
from sync.database import WorkspaceError
from sync.server import db, service
from sync.server.blobs import file_sha256
from sync.server.journal import emit
from sync.transfer import export_dataset
from tests.server_fixtures import PASSWORD, SCHEMA, seed, write_png
from tests.sync_client_helpers import add, box, clone_for, sync

TRAVERSAL = "../../../../tmp/x/pwned_task.jpg"
OCTET = {"Content-Type": "application/octet-stream"}
BAD_NAMES = [TRAVERSAL, "a\x00b.jpg", "x" * 300 + ".jpg", "..\\..\\..\\x\\pwned.jpg", "..", "CON", "nul.png",
             "photo.jpg.", " photo.jpg", "", "a:b.jpg", "tab\there.jpg"]

IMAGE_FORMATS = [name for name, fmt in FORMATS.items() if "image" in media_kinds_of(fmt)]  # the items here are images


@pytest.mark.parametrize("name", [*BAD_NAMES, "\udc80.jpg"])
def test_the_rule_refuses_and_the_sanitiser_fixes(name):
    assert item_name_problem(name)
    safe = safe_item_name(name)
    assert item_name_problem(safe) is None and "/" not in safe and ".." not in safe


def test_plain_names_pass_unchanged():
    for name in ("img0.png", "IMG 0001.JPG", "façade ünïcode.jpeg", "a.b.c.tif", "x" * 251 + ".jpg"):
        assert item_name_problem(name) is None and safe_item_name(name) == name
    assert label_name_problem("../looks/like/a/path") is None  # labels are never paths
    assert label_name_problem("car\x00") and label_name_problem("x" * 256) and label_name_problem("\ud800")


def test_server_refuses_a_field_workers_hostile_task_names(server_factory, tmp_path):
    live = server_factory()
    seeded = seed(live, tmp_path)
    ann1, lead = seeded.sessions["ann1"], seeded.sessions["lead"]
    photo = write_png(tmp_path / "field.png", seed=77)  # ann1's own photo: an annotator makes tasks of those
    sha = file_sha256(photo)
    assert ann1.http.put(f"/media/{sha}", content=photo.read_bytes(), headers=OCTET).status_code == 201
    before = live.counts()
    for i, name in enumerate(BAD_NAMES):
        body = {"media_sha256": sha, "name": name, "width": 64, "height": 48, "client_ref": f"r{i}"}
        answer = ann1.post(f"/projects/{seeded.project_id}/tasks", json=body)
        assert answer.status_code == 422, (name, answer.text)
        assert "name" in answer.text, answer.text
    assert live.counts() == before
    bad = ann1.post(f"/projects/{seeded.project_id}/tasks", json={**body, "name": TRAVERSAL}).json()
    assert bad["code"] == "bad_name" and bad["field"] == "name" and "plain file name" in bad["detail"]
    for label in ("car\x00", "x" * 300, "line\nbreak"):
        schema = {"labels": [*SCHEMA["labels"], {"name": label}]}
        answer = lead.http.put(f"/projects/{seeded.project_id}/schema", json={"schema": schema})
        assert answer.status_code == 422 and "label name" in answer.json()["detail"], answer.text
    assert live.counts() == before
    made = ann1.post(f"/projects/{seeded.project_id}/tasks", json={**body, "name": "field photo.png"})
    assert made.status_code == 201 and made.json()["name"] == "field photo.png"


def test_names_already_on_a_server_never_become_paths_on_a_client(server_factory, keys, tmp_path):
    live = server_factory()
    seeded = seed(live, tmp_path)
    hostile = [TRAVERSAL, "../escape/pwned.jpg", "..\\escape\\pwned2.jpg", f"{tmp_path}/escape/abs.jpg",
               "a\x00b.jpg", "x" * 300 + ".jpg", "CON", ".."]
    _store_as_an_old_server_would(live, seeded, hostile)
    before = _files(tmp_path)
    ws = clone_for(live.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    photos = tmp_path / "photos"
    photos.mkdir()
    write_png(photos / "field:photo.png", seed=12)  # a name Linux allows and Windows refuses
    assert cli.main(["add", str(tmp_path / "ann1"), str(photos)]) == 0
    state = sync(ws, keys)
    assert (state.phase, state.last_error) == ("up_to_date", ""), state
    on_server = seeded.sessions["lead"].get(f"/projects/{seeded.project_id}/tasks").json()["items"]
    assert "field_photo.png" in {t["name"] for t in on_server}  # the client sent a safe name
    tasks = ws.tasks()
    assert len(tasks) == 3 + len(hostile)
    assert all(item_name_problem(t.name) is None for t in tasks), [t.name for t in tasks]
    assert all(item_name_problem(t.media_path.rsplit("/", 1)[1]) is None for t in tasks)
    cache = keys.media_cache(ws)
    assert {p.name for p in cache.directory.iterdir()} == {f"{s}.enc" for s in seeded.media[:2]} | {
        f"{file_sha256(photos / 'field:photo.png')}.enc"}
    synced = _files(tmp_path) - before - {photos / "field:photo.png"}
    assert all(p.is_relative_to(tmp_path / "ann1") or p.is_relative_to(live.config.data_dir) for p in synced)
    rng = random.Random(9)
    for task in tasks:
        add(ws, task.id, [box(task.id, rng), box(task.id, rng, label="../../../../tmp/x/pwned_label")])
    _as_a_workspace_pulled_before_the_fix(ws, tasks[:2])
    before = _files(tmp_path)
    out = tmp_path / "out"
    for fmt in IMAGE_FORMATS:
        written = export_dataset(ws, fmt, out / fmt)
        assert written and all(p.resolve().is_relative_to((out / fmt).resolve()) for p in written), fmt
    created = _files(tmp_path) - before
    assert created and all(p.is_relative_to(out) for p in created), sorted(created - set(out.rglob("*")))
    assert not (tmp_path / "escape").exists() and not (out / "escape").exists()
    assert not Path("/tmp/x/pwned_task.jpg").exists() and not Path("/tmp/x/pwned_label").exists()


def test_every_writer_keeps_items_inside_its_folder(tmp_path):
    """Writers get item names from other files too (tools/convert): none leads out, and no image from outside the
    media folder is copied in."""
    media = tmp_path / "media"
    (media / "sub").mkdir(parents=True)
    write_png(media / "sub" / "img.png")
    write_png(tmp_path / "secret.png", seed=5)
    names = ["sub/img.png", "../secret.png", "sub/../../escape/a.png", f"{tmp_path}/escape/b.png", "sub/..",
             "..\\..\\escape\\c.png", "x" * 300 + ".png", "CON.png", "sub/a\x00b.png"]
    out = tmp_path / "out"
    for fmt in IMAGE_FORMATS:
        items = [DatasetItem(n, 64, 48, [DatasetAnnotation("car", Box(1, 2, 10, 10))]) for n in names]
        written = FORMATS[fmt].write(Dataset(items, ["car"], media_root=media), out / fmt)
        assert written and all(p.resolve().is_relative_to((out / fmt).resolve()) for p in written), fmt
    assert {p for p in _files(tmp_path) if not p.is_relative_to(out)} == {media / "sub" / "img.png",
                                                                         tmp_path / "secret.png"}
    secret = (tmp_path / "secret.png").read_bytes()
    assert not any(p.read_bytes() == secret for p in _files(out))
    assert any(p.name == "img.png" for p in _files(out))  # the one real image was copied (YOLO, VOC)


def test_a_media_id_that_is_not_a_sha256_is_refused(tmp_path):
    cache = MediaCache(tmp_path / "cache", os.urandom(32))
    for sha in ("../../../../tmp/x/pwned", "A" * 64, "0" * 63):
        with pytest.raises(WorkspaceError):
            cache.append(sha, 0, b"x")
        with pytest.raises(SyncError, match="not a SHA-256"):
            media_path({"id": 7, "media_sha256": sha, "name": "ok.png"})
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def _store_as_an_old_server_would(live, seeded, names):
    """Tasks with these names (assigned to ann1) and a label that reads like a path, written into the server's database
    as a server from before the name rule stored them."""
    with live.store.write() as conn:
        for name in names:
            values = {"project_id": seeded.project_id, "name": name, "media_sha256": seeded.media[0], "width": 64,
                      "height": 48, "status": "new", "assignee_id": None, "revision": 1, "updated_at": time.time()}
            task_id = db.insert_id(conn, db.tasks.insert().values(**values))
            emit(conn, "task", task_id, seeded.project_id, task_id)
            service.assign(conn, "lead", task_id, "ann1")
        schema = {"version": 1, "labels": [*SCHEMA["labels"], {"name": "../../../../tmp/x/pwned_label",
                                                                "color": "#0000ff"}]}
        conn.execute(db.projects.update().where(db.projects.c.id == seeded.project_id)
                     .values(schema=schema, schema_version=2))
        emit(conn, "schema", seeded.project_id, seeded.project_id)


def _as_a_workspace_pulled_before_the_fix(ws, tasks):
    """Media paths as a client stored them before it made server names safe."""
    with ws.transaction() as conn:
        for task, name in zip(tasks, ("../../escape/old.jpg", "..\\..\\escape\\old2.jpg"), strict=True):
            prefix = task.media_path.rsplit("/", 1)[0]
            conn.execute("UPDATE tasks SET media_path = ? WHERE id = ?", (f"{prefix}/{name}", task.id))


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}
