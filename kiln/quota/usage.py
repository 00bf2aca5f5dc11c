"""Tracked images of a workspace as the policy sees them, and their deduplicated usage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.quota.policy import StoredImage, unique_bytes
from kiln.store.tables import App, Image, ImageBlob


@dataclass(frozen=True)
class TrackedImage:
    """A stored image plus where it lives (for the registry delete)."""

    registry: str
    image: StoredImage
    row_ids: tuple[int, ...]


async def tracked_images(session: AsyncSession, workspace_id: int) -> list[TrackedImage]:
    """Retained images (not deleted), one per (registry, repository, digest), tags grouped."""
    rows = (
        await session.execute(
            select(Image, App.slug, App.pinned_digest)
            .outerjoin(App, App.id == Image.app_id)
            .where(Image.workspace_id == workspace_id, Image.deleted_at.is_(None))
        )
    ).all()
    groups: dict[tuple[str, str, str], list[tuple[Image, str | None]]] = defaultdict(list)
    pinned: set[str] = set()
    for image, app, pinned_digest in rows:
        groups[(image.registry_host, image.repository, image.digest)].append((image, app))
        if pinned_digest == image.digest:
            pinned.add(image.digest)
    blob_rows = (
        await session.execute(
            select(ImageBlob).where(
                ImageBlob.manifest_digest.in_([key[2] for key in groups] or [""])
            )
        )
    ).scalars()
    blobs: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
    for blob in blob_rows:
        blobs[(blob.registry_host, blob.repository, blob.manifest_digest)].append(
            (blob.blob_digest, blob.size_bytes)
        )
    tracked: list[TrackedImage] = []
    for key, members in groups.items():
        first = members[0][0]
        own_blobs = blobs.get(key) or [(f"{key[2]}#unknown-blobs", first.size_bytes)]
        tracked.append(
            TrackedImage(
                registry=key[0],
                image=StoredImage(
                    app=members[0][1] or "(deleted app)",
                    repository=key[1],
                    digest=key[2],
                    tags=tuple(sorted(m.tag for m, _ in members if m.tag)),
                    pushed_at=max(m.pushed_at for m, _ in members),
                    blobs=tuple(sorted(own_blobs)),
                    pinned=key[2] in pinned,
                ),
                row_ids=tuple(m.id for m, _ in members),
            )
        )
    return tracked


@dataclass(frozen=True)
class AppUsage:
    app: str
    used_bytes: int
    images: int


def usage_by_app(images: list[StoredImage]) -> list[AppUsage]:
    """Each app's unique-blob usage (a base shared by two apps counts in both rows)."""
    by_app: dict[str, list[StoredImage]] = defaultdict(list)
    for image in images:
        by_app[image.app].append(image)
    return [
        AppUsage(app, unique_bytes(app_images), len(app_images))
        for app, app_images in sorted(by_app.items())
    ]
