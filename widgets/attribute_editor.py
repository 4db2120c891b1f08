"""The attribute form of the selected annotation, built from its label's AttributeSpecs.

Filling the form blocks the widgets' signals, so showing a value never writes it back (no loops with the editor).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.annotation import Annotation
from core.schema import AttributeSpec, Label, SchemaError
from tools.editor import Editor
from widgets.theme import color

NUMBER_LIMIT = 1e9  # spin box range when a number attribute has no bound


class _Field:
    """One attribute's input widget, with how to show a value and how to report an edit."""

    def __init__(self, spec: AttributeSpec, commit: Callable[[str, Any], None]) -> None:
        self.spec = spec
        self.widget = self._build(spec, lambda value: commit(spec.name, value))

    def _build(self, spec: AttributeSpec, emit: Callable[[Any], None]) -> QWidget:
        if spec.type == "select":
            combo = QComboBox()
            combo.addItems(list(spec.options))
            combo.currentTextChanged.connect(emit)
            return combo
        if spec.type == "checkbox":
            box = QCheckBox()
            box.toggled.connect(emit)
            return box
        if spec.type == "text":
            line = QLineEdit()
            line.editingFinished.connect(lambda: emit(line.text()) if line.isModified() else None)
            return line
        spin = QDoubleSpinBox()
        spin.setDecimals(3)
        spin.setKeyboardTracking(False)  # typed digits commit on Enter or focus loss, not per keystroke
        spin.setRange(
            spec.minimum if spec.minimum is not None else -NUMBER_LIMIT,
            spec.maximum if spec.maximum is not None else NUMBER_LIMIT,
        )
        spin.valueChanged.connect(emit)
        return spin

    def show(self, value: Any) -> None:
        widget = self.widget
        widget.blockSignals(True)
        try:
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findText(str(value))))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QLineEdit):
                widget.setText("" if value is None else str(value))
                widget.setModified(False)
            elif isinstance(widget, QDoubleSpinBox):
                widget.setValue(float(value) if isinstance(value, (int, float)) else widget.minimum())
        finally:
            widget.blockSignals(False)


def source_text(annotation: Annotation) -> str:
    source = annotation.source
    if not source.is_model:
        human = QCoreApplication.translate("attribute_editor", "human")
        return f"{human} ({annotation.author})" if annotation.author else human
    score = f" · {source.score:.2f}" if source.score is not None else ""
    return QCoreApplication.translate("attribute_editor", "model {0}").format(source.model_id or "?") + score


class AttributeEditor(QWidget):
    """Shows the single selected annotation of an editor (or one given annotation) and edits its attributes."""

    attribute_changed = Signal(str, str, object)  # annotation id, attribute name, new value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor: Editor | None = None
        self.annotation: Annotation | None = None
        self._label: Label | None = None
        self.fields: dict[str, _Field] = {}
        self.title = QLabel()
        self.details = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {color('error').name()}")
        self.error.setWordWrap(True)
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.details, self._form_host, self.error):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_annotation(None, None)

    def set_editor(self, editor: Editor | None) -> None:
        """Follow an editor's selection; edits go to editor.set_attribute."""
        self.editor = editor
        if editor is not None:
            editor.subscribe(partial(self._notified, editor))
        self._follow_selection()

    def show_annotation(self, annotation: Annotation | None, label: Label | None) -> None:
        """Fill the form; the widgets are rebuilt only when the label (so the spec list) changes."""
        self.error.clear()
        if annotation is None:
            self.annotation, self._label = None, None
            self._rebuild(())
            self.title.setText(self.tr("No shape selected"))
            self.details.clear()
            return
        rebuild = label != self._label or self.annotation is None
        self.annotation, self._label = annotation, label
        if rebuild:
            self._rebuild(label.attributes if label is not None else ())
        color = label.color if label is not None else "#9e9e9e"
        self.title.setText(f'<span style="color:{color}">■</span> <b>{annotation.label}</b>')
        self.details.setText(f"{annotation.kind} · {source_text(annotation)}")
        for name, field in self.fields.items():
            field.show(annotation.attributes.get(name, field.spec.initial()))

    def _rebuild(self, specs: tuple[AttributeSpec, ...]) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.fields = {spec.name: _Field(spec, self._commit) for spec in specs}
        for name, field in self.fields.items():
            self._form.addRow(name, field.widget)

    def _commit(self, name: str, value: Any) -> None:
        annotation = self.annotation
        if annotation is None:
            return
        self.error.clear()
        if self.editor is not None:
            try:
                self.editor.set_attribute(annotation.id, name, value)
            except (SchemaError, KeyError) as exc:
                self.error.setText(str(exc))
                self.fields[name].show(annotation.attributes.get(name, self.fields[name].spec.initial()))
                return
        self.attribute_changed.emit(annotation.id, name, value)

    def _notified(self, editor: Editor, what: str) -> None:
        if editor is self.editor and what in ("doc", "selection"):
            self._follow_selection()

    def _follow_selection(self) -> None:
        editor = self.editor
        if editor is None or len(editor.selection) != 1 or editor.selection[0] not in editor.doc:
            self.show_annotation(None, None)
            return
        annotation = editor.doc.get(editor.selection[0])
        if annotation is not self.annotation:
            self.show_annotation(annotation, editor.schema.get(annotation.label))
