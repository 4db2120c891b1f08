"""The "Connect to a server" form: sign in (address, user name, password), then choose a project and where its
workspace goes, and follow the clone (a progress bar and Cancel).

Only the form: it asks through signals and shows what it is told; desktop/connect.py signs in and clones.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from widgets.theme import color


class ConnectDialog(QDialog):
    sign_in_asked = Signal(str, str, str)  # server, user, password
    clone_asked = Signal(str, str)  # project, folder
    cancel_asked = Signal()  # Cancel while signing in or cloning: the dialog stays, told what became of it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to a server"))
        self.server, self.user, self.password = QLineEdit(), QLineEdit(), QLineEdit()
        self.server.setPlaceholderText("https://annodesk.example.org")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.projects = QListWidget()
        self.projects.setSpacing(2)
        self.folder = QLineEdit()
        self.browse = QPushButton(self.tr("Choose…"))
        self.clone_button = QPushButton(self.tr("Clone and open"))
        self.back = QPushButton(self.tr("Sign in as someone else"))
        self.title = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._project_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.resize(560, 380)
        self.folders: dict[str, str] = {}  # project -> the folder suggested for it
        self.folder_chosen = False  # the person typed or chose a folder: a project change keeps it
        self.cloning = False
        self.working = False  # signing in or cloning: Cancel (or Esc, or closing) cancels it instead of closing
        self.sign_in_button.clicked.connect(self._sign_in)
        self.password.returnPressed.connect(self._sign_in)
        self.clone_button.clicked.connect(self._clone)
        self.back.clicked.connect(lambda: self.ask_sign_in(self.server.text()))
        self.browse.clicked.connect(self._browse)
        self.folder.textEdited.connect(lambda _text: setattr(self, "folder_chosen", True))
        self.projects.currentTextChanged.connect(self._project_changed)
        self.projects.itemDoubleClicked.connect(lambda _item: self._clone())
        self.buttons.rejected.connect(self.reject)
        for edit in (self.server, self.user):
            edit.textChanged.connect(self._can_sign_in)
        self.ask_sign_in()

    def _sign_in_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(self.tr("Server address:"), self.server)
        form.addRow(self.tr("User name:"), self.user)
        form.addRow(self.tr("Password:"), self.password)
        form.addRow("", self.sign_in_button)
        return page

    def _project_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Projects you may work in:")))
        layout.addWidget(self.projects, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Workspace folder:")))
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        layout.addLayout(row)
        self.browse.setToolTip(self.tr("A new folder named after the project is made inside the folder you choose"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.clone_button)
        layout.addLayout(buttons)
        return page

    # -- what the controller tells it ------------------------------------------------------------------------------

    def ask_sign_in(self, server: str = "", user: str = "", user_fixed: bool = False, note: str = "") -> None:
        """The sign-in page, filled in as far as known (`user_fixed`: signing in again as the workspace's user)."""
        self.pages.setCurrentIndex(0)
        self.title.setText(note or self.tr("Sign in with the account your team lead gave you."))
        self.server.setText(server)
        self.user.setText(user)
        self.user.setReadOnly(user_fixed)
        self.password.clear()
        self.idle()
        self.sign_in_button.setDefault(True)
        (self.password if server and user else self.user if server else self.server).setFocus()

    def show_projects(self, server: str, user: str, folders: dict[str, str]) -> None:
        """The project page: `folders` maps each project to the folder suggested for its workspace."""
        self.pages.setCurrentIndex(1)
        self.title.setText(self.tr("Signed in to {0} as {1}.").format(server, user))
        self.folders, self.folder_chosen = folders, False
        self.projects.clear()
        self.projects.addItems(list(folders))
        self.idle()
        if folders:
            self.projects.setCurrentRow(0)
        else:
            self.show_error(self.tr("{0} has no project on this server yet: ask your team lead to assign you tasks.")
                            .format(user))
        self.clone_button.setDefault(True)
        self.projects.setFocus()

    def busy(self, text: str, cloning: bool = False) -> None:
        """Working: the fields are locked, the bar moves, Cancel cancels the sign-in or the clone (`cloning`)."""
        self.cloning = cloning
        self.working = True
        self.pages.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.progress.setRange(0, 0)
        self.progress.show()

    def show_progress(self, text: str, done: int, total: int) -> None:
        self.message.setText(text)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def show_error(self, text: str) -> None:
        self.idle()
        self.message.setStyleSheet(f"color: {color('error').name()}")
        self.message.setText(text)

    def idle(self) -> None:
        self.cloning = self.working = False
        self.pages.setEnabled(True)
        self.message.setStyleSheet("")
        self.message.clear()
        self.progress.hide()
        self._can_sign_in()
        self.clone_button.setEnabled(bool(self.folders))

    def reject(self) -> None:
        if self.working:
            self.message.setText(self.tr("Cancelling…"))
            self.cancel_asked.emit()
        else:
            super().reject()

    # -- what the person does --------------------------------------------------------------------------------------

    def _can_sign_in(self) -> None:
        self.sign_in_button.setEnabled(bool(self.server.text().strip() and self.user.text().strip()))

    def _sign_in(self) -> None:
        if self.sign_in_button.isEnabled():
            self.sign_in_asked.emit(self.server.text().strip(), self.user.text().strip(), self.password.text())

    def _clone(self) -> None:
        item = self.projects.currentItem()
        if item is not None and self.folder.text().strip() and self.clone_button.isEnabled():
            self.clone_asked.emit(item.text(), self.folder.text().strip())

    def _project_changed(self, project: str) -> None:
        if project in self.folders and not self.folder_chosen:
            self.folder.setText(self.folders[project])

    def _browse(self) -> None:
        current = Path(self.folder.text().strip() or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Where to put the workspace", str(current.parent))
        item = self.projects.currentItem()
        if chosen and item is not None:
            self.folder.setText(str(Path(chosen) / Path(self.folders[item.text()]).name))
            self.folder_chosen = True
