"""`kiln serve` in-process for tests: real API (uvicorn on a loopback port), worker, store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from kiln.api.app import create_app
from kiln.cli.serve import runtime
from kiln.config import Settings
from kiln.pipeline.build import default_engine
from kiln.workflow.worker import create_worker
from tests.support.servers import free_port

TOKEN = "kiln-test-owner-token"


@dataclass
class RunningService:
    url: str
    settings: Settings
    http: httpx.AsyncClient

    async def api(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, f"/api/v1{path}", json=body)

    async def events(
        self, build_id: str, last_event_id: int | None = None, limit_seconds: float = 300
    ) -> list[tuple[str, Any, str | None]]:
        """Read the SSE stream of a build to its `end` event: (event, data, id) triples."""
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        found: list[tuple[str, Any, str | None]] = []
        async with (
            asyncio.timeout(limit_seconds),
            self.http.stream("GET", f"/api/v1/builds/{build_id}/logs", headers=headers) as response,
        ):
            assert response.status_code == 200, await response.aread()
            event, data, event_id = "message", "", None
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line == "" and data:
                    found.append((event, json.loads(data), event_id))
                    if event == "end":
                        return found
                    event, data, event_id = "message", "", None
        return found


@asynccontextmanager
async def running_service(settings: Settings) -> AsyncIterator[RunningService]:
    port = free_port()
    settings = settings.model_copy(
        update={"host": "127.0.0.1", "port": port, "bootstrap_token": TOKEN}
    )
    async with runtime(settings, embedded_temporal=False) as services:
        worker = create_worker(
            settings, services.temporal, services.db, default_engine(settings), services.box
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(services),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
            )
        )
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
            if serving.done():
                serving.result()
        url = f"http://127.0.0.1:{port}"
        try:
            async with (
                worker,
                httpx.AsyncClient(
                    base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
                ) as http,
            ):
                yield RunningService(url, settings, http)
        finally:
            server.should_exit = True
            await serving


def git_repo(source: Path, destination: Path, message: str = "first commit") -> str:
    """A git repository (branch main) holding a copy of `source`; returns the commit SHA."""
    subprocess.run(["cp", "-r", str(source), str(destination)], check=True)
    env_args = ["-c", "user.name=Kiln Test", "-c", "user.email=test@kiln.dev"]
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", *env_args, "commit", "-q", "-m", message],
    ):
        subprocess.run(argv, cwd=destination, check=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=destination, check=True, capture_output=True, text=True
    ).stdout.strip()
