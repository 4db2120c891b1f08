"""Label palette, attribute editor and shape list, wired to a real Editor and driven like a person would."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit

from core.annotation import HUMAN, Annotation, Source, SourceKind, new_id
from core.document import AddAnnotations, AnnotationDoc
from core.schema import LabelSchema
from core.shapes import Box
from tools.editor import Editor
from widgets.attribute_editor import AttributeEditor
from widgets.label_palette import LabelPalette
from widgets.shape_list import ShapeListWidget

SCHEMA = LabelSchema.from_json(
    {
        "labels": [
            {
                "name": "car",
                "color": "#ff0000",
                "hotkey": "1",
                "attributes": [
                    {"name": "colour", "type": "select", "options": ["red", "blue", "other"]},
                    {"name": "parked", "type": "checkbox"},
                    {"name": "plate", "type": "text"},
                    {"name": "doors", "type": "number", "min": 2, "max": 5},
                ],
            },
            {"name": "person", "color": "#0000ff", "hotkey": "2"},
            {"name": "sign", "color": "#00ff00"},
        ]
    }
)


def car(x=10.0, source=HUMAN):
    return Annotation(new_id(), 1, "car", Box(x, 10, 20, 20), SCHEMA.get("car").initial_attributes(), "ann", source)


def editor_with(*annotations):
    return Editor(AnnotationDoc(1, annotations), SCHEMA, author="tester", image_size=(100, 100))


# --- label palette ----------------------------------------------------------------------------------------------


def test_palette_shows_hotkeys_and_colours_and_emits_on_click(qtbot):
    palette = LabelPalette()
    qtbot.addWidget(palette)
    palette.set_schema(SCHEMA)
    assert [palette.item(i).text() for i in range(palette.count())] == ["1  car", "2  person", "    sign"]
    icon = palette.item(1).icon().pixmap(14, 14).toImage()
    assert QColor(icon.pixel(7, 7)) == QColor("#0000ff")
    palette.show()
    with qtbot.waitSignal(palette.label_chosen) as signal:
        qtbot.mouseClick(
            palette.viewport(), Qt.MouseButton.LeftButton, pos=palette.visualItemRect(palette.item(1)).center()
        )
    assert signal.args == ["person"]


def test_palette_select_label_is_silent(qtbot):
    palette = LabelPalette()
    qtbot.addWidget(palette)
    palette.set_schema(SCHEMA)
    chosen = []
    palette.label_chosen.connect(chosen.append)
    assert palette.select_label("sign")
    assert palette.current_label() == "sign"
    assert not palette.select_label("bus")
    assert chosen == []


# --- attribute editor -------------------------------------------------------------------------------------------


@pytest.fixture
def attribute_editor(qtbot):
    widget = AttributeEditor()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_attribute_form_follows_the_selection(attribute_editor):
    prediction = car(50, Source(SourceKind.MODEL, 0.91, "yolov8n"))
    editor = editor_with(car(), prediction)
    attribute_editor.set_editor(editor)
    assert attribute_editor.fields == {}
    editor.select([prediction.id])
    fields = attribute_editor.fields
    assert isinstance(fields["colour"].widget, QComboBox)
    assert isinstance(fields["parked"].widget, QCheckBox)
    assert isinstance(fields["plate"].widget, QLineEdit)
    spin = fields["doors"].widget
    assert isinstance(spin, QDoubleSpinBox) and (spin.minimum(), spin.maximum()) == (2, 5)
    assert "car" in attribute_editor.title.text()
    assert attribute_editor.details.text() == "box · model yolov8n · 0.91"
    editor.select(editor.doc.ids())  # two shapes: no form
    assert attribute_editor.fields == {}


def test_attribute_edits_go_to_the_editor_as_undoable_steps(attribute_editor, qtbot):
    a = car()
    editor = editor_with(a)
    attribute_editor.set_editor(editor)
    editor.select([a.id])
    changes = []
    attribute_editor.attribute_changed.connect(lambda *args: changes.append(args))
    fields = attribute_editor.fields
    fields["colour"].widget.setCurrentText("blue")
    fields["parked"].widget.setChecked(True)
    line = fields["plate"].widget
    line.setFocus()
    qtbot.keyClicks(line, "AB-123")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    fields["doors"].widget.setValue(4)
    assert editor.doc.get(a.id).attributes == {"colour": "blue", "parked": True, "plate": "AB-123", "doors": 4.0}
    assert [c[1] for c in changes] == ["colour", "parked", "plate", "doors"]
    editor.undo()
    editor.undo()
    # the form shows the document after undo, without writing anything back
    assert fields["plate"].widget.text() == ""
    assert fields["parked"].widget.isChecked()
    assert editor.doc.get(a.id).attributes["plate"] == ""
    assert len(changes) == 4


def test_attribute_form_rebuilds_on_relabel(attribute_editor):
    a = car()
    editor = editor_with(a)
    attribute_editor.set_editor(editor)
    editor.select([a.id])
    assert set(attribute_editor.fields) == {"colour", "parked", "plate", "doors"}
    editor.set_label("person")
    assert attribute_editor.fields == {}
    assert "person" in attribute_editor.title.text()


# --- shape list -------------------------------------------------------------------------------------------------


def test_shape_list_rows_follow_the_document(qtbot):
    prediction = car(50, Source(SourceKind.MODEL, 0.5, "m"))
    editor = editor_with(car(), prediction)
    shapes = ShapeListWidget()
    qtbot.addWidget(shapes)
    shapes.set_editor(editor)
    model = shapes.model()
    assert model.rowCount() == 2
    assert model.index(0).data() == "car · box"
    assert model.index(1).data() == "car · box  0.50"
    assert model.index(0).data(Qt.ItemDataRole.DecorationRole) == QColor("#ff0000")
    editor.execute(AddAnnotations((car(70),)))
    assert model.rowCount() == 3
    editor.undo()
    assert model.rowCount() == 2


def test_shape_list_selection_is_synced_both_ways(qtbot):
    a, b, c = car(5), car(35), car(65)
    editor = editor_with(a, b, c)
    shapes = ShapeListWidget()
    qtbot.addWidget(shapes)
    shapes.set_editor(editor)
    shapes.show()
    heard = []
    editor.subscribe(lambda what: heard.append(what) if what == "selection" else None)
    editor.select([b.id, c.id])
    assert sorted(i.row() for i in shapes.selectionModel().selectedRows()) == [1, 2]
    assert heard == ["selection"]  # mirroring it in the view did not echo back
    qtbot.mouseClick(
        shapes.viewport(), Qt.MouseButton.LeftButton, pos=shapes.visualRect(shapes.model().index(0)).center()
    )
    assert editor.selection == (a.id,)
    shapes.selectionModel().select(shapes.model().index(2), QItemSelectionModel.SelectionFlag.Select)
    assert editor.selection == (a.id, c.id)
    editor.delete_selected()
    assert shapes.model().rowCount() == 1
    assert shapes.selectionModel().selectedRows() == []
