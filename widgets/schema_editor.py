"""The schema editor for leads: the project's labels (name, colour, key, allowed shapes, attributes, keypoint
template), its audio tiers, and its guidelines (the project's, and each label's on the label's page), instead of
editing JSON.

`build()` reads every field into a LabelSchema and guidelines JSON, checked with core/schema.py and core/guidelines.py;
a field that does not fit raises FieldError, which the dialog shows under its tabs, naming the label and the field,
with that label's page opened. Save emits `save_requested`; whoever saves (desktop/guidelines.py) answers with
`saved()` or `show_error()`, and the dialog stays open until it is saved or cancelled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.guidelines import GuidelineError, Guidelines
from core.names import label_name_problem
from core.schema import HOTKEYS, PALETTE, LabelSchema, SchemaError
from core.shapes import SHAPE_KINDS
from widgets.label_palette import swatch
from widgets.schema_fields import AttributeTable, FieldError, GuideForm, TierTable, split_list
from widgets.theme import color

SHAPE_ORDER = ("box", "polygon", "rotated_box", "polyline", "point", "ellipse", "keypoints", "mask", "tag", "segment",
               "instant")


def _shapes() -> list[str]:
    return [k for k in SHAPE_ORDER if k in SHAPE_KINDS] + sorted(k for k in SHAPE_KINDS if k not in SHAPE_ORDER)


class LabelForm(QWidget):
    """One label's page: its fields, attributes, keypoint template and guideline."""

    renamed = Signal()

    def __init__(self, label: dict[str, Any], guide: dict[str, Any], files: dict[str, Path],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(str(label.get("name", "")))
        self.name.textChanged.connect(self.renamed)
        self.color_button = QPushButton()
        self.color_button.clicked.connect(self.choose_color)
        self.hotkey = QComboBox()
        self.hotkey.addItem(self.tr("none"), "")
        for key in HOTKEYS:
            self.hotkey.addItem(key, key)
        self.hotkey.setCurrentIndex(max(0, self.hotkey.findData(label.get("hotkey") or "")))
        self.shapes = {kind: QCheckBox(kind) for kind in _shapes()}
        grid = QGridLayout()
        for i, (kind, box) in enumerate(self.shapes.items()):
            box.setChecked(kind in label.get("shapes", []))
            grid.addWidget(box, i // 4, i % 4)
        shapes = QWidget()
        shapes.setLayout(grid)
        shapes.setToolTip(self.tr("None ticked: any shape"))
        self.tag_mode = QComboBox()
        self.tag_mode.addItem(self.tr("beside others (multi)"), "multi")
        self.tag_mode.addItem(self.tr("one of the single-choice labels (single)"), "single")
        self.tag_mode.setCurrentIndex(max(0, self.tag_mode.findData(label.get("tag_mode", "multi"))))
        self.attributes = AttributeTable()
        self.attributes.set_specs(list(label.get("attributes", [])))
        self.attributes.setMinimumHeight(120)
        add, remove = QPushButton(self.tr("Add attribute")), QPushButton(self.tr("Remove attribute"))
        add.clicked.connect(lambda: self.attributes.add())
        remove.clicked.connect(lambda: self.attributes.removeRow(self.attributes.currentRow()))
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        self.keypoints = QLineEdit(", ".join(label.get("keypoints", [])))
        self.keypoints.setPlaceholderText(self.tr("point names in placing order, separated by commas"))
        self.skeleton = QLineEdit(", ".join(f"{a + 1}-{b + 1}" for a, b in label.get("skeleton", [])))
        self.skeleton.setPlaceholderText(self.tr("edges as point numbers from 1: 1-2, 2-3"))
        self.guide = GuideForm(guide, files)
        form = QFormLayout(self)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Colour"), self.color_button)
        form.addRow(self.tr("Key"), self.hotkey)
        form.addRow(self.tr("Shapes"), shapes)
        form.addRow(self.tr("As a whole-image tag"), self.tag_mode)
        form.addRow(self.tr("Attributes"), self.attributes)
        form.addRow("", row)
        form.addRow(self.tr("Keypoints"), self.keypoints)
        form.addRow(self.tr("Skeleton"), self.skeleton)
        form.addRow(self.tr("Guideline"), self.guide)
        self.set_color(str(label.get("color", PALETTE[0])))

    def set_color(self, value: str) -> None:
        self.color = QColor(value).name()
        self.color_button.setIcon(swatch(self.color))
        self.color_button.setText(self.color)
        self.renamed.emit()

    def choose_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, self.tr("Label colour"))
        if chosen.isValid():
            self.set_color(chosen.name())

    def label_json(self) -> dict[str, Any]:
        """The label as core/schema.py reads it; FieldError for a field that cannot be read at all."""
        name = self.name.text().strip()
        data: dict[str, Any] = {"name": name, "color": self.color}
        if self.hotkey.currentData():
            data["hotkey"] = self.hotkey.currentData()
        if shapes := [kind for kind, box in self.shapes.items() if box.isChecked()]:
            data["shapes"] = shapes
        if self.tag_mode.currentData() != "multi":
            data["tag_mode"] = self.tag_mode.currentData()
        if attributes := self.attributes.specs(name):
            data["attributes"] = attributes
        points = split_list(self.keypoints.text())
        edges = []
        for part in split_list(self.skeleton.text()):
            first, _, second = part.partition("-")
            if not (first.strip().isdigit() and second.strip().isdigit()):
                raise FieldError(self.tr("Label {0}, skeleton: {1} is not two point numbers such as 1-2")
                                 .format(repr(name), part))
            edges.append([int(first) - 1, int(second) - 1])
        if points or edges:
            data["keypoints"], data["skeleton"] = points, edges
        return data


class SchemaEditor(QDialog):
    """Edit a project's label schema and guidelines; Save asks for them to be saved (on the server)."""

    save_requested = Signal(object, object, object)  # LabelSchema or None, guidelines JSON or None, {sha: Path}

    def __init__(self, schema: LabelSchema, guidelines: Guidelines | None = None, parent: QWidget | None = None,
                 note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Label schema and guidelines"))
        self.resize(900, 680)
        self.schema, self.guidelines = schema, guidelines or Guidelines()
        self.base_version = self.guidelines.version
        self.files: dict[str, Path] = {}
        self.tabs = QTabWidget()
        self.list = QListWidget()
        self.pages = QStackedWidget()
        self.list.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.tabs.addTab(self._labels_tab(), self.tr("Labels"))
        self.tiers = TierTable()
        for tier in schema.to_json().get("tiers", []):
            self.tiers.add(tier)
        self.tabs.addTab(self._tiers_tab(), self.tr("Audio tiers"))
        self.project_guide = GuideForm(self.guidelines.project.to_json(), self.files)
        self.tabs.addTab(self._guide_tab(), self.tr("Guidelines"))
        for label in schema.labels:
            self.add_label(label.to_json())
        self.list.setCurrentRow(0)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {color('error').name()}")
        self.status = QLabel(note)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save to the server"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.tabs, self.error, self.status, self.buttons):
            layout.addWidget(widget)

    # -- tabs ----------------------------------------------------------------------------------------------------

    def _labels_tab(self) -> QWidget:
        add, remove = QPushButton(self.tr("Add label")), QPushButton(self.tr("Remove"))
        up, down = QPushButton(self.tr("Up")), QPushButton(self.tr("Down"))
        add.clicked.connect(lambda: self.add_label())
        remove.clicked.connect(self.remove_label)
        up.clicked.connect(lambda: self.move_label(-1))
        down.clicked.connect(lambda: self.move_label(1))
        left = QVBoxLayout()
        left.addWidget(self.list)
        for button in (add, remove, up, down):
            left.addWidget(button)
        tab = QWidget()
        layout = QHBoxLayout(tab)
        layout.addLayout(left, 1)
        layout.addWidget(self.pages, 3)
        return tab

    def _tiers_tab(self) -> QWidget:
        add, remove = QPushButton(self.tr("Add tier")), QPushButton(self.tr("Remove tier"))
        add.clicked.connect(lambda: self.tiers.add())
        remove.clicked.connect(lambda: self.tiers.removeRow(self.tiers.currentRow()))
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel(self.tr("Layers of segments on recordings (speaker, words, events…), in order")))
        layout.addWidget(self.tiers)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def _guide_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel(self.tr("The guidelines of the whole project (each label's are on its page)")))
        layout.addWidget(self.project_guide)
        return tab

    # -- labels --------------------------------------------------------------------------------------------------

    def forms(self) -> list[LabelForm]:
        pages = [self.pages.widget(i) for i in range(self.pages.count())]
        found = [p.widget() for p in pages if isinstance(p, QScrollArea)]
        return [f for f in found if isinstance(f, LabelForm)]

    def add_label(self, label: dict[str, Any] | None = None) -> LabelForm:
        """A new page (a new label named "label N" in the next palette colour when `label` is None)."""
        n = self.pages.count()
        label = label or {"name": self.tr("label {0}").format(n + 1), "color": PALETTE[n % len(PALETTE)]}
        form = LabelForm(label, self.guidelines.for_label(str(label["name"])).to_json(), self.files)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        self.pages.addWidget(scroll)
        item = QListWidgetItem()
        self.list.addItem(item)
        form.renamed.connect(lambda: self._show_item(form))
        self._show_item(form)
        self.list.setCurrentRow(self.pages.count() - 1)
        return form

    def _show_item(self, form: LabelForm) -> None:
        row = self.forms().index(form)
        item = self.list.item(row)
        if item is not None:
            item.setText(form.name.text() or self.tr("(no name)"))
            item.setIcon(swatch(form.color))

    def remove_label(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            page = self.pages.widget(row)
            self.pages.removeWidget(page)
            page.deleteLater()
            self.list.takeItem(row)

    def move_label(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        page = self.pages.widget(row)
        self.pages.removeWidget(page)
        self.pages.insertWidget(target, page)
        self.list.insertItem(target, self.list.takeItem(row))
        self.list.setCurrentRow(target)

    # -- reading it all back -------------------------------------------------------------------------------------

    def build(self) -> tuple[LabelSchema, dict[str, Any]]:
        """The schema and the guidelines JSON of the fields; FieldError naming the field that does not fit."""
        forms = self.forms()
        labels = []
        for i, form in enumerate(forms):
            try:
                labels.append(form.label_json())
            except FieldError as exc:
                raise FieldError(str(exc), "labels", i) from None
            named = [(self.tr("name"), labels[-1]["name"]),
                     *((self.tr("attribute name"), a["name"]) for a in labels[-1].get("attributes", [])),
                     *((self.tr("keypoint name"), k) for k in labels[-1].get("keypoints", []))]
            for what, name in named:
                if problem := label_name_problem(name):
                    raise FieldError(self.tr("Label #{0}: {1} {2}: {3}").format(
                        i + 1, what, repr(name), problem), "labels", i)
        data: dict[str, Any] = {"labels": labels}
        if tiers := self.tiers.tiers():
            data["tiers"] = tiers
        try:
            schema = LabelSchema.from_json(data)
        except SchemaError as exc:
            raise self._explained(str(exc), labels) from None
        guides = {"description": self.project_guide.guide_json()["description"],
                  "examples": self.project_guide.guide_json()["examples"],
                  "labels": {label["name"]: form.guide.guide_json() for label, form in zip(labels, forms, strict=True)}}
        try:
            parsed = Guidelines.from_json(guides, schema.names())
        except GuidelineError as exc:
            row = next((i for i, lb in enumerate(labels) if exc.field.startswith(f"labels.{lb['name']}")), None)
            raise FieldError(self.tr("Guidelines: {0}").format(str(exc)), "labels" if row is not None
                             else "guidelines", row) from None
        return schema, parsed.to_json()

    def _explained(self, message: str, labels: list[dict[str, Any]]) -> FieldError:
        """core/schema.py's message ("labels[2].attributes[0].options: ...") with the label's name first."""
        if message.startswith("labels[") and "]" in message:
            index = message[len("labels["):message.index("]")]
            if index.isdigit() and int(index) < len(labels):
                name = labels[int(index)]["name"]
                return FieldError(self.tr("Label {0} ({1})").format(repr(name), message), "labels", int(index))
        twice = re.fullmatch(r"labels: (name|hotkey) '(.*)' is used twice", message)
        last = max((i for i, lb in enumerate(labels) if twice and str(lb.get(twice[1])) == twice[2]), default=None)
        if last is not None:  # the second label with that name or key is the one to change
            return FieldError(self.tr("Label #{0}: {1}").format(last + 1, message), "labels", last)
        if message.startswith("tiers"):
            return FieldError(self.tr("Audio tiers: {0}").format(message), "tiers")
        return FieldError(message)

    def changes(self) -> tuple[LabelSchema | None, dict[str, Any] | None]:
        """What differs from what the dialog opened with (None: unchanged); FieldError as build()."""
        schema, guides = self.build()
        same_schema = schema.to_json() == self.schema.to_json()
        return (None if same_schema else schema), (None if guides == self.guidelines.to_json() else guides)

    # -- saving --------------------------------------------------------------------------------------------------

    def save(self) -> None:
        try:
            schema, guides = self.changes()
        except FieldError as exc:
            self.show_error(str(exc), exc.tab, exc.label)
            return
        if schema is None and guides is None:
            self.show_error(self.tr("Nothing has changed"))
            return
        self.error.clear()
        self.set_busy(self.tr("Saving to the server…"))
        shown = [guides, *guides["labels"].values()] if guides else []
        used = {e["sha256"] for g in shown for e in g["examples"]}
        self.save_requested.emit(schema, guides, {sha: path for sha, path in self.files.items() if sha in used})

    def set_busy(self, message: str) -> None:
        self.status.setText(message)
        self.save_button.setEnabled(not message)

    def show_error(self, message: str, tab: str = "", label: int | None = None) -> None:
        """Say what is wrong; open the tab (labels, tiers, guidelines) and the label page where it is."""
        self.set_busy("")
        self.error.setText(message)
        index = {"labels": 0, "tiers": 1, "guidelines": 2}.get(tab)
        if index is not None:
            self.tabs.setCurrentIndex(index)
        if label is not None:
            self.list.setCurrentRow(label)

    def saved(self) -> None:
        self.set_busy("")
        self.accept()

