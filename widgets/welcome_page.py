"""The welcome page, shown in the window while no workspace is open: four large actions (connect to a server, open
a workspace, a new workspace from a folder of media, the demo), the recent workspaces, and the progress of what it
started.

Only the page: it asks through signals and shows what it is told; desktop/welcome.py does the work. Every action is
a button with a mnemonic (Alt+letter) reached by Tab and pressed with Enter or Space; the recent list opens its row
on Enter or a double click.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QPainter, QPalette, QPolygonF, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from widgets.app_icon import app_icon
from widgets.theme import color
from widgets.tool_icons import glyph_icon

PAGE_WIDTH = 760  # the column the page's content keeps to, centred in a wider window
Glyph = Callable[[QPainter], None]  # an action's icon, drawn on widgets/tool_icons.py's 64-unit grid


def _server(p: QPainter) -> None:
    for top in (8, 36):
        p.drawRoundedRect(QRectF(8, top, 48, 20), 4, 4)
        p.drawLine(QPointF(34, top + 10), QPointF(46, top + 10))
    p.setBrush(p.pen().color())
    for top in (8, 36):
        p.drawEllipse(QPointF(18, top + 10), 3, 3)


def _folder(p: QPainter) -> None:
    p.drawPolygon(QPolygonF([QPointF(x, y) for x, y in ((6, 14), (24, 14), (30, 21), (58, 21), (58, 52), (6, 52))]))


def _new_folder(p: QPainter) -> None:
    _folder(p)
    p.drawLine(QPointF(32, 28), QPointF(32, 46))
    p.drawLine(QPointF(23, 37), QPointF(41, 37))


def _play(p: QPainter) -> None:
    p.setBrush(p.pen().color())
    p.drawPolygon(QPolygonF([QPointF(18, 10), QPointF(54, 32), QPointF(18, 54)]))


class ActionButton(QPushButton):
    """A large button: an icon, a title with its mnemonic (Alt+letter presses it) and a line that says what it does.
    Enter presses it, as Space does; the labels inside let the clicks through to the button."""

    def __init__(self, title: str, description: str, glyph: Glyph) -> None:
        super().__init__()
        self.glyph = glyph
        self.setObjectName("action")
        self.setAccessibleName(title.replace("&", ""))
        self.setAccessibleDescription(description)
        self.setShortcut(QKeySequence.mnemonic(title))
        self.icon_label = QLabel()
        self.title = QLabel(_mnemonic_html(title))
        self.title.setFont(_scaled(self.font(), 1.2, bold=True))
        self.title.setWordWrap(True)  # Vietnamese titles run longer than a card is wide
        self.description = QLabel(description)
        self.description.setObjectName("description")
        self.description.setWordWrap(True)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(self.title)
        words.addWidget(self.description)
        words.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(12)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(words, 1)
        for label in (self.icon_label, self.title, self.description):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(88)

    def sizeHint(self) -> QSize:
        return self.layout().sizeHint()

    def paint_icon(self) -> None:
        """The glyph in the palette's ink (again after a theme change)."""
        self.icon_label.setPixmap(glyph_icon(self.glyph).pixmap(QSize(32, 32), self.devicePixelRatioF()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
        else:
            super().keyPressEvent(event)


class WelcomePage(QWidget):
    connect_asked = Signal()
    open_asked = Signal()
    new_asked = Signal()
    demo_asked = Signal()
    recent_asked = Signal(str)  # a workspace folder of the recent list
    cancel_asked = Signal()  # Cancel while a workspace is being made

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setAutoFillBackground(True)
        self.logo = QLabel()
        self.logo.setPixmap(app_icon().pixmap(QSize(72, 72)))
        self.heading = QLabel(self.tr("Welcome to Annodesk"))
        self.heading.setFont(_scaled(self.font(), 2.0, bold=True))
        self.intro = QLabel(self.tr("Annotate images, videos and recordings. Every edit is saved as you make it, "
                                    "and works offline."))
        self.intro.setWordWrap(True)
        self.connect_button = self._action(
            self.tr("&Connect to a server…"), self.tr("Sign in with the account your team lead gave you and "
                                                      "download a project's tasks"),
            _server, self.connect_asked)
        self.open_button = self._action(
            self.tr("&Open a workspace…"), self.tr("A folder Annodesk made on this computer"),
            _folder, self.open_asked)
        self.new_button = self._action(
            self.tr("&New workspace from a folder of media…"), self.tr("Each image, video or recording in the "
                                                                       "folder becomes a task"),
            _new_folder, self.new_asked)
        self.demo_button = self._action(
            self.tr("Open the &demo"), self.tr("Street scenes, a video and a recording with labels, to try "
                                               "things out"),
            _play, self.demo_asked)
        self.recent_title = QLabel(self.tr("&Recent workspaces"))
        self.recent_title.setFont(_scaled(self.font(), 1.15, bold=True))
        self.recent = QListWidget()
        self.recent.setSpacing(3)
        self.recent.setFont(_scaled(self.font(), 1.05))
        self.recent.setAccessibleName(self.tr("Recent workspaces"))
        self.recent_title.setBuddy(self.recent)
        self.recent.itemActivated.connect(lambda item: self.recent_asked.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_asked)
        self._layout()
        self.set_recent([])
        self.idle()

    def _action(self, title: str, description: str, glyph: Glyph, signal: Signal) -> ActionButton:
        button = ActionButton(title, description, glyph)
        button.clicked.connect(signal)
        return button

    def _layout(self) -> None:
        column = QWidget()
        column.setMaximumWidth(PAGE_WIDTH)
        top = QHBoxLayout()
        top.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignTop)
        top.setSpacing(20)
        words = QVBoxLayout()
        words.addStretch(1)
        words.addWidget(self.heading)
        words.addWidget(self.intro)
        words.addStretch(1)
        top.addLayout(words, 1)
        actions = QGridLayout()
        actions.setSpacing(12)
        for i, button in enumerate(self._buttons()):
            actions.addWidget(button, i // 2, i % 2)
        actions.setColumnStretch(0, 1)
        actions.setColumnStretch(1, 1)
        working = QHBoxLayout()
        working.addWidget(self.progress, 1)
        working.addWidget(self.cancel_button)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addLayout(working)
        layout.addSpacing(8)
        layout.addWidget(self.recent_title)
        layout.addWidget(self.recent)
        rows = QVBoxLayout()  # the column a little above the middle of the window
        rows.addStretch(1)
        rows.addWidget(column)
        rows.addStretch(2)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 32, 32, 32)
        outer.addStretch(1)
        outer.addLayout(rows, 4)
        outer.addStretch(1)
        self._style_buttons()

    # -- what the controller tells it ------------------------------------------------------------------------------

    def set_recent(self, folders: list[Path]) -> None:
        """The recent workspaces, newest first (the list and its title are hidden when there is none)."""
        self.recent.clear()
        for folder in folders:
            item = QListWidgetItem(f"{folder.name}  —  {folder.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(folder))
            item.setToolTip(str(folder))
            self.recent.addItem(item)
        self.recent.setVisible(bool(folders))
        self.recent_title.setVisible(bool(folders))
        if folders:
            self.recent.setCurrentRow(0)
            rows = sum(self.recent.sizeHintForRow(i) + 2 * self.recent.spacing() for i in range(len(folders)))
            self.recent.setFixedHeight(rows + 2 * self.recent.frameWidth())  # the list's rows, no blank below

    def busy(self, text: str, cancellable: bool = False) -> None:
        """Working: the actions are locked, the bar moves; `cancellable` shows Cancel."""
        for widget in self._inputs():
            widget.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(True)
        if cancellable:
            self.cancel_button.setFocus()

    def show_progress(self, text: str, done: int, total: int) -> None:
        self.message.setText(text)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancelling(self) -> None:
        self.message.setText(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)

    def show_error(self, text: str) -> None:
        self.idle()
        self.message.setStyleSheet(f"color: {color('error').name()}")
        self.message.setText(text)
        self.message.show()

    def idle(self) -> None:
        for widget in self._inputs():
            widget.setEnabled(True)
        self.message.setStyleSheet("")
        self.message.clear()
        self.message.hide()
        self.progress.hide()
        self.cancel_button.hide()

    def _inputs(self) -> tuple[QWidget, ...]:
        return (*self._buttons(), self.recent)

    # -- look ------------------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """The first action has the keyboard when the page comes up (Tab goes on from there)."""
        super().showEvent(event)
        if not self.isAncestorOf(QApplication.focusWidget()):
            self.connect_button.setFocus()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # a theme change: the buttons' frames take its colours
            self._style_buttons()
        super().changeEvent(event)

    def _style_buttons(self) -> None:
        """Framed cards on the base colour, the highlight on hover and focus, the glyphs in the theme's ink."""
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base).name(), palette.color(QPalette.ColorRole.Text).name()
        accent = palette.color(QPalette.ColorRole.Highlight).name()
        disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name()
        sheet = (f"QPushButton#action {{ background: {base}; border: 1px solid {color('indicator_disabled').name()}; "
                 f"border-radius: 8px; }}"
                 f"QPushButton#action:hover {{ border-color: {accent}; }}"
                 f"QPushButton#action:focus {{ border: 2px solid {accent}; }}"
                 f"QPushButton#action QLabel {{ color: {text}; }}"
                 f"QPushButton#action QLabel#description {{ color: {color('muted').name()}; }}"
                 f"QPushButton#action QLabel:disabled {{ color: {disabled}; }}")
        for button in self._buttons():
            button.setStyleSheet(sheet)
            button.paint_icon()

    def _buttons(self) -> tuple[ActionButton, ...]:
        return self.connect_button, self.open_button, self.new_button, self.demo_button


def _mnemonic_html(title: str) -> str:
    """A "&Title" as rich text with its mnemonic letter underlined (a label shows a bare & otherwise)."""
    before, amp, after = html.escape(title).partition("&amp;")
    return f"{before}<u>{after[:1]}</u>{after[1:]}" if amp and after else html.escape(title.replace("&", ""))


def _scaled(font: QFont, factor: float, bold: bool = False) -> QFont:
    scaled = QFont(font)
    scaled.setPointSizeF(font.pointSizeF() * factor)
    scaled.setBold(bold)
    return scaled
