"""Registry quota of a workspace: usage (unique blobs), tracked images, cleanup (or dry run)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiln.quota.cleaner import CleanupReport, Decide, ImageChange, cleanup_workspace
from kiln.quota.clients import workspace_clients
from kiln.quota.policy import plan_cleanup, unique_bytes
from kiln.quota.retention import RetentionPolicy, plan_retention
from kiln.quota.usage import tracked_images, usage_by_app
from kiln.service.context import Services
from kiln.service.models import (
    AppUsagePublic,
    CleanedImagePublic,
    CleanupPublic,
    CleanupRunPublic,
    ImagePublic,
    UsagePublic,
    WorkspacePublic,
    WorkspaceUpdate,
)
from kiln.service.workspaces import workspace_public
from kiln.store import workspaces as store
from kiln.store.builds import now
from kiln.store.context import registry_target
from kiln.store.tables import CleanupRun, Registry


async def update_workspace(svc: Services, slug: str, request: WorkspaceUpdate) -> WorkspacePublic:
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        if request.name is not None:
            workspace.name = request.name
        if request.quota_bytes is not None:
            workspace.quota_bytes = request.quota_bytes
        return workspace_public(workspace)


async def usage(svc: Services, slug: str) -> UsagePublic:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        images = [t.image for t in await tracked_images(session, workspace.id)]
    used = unique_bytes(images)
    return UsagePublic(
        used_bytes=used, quota_bytes=workspace.quota_bytes,
        percent=round(100 * used / workspace.quota_bytes, 2),
        apps=[AppUsagePublic(app=u.app, used_bytes=u.used_bytes, images=u.images)
              for u in usage_by_app(images)],
    )  # fmt: skip


async def list_images(svc: Services, slug: str) -> list[ImagePublic]:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        tracked = await tracked_images(session, workspace.id)
    policy = retention_of(workspace.retention).quota_policy()
    rows = [
        ImagePublic(
            app=t.image.app, repository=t.image.repository, tag=tag, digest=t.image.digest,
            size_bytes=sum(size for _, size in t.image.blobs), pushed_at=t.image.pushed_at,
            protected=any(policy.is_protected_tag(other) for other in t.image.tags),
        )
        for t in tracked
        for tag in (t.image.tags or (None,))
    ]  # fmt: skip
    return sorted(rows, key=lambda r: r.pushed_at, reverse=True)


def _change(change: ImageChange) -> CleanedImagePublic:
    return CleanedImagePublic(
        app=change.app, repository=change.repository, tags=list(change.tags),
        digest=change.digest, bytes=change.bytes, reason=change.reason,
    )  # fmt: skip


def report_public(report: CleanupReport) -> CleanupPublic:
    return CleanupPublic(
        dry_run=report.dry_run, triggered=report.triggered, quota_bytes=report.quota_bytes,
        before_bytes=report.before_bytes, after_bytes=report.after_bytes,
        removed=[_change(c) for c in report.removed],
        kept_protected=[_change(c) for c in report.kept_protected],
    )  # fmt: skip


async def _run(
    svc: Services, slug: str, *, dry_run: bool, trigger: str, retention: bool
) -> CleanupPublic:
    """A quota cleanup (or, with `retention`, the retention rules) over the workspace's images."""
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        registries = (
            await session.scalars(select(Registry).where(Registry.workspace_id == workspace.id))
        ).all()
    clients = workspace_clients(svc.settings, [registry_target(r, svc.box) for r in registries])
    policy, moment = retention_of(workspace.retention), now()
    decide: Decide = (
        (lambda images, quota: plan_retention(images, quota, policy, moment))
        if retention
        else (lambda images, quota: plan_cleanup(images, quota, policy.quota_policy()))
    )
    report = await cleanup_workspace(
        svc.db, workspace.id, clients, dry_run=dry_run, trigger=trigger, decide=decide
    )
    return report_public(report)


async def cleanup(svc: Services, slug: str, *, dry_run: bool) -> CleanupPublic:
    """Delete the oldest images down to 70 % of the quota (dry_run: say what would go)."""
    return await _run(svc, slug, dry_run=dry_run, trigger="api", retention=False)


def retention_of(stored: dict[str, Any] | None) -> RetentionPolicy:
    return RetentionPolicy.model_validate(stored or {})


async def get_retention(svc: Services, slug: str) -> RetentionPolicy:
    async with svc.db.session() as session:
        return retention_of((await store.workspace_by_slug(session, slug)).retention)


async def put_retention(svc: Services, slug: str, policy: RetentionPolicy) -> RetentionPolicy:
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        workspace.retention = policy.model_dump(mode="json")
    return policy


async def apply_retention(svc: Services, slug: str, *, dry_run: bool) -> CleanupPublic:
    """Expire what the workspace's retention rules say (dry_run: the preview)."""
    return await _run(svc, slug, dry_run=dry_run, trigger="retention", retention=True)


async def cleanup_history(svc: Services, slug: str, limit: int = 50) -> list[CleanupRunPublic]:
    """The audit trail: every cleanup and dry run, newest first."""
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        runs = await session.scalars(
            select(CleanupRun)
            .where(CleanupRun.workspace_id == workspace.id)
            .order_by(CleanupRun.id.desc())
            .limit(limit)
        )
        return [
            CleanupRunPublic(
                at=run.at, trigger=run.trigger, dry_run=run.dry_run, quota_bytes=run.quota_bytes,
                before_bytes=run.before_bytes, after_bytes=run.after_bytes,
                removed=[CleanedImagePublic.model_validate(r) for r in run.removed],
                kept_protected=[CleanedImagePublic.model_validate(k) for k in run.kept_protected],
            )
            for run in runs
        ]  # fmt: skip
