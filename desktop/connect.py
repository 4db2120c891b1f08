"""Connecting the app to a server with the command line's own code: sign in (commands.login stores the token and the
device key as `annodesk login` does), list the projects, clone one (commands.clone, as `annodesk clone`) on a
background job with progress and Cancel, and open it; sign out, sign in again, switch user.

Cancel stops the sign-in or the clone at any point: every request of theirs checks it (sync/client/cancel.py), as do
the media downloads and the clone's last steps, and the dialog is usable again at once (a request in flight ends by
its timeout in the background, and what it brings is dropped). A clone is made in a hidden staging folder beside the
chosen one and moved into place only when whole, so a cancelled or failed clone leaves nothing behind: the staging
folder and the new workspace's key are removed, a chosen empty folder stays as it was. A clone whose first round
ended offline is kept and opened: the app syncs the rest.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox

from core.names import safe_item_name
from desktop.jobs import Job, JobState
from desktop.sync_status import NOT_SYNCED, SyncStatus, WatchedKeys
from sync.client import commands
from sync.client.at_rest import KeyRing
from sync.client.cancel import cancellable
from sync.client.credentials import Credentials, CredentialsError, token_name, workspace_key_name
from sync.client.engine import SyncState
from sync.client.http import Http, OfflineError, ServerError, SyncError
from sync.client.refusals import refusal_text
from sync.database import WorkspaceError
from widgets.connect_dialog import ConnectDialog
from widgets.messages import translated

if TYPE_CHECKING:
    from desktop.window_api import JobHost

    class ConnectWindow(JobHost, Protocol):
        sync_status: SyncStatus

        def open_workspace(self, path: Path, task_id: int | None = None, frame: int | None = None,
                           time: float | None = None) -> None: ...

WORKSPACES = Path.home() / "Annodesk"  # where a clone goes unless the person chooses another folder


translate = QCoreApplication.translate


@dataclass(frozen=True)
class Failed:
    """What a job could not do, in words for the person (the job returns it instead of raising)."""

    message: str


def server_address(text: str) -> str:
    """The base URL of what was typed: https:// unless a scheme is given, without a trailing / or /api/v1."""
    text = text.strip()
    url = text if "://" in text else f"https://{text}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not a server address (like https://annodesk.example.org)")
    return url.rstrip("/").removesuffix("/api/v1")


def list_projects(server: str, user: str, credentials: Credentials) -> list[str]:
    """The projects `user` may work in (reviewers: all of them), by name."""
    session = json.loads(credentials.require(token_name(server, user), "sign in first"))
    http = Http(server, session["token"], attempts=3)
    try:
        return sorted(str(p["name"]) for p in http.json("GET", "/projects"))
    finally:
        http.close()


def sign_out(server: str, user: str, credentials: Credentials) -> None:
    """Forget this computer's sign-in and end it on the server where that answers. The device key stays, so the next
    sign-in continues this device's client and sends the changes still waiting."""
    stored = credentials.get(token_name(server, user))
    credentials.delete(token_name(server, user))
    if stored:
        http = Http(server, json.loads(stored)["token"], timeout=10, attempts=1)
        try:
            http.request("POST", "/auth/logout")
        except SyncError:  # offline, or ended already: forgotten here is what counts
            pass
        finally:
            http.close()


class Handoff:
    """Cancel against a clone's last step, under one lock: Cancel comes either before the workspace is moved into
    place (the clone then discards it) or too late (the clone is whole and opens as if Cancel had not come)."""

    def __init__(self, job: JobState) -> None:
        self.job = job
        self.lock = threading.Lock()
        self.placed = False

    def cancel(self) -> bool:
        """Cancel the clone; False when it is already in place."""
        with self.lock:
            if not self.placed:
                self.job.cancel()
            return not self.placed

    def place(self, staging: Path, directory: Path) -> bool:
        """Move the whole clone into place unless cancelled (a chosen empty folder is replaced by it)."""
        with self.lock:
            if self.job.cancelled():
                return False
            if directory.is_dir():
                directory.rmdir()  # empty: checked before the clone, and the clone never wrote there
            staging.rename(directory)
            self.placed = True
            return True


def clone(server: str, user: str, project: str, directory: Path, keys: KeyRing, handoff: Handoff
          ) -> SyncState | None:
    """`annodesk clone` on a worker into a staging folder beside `directory`, with the files downloaded as progress,
    moved to `directory` once whole; None when cancelled. A folder that exists must be empty."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise WorkspaceError(f"{directory} is not an empty folder: choose a new one")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".cloning", dir=directory.parent))
    watched = WatchedKeys(keys, handoff.job)
    try:
        with cancellable(handoff.job.cancelled):
            state = commands.clone(server, project, staging, keys.credentials, watched, user)
        if handoff.place(staging, directory):  # else the round ended on Cancelled, or Cancel came after it
            return state
    except BaseException:
        _discard(staging, watched)
        raise
    _discard(staging, watched)
    return None


def _discard(staging: Path, keys: WatchedKeys) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    if keys.created:
        keys.credentials.delete(workspace_key_name(keys.created))


def suggested_folder(project: str, root: Path | None = None) -> Path:
    """A new folder for the project's workspace under `root` (WORKSPACES), the server's name made a safe file name."""
    name = safe_item_name(project, "project")
    root = root or WORKSPACES
    folder, n = root / name, 2
    while folder.exists():
        folder, n = root / f"{name} {n}", n + 1
    return folder


def in_words(exc: BaseException, server: str) -> str:
    """An error of signing in or cloning as the person should read it."""
    if isinstance(exc, OfflineError):
        return translate("connect", "Cannot reach {0}: check the address and this computer's network "
                         "connection.").format(server)
    if isinstance(exc, ServerError) and exc.code == "bad_credentials":
        return translate("connect", "Wrong user name or password.")
    if isinstance(exc, ServerError) and exc.code == "rate_limited":
        return translate("connect", "Too many failed sign-ins: {0}.").format(exc.detail)
    if isinstance(exc, ServerError):
        return translate("connect", "The server refused: {0} ({1}).").format(
            translated(refusal_text(exc.code, exc.detail)), exc.code)
    if isinstance(exc, CredentialsError):
        return translate("connect", "This computer's Annodesk secrets could not be used: {0}").format(exc)
    return translated(exc)


def _attempt(server: str, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)`, or Failed with the reason in words for the errors a person can act on."""
    try:
        return fn(*args)
    except (SyncError, CredentialsError, WorkspaceError, OSError, ValueError) as exc:
        return Failed(in_words(exc, server))


class ConnectController(QObject):
    """File → Connect to a server…, Sign out, Switch user…, and the Sync details' "Sign in again…"."""

    def __init__(self, window: ConnectWindow) -> None:
        super().__init__(window.canvas)
        self.window = window
        self.status = window.sync_status
        self.dialog: ConnectDialog | None = None
        self.job: Job | None = None  # signing in or cloning, one at a time
        self.handoff: Handoff | None = None  # the clone's, while it runs
        self.signed_in = ("", "")  # server and user of the dialog's last sign-in
        self.question: QMessageBox | None = None  # a confirmation on screen (tests answer it)
        self.status.sign_in_requested.connect(self.sign_in_again)

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"sync.connect": lambda: self.connect_to_server(), "sync.sign_out": lambda: self.sign_out(),
                "sync.switch_user": self.switch_user}  # lambdas: a triggered action would pass `checked` on

    @property
    def credentials(self) -> Credentials:
        return self.status.keys.credentials

    def connect_to_server(self, server: str = "", user: str = "") -> ConnectDialog:
        """The dialog: sign in, choose a project and a folder, clone with progress, open the new workspace."""
        if busy := self._busy():
            return busy
        dialog = self._dialog()
        dialog.ask_sign_in(server or self.status.where[0], user)
        dialog.open()
        return dialog

    def sign_in_again(self) -> ConnectDialog:
        """Sign in as the open workspace's user (after a sign-out, an ended sign-in, a revoked device); then sync."""
        if busy := self._busy():
            return busy
        server, user, _project = self.status.where
        dialog = self._dialog(then_sync=True)
        dialog.ask_sign_in(server, user, user_fixed=True, note=f"Sign in again to sync this workspace as {user}.")
        dialog.open()
        return dialog

    def sign_out(self, then: Callable[[], object] | None = None) -> None:
        """Sign out of the open workspace's server, once confirmed; its unsent changes stay here."""
        server, user, _project = self.status.where
        if self.status.path is None:
            self.window.statusBar().showMessage(QCoreApplication.translate("SyncStatus", NOT_SYNCED), 6000)
            return
        text = self.tr("Sign out of {0} as {1}?").format(server, user)
        waiting = self.status.state.pending if self.status.state else 0
        if waiting:
            text += self.tr(" The {0} changes waiting stay on this computer and are sent when you sign in "
                            "again.").format(f"{waiting:,}")
        self._confirm(text, lambda: self._sign_out(server, user, then))

    def switch_user(self) -> None:
        """Sign out (when the open workspace is synced), then sign in as someone else and clone their project."""
        if self.status.path is None:
            self.connect_to_server()
        else:
            server = self.status.where[0]
            self.sign_out(then=lambda: self.connect_to_server(server))

    # -- the steps -------------------------------------------------------------------------------------------------

    def _busy(self) -> ConnectDialog | None:
        """The dialog on screen while its sign-in or clone runs, raised: it is not replaced then."""
        if self.job is None or self.dialog is None or not self.dialog.isVisible():
            return None
        self.dialog.raise_()
        return self.dialog

    def _dialog(self, then_sync: bool = False) -> ConnectDialog:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        dialog = self.dialog = ConnectDialog(self.window.canvas.window())
        dialog.sign_in_asked.connect(lambda server, user, password: self._sign_in(server, user, password, then_sync))
        dialog.clone_asked.connect(self._clone)
        dialog.cancel_asked.connect(self._cancel)
        return dialog

    def _sign_in(self, typed: str, user: str, password: str, then_sync: bool) -> None:
        dialog, credentials = self.dialog, self.credentials
        assert dialog is not None
        try:
            server = server_address(typed)
        except ValueError as exc:
            dialog.show_error(translated(exc))
            return

        def run(state: JobState) -> Any:
            with cancellable(state.cancelled):  # Cancel stops it between its requests
                commands.login(server, user, password, credentials)
                return True if then_sync else list_projects(server, user, credentials)

        dialog.busy(self.tr("Signing in to {0}…").format(server))
        self._start(Job(self.tr("Signing in"), lambda state: _attempt(server, run, state)),
                    lambda result: self._signed_in(dialog, server, user, result, then_sync))

    def _signed_in(self, dialog: ConnectDialog, server: str, user: str, result: Any, then_sync: bool) -> None:
        if then_sync and not isinstance(result, Failed):  # signed in, even if the dialog was closed meanwhile
            self.window.statusBar().showMessage(self.tr("Signed in to {0} as {1}").format(server, user), 6000)
            self.status.sync_now()
        if dialog is not self.dialog:  # closed and replaced while signing in
            return
        if isinstance(result, Failed):
            dialog.show_error(result.message)
        elif then_sync:
            dialog.accept()
        else:
            self.signed_in = (server, user)
            dialog.show_projects(server, user, {name: str(suggested_folder(name)) for name in result})

    def _clone(self, project: str, folder: str) -> None:
        dialog, keys = self.dialog, self.status.keys
        assert dialog is not None
        server, user = self.signed_in
        directory = Path(folder).expanduser()
        job = Job(self.tr("Cloning"),
                  lambda _state: _attempt(server, clone, server, user, project, directory, keys, handoff))
        handoff = self.handoff = Handoff(job.state)
        job.progress.connect(lambda done, total: dialog.show_progress(
            self.tr("Downloading media: {0} / {1} files").format(f"{done:,}", f"{total:,}"), done, total))
        dialog.busy(self.tr("Making the workspace in {0} and downloading the tasks of {1}…").format(directory, project),
                    cloning=True)
        self.window.jobs.append(job)  # closing the window cancels it (and so removes the half-made workspace)
        self._start(job, lambda result: self._cloned(dialog, project, directory, result))

    def _cloned(self, dialog: ConnectDialog, project: str, directory: Path, result: Any) -> None:
        self.handoff = None
        if result is None:
            dialog.show_error(self.tr("Cancelled: nothing was kept. Choose a project to try again."))
        elif isinstance(result, Failed):
            dialog.show_error(result.message)
        else:
            dialog.accept()
            self.window.open_workspace(directory)
            self.window.statusBar().showMessage(self.tr("Cloned {0} into {1}").format(project, directory), 8000)

    def _cancel(self) -> None:
        """The dialog's Cancel while it works: the sign-in or clone stops at its next step and the dialog is usable
        at once; what the job still brings is dropped (a cancelled clone removes its own staging folder)."""
        job, dialog = self.job, self.dialog
        if job is None or dialog is None:
            return
        if self.handoff is not None:
            if not self.handoff.cancel():
                return  # too late: the clone is whole, in place, and opens
            text = self.tr("Cancelled: nothing was kept. Choose a project to try again.")
        else:
            job.cancel()
            text = self.tr("Sign-in cancelled.")
        self.job = self.handoff = None
        dialog.show_error(text)

    def _sign_out(self, server: str, user: str, then: Callable[[], object] | None) -> None:
        credentials = self.credentials

        def done(result: Any) -> None:
            if isinstance(result, Failed):
                self.window.statusBar().showMessage(self.tr("Could not sign out: {0}").format(result.message), 8000)
                return
            self.window.statusBar().showMessage(self.tr("Signed out of {0} ({1})").format(server, user), 6000)
            self.status.sync_now()  # the state says "Signed out", with the way back
            if then is not None:
                then()

        self._start(Job(self.tr("Signing out"),
                        lambda _state: _attempt(server, sign_out, server, user, credentials)), done)

    def _start(self, job: Job, done: Callable[[Any], None]) -> None:
        self.job = job

        def finished(result: Any) -> None:
            if self.job is job:
                self.job = None
                done(result)

        job.finished.connect(finished)
        job.failed.connect(lambda message: finished(Failed(message)))
        job.setParent(self)
        job.start()

    def _confirm(self, text: str, then: Callable[[], None]) -> None:
        box = self.question = QMessageBox(QMessageBox.Icon.Question, "Annodesk", text,
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                          self.window.canvas.window())
        box.buttonClicked.connect(lambda button: then() if box.standardButton(button) == box.StandardButton.Yes
                                  else None)  # fmt: skip
        box.finished.connect(lambda _result: setattr(self, "question", None))
        box.open()
