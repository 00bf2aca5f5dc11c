"""Track an image pushed outside kiln (gRPC TrackImage): verify it in the registry, record its
tag and blobs the way the build's track step does, so quota and cleanup count it."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.errors import NoRegistry, NotFound, UserError
from kiln.refs import parse_image_ref
from kiln.registry.blobs import manifest_blobs
from kiln.registry.connect import connect
from kiln.registry.credentials import Credentials
from kiln.service.context import Services
from kiln.service.models import SLUG, Strict
from kiln.service.quotas import usage
from kiln.store import workspaces as store
from kiln.store.builds import now
from kiln.store.context import registry_target
from kiln.store.tables import Image, ImageBlob


class ImageTrack(Strict):
    app: str = Field(pattern=SLUG)
    tag: str = Field(min_length=1, max_length=128)
    digest: str = Field(pattern=r"^sha256:[a-f0-9]{64}$")
    registry: str | None = Field(default=None, description="registry name; default: the app's")
    repository: str | None = Field(default=None, max_length=255)


class TrackedPublic(BaseModel):
    image: str
    size_bytes: int
    used_bytes: int
    quota_bytes: int


async def track_pushed_image(svc: Services, slug: str, request: ImageTrack) -> TrackedPublic:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, request.app)
        registry = (
            await store.registry_by_name(session, workspace.id, request.registry)
            if request.registry
            else await store.registry_for_app(session, app)
        )
        if registry is None:
            raise NoRegistry(f"app {request.app!r} has no registry; name one in `registry`")
        target = registry_target(registry, svc.box)
        app_id, app_slug, workspace_id = app.id, app.slug, workspace.id
    repository = request.repository or "/".join(p for p in (target.namespace, app_slug) if p)
    image = parse_image_ref(f"{target.host}/{repository}:{request.tag}@{request.digest}")
    credentials = (
        Credentials(target.username, target.secret) if target.username and target.secret else None
    )
    async with connect(svc.settings, target.host, credentials) as client:
        current = await client.manifest_digest(image.repository, request.tag)
        if current is None:
            raise NotFound(f"{target.host}/{repository}:{request.tag} is not in the registry")
        if current != request.digest:
            raise UserError(
                f"{target.host}/{repository}:{request.tag} points at {current}, "
                f"not {request.digest}"
            )
        blobs = await manifest_blobs(client, image.repository, request.digest)
    async with svc.db.session() as session, session.begin():
        await _record(session, workspace_id, app_id, target.host, image.repository, request, blobs)
    used = await usage(svc, slug)
    return TrackedPublic(
        image=f"{target.host}/{repository}:{request.tag}",
        size_bytes=sum(blobs.values()),
        used_bytes=used.used_bytes,
        quota_bytes=used.quota_bytes,
    )


async def _record(
    session: AsyncSession,
    workspace_id: int,
    app_id: int,
    host: str,
    repository: str,
    request: ImageTrack,
    blobs: dict[str, int],
) -> None:
    # A tag names one manifest: where it pointed elsewhere before, it moved.
    await session.execute(
        delete(Image).where(
            Image.registry_host == host,
            Image.repository == repository,
            Image.tag == request.tag,
            Image.deleted_at.is_(None),
        )
    )
    session.add(
        Image(
            workspace_id=workspace_id, app_id=app_id, build_id=None, registry_host=host,
            repository=repository, tag=request.tag, digest=request.digest,
            size_bytes=sum(blobs.values()), pushed_at=now(),
        )
    )  # fmt: skip
    known = set(
        (
            await session.scalars(
                select(ImageBlob.blob_digest).where(
                    ImageBlob.registry_host == host,
                    ImageBlob.repository == repository,
                    ImageBlob.manifest_digest == request.digest,
                )
            )
        ).all()
    )
    for blob, size in sorted(blobs.items()):
        if blob not in known:
            session.add(
                ImageBlob(
                    registry_host=host, repository=repository, manifest_digest=request.digest,
                    blob_digest=blob, size_bytes=size,
                )
            )  # fmt: skip
