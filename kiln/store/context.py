"""Everything a build step needs about its build, app, workspace and registry, in one value."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kiln.errors import NoRegistry, UserError
from kiln.quota.policy import Policy
from kiln.quota.retention import RetentionPolicy
from kiln.refs import ImageRef, parse_image_ref
from kiln.registry.credentials import Credentials
from kiln.secrets.crypto import SecretBox
from kiln.store.builds import get_build
from kiln.store.tables import App, Registry, Workspace
from kiln.store.workspaces import registry_for_app


@dataclass(frozen=True)
class RegistryTarget:
    kind: str
    host: str
    namespace: str
    username: str | None
    secret: str | None


@dataclass(frozen=True)
class BuildContext:
    build_id: str
    ref: str | None
    commit_sha: str | None
    force: bool
    workspace_id: int
    workspace_slug: str
    app_id: int
    app_slug: str
    repo_url: str
    subdirectory: str | None
    overrides: dict[str, Any]
    move_latest: bool
    registry: RegistryTarget
    plan: dict[str, Any] | None
    image: str | None
    git_token: str | None = None
    github_installation_id: int | None = None
    quota_policy: Policy = field(default_factory=Policy)
    build_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    workspace_registries: tuple[RegistryTarget, ...] = ()
    """Every registry of the workspace (the quota cleanup may touch any of them)."""

    @property
    def secrets(self) -> list[str]:
        """Every secret value this build knows, for redaction."""
        return [
            s for s in (self.registry.secret, self.git_token, *self.build_secrets.values()) if s
        ]

    def image_ref(self) -> ImageRef:
        if self.image is None:
            raise UserError("the build has no image name yet (analyze did not run)")
        return parse_image_ref(self.image)

    def image_for(self, commit_sha: str) -> ImageRef:
        """`{registry}/{namespace}/{app}:{first 12 hex of the commit}`."""
        repository = "/".join(p for p in (self.registry.namespace, self.app_slug) if p)
        return parse_image_ref(f"{self.registry.host}/{repository}:{commit_sha[:12]}")

    def credentials(self) -> dict[str, Credentials]:
        if self.registry.username and self.registry.secret:
            return {self.registry.host: Credentials(self.registry.username, self.registry.secret)}
        return {}


def build_secrets_of(app: App, box: SecretBox) -> dict[str, str]:
    if app.build_secrets_encrypted is None:
        return {}
    values: dict[str, str] = json.loads(box.decrypt(app.build_secrets_encrypted))
    return values


def registry_target(registry: Registry, box: SecretBox) -> RegistryTarget:
    secret = box.decrypt(registry.secret_encrypted) if registry.secret_encrypted else None
    return RegistryTarget(
        registry.kind, registry.url, registry.namespace, registry.username, secret
    )


async def load_context(session: AsyncSession, build_id: str, box: SecretBox) -> BuildContext:
    build = await get_build(session, build_id)
    app = await session.get(App, build.app_id)
    assert app is not None
    workspace = await session.get(Workspace, app.workspace_id)
    assert workspace is not None
    registry = await registry_for_app(session, app)
    if registry is None:
        raise NoRegistry(f"app {app.slug!r} has no registry and its workspace has no default")
    all_registries = await session.scalars(
        select(Registry).where(Registry.workspace_id == workspace.id)
    )
    return BuildContext(
        build_id=build.id, ref=build.ref or app.branch, commit_sha=build.commit_sha,
        force=build.force, workspace_id=workspace.id, workspace_slug=workspace.slug,
        app_id=app.id, app_slug=app.slug, repo_url=app.repo_url, subdirectory=app.subdirectory,
        overrides=dict(app.overrides or {}), move_latest=app.move_latest,
        registry=registry_target(registry, box), plan=build.plan, image=build.image_ref,
        workspace_registries=tuple(registry_target(r, box) for r in all_registries),
        quota_policy=RetentionPolicy.model_validate(workspace.retention or {}).quota_policy(),
        build_secrets=build_secrets_of(app, box),
        github_installation_id=app.github_installation_id,
    )  # fmt: skip
