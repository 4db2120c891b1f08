"""The shortcuts editor (F1): the keymap as a cheat sheet that can be changed in place.

It reads like the old read-only list (action, keys, scope, where the keys come from), filtered as you type; select a
row to give it new keys. The rules (what clashes, what a reset brings back, the presets) belong to the model it is
given, Qt-free (desktop/keymap.py `KeymapDraft`); this widget shows them and records keys. Nothing is saved here:
the caller reads the model once the dialog is accepted, and OK is refused while two actions share a key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from widgets.canvas import combination
from widgets.theme import color

_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
_CLEAR_KEYS = {Qt.Key.Key_Backspace, Qt.Key.Key_Delete}
HINT = QT_TRANSLATE_NOOP("ShortcutsEditor", "Select an action, click a key field and press the combination. Backspace "
                         "or Delete clears the field (pressed in an empty field, it is the key); Esc puts back what "
                         "the field had.")
translate = QCoreApplication.translate


class ShortcutAction(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def tip(self) -> str: ...


class ShortcutBinding(Protocol):
    @property
    def action(self) -> ShortcutAction: ...
    @property
    def keys(self) -> tuple[str, ...]: ...
    @property
    def origin(self) -> str: ...


class ShortcutsModel(Protocol):
    """What the editor changes: the bindings of a preset plus the user's keys."""

    @property
    def preset(self) -> str: ...
    def bindings(self) -> Mapping[str, ShortcutBinding]: ...
    def conflicts(self) -> Mapping[str, str]: ...  # action id -> the clash in words
    def set_keys(self, action_id: str, keys: Sequence[str]) -> None: ...
    def reset(self, action_id: str) -> None: ...
    def reset_all(self) -> None: ...
    def set_preset(self, name: str) -> None: ...


class KeyCapture(QLineEdit):
    """A field that records one key combination when pressed, Tab, Enter and F1 included (none acts as a shortcut
    while it has the focus). Backspace or Delete clears it; Esc cancels the recording."""

    recorded = Signal(str)  # the new combination, "" when cleared
    cancelled = Signal()  # Esc: the key from before the recording was put back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlaceholderText(self.tr("none"))
        self._before = ""

    def begin(self) -> None:
        """What Esc puts back: the key shown now (on getting the focus, or another action selected)."""
        self._before = self.text()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.begin()
        super().focusInEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            self.keyPressEvent(event)  # Tab too: it is a key to record, not a move to the next field
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.accept()
        key, mods = Qt.Key(event.key()), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in _MODIFIER_KEYS or key == Qt.Key.Key_unknown:
            return
        plain = mods == Qt.KeyboardModifier.NoModifier
        if key == Qt.Key.Key_Escape and plain:
            if self.text() != self._before:
                self.recorded.emit(self._before)
            self.cancelled.emit()
        elif key in _CLEAR_KEYS and plain and self.text():
            self.recorded.emit("")
        else:
            self.recorded.emit(combination(event))


class ShortcutsEditor(QDialog):
    """The keymap table with a filter, two key fields for the selected action, reset, reset all and presets."""

    COLUMNS = (QT_TRANSLATE_NOOP("ShortcutsEditor", "Action"), QT_TRANSLATE_NOOP("ShortcutsEditor", "Keys"),
               QT_TRANSLATE_NOOP("ShortcutsEditor", "Scope"), QT_TRANSLATE_NOOP("ShortcutsEditor", "From"))

    def __init__(self, model: ShortcutsModel, presets: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.model = model
        self.filter = QLineEdit(placeholderText=self.tr("Filter: an action, a key or a scope"))
        self.filter.setClearButtonEnabled(True)
        self.preset = QComboBox()
        for name, title in presets.items():
            self.preset.addItem(title, name)
        self.preset.setCurrentIndex(max(self.preset.findData(model.preset), 0))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for col in range(len(self.COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.keys = (KeyCapture(), KeyCapture())
        self.reset_button = QPushButton(self.tr("Reset"))
        self.reset_all_button = QPushButton(self.tr("Reset all"))
        self.conflict = QLabel(wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._ids = list(model.bindings())
        self._layout()
        self._fill()
        self.filter.textChanged.connect(self._apply_filter)
        self.preset.currentIndexChanged.connect(lambda: self._change(self.model.set_preset, self.preset.currentData()))
        self.table.itemSelectionChanged.connect(self._selected_changed)
        self.table.activated.connect(lambda: self.keys[0].setFocus())  # Enter or a double-click: record its key
        for slot, field in enumerate(self.keys):
            field.recorded.connect(lambda key, slot=slot: self._record(slot, key))
            field.cancelled.connect(self.table.setFocus)
        self.reset_button.clicked.connect(lambda: self._change(self.model.reset, self.current()))
        self.reset_all_button.clicked.connect(lambda: self._change(self.model.reset_all))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._refresh()
        self.resize(960, 640)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(QLabel(self.tr("Keys like:")))
        top.addWidget(self.preset)
        edit = QGridLayout()
        for col, (title, field) in enumerate(zip((self.tr("Key:"), self.tr("Second key:")), self.keys, strict=True)):
            edit.addWidget(QLabel(title), 0, 2 * col)
            edit.addWidget(field, 0, 2 * col + 1)
        edit.addWidget(self.reset_button, 0, 4)
        edit.addWidget(self.reset_all_button, 0, 5)
        hint = QLabel(self.tr(HINT), wordWrap=True)
        hint.setStyleSheet(f"color: {color('muted').name()}")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(edit)
        for widget in (hint, self.conflict, self.buttons):
            layout.addWidget(widget)

    def current(self) -> str | None:
        """The selected action's id."""
        rows = self.table.selectionModel().selectedRows()
        return self._ids[rows[0].row()] if rows else None

    def select(self, action_id: str) -> None:
        self.table.selectRow(self._ids.index(action_id))

    def _fill(self) -> None:
        self.table.setRowCount(len(self._ids))
        for row, binding in enumerate(self.model.bindings().values()):
            for col in range(len(self.COLUMNS)):
                item = QTableWidgetItem()
                item.setToolTip(translate("keymap", binding.action.tip) if binding.action.tip else "")
                self.table.setItem(row, col, item)

    def _refresh(self) -> None:
        """Show the model: every row's keys and origin, the clashes in red, OK only when there are none."""
        bindings, conflicts = self.model.bindings(), self.model.conflicts()
        red, normal = QBrush(color("error")), self.table.palette().text()
        for row, action_id in enumerate(self._ids):
            b = bindings[action_id]
            text = translate("keymap", b.action.text) + (f" — {translate('keymap', b.action.tip)}" if b.action.tip
                                                         else "")  # the gestures, as a cheat sheet
            values = (text, "  /  ".join(b.keys), b.action.scope, b.origin)
            for col, value in enumerate(values):
                item = self.table.item(row, col)
                item.setText(value)
                item.setForeground(red if action_id in conflicts else normal)
        lines = [f"“{translate('keymap', bindings[a].action.text)}”: {why}" for a, why in conflicts.items()]
        self.conflict.setText("\n".join([*lines[:4], *(["…"] if len(lines) > 4 else []),
                                         *([self.tr("Give one of them another key to save.")] if lines else [])]))
        self.conflict.setStyleSheet(f"color: {color('error').name()}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not conflicts)
        self._show_keys()

    def _show_keys(self) -> None:
        action_id = self.current()
        keys = self.model.bindings()[action_id].keys if action_id else ()
        for slot, field in enumerate(self.keys):
            field.setEnabled(action_id is not None)
            field.setText(keys[slot] if slot < len(keys) else "")
        self.reset_button.setEnabled(action_id is not None)

    def _selected_changed(self) -> None:
        self._show_keys()
        for field in self.keys:
            field.begin()

    def _record(self, slot: int, key: str) -> None:
        action_id = self.current()
        if action_id is None:
            return
        keys = [*self.model.bindings()[action_id].keys, "", ""]
        keys[slot] = key
        self._change(self.model.set_keys, action_id, keys)

    def _change(self, change: Callable[..., None], *args: object) -> None:
        """Change the model (nothing without a selected action or preset) and show the outcome."""
        if None not in args:
            change(*args)
            self._refresh()

    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for row in range(self.table.rowCount()):
            shown = " ".join(self.table.item(row, col).text() for col in range(len(self.COLUMNS))).lower()
            self.table.setRowHidden(row, not all(w in shown + " " + self._ids[row] for w in words))
