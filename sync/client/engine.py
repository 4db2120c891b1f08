"""One sync round: push (seal and send the outbox), pull (page by page), refresh refused tasks, move media.

Sending runs on one worker thread, in chain order, while this thread seals the next batches and stores each answer
(with the outbox rows it acknowledges) in order as it comes: the sender goes on with the next request at once, so
the server works on one batch while the client records the previous one and seals the one after. The state the app
shows (offline, syncing, up to date, N changes waiting, last error) is a plain dataclass read from the workspace, so
a CLI, a test or the status bar all see the same thing.

Fault injection for the kill tests: ANNODESK_SYNC_CRASH_AT names a step (before_seal, after_seal, mid_request,
after_commit, mid_pull) where the process SIGKILLs itself, after passing it ANNODESK_SYNC_CRASH_SKIP times.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import collector, messages
from core.messages import error_text, joined, translate
from sync.client import apply
from sync.client.at_rest import KeyRing
from sync.client.audio import peaks_downloaded
from sync.client.batcher import Batcher, Identity, StoredBatch
from sync.client.credentials import Credentials, CredentialsError, device_name, token_name
from sync.client.field import register_field_tasks
from sync.client.http import Http, OfflineError, ServerError, SyncError
from sync.client.media import transfer_all
from sync.client.store import SyncStore
from sync.client.video import index_downloaded
from sync.envelope import b64d
from sync.fastjson import loads
from sync.workspace import Workspace

CRASH_POINTS = ("before_seal", "after_seal", "mid_request", "after_commit", "mid_pull")
PULL_LIMIT = 500
IN_FLIGHT = 2  # sealed batches queued for the sender while the next one is sealed


class Crash:
    """Test hook: SIGKILL this process at a named step (see the module docstring); a no-op unless configured."""

    def __init__(self) -> None:
        self.point = os.environ.get("ANNODESK_SYNC_CRASH_AT", "")
        self.skip = int(os.environ.get("ANNODESK_SYNC_CRASH_SKIP", "0"))

    def __call__(self, point: str) -> None:
        if point != self.point:
            return
        if self.skip <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        self.skip -= 1


@dataclass(frozen=True)
class SyncState:
    """What the status bar shows. phase: offline | syncing | up_to_date | waiting | error."""

    phase: str
    pending: int
    rejected: int
    last_sync: float | None
    last_error: str

    def text(self) -> str:
        waiting = f"{self.pending:,} change{'s' * (self.pending != 1)} waiting"
        label = {"offline": f"Offline · {waiting}", "syncing": f"Syncing… · {waiting}", "up_to_date": "Up to date",
                 "waiting": waiting, "error": f"Sync error: {self.last_error}"}[self.phase]
        return label + (f" · {self.rejected} refused" if self.rejected and self.phase != "error" else "")


def read_state(ws: Workspace, phase: str | None = None) -> SyncState:
    """The state from the workspace alone (no network): after the last round, or `phase` while one runs."""
    store = SyncStore(ws)
    with ws.transaction() as conn:
        last = store.get_in(conn, "last_result", "")
        error = messages.loads(str(store.get_in(conn, "last_error", "")))
        synced = store.get_in(conn, "last_sync")
        rejected = conn.execute("SELECT count(*) FROM sync_rejections").fetchone()[0]
    pending = ws.pending_changes()
    if phase is None:
        phase = {"offline": "offline", "error": "error"}.get(last, "waiting" if pending else "up_to_date")
    return SyncState(phase, pending, int(rejected), float(synced) if synced else None, error)


class SyncEngine:
    """Sync of one workspace made by `clone` (sync_state names the server, user and project)."""

    def __init__(self, ws: Workspace, credentials: Credentials, keys: KeyRing, http: Http | None = None,
                 crash: Crash | None = None) -> None:
        self.ws = ws
        self.store = SyncStore(ws)
        self.keys = keys
        self.crash = crash or Crash()
        self.server = str(self.store.get("server", ""))
        self.user = str(self.store.get("user", ""))
        if not self.server or not self.user:
            raise SyncError(f"{ws.path}: not a synced workspace (make one with annodesk clone)")
        hint = f"run: annodesk login {self.server} --user {self.user}"
        session = json.loads(credentials.require(token_name(self.server, self.user), hint))
        device = credentials.require(device_name(self.server, self.user), hint)
        self.identity = Identity(session["client_id"], Ed25519PrivateKey.from_private_bytes(b64d(device, 32)),
                                 b64d(session["server_key"]["public_key"], 32))
        self.http = http or Http(self.server, session["token"])
        self.batcher = Batcher(self.store, self.identity)
        self.store.put_now(role=str(session.get("role", "")))  # what the app offers: a lead reviews

    def close(self) -> None:
        self.http.close()

    # -- one round -----------------------------------------------------------------------------------------------

    def sync_once(self) -> SyncState:
        """Field tasks (field.py), push, pull, refresh, media, frame indexes of videos and peaks of recordings
        downloaded (video.py, audio.py); the outcome is stored (read_state shows it), returned."""
        try:
            cache = self.keys.media_cache(self.ws)
            field_errors = register_field_tasks(self.store, self.http, cache)
            self.push()
            self.pull()
            self.refresh()
            _done, errors = transfer_all(self.store, self.http, cache)
            errors += (index_downloaded(self.store, cache, self.http.cancelled)  # Cancel stops these too
                       + peaks_downloaded(self.store, cache, self.http.cancelled))
            self._finish("ok", joined((field_errors + errors)[:3]))
        except OfflineError as exc:
            self._finish("offline", error_text(exc))
        except (ServerError, SyncError, CredentialsError) as exc:
            self._finish("error", _explain(exc, self.server, self.user))
        return read_state(self.ws)

    def _finish(self, result: str, error: str) -> None:
        record_round(self.store, result, error)

    # -- push ----------------------------------------------------------------------------------------------------

    def push(self) -> int:
        """Seal and send until the outbox is empty; returns the number of ops sent. A 409 out_of_order re-chains
        the unacknowledged batches once per round (another workspace of this device pushed in between)."""
        self.batcher.rekey()  # a new key took over this client after a revocation: reseal what the old key signed
        sent = 0
        for attempt in range(2):
            try:
                return sent + self._push_pipeline()
            except ServerError as exc:
                if exc.code != "out_of_order" or attempt:
                    raise
                self.batcher.reseal(str(exc.body.get("expected_prev", "")))
        return sent

    def _push_pipeline(self) -> int:
        sent = 0
        with _fewer_collections(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-send") as pool:
            queue: deque[tuple[Future[list[dict[str, object]]], StoredBatch]] = deque()
            try:
                for batch in self._batches():
                    queue.append((pool.submit(self._send, batch), batch))
                    while len(queue) > IN_FLIGHT or (queue and queue[0][0].done()):
                        sent += self._record(*queue.popleft())
                while queue:
                    sent += self._record(*queue.popleft())
            except BaseException:
                for future, _ in queue:
                    future.cancel()
                raise
        return sent

    def _record(self, answer: Future[list[dict[str, object]]], batch: StoredBatch) -> int:
        """Store a sent batch's answer (answers are stored in chain order: a later one may acknowledge the same
        annotations with newer revisions); returns its op count."""
        apply.record_answer(self.store, batch.seq, answer.result(), batch.ops)
        return batch.op_count

    def _batches(self) -> Iterator[StoredBatch]:
        """Stored unacknowledged batches first (a resend of the same bytes), then newly sealed ones."""
        with self.ws.transaction() as conn:
            rows = conn.execute("SELECT seq, batch_id, through_seq, op_count, body FROM sync_batches ORDER BY seq"
                                ).fetchall()
        yield from (StoredBatch(*r) for r in rows)
        while True:
            self.crash("before_seal")
            batch = self.batcher.seal_next()
            if batch is None:
                return
            self.crash("after_seal")
            yield batch

    def _send(self, batch: StoredBatch) -> list[dict[str, object]]:
        """The server's per-op answers to a batch (none to send for a batch of no ops)."""
        if not batch.op_count:
            return []
        headers = {"Content-Type": "application/octet-stream"}
        body: object = self._torn(batch.body) if self.crash.point == "mid_request" else batch.body
        answer = loads(self.http.request("POST", "/sync/push", data=body, headers=headers).content)
        self.crash("after_commit")
        results: list[dict[str, object]] = answer["results"]
        return results

    def _torn(self, body: bytes) -> Iterator[bytes]:
        """The body in two halves with the crash hook between them (the server sees a cut-off request)."""
        yield body[: len(body) // 2]
        self.crash("mid_request")
        yield body[len(body) // 2:]

    # -- pull ----------------------------------------------------------------------------------------------------

    def pull(self) -> int:
        """Pull pages until the feed is drained; each page with its cursor in one transaction."""
        changed = 0
        while True:
            cursor = int(self.store.get("cursor", 0))
            page = self.http.json("GET", "/sync/pull", params={"cursor": cursor, "limit": PULL_LIMIT})
            changed += apply.apply_page(self.store, page["items"], page["next_cursor"], self.crash)
            if not page["has_more"]:
                return changed

    def refresh(self) -> None:
        """Tasks where an op was refused: fetch the server's state of their annotations and adopt it."""
        waiting = json.loads(self.store.get("refresh", "[]"))
        with self.ws.transaction() as conn:
            servers = self.store.server_tasks(conn)
        for local in waiting:
            server = servers.get(local)
            if server is None:
                continue
            data = self.http.json("GET", f"/tasks/{server[0]}/annotations", params={"include_deleted": "true"})
            apply.refresh_task(self.store, local, server[0], data["items"])


_GC_LOCK = threading.Lock()
_GC_PUSHES: list[tuple[int, int, int]] = []  # the thresholds to restore, once per push running


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """While pushing, let the cyclic garbage collector wait for core.collector's 50,000 new objects instead of 700
    (the command line keeps Python's default; the app has it already): a batch holds ~10^4 short-lived containers,
    and collecting them again and again cost as much CPU as sealing. Thresholds are process-wide, so the first push
    to start raises them and the last to end puts them back."""
    with _GC_LOCK:
        _GC_PUSHES.append(gc.get_threshold())
        if len(_GC_PUSHES) == 1:
            gc.set_threshold(collector.THRESHOLDS[0], *_GC_PUSHES[0][1:])
    try:
        yield
    finally:
        with _GC_LOCK:
            first = _GC_PUSHES[0]
            _GC_PUSHES.pop()
            if not _GC_PUSHES:
                gc.set_threshold(*first)


def _explain(exc: Exception, server: str, user: str) -> str:
    login = f"annodesk login {server} --user {user}"
    if isinstance(exc, ServerError) and exc.code == "revoked_device":
        return translate("sync", "this device was revoked by an administrator; run: {login} (a new device key then "
                         "sends the changes waiting here)").format(login=login)
    if isinstance(exc, ServerError) and exc.status == 401:
        return translate("sync", "the login has expired or was revoked; run: {login}").format(login=login)
    return error_text(exc)


def record_round(store: SyncStore, result: str, error: str) -> None:
    """A round's outcome, its error kept as a Message (core.messages.dumps) so the app shows it in its language."""
    values: dict[str, object] = {"last_result": result, "last_error": messages.dumps(error) if error else ""}
    if result == "ok":
        values["last_sync"] = time.time()
    store.put_now(**values)
