"""The track step: record every pushed tag of an image (quota and retention count these)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kiln.refs import ImageRef
from kiln.store.builds import now
from kiln.store.context import BuildContext
from kiln.store.tables import Image


async def track_image(
    session: AsyncSession,
    ctx: BuildContext,
    image: ImageRef,
    digest: str,
    size_bytes: int,
    tags: list[ImageRef],
) -> None:
    pushed = now()
    for tag in tags:
        session.add(
            Image(
                workspace_id=ctx.workspace_id, app_id=ctx.app_id, build_id=ctx.build_id,
                registry_host=image.registry, repository=image.repository, tag=tag.tag,
                digest=digest, size_bytes=size_bytes, pushed_at=pushed,
            )
        )  # fmt: skip
    await session.flush()
