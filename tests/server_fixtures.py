"""A real Annodesk server on loopback for tests: uvicorn in a thread (or a subprocess to kill), real HTTP, real
SQLite or a private PostgreSQL cluster. pyproject's pytest options load this module as a plugin (`-p`), so every test
module can use its fixtures (importing helpers such as `login`, `PASSWORD`, `ServerProcess` from here is fine).

- `live_server`: an empty server, once on SQLite (tmp_path) and once on PostgreSQL (param of `store_url`);
  `.url`, `.api` (base URL + /api/v1), `.config`, `.store`, `.counts()` (rows per table).
- `server_factory(**config_overrides)`: start more servers (SQLite unless db_url=... is given).
- `seeded`: a server with users admin/lead/ann1/ann2 (password PASSWORD), a project with a 'car'/'person' schema,
  3 tasks on real PNG media (task 1 and 2 assigned to ann1, task 3 to ann2), and a logged-in `Session` per user
  (`seeded.sessions['ann1']`, each with its own device key, client id and the server's public key).
- `seeded_sqlite`: the same, SQLite only (for HTTP-layer tests).
- `postgres_url`: a session-wide private PostgreSQL cluster (skips when Debian's postgresql binaries are absent);
  `pg_database`: a fresh database in it per test; `server_factory(db_url=pg_database)` starts a server on it.
- `Session` (from `login(server, name)`): `.op(...)` makes the next op, `.seal(ops)`, `.push(ops)` (seal, post,
  advance the chain), `.push_raw(bytes, token=None)`, `.pull_all(cursor=0)`, `.get/.post`, `.http` (httpx).
- `PostgresCluster(fsync=True)`: the cluster on its own (benchmarks); `.url`, `.stop()`.
- `ServerProcess(data_dir, port, db_url)`: the server as a separate process (`python -m sync.server.cli server`),
  for tests that stop, kill and restart it.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
import sqlalchemy as sa
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.envelope import b64d, b64e, raw_public, seal
from sync.server.app import create_app
from sync.server.blobs import file_sha256
from sync.server.config import ServerConfig

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"
SCHEMA = {"labels": [{"name": "car", "color": "#ff0000"}, {"name": "person", "color": "#00ff00"}]}


def server_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
               stdin: str = PASSWORD + "\n") -> tuple[int, str]:
    """`annodesk <argv>` in this process with `stdin` as its input: the exit code and all it printed."""
    from sync.server.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def fast_config(data_dir: Path, **over: Any) -> ServerConfig:
    """Real argon2id, with a cost low enough that tests can log in dozens of times."""
    values = {"argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1, **over}
    return ServerConfig(data_dir=data_dir, **values)


NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


def http_client(**kw: Any) -> httpx.Client:
    """A plain-HTTP client. TCP_NODELAY: httpx writes headers and body separately, and without it Nagle plus the
    peer's delayed ACK add ~40 ms to every request with a body. verify=False skips loading the CA bundle (50 ms a
    client), which loopback never uses."""
    return httpx.Client(timeout=30, verify=False, transport=httpx.HTTPTransport(socket_options=NODELAY), **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving create_app(config) in a background thread."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.app = create_app(config)
        self.store = self.app.state.ctx.store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = self.url + "/api/v1"
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                     lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self.store.close()

    def counts(self) -> dict[str, int]:
        """Rows per table: tests compare them before and after a refused request."""
        from sync.server import db
        with self.store.read() as conn:
            return {name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for name, t in db.metadata.tables.items() if name not in ("login_failures", "audit", "tokens")}


@dataclass
class Session:
    """A logged-in user on one device, with the device's key and its batch chain."""

    server: LiveServer
    name: str
    token: str
    client_id: str | None
    device_id: int | None
    device_key: Ed25519PrivateKey
    server_public: bytes
    last_hash: str = ""
    next_op: int = 1
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = http_client(base_url=self.server.api, headers={"Authorization": f"Bearer {self.token}"})

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, **kw)

    def op(self, task_id: int, entity_id: str, fields: dict[str, Any], base: int = 0, op: str = "upsert",
           entity: str = "annotation") -> dict[str, Any]:
        """An op with the next op id of this client."""
        value = {"op_id": self.next_op, "txn": self.next_op, "entity": entity, "entity_id": entity_id,
                 "task_id": task_id, "op": op, "base_revision": base, "fields": fields, "author": self.name}
        self.next_op += 1
        return value

    def seal(self, ops: list[dict[str, Any]], **kw: Any) -> bytes:
        args = {"client_id": self.client_id, "device_key": self.device_key, "server_public_key": self.server_public,
                "schema_version": 1, "prev_batch_hash": self.last_hash, **kw}
        return seal(ops, **args)

    def push_raw(self, body: bytes, token: str | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/octet-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.post("/sync/push", content=body, headers=headers)

    def push(self, ops: list[dict[str, Any]]) -> dict[str, Any]:
        """Seal, push, check 200 and advance the chain; returns the answer."""
        from sync.envelope import batch_hash
        body = self.seal(ops)
        response = self.push_raw(body)
        assert response.status_code == 200, response.text
        self.last_hash = batch_hash(body)
        return response.json()

    def pull_all(self, cursor: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self.get("/sync/pull", params={"cursor": cursor, "limit": limit}).json()
            items += page["items"]
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return items


def login(server: LiveServer, name: str, password: str = PASSWORD, device_key: Ed25519PrivateKey | None = None,
          with_device: bool = True) -> Session:
    key = device_key or Ed25519PrivateKey.generate()
    body: dict[str, Any] = {"username": name, "password": password, "device_name": f"{name}-laptop"}
    if with_device:
        body["device_public_key"] = b64e(raw_public(key))
    with http_client() as client:
        response = client.post(server.api + "/auth/login", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    return Session(server, name, data["token"], data["client_id"], data["device_id"], key,
                   b64d(data["server_key"]["public_key"]))


def write_png(path: Path, width: int = 64, height: int = 48, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    assert cv2.imwrite(str(path), rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    return path


@dataclass
class Seeded:
    server: LiveServer
    sessions: dict[str, Session]
    project_id: int
    task_ids: list[int]
    media: list[str]


def seed(server: LiveServer, tmp: Path) -> Seeded:
    """Users, a project, media and tasks through the real API, as a lead would set them up."""
    admin_key = Ed25519PrivateKey.generate()
    from sync.server import service
    from sync.server.security import Passwords
    with server.store.write() as conn:  # the first admin comes from the CLI path, as in production
        service.create_user(conn, Passwords(server.config), "cli", "admin", "admin", PASSWORD)
    sessions = {"admin": login(server, "admin", device_key=admin_key)}
    for name, role in (("lead", "lead"), ("ann1", "annotator"), ("ann2", "annotator")):
        r = sessions["admin"].post("/admin/users", json={"name": name, "role": role, "password": PASSWORD})
        assert r.status_code == 201, r.text
        sessions[name] = login(server, name)
    admin = sessions["admin"]
    project = admin.post("/projects", json={"name": "streets", "schema": SCHEMA}).json()
    assert admin.post(f"/projects/{project['id']}/leads", json={"user": "lead"}).json() == ["lead"]
    media, task_ids = [], []
    for i, owner in enumerate(("ann1", "ann1", "ann2")):
        task_id, sha = add_task(admin, project["id"], write_png(tmp / f"img{i}.png", seed=i))
        assert sessions["lead"].post(f"/tasks/{task_id}/assign", json={"user": owner}).status_code == 200
        media.append(sha)
        task_ids.append(task_id)
    return Seeded(server, sessions, project["id"], task_ids, media)


def add_task(admin: Any, project_id: int, png: Path) -> tuple[int, str]:
    """A new, unassigned task on a 64 x 48 PNG uploaded by the admin's session: (its id, the media's SHA-256)."""
    sha = file_sha256(png)
    r = admin.http.put(f"/media/{sha}", content=png.read_bytes(), headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 201, r.text
    task = admin.post(f"/projects/{project_id}/tasks",
                      json={"media_sha256": sha, "name": png.name, "width": 64, "height": 48}).json()
    return int(task["id"]), sha


@pytest.fixture
def server_factory(tmp_path):
    servers: list[LiveServer] = []

    def start(**over: Any) -> LiveServer:
        server = LiveServer(fast_config(tmp_path / f"server{len(servers)}", **over))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request):
    """Each test that uses live_server/seeded runs on SQLite and on PostgreSQL."""
    return None if request.param == "sqlite" else request.getfixturevalue("pg_database")


@pytest.fixture
def live_server(server_factory, store_url):
    return server_factory(db_url=store_url)


@pytest.fixture
def seeded(live_server, tmp_path):
    return seed(live_server, tmp_path)


@pytest.fixture
def seeded_sqlite(server_factory, tmp_path):
    """`seeded` on SQLite only, for tests of the HTTP layer that do not depend on the store."""
    return seed(server_factory(), tmp_path)


class ServerProcess:
    """The server in its own process, started with the real CLI; stop() (SIGTERM) or kill() (SIGKILL) it."""

    def __init__(self, data_dir: Path, port: int | None = None, db_url: str | None = None) -> None:
        self.data_dir, self.port, self.db_url = data_dir, port or free_port(), db_url
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "sync.server.cli", "server", "--data", str(self.data_dir), "--port",
               str(self.port)]
        if self.db_url:
            cmd += ["--db", self.db_url]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1, verify=False).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("server process did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20)


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """A private PostgreSQL cluster in a temp folder (Debian's postgresql binaries), for tests and benchmarks."""

    def __init__(self, fsync: bool = True) -> None:
        bindir = _pg_bin()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL binaries not found (apt-get install -y postgresql)")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="annodesk-pg-"))  # not under pytest's root-only tmp folder
        self.data, self.port = self.base / "data", free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            if shutil.which("runuser") is None:
                raise FileNotFoundError("running as root without runuser: cannot start PostgreSQL")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.base, "postgres")
        subprocess.run([*self.as_user, str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                        "--no-sync"], check=True, capture_output=True)
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        options += "" if fsync else " -c fsync=off"  # tests only: durability is not what they check
        subprocess.run([*self.as_user, str(bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                        str(self.base / "log"), "-w", "start"], check=True, capture_output=True)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """A private PostgreSQL cluster for this test session (Debian package `postgresql`)."""
    try:
        cluster = PostgresCluster(fsync=False)
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def _pg_template(postgres_url):
    """A database with the server's tables, copied for each test (CREATE DATABASE ... TEMPLATE is fast)."""
    from sync.server import db
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE annodesk_template")
    engine.dispose()
    template = postgres_url.rsplit("/", 1)[0] + "/annodesk_template"
    engine = sa.create_engine(template)
    db.metadata.create_all(engine)
    engine.dispose()
    return "annodesk_template"


@pytest.fixture
def pg_database(postgres_url, _pg_template):
    """A fresh database in the session's cluster, so tests do not see each other's rows."""
    name = "t" + uuid.uuid4().hex[:12]
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {_pg_template}")
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + "/" + name
