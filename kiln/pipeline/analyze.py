"""The analyze step: plan the checkout, name the image, find an identical image already built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiln.config import Settings
from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.detect.repo import RepoView
from kiln.detect.workspace_root import member_path, workspace_root
from kiln.errors import NotAWorkspaceMember, UserError
from kiln.pipeline.build import PLAN_LABEL, REVISION_LABEL, registry_client
from kiln.plan.bases import Catalog, load_catalog
from kiln.plan.model import BuildPlan
from kiln.refs import ImageRef
from kiln.store.context import BuildContext


@dataclass(frozen=True)
class ExistingImage:
    digest: str
    size_bytes: int


def analyze_checkout(
    settings: Settings, ctx: BuildContext, root: Path, commit_sha: str
) -> tuple[BuildPlan, ImageRef]:
    try:
        overrides = Overrides.model_validate(ctx.overrides)
    except ValueError as exc:
        raise UserError(f"the app's overrides are invalid: {exc}") from exc
    catalog = load_catalog(settings.catalog_path)
    plan = None
    if ctx.subdirectory:
        plan = plan_workspace_member(root, ctx.subdirectory, catalog, overrides)
    if plan is None:
        plan = detect(root, catalog, overrides=overrides)
    return plan, ctx.image_for(commit_sha)


def plan_workspace_member(
    app_dir: Path, subdirectory: str, catalog: Catalog, overrides: Overrides
) -> BuildPlan | None:
    """The plan of a monorepo app planned from its workspace root (so its install sees the root
    lock file and every member's manifest), or None when it is not in a workspace."""
    parts = Path(subdirectory.strip("/")).parts
    checkout = app_dir.parents[len(parts) - 1] if parts else app_dir
    root = workspace_root(RepoView(checkout), "/".join(parts))
    if root is None:
        return None
    member, back = member_path(root, "/".join(parts))
    try:
        plan = detect(checkout / root, catalog, overrides=overrides, member=member)
    except NotAWorkspaceMember:
        return None  # a standalone project that happens to live under a workspace
    plan.context = back
    plan.explain(f"built from the workspace root {root!r}: the app's sub-directory is {member}")
    return plan


async def find_existing_image(
    settings: Settings, ctx: BuildContext, image: ImageRef, plan: BuildPlan, commit_sha: str
) -> ExistingImage | None:
    """The image at `image` if it was built from this commit with this exact plan."""
    credentials = ctx.credentials().get(image.registry)
    async with registry_client(settings, image.registry, credentials) as client:
        digest = await client.manifest_digest(image.repository, image.reference)
        if digest is None:
            return None
        labels = await client.image_labels(image.repository, digest)
        if labels.get(PLAN_LABEL) != plan.fingerprint() or labels.get(REVISION_LABEL) != commit_sha:
            return None
        return ExistingImage(digest, await client.image_size(image.repository, digest))
