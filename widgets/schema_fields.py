"""The parts of the schema editor (widgets/schema_editor.py): the tables of a label's attributes, of the audio tiers
and of a guideline's example images, and the guideline form (description and examples). Each reads its fields back as
the JSON core/schema.py and core/guidelines.py take; a cell that cannot be read raises FieldError naming the label,
the row and the column."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.media import IMAGE_EXTENSIONS
from core.schema import ATTRIBUTE_TYPES, SchemaError

translate = QCoreApplication.translate  # called by this name, with literal texts, so that lupdate finds them


class FieldError(SchemaError):
    """A field of the editor that cannot be read; `tab` and `label` (an index, or None) say where it is."""

    def __init__(self, message: str, tab: str = "labels", label: int | None = None) -> None:
        super().__init__(message)
        self.tab = tab
        self.label = label


def split_list(text: str) -> list[str]:
    """"a, b ,c" -> ["a", "b", "c"] (empty parts dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _item(text: str = "", checkable: bool = False, checked: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if checkable:
        item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return item


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _checked(table: QTableWidget, row: int, column: int) -> bool:
    item = table.item(row, column)
    return item is not None and item.checkState() == Qt.CheckState.Checked


def _headers(table: QTableWidget, titles: list[str], tips: dict[int, str]) -> None:
    table.setHorizontalHeaderLabels(titles)
    for column, tip in tips.items():
        table.horizontalHeaderItem(column).setToolTip(tip)
    table.verticalHeader().hide()


def _number(text: str, where: str) -> float | int | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FieldError(translate("SchemaEditor", "{0}: {1} is not a number").format(where, text))
    return int(value) if value.is_integer() else value


class AttributeTable(QTableWidget):
    """A label's attributes: name, type, values (a select's choices), default, min, max, per frame (on videos)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 7, parent)
        _headers(self, [translate("SchemaEditor", "Name"), translate("SchemaEditor", "Type"),
                        translate("SchemaEditor", "Values"), translate("SchemaEditor", "Default"),
                        translate("SchemaEditor", "Min"), translate("SchemaEditor", "Max"),
                        translate("SchemaEditor", "Per frame")],
                 {2: translate("SchemaEditor", "The choices of a select, separated by commas"),
                  6: translate("SchemaEditor", "On a video track: may change from keyframe to keyframe")})

    def add(self, spec: dict[str, Any] | None = None) -> int:
        spec = spec or {"name": "", "type": "select"}
        row = self.rowCount()
        self.insertRow(row)
        kind = QComboBox()
        kind.addItems(list(ATTRIBUTE_TYPES))
        kind.setCurrentText(str(spec.get("type", "select")))
        default = spec.get("default")
        if isinstance(default, bool):
            shown = "true" if default else "false"
        else:
            shown = "" if default is None else str(default)
        for column, text in ((0, spec.get("name", "")), (2, ", ".join(spec.get("options", []))), (3, shown),
                             (4, _plain(spec.get("min"))), (5, _plain(spec.get("max")))):
            self.setItem(row, column, _item(str(text)))
        self.setCellWidget(row, 1, kind)
        self.setItem(row, 6, _item(checkable=True, checked=bool(spec.get("mutable"))))
        return row

    def set_specs(self, specs: list[dict[str, Any]]) -> None:
        self.setRowCount(0)
        for spec in specs:
            self.add(spec)

    def kind(self, row: int) -> str:
        widget = self.cellWidget(row, 1)
        return widget.currentText() if isinstance(widget, QComboBox) else "text"

    def specs(self, label: str) -> list[dict[str, Any]]:
        """The rows as attribute JSON; FieldError names the label, the attribute and the column."""
        out = []
        for row in range(self.rowCount()):
            name, kind = _text(self, row, 0), self.kind(row)
            where = translate("SchemaEditor", "Label {0}, attribute {1}").format(repr(label),
                                                                                 repr(name) if name else f"#{row + 1}")
            spec: dict[str, Any] = {"name": name, "type": kind}
            options = split_list(_text(self, row, 2))
            if kind == "select":
                spec["options"] = options
            elif options:
                raise FieldError(translate("SchemaEditor", "{0}: values are the choices of a select; a {1} has none")
                                 .format(where, kind))
            for key, column in (("min", 4), ("max", 5)):
                value = _number(_text(self, row, column), f"{where}, {key}")
                if value is not None and kind != "number":
                    raise FieldError(translate("SchemaEditor", "{0}: only a number has a min and a max").format(where))
                if value is not None:
                    spec[key] = value
            if default := _text(self, row, 3):
                spec["default"] = _default(kind, default, where)
            if _checked(self, row, 6):
                spec["mutable"] = True
            out.append(spec)
        return out


def _plain(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _default(kind: str, text: str, where: str) -> Any:
    if kind == "checkbox":
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if text.lower() not in words:
            raise FieldError(translate(
                "SchemaEditor", "{0}: the default of a checkbox is true or false, not {1}").format(where, text))
        return words[text.lower()]
    if kind == "number":
        return _number(text, f"{where}, default")
    return text


class TierTable(QTableWidget):
    """The audio tiers: name, the labels it takes (empty: any), overlapping segments allowed, a point tier."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        _headers(self, [translate("SchemaEditor", "Name"), translate("SchemaEditor", "Labels"),
                        translate("SchemaEditor", "Overlap"), translate("SchemaEditor", "Points")],
                 {1: translate("SchemaEditor", "Label names separated by commas; empty: any label"),
                  2: translate("SchemaEditor", "Segments of this tier may share time (overlapping speech)"),
                  3: translate("SchemaEditor", "Instants, not segments (a TextGrid point tier)")})

    def add(self, tier: dict[str, Any] | None = None) -> int:
        tier = tier or {}
        row = self.rowCount()
        self.insertRow(row)
        self.setItem(row, 0, _item(str(tier.get("name", ""))))
        self.setItem(row, 1, _item(", ".join(tier.get("labels", []))))
        self.setItem(row, 2, _item(checkable=True, checked=bool(tier.get("overlap"))))
        self.setItem(row, 3, _item(checkable=True, checked=bool(tier.get("points"))))
        return row

    def tiers(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.rowCount()):
            tier: dict[str, Any] = {"name": _text(self, row, 0)}
            if labels := split_list(_text(self, row, 1)):
                tier["labels"] = labels
            if _checked(self, row, 2):
                tier["overlap"] = True
            if _checked(self, row, 3):
                tier["points"] = True
            out.append(tier)
        return out


class ExampleTable(QTableWidget):
    """A guideline's example images: the image (a file picked here, or the server's media id), caption, do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        _headers(self, [translate("SchemaEditor", "Image"), translate("SchemaEditor", "Caption"),
                        translate("SchemaEditor", "Do")],
                 {2: translate("SchemaEditor", "Ticked: do it like this (green); not ticked: don't (red)")})
        self.setColumnWidth(1, 260)

    def add(self, example: dict[str, Any]) -> int:
        """`example`: {"sha256", "caption", "do"} and, for an image picked here, "file" (its path)."""
        row = self.rowCount()
        self.insertRow(row)
        name = Path(example["file"]).name if example.get("file") else str(example["sha256"])[:12] + "…"
        image = _item(name)
        image.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        image.setData(Qt.ItemDataRole.UserRole, {k: example[k] for k in ("sha256", "file") if example.get(k)})
        image.setToolTip(str(example.get("file") or example["sha256"]))
        self.setItem(row, 0, image)
        self.setItem(row, 1, _item(str(example.get("caption", ""))))
        self.setItem(row, 2, _item(checkable=True, checked=bool(example.get("do", True))))
        return row

    def set_examples(self, examples: list[dict[str, Any]]) -> None:
        self.setRowCount(0)
        for example in examples:
            self.add(example)

    def examples(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            known = dict(item.data(Qt.ItemDataRole.UserRole) or {}) if item is not None else {}
            out.append({**known, "caption": _text(self, row, 1), "do": _checked(self, row, 2)})
        return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class GuideForm(QWidget):
    """A guideline: its description (plain text or simple Markdown) and its do/don't example images."""

    def __init__(self, guide: dict[str, Any], files: dict[str, Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files = files  # SHA-256 -> image file picked here (shared by every form of the dialog)
        self.text = QPlainTextEdit(str(guide.get("description", "")))
        self.text.setPlaceholderText(self.tr("What to mark and how; plain text or simple Markdown (*, **, - lists)"))
        self.text.setMinimumHeight(90)
        self.examples = ExampleTable()
        self.examples.set_examples(list(guide.get("examples", [])))
        self.examples.setMinimumHeight(110)
        add, remove = QPushButton(self.tr("Add images…")), QPushButton(self.tr("Remove image"))
        add.clicked.connect(self.pick_images)
        remove.clicked.connect(lambda: self.examples.removeRow(self.examples.currentRow()))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.examples)
        layout.addLayout(buttons)

    def pick_images(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(IMAGE_EXTENSIONS))
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Example images"), "",
                                                self.tr("Images ({0})").format(patterns))
        self.add_images([Path(p) for p in paths])

    def add_images(self, paths: list[Path], do: bool = True) -> None:
        """Add picked files as examples (uploaded when the dialog saves)."""
        for path in paths:
            sha = _sha256(path)
            self.files[sha] = path
            self.examples.add({"sha256": sha, "file": str(path), "caption": "", "do": do})

    def guide_json(self) -> dict[str, Any]:
        return {"description": self.text.toPlainText().strip(),
                "examples": [{"sha256": e["sha256"], "caption": e["caption"], "do": e["do"]}
                             for e in self.examples.examples()]}
