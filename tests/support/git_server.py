"""A real git server for tests: `git http-backend` behind a tiny threaded CGI server.

Paths under /private/ need HTTP basic auth with the configured token (x-access-token:TOKEN).
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol


@dataclass
class GitServer:
    root: Path
    delay: float = 0.0
    v2: bool = True
    stopping: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    token: str = ""


class StartServer(Protocol):
    def __call__(self, delay: float = ..., v2: bool = ...) -> GitServer: ...


class _Handler(BaseHTTPRequestHandler):
    """Runs `git http-backend` as a CGI; paths under /private/ need the token (basic auth)."""

    server: _Server

    def do_GET(self) -> None:
        self._backend()

    def do_POST(self) -> None:
        self._backend()

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _backend(self) -> None:
        config = self.server.config
        if config.delay:
            config.stopping.wait(config.delay)
        path, _, query = self.path.partition("?")
        expected = base64.b64encode(f"x-access-token:{config.token}".encode()).decode()
        if path.startswith("/private/") and self.headers["Authorization"] != f"Basic {expected}":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="kiln-test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = {
            "PATH": os.environ["PATH"], "HOME": str(config.root), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_PROJECT_ROOT": str(config.root), "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
        }  # fmt: skip
        if config.v2 and self.headers.get("Git-Protocol"):
            env["HTTP_GIT_PROTOCOL"] = env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        output = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True
        ).stdout
        head, _, payload = output.partition(b"\r\n\r\n")
        headers = [line.split(": ", 1) for line in head.decode().split("\r\n") if ": " in line]
        status = next((int(value.split()[0]) for name, value in headers if name == "Status"), 200)
        self.send_response(status)
        for name, value in headers:
            if name != "Status":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    config: GitServer

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # clients killed mid-request (timeout tests) are expected


@contextmanager
def git_http_server(
    root: Path, *, token: str = "", delay: float = 0.0, v2: bool = True
) -> Iterator[GitServer]:
    """Serve the bare repositories under `root` on a free loopback port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.config = GitServer(root, delay, v2, url=f"http://{host!s}:{port}", token=token)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server.config
    finally:
        server.config.stopping.set()
        server.shutdown()
        server.server_close()
