"""Secrets of the sync client (token, device key, workspace keys): in the OS keyring, never in plain text on disk.

Keyring calls can block (a locked desktop keyring shows a prompt, D-Bus can hang), so each runs on a worker thread
with a timeout and never on the UI thread's stack. Where no keyring works (headless Linux: keyring's fail backend,
NoKeyringError), the secrets go to a vault file encrypted with a key derived from a passphrase (scrypt); the derived
key is kept in memory only, for as long as the process runs. A command line gets that passphrase from a private file
or a file descriptor when a script runs it, else from the terminal, never from a script's stdin (`cli_passphrase`).
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from sync.envelope import b64d, b64e

SERVICE = "annodesk"
KEYRING_TIMEOUT_S = 10.0
SCRYPT_N = 2**15  # ~50 ms and 32 MiB per unlock: cheap once, slow for a guesser
PASSPHRASE_FILE_ENV = "ANNODESK_PASSPHRASE_FILE"  # names a private file holding the passphrase, never the passphrase
SCRIPTED = f"give --passphrase-file PATH (a file only you can read), --passphrase-fd N, or set {PASSPHRASE_FILE_ENV}"
MAX_PASSPHRASE_BYTES = 4096


class CredentialsError(Exception):
    """A secret that cannot be read or stored; the message says which and why."""


def keyring_usable() -> bool:
    """False for keyring's fail backend (nothing installed) and for chains that hold no backend."""
    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return False
    return not hasattr(backend, "backends") or bool(backend.backends)


def _with_timeout(fn: Callable[[], Any], timeout: float, what: str) -> Any:
    """Run a keyring call on a daemon thread; CredentialsError when it fails or does not answer in time."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except Exception as exc:  # any backend failure is reported the same way
            box["error"] = exc

    worker = threading.Thread(target=run, name=f"keyring: {what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise CredentialsError(f"the OS keyring did not answer within {timeout:.0f} s ({what})")
    if "error" in box:
        raise CredentialsError(f"the OS keyring failed ({what}): {box['error']}") from box["error"]
    return box.get("value")


class Vault:
    """Secrets in one file, encrypted with ChaCha20-Poly1305 under scrypt(passphrase); written atomically."""

    def __init__(self, path: Path, ask_passphrase: Callable[[str], str]) -> None:
        self.path = path
        self._ask = ask_passphrase
        self._key: bytes | None = None
        self._salt = b""
        self._items: dict[str, str] = {}

    def _unlock(self) -> None:
        if self._key is not None:
            return
        if self.path.exists():
            try:
                stored = json.loads(self.path.read_text())
                self._salt = b64d(stored["salt"], 16, "salt")
                nonce, ct = b64d(stored["nonce"], 12, "nonce"), b64d(stored["data"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CredentialsError(f"{self.path}: not a readable Annodesk vault: {exc}") from None
            key = _derive(self._ask(f"Passphrase for {self.path}"), self._salt)
            try:
                self._items = json.loads(ChaCha20Poly1305(key).decrypt(nonce, ct, b"annodesk-vault-v1"))
            except InvalidTag:
                raise CredentialsError(f"{self.path}: wrong passphrase") from None
        else:
            self._salt = os.urandom(16)
            key = _derive(self._ask(f"New passphrase to protect {self.path}"), self._salt)
        self._key = key

    def get(self, name: str) -> str | None:
        self._unlock()
        return self._items.get(name)

    def set(self, name: str, value: str | None) -> None:
        self._unlock()
        assert self._key is not None
        if value is None:
            self._items.pop(name, None)
        else:
            self._items[name] = value
        nonce = os.urandom(12)
        data = ChaCha20Poly1305(self._key).encrypt(nonce, json.dumps(self._items).encode(), b"annodesk-vault-v1")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps({"salt": b64e(self._salt), "nonce": b64e(nonce), "data": b64e(data)}))
        os.chmod(partial, 0o600)
        partial.replace(self.path)


def _derive(passphrase: str, salt: bytes) -> bytes:
    if not passphrase:
        raise CredentialsError("an empty passphrase cannot protect the secrets")
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(passphrase.encode("utf-8"))


class Credentials:
    """get/set/delete of named secrets: the OS keyring when one works, else the passphrase vault."""

    def __init__(self, vault_path: Path, ask_passphrase: Callable[[str], str] | None = None,
                 timeout: float = KEYRING_TIMEOUT_S) -> None:
        self.timeout = timeout
        self._vault_path = vault_path
        self._ask = ask_passphrase
        self._store: tuple[Vault | None] | None = None  # decided on first use
        self._choosing = threading.Lock()

    @property
    def vault(self) -> Vault | None:
        """The passphrase vault where no OS keyring works, else None. Decided on first use, not when built: finding
        the keyring backend can take a while on some desktops, and the app builds this on its UI thread."""
        with self._choosing:
            if self._store is None:
                if keyring_usable():
                    self._store = (None,)
                elif self._ask is None:
                    raise CredentialsError("no OS keyring is available and no passphrase was given to protect the "
                                           "secrets (install a keyring backend, or run interactively)")
                else:
                    self._store = (Vault(self._vault_path, self._asked),)
            return self._store[0]

    def use_passphrase(self, ask: Callable[[str], str]) -> None:
        """Where the vault's passphrase comes from from now on (a command line's options: `cli_passphrase`)."""
        self._ask = ask

    def _asked(self, prompt: str) -> str:
        """The vault asks through here, so `use_passphrase` holds even after the vault was made."""
        assert self._ask is not None  # the vault is only made with a way to ask
        return self._ask(prompt)

    @property
    def where(self) -> str:
        vault = self.vault
        return f"the passphrase vault {vault.path}" if vault else "the OS keyring"

    def get(self, name: str) -> str | None:
        vault = self.vault
        if vault:
            return vault.get(name)
        value = _with_timeout(lambda: keyring.get_password(SERVICE, name), self.timeout, f"read {name}")
        return str(value) if value is not None else None

    def set(self, name: str, value: str) -> None:
        vault = self.vault
        if vault:
            vault.set(name, value)
            return
        _with_timeout(lambda: keyring.set_password(SERVICE, name, value), self.timeout, f"store {name}")

    def delete(self, name: str) -> None:
        vault = self.vault
        if vault:
            vault.set(name, None)
            return
        try:
            _with_timeout(lambda: keyring.delete_password(SERVICE, name), self.timeout, f"delete {name}")
        except CredentialsError as exc:
            if not isinstance(exc.__cause__, keyring.errors.PasswordDeleteError):
                raise

    def require(self, name: str, hint: str) -> str:
        value = self.get(name)
        if value is None:
            raise CredentialsError(f"{name} is not in {self.where}: {hint}")
        return value


def token_name(server: str, user: str) -> str:
    return f"token:{server}:{user}"


def device_name(server: str, user: str) -> str:
    return f"device:{server}:{user}"


def user_name(server: str) -> str:
    return f"user:{server}"


def takeover_name(server: str, user: str) -> str:
    """The client id a new device key is continuing (set until the server's answer is stored)."""
    return f"takeover:{server}:{user}"


def workspace_key_name(workspace_id: str) -> str:
    return f"workspace:{workspace_id}"


# -- the vault passphrase of a command line ------------------------------------------------------------------------


def cli_passphrase(file: Path | None = None, fd: int | None = None) -> Callable[[str], str]:
    """The vault passphrase for a command: from descriptor `fd`, else `file`, else the file $ANNODESK_PASSPHRASE_FILE
    names, else typed on the terminal. Never read from stdin when there is no terminal: a script's stdin holds
    something else (the password of `login --password-stdin`); CredentialsError then names the options."""
    def ask(prompt: str) -> str:
        if fd is not None:
            return passphrase_from_fd(fd)
        named = file or os.environ.get(PASSPHRASE_FILE_ENV)
        if named:
            return passphrase_from_file(Path(named))
        return _typed(prompt)
    return ask


def passphrase_from_file(path: Path) -> str:
    """The first line of `path`, a regular file of this user that no one else may read or write (mode 0600 or
    stricter): a passphrase on disk is only as secret as its file, so a looser one is refused rather than used."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise CredentialsError(f"passphrase file {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # of the file opened, not of whatever the name points at by now
        if not stat.S_ISREG(info.st_mode):
            raise CredentialsError(f"passphrase file {path} is not a regular file")
        if os.name == "posix" and info.st_uid != os.getuid():
            raise CredentialsError(f"passphrase file {path} belongs to user id {info.st_uid}, not to you")
        if os.name == "posix" and info.st_mode & 0o077:
            raise CredentialsError(f"passphrase file {path} has mode {stat.S_IMODE(info.st_mode):04o}, so others "
                                   f"may read it; refused: run chmod 600 {path}")
        return _first_line(fd, f"passphrase file {path}")
    finally:
        os.close(fd)


def passphrase_from_fd(fd: int) -> str:
    """The first line read from an open file descriptor (a pipe from a secret store: `--passphrase-fd 3 3<FILE`)."""
    try:
        return _first_line(fd, f"--passphrase-fd {fd}")
    except OSError as exc:
        raise CredentialsError(f"--passphrase-fd {fd}: {exc.strerror}") from None


def _first_line(fd: int, what: str) -> str:
    data = b""
    while b"\n" not in data and len(data) < MAX_PASSPHRASE_BYTES:
        piece = os.read(fd, MAX_PASSPHRASE_BYTES)
        if not piece:
            break
        data += piece
    line = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if not line:
        raise CredentialsError(f"{what} holds no passphrase: its first line is empty")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialsError(f"{what}: the passphrase is not UTF-8 text") from None


def _typed(prompt: str) -> str:
    if not _has_terminal():
        raise CredentialsError(f"no OS keyring and no terminal to type the vault passphrase on: {SCRIPTED}")
    try:
        return getpass.getpass(prompt + ": ")
    except EOFError:
        raise CredentialsError(f"no vault passphrase was typed: {SCRIPTED}") from None


def _has_terminal() -> bool:
    """Whether getpass can ask on a terminal (/dev/tty, or the Windows console) instead of reading stdin."""
    if os.name != "posix":
        return sys.stdin is not None and sys.stdin.isatty()
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return False
    return True
