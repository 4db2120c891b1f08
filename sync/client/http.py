"""HTTP to the Annodesk server (requests): bearer token, JSON errors, jittered exponential backoff.

Network errors, 5xx and 429 are retried (429 and 503 honour Retry-After); every other answer is final. urllib3
sets TCP_NODELAY on its sockets, so a request with a body does not wait on Nagle and delayed ACKs. Inside
sync/client/cancel.py's `cancellable(check)` an Http stops with Cancelled between requests once `check()` is true.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests

from core.messages import translate
from sync.client.cancel import current_check, slices
from sync.client.refusals import meaning

API = "/api/v1"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class SyncError(Exception):
    """Base of the sync client's errors; the message is what the user sees."""


class OfflineError(SyncError):
    """The server could not be reached (after the retries)."""


class Cancelled(SyncError):
    """Cancel was asked for (sync/client/cancel.py): the work stops between requests, or where media is stored."""

    def __init__(self) -> None:
        super().__init__("cancelled")


class ServerError(SyncError):
    """The server answered with an error: `status`, its `code` and `detail` (docs/sync.md lists them)."""

    def __init__(self, status: int, code: str, detail: str, body: dict[str, Any]) -> None:
        said = meaning(code)
        super().__init__(translate("sync", "server refused ({status} {code}): {detail}").format(
            status=status, code=code, detail=detail) if said is None else translate(
            "sync", "server refused ({status} {code}): {meaning} ({detail})").format(
            status=status, code=code, meaning=said, detail=detail))
        self.status, self.code, self.detail, self.body = status, code, detail, body


def backoff_delays(attempts: int, base: float, cap: float, rng: random.Random) -> list[float]:
    """Full jitter: attempt n waits uniform(0, min(cap, base * 2**n)), so many clients do not retry in step."""
    return [rng.uniform(0, min(cap, base * 2**n)) for n in range(attempts - 1)]


class Http:
    """One server: base URL, token, retry policy. `sleep` is injectable so tests and the app can cut waits short."""

    def __init__(self, server: str, token: str | None = None, *, timeout: float = 60.0, attempts: int = 5,
                 base_delay: float = 0.25, max_delay: float = 30.0, sleep: Callable[[float], None] = time.sleep
                 ) -> None:
        self.server = server.rstrip("/")
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy or .netrc surprises for a loopback or LAN server
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.bare = requests.Session()  # for URLs the server hands out (presigned media): never our token
        self.bare.trust_env = False
        self.timeout, self.attempts = timeout, attempts
        self.base_delay, self.max_delay, self.sleep = base_delay, max_delay, sleep
        self.rng = random.Random()
        self.cancelled = current_check()  # sync/client/cancel.py: the `cancellable` block it was made in, if any

    def close(self) -> None:
        self.session.close()
        self.bare.close()

    def request(self, method: str, path: str, *, ok: Iterable[int] = (200,), retry: bool = True,
                **kw: Any) -> requests.Response:
        """The response when its status is in `ok`; ServerError for other answers, OfflineError when unreachable."""
        return self._send(self.session, method, self.server + API + path, self.server, ok, retry, kw)

    def fetch(self, url: str, *, ok: Iterable[int] = (200,), **kw: Any) -> requests.Response:
        """GET a URL the server handed out (a presigned media URL on the object store): no bearer token, no
        redirects, the same retries."""
        host = urlsplit(url)
        return self._send(self.bare, "GET", url, f"{host.scheme}://{host.netloc}", ok, True,
                          {**kw, "allow_redirects": False})

    def _send(self, session: requests.Session, method: str, url: str, where: str, ok: Iterable[int], retry: bool,
              kw: dict[str, Any]) -> requests.Response:
        delays = backoff_delays(self.attempts if retry else 1, self.base_delay, self.max_delay, self.rng)
        for attempt in range(len(delays) + 1):
            self._check()
            try:
                response = session.request(method, url, timeout=self.timeout, **kw)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == len(delays):
                    raise OfflineError(translate("sync", "cannot reach {server}: {error}").format(
                        server=where, error=type(exc).__name__)) from exc
                self._wait(delays[attempt])
                continue
            self._check()
            if response.status_code in ok:
                return response
            if response.status_code in RETRY_STATUS and attempt < len(delays):
                self._wait(_retry_after(response, delays[attempt], self.max_delay))
                continue
            raise _error(response)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kw: Any) -> Any:
        return self.request(method, path, **kw).json()

    def _check(self) -> None:
        if self.cancelled():
            raise Cancelled()

    def _wait(self, seconds: float) -> None:
        """A retry's wait, looking at the cancel check between slices so Cancel does not wait it out."""
        for piece in slices(seconds, self.cancelled):
            self._check()
            self.sleep(piece)


def _retry_after(response: requests.Response, default: float, cap: float) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(cap, max(0.0, float(value))) if value else default
    except ValueError:
        return default


def _error(response: requests.Response) -> ServerError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail", response.text[:200])
    return ServerError(response.status_code, str(body.get("code", "http_error")), str(detail), body)
