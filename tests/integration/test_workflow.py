"""BuildWorkflow on a real Temporal dev server, with same-named fake activities: ordering,
retries of transient failures only, failure details, cancellation and the progress query."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from kiln.workflow.devserver import connect
from kiln.workflow.types import (
    AnalyzeInput,
    AnalyzeOutput,
    BuildImageInput,
    BuildImageOutput,
    BuildInput,
    FinishInput,
    QuotaOutput,
    SourceOutput,
)
from kiln.workflow.workflows import BuildWorkflow
from tests.support.temporal import temporal_dev_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def temporal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with temporal_dev_server(tmp_path_factory.mktemp("temporal-wf")) as address:
        yield address


@dataclass
class Fakes:
    calls: list[str] = field(default_factory=list)
    finished: list[FinishInput] = field(default_factory=list)
    fetch_failures: int = 0
    fail_build_with: ApplicationError | None = None
    already_built: bool = False
    build_started: asyncio.Event = field(default_factory=asyncio.Event)
    block_build: bool = False
    build_cancelled: bool = False

    @activity.defn(name="fetch_source")
    async def fetch_source(self, request: BuildInput) -> SourceOutput:
        self.calls.append("fetch_source")
        if self.fetch_failures:
            self.fetch_failures -= 1
            raise ApplicationError("registry 503", type="transient")
        return SourceOutput("a" * 40)

    @activity.defn(name="analyze")
    async def analyze(self, request: AnalyzeInput) -> AnalyzeOutput:
        self.calls.append("analyze")
        assert request.commit_sha == "a" * 40
        return AnalyzeOutput("r/app:aaaaaaaaaaaa", already_built=self.already_built)

    @activity.defn(name="check_quota")
    async def check_quota(self, request: BuildInput) -> QuotaOutput:
        self.calls.append("check_quota")
        return QuotaOutput(checked=True, removed_images=0, usage_bytes=0)

    @activity.defn(name="build_image")
    async def build_image(self, request: BuildImageInput) -> BuildImageOutput:
        self.calls.append("build_image")
        self.build_started.set()
        if self.fail_build_with is not None:
            raise self.fail_build_with
        try:
            while self.block_build:
                activity.heartbeat()
                await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            self.build_cancelled = True
            raise
        return BuildImageOutput("sha256:" + "b" * 64, 42)

    @activity.defn(name="finish")
    async def finish(self, request: FinishInput) -> None:
        self.calls.append("finish")
        self.finished.append(request)


@pytest.fixture
async def harness(temporal: str) -> AsyncIterator[tuple[Client, Fakes, str]]:
    client = await connect(temporal, "default")
    fakes = Fakes()
    queue = f"wf-{uuid.uuid4().hex}"
    async with Worker(
        client, task_queue=queue, workflows=[BuildWorkflow],
        activities=[
            fakes.fetch_source, fakes.analyze, fakes.check_quota, fakes.build_image,
            fakes.finish,
        ],
        max_heartbeat_throttle_interval=timedelta(seconds=1),
        default_heartbeat_throttle_interval=timedelta(seconds=1),
    ):  # fmt: skip
        yield client, fakes, queue


async def run(client: Client, queue: str) -> str:
    result: str = await client.execute_workflow(
        BuildWorkflow.run, BuildInput("build-1"), id=f"wf-{uuid.uuid4()}", task_queue=queue
    )
    return result


async def test_steps_run_in_order(harness: tuple[Client, Fakes, str]) -> None:
    client, fakes, queue = harness
    assert await run(client, queue) == "built"
    assert fakes.calls == ["fetch_source", "analyze", "check_quota", "build_image", "finish"]
    assert fakes.finished == [FinishInput("build-1", "built")]


async def test_existing_image_skips_the_build(harness: tuple[Client, Fakes, str]) -> None:
    client, fakes, queue = harness
    fakes.already_built = True
    assert await run(client, queue) == "built"
    assert "build_image" not in fakes.calls


async def test_transient_failures_are_retried(harness: tuple[Client, Fakes, str]) -> None:
    client, fakes, queue = harness
    fakes.fetch_failures = 2
    assert await run(client, queue) == "built"
    assert fakes.calls.count("fetch_source") == 3


async def test_user_errors_are_not_retried(harness: tuple[Client, Fakes, str]) -> None:
    client, fakes, queue = harness
    fakes.fail_build_with = ApplicationError(
        "building at STEP 4: npm ERR! code E404", type="build_failed", non_retryable=True
    )
    assert await run(client, queue) == "failed"
    assert fakes.calls.count("build_image") == 1
    assert fakes.finished[-1] == FinishInput(
        "build-1", "failed", "build_failed", "building at STEP 4: npm ERR! code E404"
    )


async def test_cancel_reaches_the_activity_and_finishes_cancelled(
    harness: tuple[Client, Fakes, str],
) -> None:
    client, fakes, queue = harness
    fakes.block_build = True
    handle = await client.start_workflow(
        BuildWorkflow.run, BuildInput("build-1"), id=f"wf-{uuid.uuid4()}", task_queue=queue
    )
    await asyncio.wait_for(fakes.build_started.wait(), 30)
    progress = await handle.query(BuildWorkflow.progress)
    assert (progress.status, progress.step) == ("building", "build")
    await handle.cancel()
    with pytest.raises(WorkflowFailureError):
        await handle.result()
    assert fakes.build_cancelled
    assert fakes.finished == [FinishInput("build-1", "cancelled")]


def test_workflow_module_imports_no_pipeline_code() -> None:
    source = Path(__file__).resolve().parents[2] / "kiln" / "workflow" / "workflows.py"
    imports = [line for line in source.read_text().splitlines() if "import" in line]
    assert not [line for line in imports if "kiln." in line and "workflow.types" not in line]
