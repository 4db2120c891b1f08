"""A real S3-compatible server on loopback for tests: moto's server app (werkzeug, threaded) in its own process,
spoken to over real HTTP by boto3 and by the sync client.

`python -m tests.s3_server PORT LOG` serves until killed. Two things moto's server does not do that AWS S3 does are
added in front of it:
- a presigned URL past its `X-Amz-Date` + `X-Amz-Expires` is refused with 403 AccessDenied "Request has expired";
- every request is logged as one JSON line to LOG (method, path, whether it carried a presigned signature, the
  Authorization scheme), so a test can see which requests reached the object store and that no bearer token did.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

EXPIRED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
           b"<Message>Request has expired</Message></Error>")


class StrictPresign:
    """WSGI middleware: AWS's presigned-URL expiry, and a request log."""

    def __init__(self, app: Callable[..., Iterable[bytes]], log_path: str) -> None:
        self.app, self.log_path, self.lock = app, log_path, threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        auth = environ.get("HTTP_AUTHORIZATION", "")
        entry = {"method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", ""),
                 "presigned": "X-Amz-Signature" in query, "auth": auth.split(" ", 1)[0],
                 "range": environ.get("HTTP_RANGE", "")}
        with self.lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        if "X-Amz-Expires" in query and "X-Amz-Date" in query:
            signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if datetime.now(UTC) > signed + timedelta(seconds=int(query["X-Amz-Expires"][0])):
                start_response("403 Forbidden", [("Content-Type", "application/xml"),
                                                 ("Content-Length", str(len(EXPIRED)))])
                return [EXPIRED]
        return self.app(environ, start_response)


def main(port: int, log_path: str) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = StrictPresign(DomainDispatcherApplication(create_backend_app), log_path)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
