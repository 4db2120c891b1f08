"""Guidelines: versioned on the server (leads save, anyone in the project reads), in the pull feed, their example
images downloadable by the project's members; in the workspace sealed at rest, the images in the encrypted cache, and
shown by the app offline (label tooltips, the Guidelines dock on Ctrl+Alt+G).

Real server over HTTP on loopback, real encrypted workspaces made by clone."""

import json

import pytest

from core.guidelines import GuidelineError, Guidelines
from sync.client.guidelines import GuidelineStore
from sync.server.blobs import file_sha256
from sync.server.cli import main as server_cli
from tests.server_fixtures import PASSWORD, login, write_png
from tests.sync_client_helpers import clone_for, sync


def upload(session, path):
    sha = file_sha256(path)
    r = session.http.put(f"/media/{sha}", content=path.read_bytes(),
                         headers={"Content-Type": "application/octet-stream"})
    assert r.status_code in (200, 201), r.text
    return sha


def example_images(seeded, tmp_path):
    """Two images the lead uploads for the guidelines (media of no task)."""
    return [upload(seeded.sessions["lead"], write_png(tmp_path / f"ex{i}.png", 40, 30, seed=900 + i)) for i in (0, 1)]


def guidelines_body(good, bad, text="Box every vehicle; the boxes touch the outermost pixels."):
    return {"description": text, "examples": [{"sha256": good, "caption": "tight boxes", "do": True}],
            "labels": {"car": {"description": "Mirrors are part of the car.",
                               "examples": [{"sha256": bad, "caption": "mirror cut off", "do": False}]}}}


def test_each_save_is_a_version_readable_by_the_project_and_audited(seeded, tmp_path):
    lead, ann1 = seeded.sessions["lead"], seeded.sessions["ann1"]
    project = seeded.project_id
    good, bad = example_images(seeded, tmp_path)
    assert ann1.get(f"/projects/{project}/guidelines").json()["version"] == 0  # none yet: empty, not an error
    first = lead.http.put(f"/projects/{project}/guidelines", json=guidelines_body(good, bad))
    assert first.status_code == 200, first.text
    assert (first.json()["version"], first.json()["author"]) == (1, "lead")
    second = lead.http.put(f"/projects/{project}/guidelines",
                           json={**guidelines_body(good, bad, "Version two."), "base_version": 1})
    assert second.json()["version"] == 2
    stale = lead.http.put(f"/projects/{project}/guidelines", json={"description": "lost?", "base_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_guidelines" and stale.json()["version"] == 2

    now = ann1.get(f"/projects/{project}/guidelines").json()
    assert (now["version"], now["description"]) == (2, "Version two.")
    assert now["labels"]["car"]["examples"] == [{"sha256": bad, "caption": "mirror cut off", "do": False}]
    old = ann1.get(f"/projects/{project}/guidelines/versions/1").json()
    assert old["version"] == 1 and old["description"].startswith("Box every vehicle")
    assert ann1.get(f"/projects/{project}/guidelines/versions/3").status_code == 404
    assert ann1.http.put(f"/projects/{project}/guidelines", json={"description": "mine"}).status_code == 403

    # the example images: media of no task of ann1's, downloadable as the project's; not by an outsider
    assert ann1.get(f"/media/{bad}").content == (tmp_path / "ex1.png").read_bytes()
    assert seeded.sessions["admin"].post("/admin/users", json={"name": "ann3", "role": "annotator",
                                                               "password": PASSWORD}).status_code == 201
    stranger = login(seeded.server, "ann3")
    assert stranger.get(f"/media/{bad}").status_code == 404
    assert stranger.get(f"/projects/{project}/guidelines").status_code == 404

    audit = lead.get(f"/projects/{project}/audit").json()["items"]
    saves = [(r["user"], r["detail"]["version"]) for r in audit if r["action"] == "project.guidelines"]
    assert saves == [("lead", 1), ("lead", 2)]


def test_pull_brings_the_current_version_once_and_to_newly_assigned_users(seeded_sqlite, tmp_path):
    seeded = seeded_sqlite
    lead, ann1 = seeded.sessions["lead"], seeded.sessions["ann1"]
    good, bad = example_images(seeded, tmp_path)
    for text in ("one", "two"):
        assert lead.http.put(f"/projects/{seeded.project_id}/guidelines",
                             json=guidelines_body(good, bad, text)).status_code == 200
    items = [i for i in ann1.pull_all() if i["type"] == "guidelines"]
    assert [(i["project_id"], i["version"], i["description"]) for i in items] == [(seeded.project_id, 2, "two")]
    assert seeded.sessions["admin"].post("/admin/users", json={"name": "ann3", "role": "annotator",
                                                               "password": PASSWORD}).status_code == 201
    ann3 = login(seeded.server, "ann3")
    cursor = ann3.get("/sync/pull").json()["next_cursor"]  # sees nothing yet: in no project
    assert lead.post(f"/tasks/{seeded.task_ids[2]}/assign", json={"user": "ann3"}).status_code == 200
    later = [i for i in ann3.pull_all(cursor) if i["type"] == "guidelines"]
    assert [i["version"] for i in later] == [2]


@pytest.mark.parametrize("body, code, field", [
    ({"description": 5}, "bad_guidelines", "description"),
    ({"description": "x" * 20_001}, "bad_guidelines", "description"),
    ({"labels": {"truck": {"description": "not in the schema"}}}, "bad_guidelines", "labels.truck"),
    ({"labels": {"car": {"text": "x"}}}, "bad_guidelines", "labels.car.text"),
    ({"labels": ["car"]}, "bad_guidelines", "labels"),
    ({"examples": [{"sha256": "zz"}]}, "bad_guidelines", "examples[0].sha256"),
    ({"examples": [{"sha256": "0" * 64}]}, "unknown_media", "examples[0].sha256"),
    ({"labels": {"car": {"examples": [{"sha256": "GOOD", "do": "yes"}]}}}, "bad_guidelines",
     "labels.car.examples[0].do"),
    ({"examples": [{"sha256": "GOOD", "caption": "two\nlines"}]}, "bad_guidelines", "examples[0].caption"),
    ({"examples": [{"sha256": "GOOD", "file": "x.png"}]}, "bad_guidelines", "examples[0].file"),
])
def test_bad_guidelines_are_refused_naming_the_field(seeded_sqlite, tmp_path, body, code, field):
    seeded = seeded_sqlite
    good, _bad = example_images(seeded, tmp_path)
    body = json.loads(json.dumps(body).replace("GOOD", good))
    before = seeded.server.counts()
    r = seeded.sessions["lead"].http.put(f"/projects/{seeded.project_id}/guidelines", json=body)
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["field"]) == (code, field)
    assert field in r.json()["detail"]
    assert seeded.server.counts() == before


def test_an_unknown_top_level_field_is_refused_by_name(seeded_sqlite):
    r = seeded_sqlite.sessions["lead"].http.put(f"/projects/{seeded_sqlite.project_id}/guidelines",
                                                json={"colour": "red"})
    assert r.status_code == 422 and "colour" in r.json()["detail"]


def test_the_cli_saves_from_a_file_with_image_files_and_shows_versions(seeded_sqlite, tmp_path, capsys):
    seeded = seeded_sqlite
    data = ["--data", str(seeded.server.config.data_dir)]
    write_png(tmp_path / "good.png", 30, 20, seed=7)
    spec = tmp_path / "guidelines.json"
    spec.write_text(json.dumps({"description": "From the command line", "examples": [
        {"file": "good.png", "caption": "like this"}], "labels": {"person": {"description": "Whole body"}}}))
    assert server_cli(["server", "guidelines", "streets", "--set", str(spec), *data]) == 0
    assert "version 1 saved (1 labels with guidelines, 1 example images)" in capsys.readouterr().out
    assert server_cli(["server", "guidelines", "streets", "--show", *data]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["version"] == 1 and shown["author"] == "cli"
    assert shown["examples"] == [{"sha256": file_sha256(tmp_path / "good.png"), "caption": "like this", "do": True}]
    spec.write_text(json.dumps({**shown, "description": "Edited"}))  # what --show printed goes back in as is
    assert server_cli(["server", "guidelines", str(seeded.project_id), "--set", str(spec), *data]) == 0
    assert "version 2 saved" in capsys.readouterr().out
    assert server_cli(["server", "guidelines", "streets", "--show", "--version", "1", *data]) == 0
    assert json.loads(capsys.readouterr().out)["description"] == "From the command line"
    ann1 = seeded.sessions["ann1"]
    assert ann1.get(f"/projects/{seeded.project_id}/guidelines").json()["description"] == "Edited"
    assert ann1.get(f"/media/{shown['examples'][0]['sha256']}").status_code == 200
    spec.write_text(json.dumps({"labels": {"truck": {}}}))
    assert server_cli(["server", "guidelines", "streets", "--set", str(spec), *data]) == 2
    assert "labels.truck" in capsys.readouterr().err
    assert server_cli(["server", "guidelines", "streets", "--show", "--version", "9", *data]) == 2


def test_core_guidelines_round_trip_and_name_the_field():
    data = {"description": "d", "examples": [{"sha256": "a" * 64, "caption": "c", "do": False}],
            "labels": {"car": {"description": "x", "examples": []}, "person": {}}}
    parsed = Guidelines.from_json(data, ["car", "person"])
    assert parsed.for_label("car").description == "x" and parsed.for_label("bus").empty
    assert parsed.to_json()["labels"] == {"car": {"description": "x", "examples": []}}  # an empty guide is left out
    assert Guidelines.from_json(parsed.to_json()) == parsed.__class__(parsed.project, {"car": parsed.labels["car"]})
    with pytest.raises(GuidelineError) as caught:
        Guidelines.from_json({"examples": [{"sha256": "a" * 64, "caption": "\ud800"}]})
    assert caught.value.field == "examples[0].caption"


# -- the client --------------------------------------------------------------------------------------------------

def test_a_clone_keeps_them_sealed_with_their_images_in_the_encrypted_cache(seeded_sqlite, keys, tmp_path):
    seeded = seeded_sqlite
    good, bad = example_images(seeded, tmp_path)
    lead = seeded.sessions["lead"]
    assert lead.http.put(f"/projects/{seeded.project_id}/guidelines",
                         json=guidelines_body(good, bad, "Secret wording of the client")).status_code == 200
    ws = clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys)
    stored = GuidelineStore(ws).current()
    assert stored is not None and (stored.version, stored.author) == (1, "lead")
    assert stored.project.description == "Secret wording of the client"
    assert stored.for_label("car").examples[0].do is False
    cache = keys.media_cache(ws)
    assert cache.read(bad) == (tmp_path / "ex1.png").read_bytes() and cache.has(good)
    # a new version reaches the workspace with the next round
    assert lead.http.put(f"/projects/{seeded.project_id}/guidelines",
                         json={"description": "Shorter now", "base_version": 1}).status_code == 200
    assert sync(ws, keys).phase == "up_to_date"
    stored = GuidelineStore(ws).current()
    assert (stored.version, stored.project.description, stored.labels) == (2, "Shorter now", {})
    ws.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "ann1").rglob("*") if p.is_file())
    assert b"Shorter now" not in raw and b"Secret wording" not in raw and b"Mirrors are part" not in raw
    assert (tmp_path / "ex1.png").read_bytes()[40:72] not in raw  # the image is encrypted in the cache too


# -- the app -----------------------------------------------------------------------------------------------------

def test_the_app_shows_them_offline_in_tooltips_and_the_dock(qtbot, seeded_sqlite, keys, tmp_path):
    from desktop.main_window import MainWindow
    from desktop.settings import Settings
    from widgets.label_palette import NAME_ROLE

    seeded = seeded_sqlite
    good, bad = example_images(seeded, tmp_path)
    assert seeded.sessions["lead"].http.put(f"/projects/{seeded.project_id}/guidelines",
                                            json=guidelines_body(good, bad)).status_code == 200
    clone_for(seeded.server.url, "ann1", PASSWORD, tmp_path / "ann1", keys).close()
    seeded.server.stop()  # offline from here on
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.show()
    try:
        window.open_workspace(tmp_path / "ann1")
        qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=20_000)
        items = {window.labels.item(r).data(NAME_ROLE): window.labels.item(r) for r in range(window.labels.count())}
        assert "Mirrors are part of the car." in items["car"].toolTip()
        assert items["person"].toolTip() == "person"  # no guideline: the name only
        assert window.actions_by_id["view.guidelines"].shortcut().toString() == "Ctrl+Alt+G"
        view = next(a.menu() for a in window.menuBar().actions() if a.menu().objectName() == "view")
        assert window.actions_by_id["view.guidelines"] in view.actions()
        window.actions_by_id["view.guidelines"].trigger()
        panel = window.guidelines.panel
        assert window.guidelines.dock.isVisible() and panel.label == "car"
        assert panel.label_section.text.text() == "Mirrors are part of the car."
        assert panel.project_section.text.text().startswith("Box every vehicle")
        (dont, do) = panel.thumbs()
        assert (dont.example.do, dont.has_image, dont.caption.text()) == (False, True, "mirror cut off")
        assert (do.example.do, do.has_image, do.verdict.text()) == (True, True, "✓ Do")
        assert "#c62828" in dont.styleSheet() and "#2e7d32" in do.styleSheet()
        window._label_chosen("person")
        assert panel.label == "person" and "No guideline" in panel.label_section.text.text()
        # a lead's editor is refused to an annotator, with the reason
        assert window.guidelines.edit_schema() is None
        assert "lead or an admin" in window.statusBar().currentMessage()
    finally:
        window.close()
