"""The schema editor of leads: it builds a LabelSchema and guidelines from its fields, refuses a bad field naming it
(and opens that label's page), and saves over real HTTP to the real server on loopback; a sync round then brings the
new schema and guidelines into the workspace. Offline it says that saving needs the server."""

import pytest

from core.schema import LabelSchema
from desktop.main_window import MainWindow
from desktop.settings import Settings
from sync.client.guidelines import GuidelineStore
from sync.server.blobs import file_sha256
from tests.server_fixtures import PASSWORD, SCHEMA, write_png
from tests.sync_client_helpers import clone_for
from widgets.schema_editor import SchemaEditor
from widgets.schema_fields import FieldError

ROUND_MS = 20_000


def editor(qtbot, schema=None):
    dialog = SchemaEditor(LabelSchema.from_json(schema or SCHEMA))
    qtbot.addWidget(dialog)
    return dialog


def set_cell(table, row, column, text):
    table.item(row, column).setText(text)


def test_the_dialog_builds_a_schema_from_its_fields(qtbot):
    dialog = editor(qtbot)
    form = dialog.add_label()
    form.name.setText("pedestrian")
    form.set_color("#123456")
    form.hotkey.setCurrentIndex(form.hotkey.findData("5"))
    form.shapes["keypoints"].setChecked(True)
    row = form.attributes.add()
    set_cell(form.attributes, row, 0, "pose")
    set_cell(form.attributes, row, 2, "standing, sitting")
    set_cell(form.attributes, row, 3, "sitting")
    row = form.attributes.add({"name": "visibility", "type": "number"})
    set_cell(form.attributes, row, 4, "0")
    set_cell(form.attributes, row, 5, "1,5")  # a decimal comma is read too
    form.attributes.item(row, 6).setCheckState(form.attributes.item(row, 6).checkState().Checked)
    form.keypoints.setText("head, left_hand, right_hand")
    form.skeleton.setText("1-2, 1-3")
    form.guide.text.setPlainText("Walking people only")
    dialog.tiers.add({"name": "speaker", "labels": ["car"], "overlap": True})
    dialog.project_guide.text.setPlainText("# Streets\nEvery road user.")
    schema, guides = dialog.build()
    label = schema.get("pedestrian")
    assert (label.color, label.hotkey, label.shape_types) == ("#123456", "5", ("keypoints",))
    pose, visibility = label.attributes
    assert (pose.type, pose.options, pose.default) == ("select", ("standing", "sitting"), "sitting")
    assert (visibility.minimum, visibility.maximum, visibility.mutable) == (0, 1.5, True)
    assert label.keypoints == ("head", "left_hand", "right_hand") and label.skeleton == ((0, 1), (0, 2))
    assert [(t.name, t.labels, t.overlap) for t in schema.tiers] == [("speaker", ("car",), True)]
    assert schema.names() == ["car", "person", "pedestrian"]
    assert guides["description"].startswith("# Streets")
    assert guides["labels"] == {"pedestrian": {"description": "Walking people only", "examples": []}}
    dialog.list.setCurrentRow(2)
    dialog.move_label(-1)
    assert dialog.build()[0].names() == ["car", "pedestrian", "person"]
    # what the dialog shows again is what it read back
    again = editor(qtbot, schema.to_json())
    assert again.build()[0].to_json() == schema.to_json()


@pytest.mark.parametrize("change, words", [
    (lambda f: f.attributes.add({"name": "colour", "type": "select"}), ["'car'", "attributes[0].options"]),
    (lambda f: f.attributes.add({"name": "note", "type": "text", "min": 1}), ["'car'", "'note'", "min and a max"]),
    (lambda f: f.attributes.add({"name": "n", "type": "number", "default": "lots"}), ["'n'", "default", "number"]),
    (lambda f: f.attributes.add({"name": "ok", "type": "checkbox", "default": "perhaps"}), ["'ok'", "true or false"]),
    (lambda f: f.skeleton.setText("1-x"), ["'car'", "skeleton", "1-x"]),
    (lambda f: (f.keypoints.setText("a, b"), f.skeleton.setText("1-3")), ["'car'", "skeleton[0]"]),
    (lambda f: f.name.setText("person"), ["Label #2", "name 'person' is used twice"]),  # opens the second
    (lambda f: f.name.setText(""), ["Label #1", "name"]),
    (lambda f: f.name.setText("car\tx"), ["Label #1", "control character"]),
])
def test_a_bad_field_is_refused_with_the_field_named(qtbot, change, words):
    dialog = editor(qtbot)
    dialog.list.setCurrentRow(1)
    change(dialog.forms()[0])
    with pytest.raises(FieldError):
        dialog.build()
    emitted = []
    dialog.save_requested.connect(lambda *args: emitted.append(args))
    dialog.save()
    message = dialog.error.text()
    assert all(w in message for w in words), message
    assert emitted == [] and dialog.list.currentRow() == (1 if "#2" in words[0] else 0)  # its label's page opens
    assert dialog.save_button.isEnabled()


def test_a_tier_naming_no_label_and_an_unchanged_schema(qtbot):
    dialog = editor(qtbot)
    dialog.save()
    assert dialog.error.text() == "Nothing has changed"
    dialog.tiers.add({"name": "words", "labels": ["truck"]})
    dialog.save()
    assert "Audio tiers" in dialog.error.text() and "tiers[0].labels" in dialog.error.text()
    assert dialog.tabs.currentIndex() == 1


@pytest.fixture
def lead_window(qtbot, seeded_sqlite, keys, tmp_path):
    clone_for(seeded_sqlite.server.url, "lead", PASSWORD, tmp_path / "lead", keys).close()
    window = MainWindow(Settings(), keys)
    qtbot.addWidget(window)
    window.show()
    window.open_workspace(tmp_path / "lead")
    qtbot.waitUntil(lambda: window.session is not None and window.session.task is not None, timeout=ROUND_MS)
    qtbot.waitUntil(lambda: window.sync_status.label.text() == "Up to date", timeout=ROUND_MS)
    yield window
    window.close()


def test_a_lead_saves_over_http_and_the_next_sync_brings_it(qtbot, seeded_sqlite, lead_window, tmp_path):
    window, seeded = lead_window, seeded_sqlite
    window.actions_by_id["review.schema"].trigger()
    dialog = window.guidelines.dialog
    assert dialog is not None and dialog.isVisible()
    form = dialog.add_label()
    form.name.setText("truck")
    row = form.attributes.add({"name": "axles", "type": "number", "min": 2})
    assert row == 0
    form.guide.text.setPlainText("Trailers are part of the truck")
    picture = write_png(tmp_path / "good.png", 30, 20, seed=77)
    dialog.project_guide.add_images([picture])
    dialog.project_guide.examples.item(0, 1).setText("the whole vehicle")
    with qtbot.waitSignal(window.sync_status.state_changed, timeout=ROUND_MS):
        dialog.save()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=ROUND_MS)
    assert "Saved on the server" in window.statusBar().currentMessage()
    ann1 = seeded.sessions["ann1"]
    project = ann1.get(f"/projects/{seeded.project_id}").json()
    assert [lb["name"] for lb in project["schema"]["labels"]] == ["car", "person", "truck"]
    assert project["schema_version"] == 2
    guides = ann1.get(f"/projects/{seeded.project_id}/guidelines").json()
    sha = file_sha256(picture)
    assert guides["examples"] == [{"sha256": sha, "caption": "the whole vehicle", "do": True}]
    assert guides["labels"]["truck"]["description"] == "Trailers are part of the truck"
    assert ann1.get(f"/media/{sha}").content == picture.read_bytes()  # an annotator of the project gets the image
    qtbot.waitUntil(lambda: window.session.schema.get("truck") is not None, timeout=ROUND_MS)
    stored = GuidelineStore(window.session.reader).current()
    assert stored.version == 1 and stored.for_label("truck").description.startswith("Trailers")
    assert "truck" in window.labels.labels()


def test_offline_saving_says_it_needs_the_server_and_keeps_the_edits(qtbot, seeded_sqlite, lead_window):
    window = lead_window
    dialog = window.guidelines.edit_schema()
    dialog.project_guide.text.setPlainText("Written on a train")
    seeded_sqlite.server.stop()
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=ROUND_MS)
    assert "Saving needs the server" in dialog.error.text() and dialog.isVisible()
    assert dialog.project_guide.text.toPlainText() == "Written on a train" and dialog.save_button.isEnabled()


def test_a_schema_changed_on_the_server_since_the_last_sync_is_not_overwritten(qtbot, seeded_sqlite, lead_window):
    window = lead_window
    window.sync_status.stop()  # no round brings the new schema while the dialog is open
    assert seeded_sqlite.sessions["admin"].http.put(
        f"/projects/{seeded_sqlite.project_id}/schema", json={"schema": {"labels": [{"name": "bus"}]}}
    ).status_code == 200
    dialog = window.guidelines.edit_schema()
    dialog.add_label().name.setText("tram")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=ROUND_MS)
    assert "sync first" in dialog.error.text()
    names = [lb["name"] for lb in seeded_sqlite.sessions["admin"].get(
        f"/projects/{seeded_sqlite.project_id}").json()["schema"]["labels"]]
    assert names == ["bus"]
