"""The track step: record every pushed tag of an image and the blobs it is made of (quota and
retention count these)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.config import Settings
from kiln.pipeline.build import registry_client
from kiln.refs import ImageRef
from kiln.registry.blobs import manifest_blobs
from kiln.store.builds import now
from kiln.store.context import BuildContext
from kiln.store.tables import Image, ImageBlob


async def image_blobs(
    settings: Settings, ctx: BuildContext, image: ImageRef, digest: str
) -> dict[str, int]:
    credentials = ctx.credentials().get(image.registry)
    async with registry_client(settings, image.registry, credentials) as client:
        return await manifest_blobs(client, image.repository, digest)


async def track_image(
    session: AsyncSession,
    ctx: BuildContext,
    image: ImageRef,
    digest: str,
    size_bytes: int,
    tags: list[ImageRef],
    blobs: dict[str, int],
) -> None:
    pushed = now()
    for tag in tags:
        # A tag names one manifest: where it pointed elsewhere before (`latest`), it moved.
        await session.execute(
            delete(Image).where(
                Image.registry_host == image.registry,
                Image.repository == image.repository,
                Image.tag == tag.tag,
                Image.deleted_at.is_(None),
            )
        )
        session.add(
            Image(
                workspace_id=ctx.workspace_id, app_id=ctx.app_id, build_id=ctx.build_id,
                registry_host=image.registry, repository=image.repository, tag=tag.tag,
                digest=digest, size_bytes=size_bytes, pushed_at=pushed,
            )
        )  # fmt: skip
    known = set(
        (
            await session.scalars(
                select(ImageBlob.blob_digest).where(
                    ImageBlob.registry_host == image.registry,
                    ImageBlob.repository == image.repository,
                    ImageBlob.manifest_digest == digest,
                )
            )
        ).all()
    )
    for blob, size in sorted(blobs.items()):
        if blob not in known:
            session.add(
                ImageBlob(
                    registry_host=image.registry, repository=image.repository,
                    manifest_digest=digest, blob_digest=blob, size_bytes=size,
                )
            )  # fmt: skip
    await session.flush()
