"""The dashboard under a real browser: `kiln serve`'s app, worker and store on a thread of their
own (so tests use Playwright's sync API), a cuttable TCP proxy in front of it (to drop live
connections), users with passwords, git repositories of tiny Dockerfile apps, and Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import selectors
import shutil
import socket
import threading
import uuid
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from playwright.sync_api import Browser, Page, Playwright

from kiln.config import Settings
from kiln.service.access import Role, add_member_by_email, create_user
from kiln.store.db import Database
from tests.support.servers import require_binary
from tests.support.service import TOKEN, RunningService, git_repo, running_service

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
PASSWORD = "correct horse battery staple"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
TEMPORAL_UI = "http://temporal-ui.example:8233"
BUILD_MS = 300_000
"""How long a page waits for a build step (buildah on a busy 2-core machine can be slow)."""


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium (never a downloaded browser)."""
    require_binary("chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class Proxy:
    """A TCP proxy whose live connections can be cut, as a flaky network would."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            while True:
                try:
                    for key, _ in selector.select(timeout=1):
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            raise OSError("closed")
                        key.data.sendall(data)
                except (OSError, ValueError):
                    break
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> int:
        """Reset every open connection; returns how many were cut."""
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self.cuts += len(pairs)
        return len(pairs)

    def close(self) -> None:
        self.listener.close()
        self.cut()


@dataclass
class Dashboard:
    """A running service: `url` goes through the proxy (browsers), `api` straight to it."""

    settings: Settings
    loop: asyncio.AbstractEventLoop
    service: RunningService
    proxy: Proxy
    api: httpx.Client
    users: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy.port}"

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def add_user(self, email: str, workspace: str, role: Role) -> str:
        async def create() -> None:
            db = Database(self.settings.database)
            try:
                await create_user(db, email, email.split("@")[0], PASSWORD)
                await add_member_by_email(db, email, workspace, role)
            finally:
                await db.close()

        self.run(create())
        self.users[email] = PASSWORD
        return email

    def build_app(self, ws: str, slug: str, repo: str) -> dict[str, Any]:
        """Create an app and build it through the REST API; returns the finished build."""
        body = {"slug": slug, "repo_url": repo, "branch": "main"}
        self.call("POST", f"/workspaces/{ws}/apps", body, expect=201)
        build = self.call("POST", f"/workspaces/{ws}/apps/{slug}/builds", {}, expect=202)
        return self.wait_build(build["id"])

    def call(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        response = self.api.request(method, f"/api/v1{path}", json=body)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def wait_build(self, build_id: str, timeout: float = 600) -> dict[str, Any]:
        """Follow the build's SSE stream to its end; returns the build."""
        self.run(self.service.events(build_id, limit_seconds=timeout), timeout + 10)
        build: dict[str, Any] = self.call("GET", f"/builds/{build_id}", expect=200)
        return build


@contextlib.contextmanager
def dashboard(settings: Settings, state: Path, temporal_address: str) -> Iterator[Dashboard]:
    """The service (real Temporal, registry, buildah, SQLite store) on a thread of its own."""
    data_dir = state / "data"
    (data_dir / "bases").mkdir(parents=True)
    shutil.copy(settings.catalog_path, data_dir / "bases" / "catalog.json")
    service_settings = settings.model_copy(
        update={
            "data_dir": data_dir, "database_url": f"sqlite:///{data_dir / 'kiln.db'}",
            "temporal_address": temporal_address, "task_queue": f"kiln-web-{uuid.uuid4().hex}",
            "allow_local_repos": True, "secret_key": "kiln-browser-test-secret-key",
            "temporal_ui_url": TEMPORAL_UI,
        }
    )  # fmt: skip
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        stop = asyncio.Event()
        holder["loop"], holder["stop"] = asyncio.get_running_loop(), stop
        try:
            async with running_service(service_settings) as service:
                holder["service"] = service
                ready.set()
                await stop.wait()
        except BaseException as exc:
            holder["error"] = exc
            ready.set()
            raise

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    if not ready.wait(120) or "error" in holder:
        raise RuntimeError(f"the service did not start: {holder.get('error')!r}")
    service: RunningService = holder["service"]
    proxy = Proxy(service.settings.port)
    api = httpx.Client(
        base_url=service.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    )
    try:
        yield Dashboard(service.settings, holder["loop"], service, proxy, api)
    finally:
        api.close()
        proxy.close()
        holder["loop"].call_soon_threadsafe(holder["stop"].set)
        thread.join(60)


def dockerfile_repo(directory: Path, body: str) -> str:
    """A git repository holding one Dockerfile on kiln's runtime base; returns its path."""
    source = directory.with_name(directory.name + "-src")
    source.mkdir(parents=True)
    (source / "Dockerfile").write_text(
        f"ARG KILN_BASE_RUNTIME\nFROM ${{KILN_BASE_RUNTIME}}\n{body}\n"
    )
    git_repo(source, directory, message=f"browser test {directory.name}")
    return str(directory)


def login(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def registry_digest(registry_url: str, repository: str, tag: str) -> str | None:
    response = httpx.head(
        f"{registry_url}/v2/{repository}/manifests/{tag}", headers={"Accept": MANIFEST}
    )
    return response.headers.get("Docker-Content-Digest") if response.status_code == 200 else None
