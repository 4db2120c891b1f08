"""A TCP proxy on loopback in front of a real server that can hold one request in the middle of the network: the
request whose bytes contain `hold(marker)`'s marker (say b"GET /api/v1/sync/pull") waits in the proxy, unanswered,
until `release()`. So a test can press Cancel while the client is inside a request, as on a slow network, without
touching the client's code."""

from __future__ import annotations

import contextlib
import socket
import threading


class HoldingProxy:
    def __init__(self, target_url: str) -> None:
        host, port = target_url.removeprefix("http://").split(":")
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.marker = b""
        self.held = threading.Event()  # a request with the marker has arrived and waits
        self.released = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, name="proxy accept", daemon=True).start()

    def hold(self, marker: bytes) -> None:
        """Hold the next request that contains `marker` (once)."""
        self.held.clear()
        self.released.clear()
        self.marker = marker

    def release(self) -> None:
        self.released.set()

    def close(self) -> None:
        self.released.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, to_server: bool) -> None:
        try:
            while data := source.recv(65536):
                if to_server and self.marker and self.marker in data:
                    self.marker = b""
                    self.held.set()
                    self.released.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
