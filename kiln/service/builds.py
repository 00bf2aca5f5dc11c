"""Builds: trigger (deduplicated per commit and plan inputs), read, page, cancel, retry, logs."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from kiln.errors import Conflict, NoRegistry, TransientError, UserError
from kiln.logs.follow import Event
from kiln.service.context import Services
from kiln.service.models import BuildPage, BuildPublic, BuildTrigger, StepPublic
from kiln.source.resolve import resolve_commit
from kiln.source.ssrf import check_host, host_of
from kiln.status import BuildStatus
from kiln.store import builds as store
from kiln.store import logs as log_store
from kiln.store import workspaces as ws_store
from kiln.store.tables import App, Build, Workspace
from kiln.workflow.types import BuildInput


async def build_public(session: AsyncSession, build: Build) -> BuildPublic:
    app = await session.get(App, build.app_id)
    assert app is not None
    workspace = await session.get(Workspace, app.workspace_id)
    assert workspace is not None
    history = await store.transitions(session, build.id)
    steps = [
        StepPublic(
            name=s.name, status=s.status, started_at=s.started_at, finished_at=s.finished_at,
            duration_seconds=(s.finished_at - s.started_at).total_seconds()
            if s.finished_at else None,
        )
        for s in store.steps_from(history, BuildStatus(build.status))
    ]  # fmt: skip
    return BuildPublic(
        id=build.id, app=app.slug, workspace=workspace.slug, number=build.number,
        status=build.status, trigger=build.trigger, ref=build.ref, commit_sha=build.commit_sha,
        commit_message=build.commit_message, commit_author=build.commit_author,
        image_ref=build.image_ref, digest=build.digest, size_bytes=build.size_bytes,
        error_code=build.error_code, error_summary=build.error_summary,
        error_suggestion=build.error_suggestion, retry_of=build.retry_of,
        workflow_id=build.workflow_id, log_truncated=build.log_truncated, steps=steps,
        created_at=build.created_at, started_at=build.started_at, finished_at=build.finished_at,
    )  # fmt: skip


def workflow_id_for(workspace: str, app: App, commit_sha: str, force: bool) -> str:
    """Same app, commit and plan inputs → same id: a duplicate trigger attaches to the build."""
    inputs = json.dumps(
        {"overrides": app.overrides, "subdirectory": app.subdirectory, "repo": app.repo_url},
        sort_keys=True,
    )
    digest = hashlib.sha256(inputs.encode()).hexdigest()[:10]
    suffix = f"-{uuid.uuid4().hex[:8]}" if force else ""
    return f"kiln-{workspace}-{app.slug}-{commit_sha[:12]}-{digest}{suffix}"


async def trigger_build(
    svc: Services,
    slug: str,
    app_slug: str,
    request: BuildTrigger,
    *,
    trigger: str = "api",
    retry_of: str | None = None,
) -> tuple[BuildPublic, bool]:
    """Start a build; returns (build, created). An identical running build is returned instead."""
    async with svc.db.session() as session:
        workspace = await ws_store.workspace_by_slug(session, slug)
        app = await ws_store.app_by_slug(session, workspace.id, app_slug)
        if await ws_store.registry_for_app(session, app) is None:
            raise NoRegistry(
                f"app {app_slug!r} has no registry to push to",
                hint=f"add one with POST /api/v1/workspaces/{slug}/registries (is_default: true) "
                "or set the app's registry",
            )
    svc.triggers.hit(slug, "build triggers in this workspace")
    await check_host(host_of(app.repo_url), allow=svc.settings.allow_link_local)
    token = await svc.git_token(app.github_installation_id)
    commit_sha, ref = await resolve_commit(
        app.repo_url, request.ref or app.branch, token=token,
        allow_local=svc.settings.allow_local_repos,
    )  # fmt: skip
    workflow_id = workflow_id_for(slug, app, commit_sha, request.force)
    for attempt in range(3):
        try:
            async with svc.db.session() as session, session.begin():
                # Serialise triggers of one app (row lock on PostgreSQL; SQLite retries below).
                await session.scalar(select(App).where(App.id == app.id).with_for_update())
                running = await store.find_active_by_workflow(session, workflow_id)
                if running is not None:
                    return await build_public(session, running), False
                build = await store.create_build(
                    session, app_id=app.id, trigger=trigger, ref=ref, force=request.force,
                    commit_sha=commit_sha, retry_of=retry_of, workflow_id=workflow_id,
                )  # fmt: skip
                build_id = build.id
            break
        except IntegrityError:
            if attempt == 2:
                raise Conflict("too many simultaneous triggers of this app; try again") from None
    try:
        await svc.temporal.start_workflow(
            "BuildWorkflow",
            BuildInput(build_id, svc.settings.build_timeout_seconds),
            id=workflow_id,
            task_queue=svc.settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        async with svc.db.session() as session, session.begin():
            await session.delete(await store.get_build(session, build_id))
            running = await store.find_active_by_workflow(session, workflow_id)
            if running is None:
                raise Conflict("an identical build is finishing; try again") from None
            return await build_public(session, running), False
    except RPCError as exc:
        async with svc.db.session() as session, session.begin():
            await store.transition(
                session, build_id, BuildStatus.FAILED, error_code="orchestrator",
                error_summary="the build could not be queued: Temporal is unreachable",
            )  # fmt: skip
        raise TransientError(f"could not start the build workflow: {exc}") from exc
    return await get_build(svc, build_id), True


async def get_build(svc: Services, build_id: str) -> BuildPublic:
    async with svc.db.session() as session:
        return await build_public(session, await store.get_build(session, build_id))


async def list_builds(
    svc: Services, slug: str, app_slug: str, *, status: str | None, limit: int, cursor: str | None
) -> BuildPage:
    if status is not None and status not in {s.value for s in BuildStatus}:
        raise UserError(f"unknown status {status!r}")
    before = None
    if cursor:
        if not cursor.isdigit():
            raise UserError("invalid cursor")
        before = int(cursor)
    async with svc.db.session() as session:
        workspace = await ws_store.workspace_by_slug(session, slug)
        app = await ws_store.app_by_slug(session, workspace.id, app_slug)
        rows = await store.page_builds(
            session, app.id, status=status, limit=limit + 1, before_number=before
        )
        page = [await build_public(session, row) for row in rows[:limit]]
    next_cursor = str(rows[limit - 1].number) if len(rows) > limit else None
    return BuildPage(builds=page, next_cursor=next_cursor)


def _handle(svc: Services, build: Build) -> WorkflowHandle[object, object]:
    assert build.workflow_id is not None
    return svc.temporal.get_workflow_handle(build.workflow_id)


async def cancel_build(svc: Services, build_id: str) -> BuildPublic:
    async with svc.db.session() as session:
        build = await store.get_build(session, build_id)
    if BuildStatus(build.status).terminal:
        raise Conflict(f"build {build_id} already ended ({build.status})")
    try:
        await _handle(svc, build).cancel()
    except RPCError as exc:
        raise TransientError(f"could not cancel the workflow: {exc}") from exc
    return await get_build(svc, build_id)


async def retry_build(svc: Services, build_id: str) -> BuildPublic:
    async with svc.db.session() as session:
        build = await store.get_build(session, build_id)
        app = await session.get(App, build.app_id)
        assert app is not None
        workspace = await session.get(Workspace, app.workspace_id)
        assert workspace is not None
    if build.status not in (BuildStatus.FAILED, BuildStatus.CANCELLED):
        raise Conflict(
            f"only failed or cancelled builds can be retried; this one is {build.status}"
        )
    retried, _ = await trigger_build(
        svc, workspace.slug, app.slug, BuildTrigger(ref=build.commit_sha or build.ref, force=True),
        trigger="retry", retry_of=build.id,
    )  # fmt: skip
    return retried


async def log_text(svc: Services, build_id: str) -> AsyncIterator[str]:
    """The stored log as text, in pages (for the plain-text logs endpoint)."""
    async with svc.db.session() as session:
        await store.get_build(session, build_id)
    after = 0
    while True:
        async with svc.db.session() as session:
            lines = await log_store.read(session, build_id, after=after)
        if not lines:
            return
        after = lines[-1].seq
        yield "".join(f"{line.line}\n" for line in lines)


def follow_build(svc: Services, build_id: str, after: int) -> AsyncIterator[list[Event]]:
    return svc.hub.follow_batches(build_id, after=after)
