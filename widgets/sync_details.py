"""The sync state in words a person understands, for the status label and the Sync details dialog.

A round stores its outcome as a phase and a message (sync/client/engine.py `SyncState`), written for the command line
("run: annodesk login URL --user NAME"). `advise` turns it into what happened and what to do in the app: offline (keep
working), signed out or sign-in ended (sign in again), device revoked (sign in again: a new device key sends the
waiting changes), refused by the server, files that could not be synced, edits not kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from sync.client.engine import SyncState
from widgets.messages import translated
from widgets.theme import color

translate = QCoreApplication.translate


@dataclass(frozen=True)
class Advice:
    short: str  # the status label's words ("Signed out")
    headline: str
    detail: str  # what happened
    todo: str  # what to do
    sign_in: bool = False  # signing in again fixes it


def waiting(pending: int) -> str:
    if pending == 1:
        return translate("sync_details", "1 change waiting")
    if pending:
        return translate("sync_details", "{0} changes waiting").format(f"{pending:,}")
    return translate("sync_details", "no changes waiting")


def state_text(state: SyncState) -> str:
    """SyncState.text() in the app's language: the phase, the changes waiting, the edits refused."""
    label = {"offline": translate("sync_details", "Offline · {0}").format(waiting(state.pending)),
             "syncing": translate("sync_details", "Syncing… · {0}").format(waiting(state.pending)),
             "up_to_date": translate("sync_details", "Up to date"), "waiting": waiting(state.pending),
             "error": translate("sync_details", "Sync error: {0}").format(translated(state.last_error))}[state.phase]
    refused = translate("sync_details", " · {0} refused").format(state.rejected)
    return label + (refused if state.rejected and state.phase != "error" else "")


def advise(state: SyncState, server: str, user: str) -> Advice | None:
    """What went wrong in the last round and what to do, None when nothing did."""
    error = state.last_error.lower()  # the words of sync/client/engine.py `_explain` and Credentials.require
    kept = "" if not state.pending else translate("sync_details", "The 1 change waiting here is kept.") if (
        state.pending == 1) else translate("sync_details", "The {0} here are kept.").format(waiting(state.pending))
    again = translate("sync_details", "Sign in again as {0}; the changes waiting here are sent then.").format(user)
    if state.phase == "offline":
        return Advice(translate("sync_details", "Offline"), translate("sync_details", "Cannot reach the server"),
                      translate("sync_details", "{0} did not answer: this computer is offline, or the server is "
                                "down.").format(server),
                      translate("sync_details", "Keep working: every edit is saved on this computer and goes up by "
                                "itself once the server answers (the app tries again every minute). Sync now tries "
                                "at once."))
    if state.phase != "error":
        return _after_good_round(state)
    if "revoked by an administrator" in error or "revoked_device" in error:
        return Advice(translate("sync_details", "Device revoked"),
                      translate("sync_details", "This device was revoked"),
                      translate("sync_details", "An administrator stopped this computer from syncing as {0} (a lost "
                                "or replaced laptop is the usual reason). {1}").format(user, kept).strip(),
                      translate("sync_details", "Sign in again: this computer then gets a new device key, which "
                                "sends the changes waiting here. If you did not expect this, ask your team lead "
                                "first."), sign_in=True)
    if "login has expired" in error:
        return Advice(translate("sync_details", "Sign-in ended"), translate("sync_details", "Your sign-in has ended"),
                      translate("sync_details", "The server no longer accepts this computer's sign-in for {0}: it "
                                "expired, or it was ended on the server. {1}").format(user, kept).strip(), again,
                      sign_in=True)
    if ("token:" in error or "device:" in error) and " is not in " in error:
        return Advice(translate("sync_details", "Signed out"), translate("sync_details", "You are signed out"),
                      translate("sync_details", "This computer holds no sign-in for {0} on {1}. {2}").format(
                          user, server, kept).strip(), again, sign_in=True)
    if error.startswith("server refused"):
        return Advice(translate("sync_details", "Sync refused"),
                      translate("sync_details", "The server refused the last sync"),
                      translate("sync_details", "It answered: {0}").format(translated(state.last_error)),
                      translate("sync_details", "Your changes stay on this computer. Try Sync now; if the server "
                                "keeps refusing, tell your team lead what it answered."))
    return Advice(translate("sync_details", "Sync error"), translate("sync_details", "Sync failed"),
                  translated(state.last_error) or translate("sync_details", "The last round stopped with an error."),
                  translate("sync_details", "The app tries again by itself. If this stays, tell your team lead what "
                            "it says."))


def _after_good_round(state: SyncState) -> Advice | None:
    if state.last_error:
        return Advice("", translate("sync_details", "Some files could not be synced"), translated(state.last_error),
                      translate("sync_details", "They are tried again in the next round; the other tasks can be "
                                "worked on meanwhile."))
    if state.rejected:
        return Advice("", translate("sync_details", "{0} of your edits were not kept").format(f"{state.rejected:,}"),
                      translate("sync_details", "The server kept other values: a reviewer's, or the task was already "
                                "submitted or accepted."),
                      translate("sync_details", "The Review dock (Ctrl+Alt+R) lists each one with its reason, on its "
                                "task."))
    return None


def status_text(state: SyncState, advice: Advice | None) -> str:
    """The status label: the state's own words, or the advice's short words for an error."""
    if state.phase == "error" and advice is not None:
        return f"{advice.short} · {waiting(state.pending)}"
    return state_text(state)


def last_good(at: float | None, now: float | None = None) -> str:
    """When the last round that went through ended, and how long ago."""
    if not at:
        return translate("sync_details", "never")
    ago = max(0, int((now or time.time()) - at))
    if ago < 60:
        span = translate("sync_details", "just now")
    elif ago < 3600:
        span = translate("sync_details", "{0} min ago").format(ago // 60)
    elif ago < 86400:
        span = translate("sync_details", "{0} h ago").format(ago // 3600)
    else:
        span = translate("sync_details", "{0} days ago").format(ago // 86400)
    return f"{time.strftime('%d %b %Y %H:%M', time.localtime(at))} ({span})"


class SyncLabel(QLabel):
    """The sync state in the status bar; a click syncs now."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class SyncDetails(QDialog):
    """Server, user, project, edits waiting, the last good round, and what went wrong in words with what to do."""

    sync_now = Signal()
    sign_in = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sync details"))
        self.headline = QLabel()
        font = QFont(self.headline.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.headline.setFont(font)
        self.fields = {name: QLabel() for name in (self.tr("Server"), self.tr("Signed in as"), self.tr("Project"),
                                                    self.tr("Edits waiting"), self.tr("Edits not kept"),
                                                    self.tr("Last good sync"))}
        form = QFormLayout()
        for name, label in self.fields.items():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(self.tr("{0}:").format(name), label)
        self.detail, self.todo = QLabel(), QLabel()
        for label in (self.detail, self.todo):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sign_in_button = QPushButton(self.tr("Sign in again…"))
        buttons.addButton(self.sync_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.sync_button.clicked.connect(self.sync_now)
        self.sign_in_button.clicked.connect(self.sign_in)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(form)
        layout.addWidget(self.detail)
        layout.addWidget(self.todo)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def show_state(self, state: SyncState, server: str, user: str, project: str, syncing: bool = False) -> None:
        advice = advise(state, server, user)
        self.headline.setText(self.tr("Syncing…") if syncing else advice.headline if advice else state_text(state))
        self.headline.setStyleSheet(f"color: {color('error').name()}" if state.phase == "error" and not syncing else "")
        values = (server, user, project, f"{state.pending:,}", f"{state.rejected:,}", last_good(state.last_sync))
        for label, value in zip(self.fields.values(), values, strict=True):
            label.setText(value)
        self.detail.setText(self.tr("<b>What happened:</b> {0}").format(_html(advice.detail)) if advice else "")
        self.todo.setText(self.tr("<b>What to do:</b> {0}").format(_html(advice.todo)) if advice else "")
        self.detail.setVisible(advice is not None)
        self.todo.setVisible(advice is not None)
        self.sign_in_button.setVisible(advice is not None and advice.sign_in)
        self.sync_button.setEnabled(not syncing)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
