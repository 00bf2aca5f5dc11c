"""Run a workspace's cleanup: repair interrupted deletes, decide (policy.py), delete, audit.

Deleting is two-phase so a crash loses nothing: the rows are marked `deleting_at`, the manifest
is deleted from the registry (every tag on the digest goes with it), then the rows are marked
`deleted_at`. The next run finishes any delete left half-done. A lease on the workspace row keeps
two cleanups of one workspace from running at once (it works on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update

from kiln.errors import Conflict
from kiln.quota.policy import CleanupPlan, Policy, StoredImage, plan_cleanup
from kiln.quota.usage import TrackedImage, tracked_images
from kiln.registry.client import RegistryClient
from kiln.store.builds import now
from kiln.store.db import Database
from kiln.store.tables import CleanupRun, Image, Workspace

LEASE = timedelta(minutes=15)
ClientFactory = Callable[[str], RegistryClient]
"""Registry host → a client with that registry's credentials."""
Decide = Callable[[list[StoredImage], int], CleanupPlan]
"""(retained images, quota bytes) → what to delete."""


@dataclass(frozen=True)
class ImageChange:
    app: str
    repository: str
    tags: tuple[str, ...]
    digest: str
    bytes: int
    reason: str


@dataclass(frozen=True)
class CleanupReport:
    dry_run: bool
    triggered: bool
    quota_bytes: int
    before_bytes: int
    after_bytes: int
    removed: list[ImageChange] = field(default_factory=list)
    kept_protected: list[ImageChange] = field(default_factory=list)
    repaired: int = 0


async def _acquire(db: Database, workspace_id: int) -> None:
    async with db.session() as session, session.begin():
        result = await session.execute(
            update(Workspace)
            .where(
                Workspace.id == workspace_id,
                or_(Workspace.cleanup_lease_until.is_(None), Workspace.cleanup_lease_until < now()),
            )
            .values(cleanup_lease_until=now() + LEASE)
        )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("a cleanup of this workspace is already running")


async def _release(db: Database, workspace_id: int) -> None:
    async with db.session() as session, session.begin():
        await session.execute(
            update(Workspace).where(Workspace.id == workspace_id).values(cleanup_lease_until=None)
        )


async def _mark(db: Database, row_ids: tuple[int, ...], column: str) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(Image).where(Image.id.in_(row_ids)).values({column: now()}))


async def _delete(clients: ClientFactory, tracked: TrackedImage) -> None:
    repository, digest = tracked.image.repository, tracked.image.digest
    async with clients(tracked.registry) as client:
        await client.delete_manifest(repository, digest)
        await delete_referrers(client, repository, digest)


async def delete_referrers(client: RegistryClient, repository: str, digest: str) -> int:
    """Signatures and attestations stored under the referrers fallback tags of a deleted
    image (`sha256-<hex>`, cosign's `sha256-<hex>.sig`/`.att`/`.sbom`) go with it."""
    prefix = digest.replace(":", "-", 1)
    removed = 0
    for tag in await client.list_tags(repository):
        if tag == prefix or tag.startswith(prefix + "."):
            referrer = await client.manifest_digest(repository, tag)
            if referrer is not None and await client.delete_manifest(repository, referrer):
                removed += 1
    return removed


async def _repair(db: Database, workspace_id: int, clients: ClientFactory) -> int:
    """Finish deletes that a crash interrupted between the registry and the store."""
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(Image).where(
                    Image.workspace_id == workspace_id,
                    Image.deleting_at.is_not(None),
                    Image.deleted_at.is_(None),
                )
            )
        ).all()
    done: set[tuple[str, str, str]] = set()
    for row in rows:
        key = (row.registry_host, row.repository, row.digest)
        if key not in done:
            async with clients(row.registry_host) as client:
                await client.delete_manifest(row.repository, row.digest)
            done.add(key)
    if rows:
        await _mark(db, tuple(row.id for row in rows), "deleted_at")
    return len(done)


async def cleanup_workspace(
    db: Database,
    workspace_id: int,
    clients: ClientFactory,
    *,
    dry_run: bool,
    trigger: str,
    decide: Decide | None = None,
) -> CleanupReport:
    """Decide with `decide` (default: the quota rule) and carry out the deletions."""
    decide = decide or (lambda images, quota: plan_cleanup(images, quota, Policy()))
    await _acquire(db, workspace_id)
    try:
        repaired = 0 if dry_run else await _repair(db, workspace_id, clients)
        async with db.session() as session:
            workspace = await session.get(Workspace, workspace_id)
            assert workspace is not None
            tracked = await tracked_images(session, workspace_id)
        by_key = {t.image.key: t for t in tracked}
        plan = decide([t.image for t in tracked], workspace.quota_bytes)
        removed: list[ImageChange] = []
        try:
            for removal in plan.removed:
                target = by_key[removal.image.key]
                if not dry_run:
                    await _mark(db, target.row_ids, "deleting_at")
                    await _delete(clients, target)
                    await _mark(db, target.row_ids, "deleted_at")
                image = removal.image
                removed.append(
                    ImageChange(image.app, image.repository, image.tags, image.digest,
                                removal.freed_bytes, removal.reason)
                )  # fmt: skip
        finally:
            report = CleanupReport(
                dry_run=dry_run, triggered=plan.triggered, quota_bytes=plan.quota_bytes,
                before_bytes=plan.before_bytes,
                after_bytes=plan.before_bytes - sum(r.bytes for r in removed),
                removed=removed,
                kept_protected=[
                    ImageChange(k.image.app, k.image.repository, k.image.tags, k.image.digest, 0,
                                k.reason)
                    for k in plan.kept_protected
                ],
                repaired=repaired,
            )  # fmt: skip
            await _audit(db, workspace_id, trigger, report)
        return report
    finally:
        await _release(db, workspace_id)


def _as_json(change: ImageChange) -> dict[str, object]:
    return {
        "app": change.app, "repository": change.repository, "tags": list(change.tags),
        "digest": change.digest, "bytes": change.bytes, "reason": change.reason,
    }  # fmt: skip


async def _audit(db: Database, workspace_id: int, trigger: str, report: CleanupReport) -> None:
    async with db.session() as session, session.begin():
        session.add(
            CleanupRun(
                workspace_id=workspace_id, at=now(), trigger=trigger, dry_run=report.dry_run,
                quota_bytes=report.quota_bytes, before_bytes=report.before_bytes,
                after_bytes=report.after_bytes, removed=[_as_json(c) for c in report.removed],
                kept_protected=[_as_json(c) for c in report.kept_protected],
            )
        )  # fmt: skip
