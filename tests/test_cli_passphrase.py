"""Scripted use on a machine without an OS keyring (keyring's fail backend): the vault passphrase comes from a private
file or a file descriptor, in every process of login / clone / sync; a loose file is refused and a missing passphrase
is one line naming the options. Real subprocesses without a controlling terminal, against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sync.client.credentials import PASSPHRASE_FILE_ENV
from tests.server_fixtures import PASSWORD, ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and descriptors as on POSIX")
PASSPHRASE = "open sesame, slowly"


def annodesk(home: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None,
             pass_fds: tuple[int, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`annodesk ARGS` in its own session (no terminal to type on), with no keyring and its own data folder."""
    environ = {k: v for k, v in os.environ.items() if k != PASSPHRASE_FILE_ENV}
    environ.update(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", XDG_DATA_HOME=str(home / "data"),
                   HOME=str(home), **(env or {}))
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, env=environ, input=stdin.decode(),
                          capture_output=True, text=True, timeout=120, start_new_session=True, pass_fds=pass_fds)


def private_file(path: Path, mode: int = 0o600) -> Path:
    path.write_text(PASSPHRASE + "\n")
    path.chmod(mode)
    return path


def test_login_clone_sync_with_a_private_file_and_a_descriptor(seeded_sqlite, tmp_path):
    url, home = seeded_sqlite.server.url, tmp_path
    secret = private_file(tmp_path / "passphrase")
    login = annodesk(home, "login", url, "--user", "ann1", "--password-stdin", "--passphrase-file", str(secret),
                     stdin=f"{PASSWORD}\n".encode())
    assert login.returncode == 0, login.stderr
    assert (home / "data" / "annodesk" / "vault.json").exists()
    ws = tmp_path / "ws"
    clone = annodesk(home, "clone", url, "--project", "streets", str(ws), "--passphrase-file", str(secret))
    assert clone.returncode == 0 and "Up to date" in clone.stdout, clone.stderr
    read, write = os.pipe()
    os.write(write, f"{PASSPHRASE}\n".encode())
    os.close(write)
    try:
        synced = annodesk(home, "sync", str(ws), "--passphrase-fd", str(read), pass_fds=(read,))
    finally:
        os.close(read)
    assert (synced.returncode, synced.stdout.strip()) == (0, "Up to date"), synced.stderr
    stats = annodesk(home, "stats", str(ws), "--json", env={PASSPHRASE_FILE_ENV: str(secret)})  # any command
    assert stats.returncode == 0 and '"total": 2' in stats.stdout, stats.stderr


def test_refusals_are_one_line_naming_the_way_out(seeded_sqlite, tmp_path):
    url, home = seeded_sqlite.server.url, tmp_path
    secret = private_file(tmp_path / "passphrase")
    assert annodesk(home, "login", url, "--user", "ann1", "--password-stdin", "--passphrase-file", str(secret),
                    stdin=f"{PASSWORD}\n".encode()).returncode == 0

    def refused(*args: str, **kw: object) -> str:
        run = annodesk(home, *args, **kw)  # type: ignore[arg-type]
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("annodesk: error: "), run.stderr
        return lines[0]

    clone = ("clone", url, "--project", "streets", str(tmp_path / "ws"))
    line = refused(*clone)  # nothing given, no terminal: not an EOFError, the options
    assert "no terminal" in line and "--passphrase-file" in line and "--passphrase-fd" in line
    assert PASSPHRASE_FILE_ENV in line
    loose = private_file(tmp_path / "loose", 0o644)
    line = refused(*clone, "--passphrase-file", str(loose))
    assert "mode 0644" in line and f"chmod 600 {loose}" in line
    assert "mode 0640" in refused(*clone, env={PASSPHRASE_FILE_ENV: str(private_file(tmp_path / "g", 0o640))})
    (tmp_path / "wrong").write_text("guess\n")
    (tmp_path / "wrong").chmod(0o400)
    assert "wrong passphrase" in refused(*clone, "--passphrase-file", str(tmp_path / "wrong"))
    assert "No such file" in refused(*clone, "--passphrase-file", str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.write_bytes(b"\n")
    empty.chmod(0o600)
    assert "first line is empty" in refused(*clone, "--passphrase-file", str(empty))
    assert "Bad file descriptor" in refused(*clone, "--passphrase-fd", "9")
    line = refused("login", url, "--user", "ann1", "--password-stdin", "--passphrase-fd", "0",
                   stdin=f"{PASSWORD}\n{PASSPHRASE}\n".encode())
    assert "both read stdin" in line
    assert not (tmp_path / "ws").exists()
