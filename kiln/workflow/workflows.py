"""BuildWorkflow: the order of the steps, their timeouts and retries, cancellation.

Activities are called by name, so this module imports nothing but its types (the workflow
sandbox stays light) and tests can register same-named fakes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    TimeoutError,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from kiln.workflow.types import (
        AnalyzeInput,
        AnalyzeOutput,
        BuildImageInput,
        BuildImageOutput,
        BuildInput,
        FinishInput,
        Progress,
        QuotaOutput,
        SourceOutput,
    )

RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=3,
)
# Activities heartbeat every second; a worker killed mid-step is noticed after this long and the
# step is retried on another worker (kill -9 of a worker: tests/integration/test_scaleout.py).
HEARTBEAT = timedelta(seconds=15)
SHORT = timedelta(minutes=10)
STEP_OF = {"cloning": "clone", "analyzing": "analyze", "building": "build"}


@workflow.defn(name="BuildWorkflow")
class BuildWorkflow:
    def __init__(self) -> None:
        self._build_id = ""
        self._status = "pending"

    @workflow.query
    def progress(self) -> Progress:
        return Progress(self._build_id, self._status, STEP_OF.get(self._status))

    @workflow.run
    async def run(self, request: BuildInput) -> str:
        self._build_id = request.build_id
        try:
            self._status = "cloning"
            source = await workflow.execute_activity(
                "fetch_source", request, result_type=SourceOutput,
                start_to_close_timeout=SHORT, heartbeat_timeout=HEARTBEAT, retry_policy=RETRY,
            )  # fmt: skip
            self._status = "analyzing"
            analysis = await workflow.execute_activity(
                "analyze", AnalyzeInput(request.build_id, source.commit_sha),
                result_type=AnalyzeOutput,
                start_to_close_timeout=SHORT, heartbeat_timeout=HEARTBEAT, retry_policy=RETRY,
            )  # fmt: skip
            if not analysis.already_built:
                await workflow.execute_activity(
                    "check_quota", request, result_type=QuotaOutput,
                    start_to_close_timeout=SHORT, heartbeat_timeout=HEARTBEAT, retry_policy=RETRY,
                )  # fmt: skip
                self._status = "building"
                await workflow.execute_activity(
                    "build_image", BuildImageInput(request.build_id, source.commit_sha),
                    result_type=BuildImageOutput,
                    start_to_close_timeout=timedelta(seconds=request.build_timeout_seconds),
                    heartbeat_timeout=HEARTBEAT, retry_policy=RETRY,
                    cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
                )  # fmt: skip
            return await self._finish(FinishInput(request.build_id, "built"))
        except (asyncio.CancelledError, ActivityError) as failure:
            if is_cancelled_exception(failure):
                await self._finish(FinishInput(request.build_id, "cancelled"))
                raise
            assert isinstance(failure, ActivityError)
            code, message = _describe(failure)
            return await self._finish(FinishInput(request.build_id, "failed", code, message))

    async def _finish(self, result: FinishInput) -> str:
        self._status = result.status
        await workflow.execute_activity(
            "finish", result, start_to_close_timeout=timedelta(minutes=2), retry_policy=RETRY
        )
        return result.status


def _describe(failure: ActivityError) -> tuple[str, str]:
    cause = failure.cause
    if isinstance(cause, ApplicationError):
        return cause.type or "error", cause.message
    if isinstance(cause, TimeoutError):
        return "timeout", f"the step timed out ({cause.message or cause.type})"
    return "error", str(cause or failure)
