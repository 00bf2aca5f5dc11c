"""The build activities: each one runs one pipeline step for a build stored in the database.

Errors are translated at this boundary: a UserError becomes a non-retryable ApplicationError,
anything else is retried by the workflow's policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from kiln.config import Settings
from kiln.diagnose import diagnose
from kiln.engines.base import Engine
from kiln.errors import Conflict, KilnError, UserError
from kiln.logs.reporter import Reporter
from kiln.logs.sink import LogSink
from kiln.pipeline.analyze import analyze_checkout, find_existing_image
from kiln.pipeline.build import ImageBuild, build_image, image_labels
from kiln.pipeline.checkout import checkout
from kiln.pipeline.track import image_blobs, track_image
from kiln.plan.model import BuildPlan
from kiln.quota.cleaner import cleanup_workspace
from kiln.quota.clients import workspace_clients
from kiln.quota.policy import plan_cleanup
from kiln.secrets.crypto import SecretBox
from kiln.secrets.redact import Redactor
from kiln.source.github_app import installation_tokens
from kiln.status import BuildStatus
from kiln.store import logs as log_store
from kiln.store.builds import transition
from kiln.store.context import BuildContext, load_context
from kiln.store.db import Database
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

P = ParamSpec("P")
R = TypeVar("R")
HEARTBEAT_SECONDS = 1.0


def translated(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except UserError as exc:
            raise ApplicationError(str(exc), type=exc.code, non_retryable=True) from exc
        except KilnError as exc:
            raise ApplicationError(str(exc), type=exc.code) from exc

    return wrapper


@contextlib.asynccontextmanager
async def heartbeating() -> AsyncIterator[None]:
    """Heartbeat while the step runs: lets Temporal notice a dead worker and deliver cancel."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_SECONDS)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class BuildActivities:
    def __init__(
        self, settings: Settings, db: Database, engine: Engine, box: SecretBox, *, worker: str
    ) -> None:
        self.settings = settings
        self.worker = worker
        self.db = db
        self.engine = engine
        self.box = box
        self.github = installation_tokens(settings)

    def workdir(self, build_id: str) -> Path:
        return self.settings.data_dir / "work" / build_id

    async def _context(self, build_id: str) -> BuildContext:
        async with self.db.session() as session:
            ctx = await load_context(session, build_id, self.box)
        if ctx.github_installation_id is not None and self.github is not None:
            token = await self.github.token(ctx.github_installation_id)
            ctx = dataclasses.replace(ctx, git_token=token)
        return ctx

    async def _transition(self, build_id: str, status: BuildStatus, **fields: object) -> None:
        async with self.db.session() as session, session.begin():
            await transition(session, build_id, status, **fields)

    @contextlib.asynccontextmanager
    async def _sink(self, ctx: BuildContext, step: str) -> AsyncIterator[LogSink]:
        redactor = Redactor(ctx.secrets)
        async with LogSink(
            self.db, ctx.build_id, redactor=redactor, max_bytes=self.settings.max_log_bytes
        ) as sink:
            sink.step = step
            # Which worker ran which attempt: after a failover the log shows both.
            attempt = activity.info().attempt
            sink.write(f"[kiln] worker {self.worker} runs the {step} step (attempt {attempt})")
            yield sink

    def _secrets_hash(self, ctx: BuildContext) -> str | None:
        if not ctx.build_secrets:
            return None
        return self.box.fingerprint(json.dumps(ctx.build_secrets, sort_keys=True))

    @activity.defn(name="fetch_source")
    @translated
    async def fetch_source(self, request: BuildInput) -> SourceOutput:
        ctx = await self._context(request.build_id)
        await self._transition(ctx.build_id, BuildStatus.CLONING)
        async with self._sink(ctx, "clone") as sink, heartbeating():
            source = await checkout(
                ctx, self.workdir(ctx.build_id), ctx.ref, sink.write, self.settings
            )
        await self._transition(
            ctx.build_id, BuildStatus.CLONING,
            commit_sha=source.commit_sha, commit_message=source.commit_message,
            commit_author=f"{source.author_name} <{source.author_email}>",
        )  # fmt: skip
        return SourceOutput(source.commit_sha)

    @activity.defn(name="analyze")
    @translated
    async def analyze(self, request: AnalyzeInput) -> AnalyzeOutput:
        ctx = await self._context(request.build_id)
        await self._transition(ctx.build_id, BuildStatus.ANALYZING)
        async with self._sink(ctx, "analyze") as sink, heartbeating():
            source = await checkout(
                ctx, self.workdir(ctx.build_id), request.commit_sha, sink.write, self.settings
            )
            plan, image = analyze_checkout(self.settings, ctx, source.root, request.commit_sha)
            if ctx.build_secrets:
                plan.secrets = sorted(ctx.build_secrets)
                plan.explain(f"build secrets mounted into RUN steps: {', '.join(plan.secrets)}")
            for sentence in plan.explanations:
                sink.write(f"plan: {sentence}")
            existing = None if ctx.force else await find_existing_image(
                self.settings, ctx, image, plan, request.commit_sha
            )  # fmt: skip
            if existing is not None:
                sink.write(
                    f"{image} already holds this commit built with this plan: not rebuilding"
                )
        fields: dict[str, object] = {
            "plan": plan.model_dump(mode="json"), "plan_hash": plan.fingerprint(),
            "image_ref": str(image),
        }  # fmt: skip
        if existing is not None:
            fields.update(digest=existing.digest, size_bytes=existing.size_bytes)
        await self._transition(ctx.build_id, BuildStatus.ANALYZING, **fields)
        return AnalyzeOutput(str(image), already_built=existing is not None)

    @activity.defn(name="check_quota")
    @translated
    async def check_quota(self, request: BuildInput) -> QuotaOutput:
        """Before a build into a managed registry: clean up if the workspace is over 80 %."""
        ctx = await self._context(request.build_id)
        if ctx.registry.kind != "managed":
            return QuotaOutput(checked=False, removed_images=0, usage_bytes=0)
        clients = workspace_clients(self.settings, ctx.workspace_registries)
        async with self._sink(ctx, "analyze") as sink, heartbeating():
            try:
                report = await cleanup_workspace(
                    self.db, ctx.workspace_id, clients, dry_run=False, trigger="build",
                    decide=lambda images, quota: plan_cleanup(images, quota, ctx.quota_policy),
                )  # fmt: skip
            except Conflict:
                sink.write("quota: another cleanup of this workspace is running; not waiting")
                return QuotaOutput(checked=False, removed_images=0, usage_bytes=0)
            percent = 100 * report.before_bytes / report.quota_bytes
            sink.write(f"quota: {report.before_bytes} bytes used ({percent:.1f} % of the quota)")
            for removed in report.removed:
                sink.write(
                    f"quota: deleted {removed.repository}@{removed.digest[:19]} "
                    f"({removed.bytes} bytes freed): {removed.reason}"
                )
        return QuotaOutput(True, len(report.removed), report.after_bytes)

    @activity.defn(name="build_image")
    @translated
    async def build_image(self, request: BuildImageInput) -> BuildImageOutput:
        ctx = await self._context(request.build_id)
        await self._transition(ctx.build_id, BuildStatus.BUILDING)
        pending: list[asyncio.Task[None]] = []
        try:
            async with self._sink(ctx, "build") as sink, heartbeating():
                source = await checkout(
                    ctx, self.workdir(ctx.build_id), request.commit_sha, sink.write, self.settings
                )
                plan = BuildPlan.model_validate(ctx.plan)
                image = ctx.image_ref()

                def step(name: str) -> None:
                    if name == "push":
                        sink.step = "push"
                        pending.append(
                            asyncio.create_task(self._transition(ctx.build_id, BuildStatus.PUSHING))
                        )

                tags = [image, image.with_tag("latest")] if ctx.move_latest else [image]
                built = await build_image(
                    self.settings,
                    ImageBuild(
                        source_dir=source.root, plan=plan, tags=tags, push=True,
                        labels=image_labels(plan, ctx.repo_url, request.commit_sha),
                        credentials=ctx.credentials(),
                        build_secrets=ctx.build_secrets,
                        secrets_hash=self._secrets_hash(ctx),
                        cache_namespace=ctx.workspace_slug,
                    ),
                    Reporter(log=sink.write, step=step),
                    self.engine,
                )  # fmt: skip
                await asyncio.gather(*pending)
            assert built.digest is not None and built.size_bytes is not None
            await self._transition(
                ctx.build_id, BuildStatus.PUSHING, digest=built.digest, size_bytes=built.size_bytes
            )
            blobs = await image_blobs(self.settings, ctx, image, built.digest)
            async with self.db.session() as session, session.begin():
                await track_image(session, ctx, image, built.digest, built.size_bytes, tags, blobs)
            return BuildImageOutput(built.digest, built.size_bytes)
        finally:
            for task in pending:
                task.cancel()
            shutil.rmtree(self.workdir(ctx.build_id), ignore_errors=True)

    @activity.defn(name="finish")
    @translated
    async def finish(self, request: FinishInput) -> None:
        status = BuildStatus(request.status)
        fields: dict[str, object] = {}
        if status == BuildStatus.FAILED:
            async with self.db.session() as session:
                lines = await log_store.tail(session, request.build_id, 2000)
            found = diagnose([line.line for line in lines] + [request.error_message or ""])
            fields = {
                "error_code": request.error_code if found.code == "unknown" else found.code,
                "error_summary": found.summary,
                "error_suggestion": found.suggestion,
            }
        await self._transition(request.build_id, status, **fields)
        shutil.rmtree(self.workdir(request.build_id), ignore_errors=True)

    def all(self) -> list[Callable[..., Awaitable[object]]]:
        return [self.fetch_source, self.analyze, self.check_quota, self.build_image, self.finish]
