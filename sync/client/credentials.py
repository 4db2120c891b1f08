"""Secrets of the sync client (token, device key, workspace keys): in the OS keyring, never in plain text on disk.

Keyring calls can block (a locked desktop keyring shows a prompt, D-Bus can hang), so each runs on a worker thread
with a timeout and never on the UI thread's stack. Where no keyring works (headless Linux: keyring's fail backend,
NoKeyringError), the secrets go to a vault file encrypted with a key derived from a passphrase (scrypt); the derived
key is kept in memory only, for as long as the process runs.
"""

from __future__ import annotations

import json
import os
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
                    self._store = (Vault(self._vault_path, self._ask),)
            return self._store[0]

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
