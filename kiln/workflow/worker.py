"""The Temporal worker: the build workflow and activities on kiln's task queue."""

from __future__ import annotations

import os
import shutil
import socket
import time
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from kiln.config import Settings
from kiln.engines.base import Engine
from kiln.secrets.crypto import SecretBox
from kiln.store.db import Database
from kiln.workflow.activities import BuildActivities
from kiln.workflow.workflows import BuildWorkflow

STALE_WORKDIR_SECONDS = 6 * 3600


def sweep_workdirs(root: Path, older_than: float = STALE_WORKDIR_SECONDS) -> int:
    """Remove checkouts left behind by builds that moved to another worker or crashed."""
    if not root.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than
    for entry in root.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def worker_identity(settings: Settings) -> str:
    return settings.worker_name or f"{os.getpid()}@{socket.gethostname()}"


def create_worker(
    settings: Settings, client: Client, db: Database, engine: Engine, box: SecretBox
) -> Worker:
    sweep_workdirs(settings.data_dir / "work")
    identity = worker_identity(settings)
    activities = BuildActivities(settings, db, engine, box, worker=identity)
    return Worker(
        client,
        task_queue=settings.task_queue,
        identity=identity,
        workflows=[BuildWorkflow],
        activities=activities.all(),
        # Deliver cancellation and notice dead activities quickly: heartbeats go out every second.
        max_heartbeat_throttle_interval=timedelta(seconds=1),
        default_heartbeat_throttle_interval=timedelta(seconds=1),
        max_concurrent_activities=settings.worker_max_builds,
    )
