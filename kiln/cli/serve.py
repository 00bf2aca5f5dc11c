"""`kiln serve` (API + worker + embedded Temporal when none is configured) and `kiln worker`."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator

import uvicorn

from kiln.api.app import create_app
from kiln.config import Settings
from kiln.errors import TransientError, UserError
from kiln.grpc.server import grpc_server
from kiln.logs.follow import LogHub
from kiln.pipeline.build import default_engine
from kiln.secrets.crypto import SecretBox, load_or_create_key
from kiln.service.context import Services
from kiln.store.db import Database
from kiln.workflow.devserver import connect, dev_server
from kiln.workflow.worker import create_worker


@contextlib.asynccontextmanager
async def runtime(settings: Settings, *, embedded_temporal: bool) -> AsyncIterator[Services]:
    """Database (migrated), Temporal client (embedded dev server if allowed), secret box."""
    async with contextlib.AsyncExitStack() as stack:
        address = settings.temporal_address
        if address is None:
            if not embedded_temporal:
                raise TransientError(
                    "set KILN_TEMPORAL_ADDRESS: a worker joins an existing Temporal"
                )
            address = await stack.enter_async_context(dev_server(settings.data_dir / "temporal"))
        db = Database(settings.database)
        stack.push_async_callback(db.close)
        await db.migrate()
        client = await connect(address, settings.temporal_namespace)
        box = SecretBox(load_or_create_key(settings.secret_key, settings.data_dir / "secret.key"))
        yield Services(settings, db, client, box, LogHub(db))


async def serve(settings: Settings, *, with_worker: bool = True) -> None:
    if not with_worker and settings.temporal_address is None:
        raise UserError(
            "--no-worker needs KILN_TEMPORAL_ADDRESS: the workers must reach its Temporal"
        )
    async with runtime(settings, embedded_temporal=True) as services:
        worker = (
            create_worker(
                settings, services.temporal, services.db, default_engine(settings), services.box
            )
            if with_worker
            else None
        )
        config = uvicorn.Config(
            create_app(services), host=settings.host, port=settings.port, log_level="info",
            lifespan="off",
        )  # fmt: skip
        server = uvicorn.Server(config)
        # uvicorn re-raises SIGTERM/SIGINT after its shutdown, which would end the process before
        # the worker, the database and the embedded Temporal server are stopped: handle them here.
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        async with (
            worker if worker is not None else contextlib.nullcontext(),
            grpc_server(services),
        ):
            await server.serve()


async def work(settings: Settings) -> None:
    async with runtime(settings, embedded_temporal=False) as services:
        worker = create_worker(
            settings, services.temporal, services.db, default_engine(settings), services.box
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with worker:
            await stop.wait()
