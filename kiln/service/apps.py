"""Apps: a repository (+ branch, sub-directory, overrides) built into one image repository."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.plan.bases import load_catalog
from kiln.plan.model import BuildPlan
from kiln.service.context import Services
from kiln.service.models import AppCreate, AppPublic, AppUpdate, SecretNames, SecretsUpdate
from kiln.source.fetch import fetch
from kiln.source.spec import source_spec, validate_ref, validate_repo_url, validate_subdirectory
from kiln.source.ssrf import check_host, host_of
from kiln.store import workspaces as store
from kiln.store.context import build_secrets_of
from kiln.store.tables import App, Registry


def app_public(row: App, registry: Registry | None) -> AppPublic:
    return AppPublic(
        slug=row.slug, repo_url=row.repo_url, branch=row.branch, subdirectory=row.subdirectory,
        registry=registry.name if registry is not None and row.registry_id else None,
        overrides=Overrides.model_validate(row.overrides or {}), move_latest=row.move_latest,
        pinned_digest=row.pinned_digest, github_installation_id=row.github_installation_id,
        has_webhook_secret=row.webhook_secret_encrypted is not None, created_at=row.created_at,
    )  # fmt: skip


async def _validated(
    svc: Services, repo_url: str, branch: str | None, subdirectory: str | None
) -> None:
    validate_repo_url(repo_url, allow_local=svc.settings.allow_local_repos)
    await check_host(host_of(repo_url), allow=svc.settings.allow_link_local)
    if branch:
        validate_ref(branch)
    if subdirectory:
        validate_subdirectory(subdirectory)


async def create_app(svc: Services, slug: str, request: AppCreate) -> AppPublic:
    await _validated(svc, request.repo_url, request.branch, request.subdirectory)
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        registry = (
            await store.registry_by_name(session, workspace.id, request.registry)
            if request.registry
            else None
        )
        row = App(
            workspace_id=workspace.id, slug=request.slug, repo_url=request.repo_url,
            branch=request.branch or None, subdirectory=request.subdirectory or None,
            overrides=request.overrides.model_dump(exclude_none=True),
            registry_id=registry.id if registry else None, move_latest=request.move_latest,
            github_installation_id=request.github_installation_id,
            webhook_secret_encrypted=(
                svc.box.encrypt(request.webhook_secret) if request.webhook_secret else None
            ),
        )  # fmt: skip
        return app_public(await store.create_app(session, row), registry)


async def list_apps(svc: Services, slug: str) -> list[AppPublic]:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        apps = await store.list_apps(session, workspace.id)
        return [app_public(a, await store.registry_for_app(session, a)) for a in apps]


async def get_app(svc: Services, slug: str, app_slug: str) -> AppPublic:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, app_slug)
        return app_public(app, await store.registry_for_app(session, app))


async def update_app(svc: Services, slug: str, app_slug: str, request: AppUpdate) -> AppPublic:
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, app_slug)
        changes = request.model_dump(exclude_unset=True)
        await _validated(
            svc, changes.get("repo_url", app.repo_url), changes.get("branch", app.branch),
            changes.get("subdirectory", app.subdirectory),
        )  # fmt: skip
        if "registry" in changes:
            registry = request.registry
            app.registry_id = (
                (await store.registry_by_name(session, workspace.id, registry)).id
                if registry
                else None
            )
        fields = ("repo_url", "branch", "subdirectory", "move_latest", "pinned_digest",
                  "github_installation_id")  # fmt: skip
        for field in fields:
            if field in changes:
                setattr(app, field, changes[field])
        if request.overrides is not None:
            app.overrides = request.overrides.model_dump(exclude_none=True)
        if request.webhook_secret is not None:
            app.webhook_secret_encrypted = svc.box.encrypt(request.webhook_secret)
        await session.flush()
        return app_public(app, await store.registry_for_app(session, app))


async def delete_app(svc: Services, slug: str, app_slug: str) -> None:
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        await session.delete(await store.app_by_slug(session, workspace.id, app_slug))


async def analyze_app(svc: Services, slug: str, app_slug: str, ref: str | None) -> BuildPlan:
    """Fetch the app's repository and plan it, without building (the analyze endpoint)."""
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, app_slug)
    allow_local = svc.settings.allow_local_repos
    spec = source_spec(app.repo_url, ref or app.branch, app.subdirectory, allow_local=allow_local)
    with tempfile.TemporaryDirectory(prefix="kiln-analyze-") as scratch:
        token = await svc.git_token(app.github_installation_id)
        source = await fetch(
            spec, Path(scratch) / "src", token=token, log=lambda _: None, allow_local=allow_local
        )
        overrides = Overrides.model_validate(app.overrides or {})
        return detect(source.root, load_catalog(svc.settings.catalog_path), overrides=overrides)


async def analyze_repository(
    svc: Services, repo_url: str, ref: str | None, subdirectory: str | None
) -> BuildPlan:
    """Fetch any (public) repository and plan it, without an app (gRPC AnalyzeRepository)."""
    await _validated(svc, repo_url, ref, subdirectory)
    allow_local = svc.settings.allow_local_repos
    spec = source_spec(repo_url, ref or None, subdirectory or None, allow_local=allow_local)
    with tempfile.TemporaryDirectory(prefix="kiln-analyze-") as scratch:
        source = await fetch(
            spec, Path(scratch) / "src", token=None, log=lambda _: None, allow_local=allow_local
        )
        return detect(source.root, load_catalog(svc.settings.catalog_path))


async def set_build_secrets(
    svc: Services, slug: str, app_slug: str, request: SecretsUpdate
) -> SecretNames:
    async with svc.db.session() as session, session.begin():
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, app_slug)
        app.build_secrets_encrypted = (
            svc.box.encrypt(json.dumps(request.secrets)) if request.secrets else None
        )
    return SecretNames(names=sorted(request.secrets))


async def build_secret_names(svc: Services, slug: str, app_slug: str) -> SecretNames:
    async with svc.db.session() as session:
        workspace = await store.workspace_by_slug(session, slug)
        app = await store.app_by_slug(session, workspace.id, app_slug)
    return SecretNames(names=sorted(build_secrets_of(app, svc.box)))
