"""One service for the browser tests (real Temporal, registry, buildah), a workspace with a
registry and users of each role, and Debian's Chromium.

Package-scoped, not session-scoped: Playwright's sync API keeps an event loop running in the main
thread while it is open, which would break every later test that calls `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from kiln.baseimages.bootstrap import BootstrapTarget, bootstrap
from kiln.baseimages.recipes import RECIPES
from kiln.config import Settings
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine
from kiln.plan.bases import RUNTIME
from kiln.service.access import Role
from tests.browser.harness import Dashboard, dashboard, launch, login
from tests.support.servers import Registry, require_binary
from tests.support.temporal import temporal_dev_server


@dataclass(frozen=True)
class Workspace:
    slug: str
    namespace: str
    owner: str
    member: str


@pytest.fixture(scope="package")
def settings(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Like the suite's `settings`, but only the runtime bases: the browser tests build
    Dockerfile apps, whose `ARG KILN_BASE_RUNTIME` names the catalog's runtime image."""
    for binary in ("buildah", "runc", "mmdebstrap"):
        require_binary(binary)
    settings = Settings(data_dir=tmp_path_factory.mktemp("kiln-web-data"))
    recipes = tuple(recipe for recipe in RECIPES if recipe.language == RUNTIME)
    target = BootstrapTarget(registry.address, "kiln")
    reporter = Reporter(log=lambda _: None)
    engine = default_engine(settings)
    asyncio.run(bootstrap(settings, target, engine, reporter, recipes=recipes))
    return settings


@pytest.fixture(scope="package")
def web(
    settings: Settings, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dashboard]:
    state = tmp_path_factory.mktemp("web")
    (state / "temporal").mkdir()
    with (
        temporal_dev_server(state / "temporal") as address,
        dashboard(settings, state, address) as running,
    ):
        yield running


@pytest.fixture(scope="package")
def acme(web: Dashboard, registry: Registry) -> Workspace:
    """A workspace with the test registry as its default, an owner and a member."""
    namespace = f"web-{uuid.uuid4().hex[:8]}"
    web.call("POST", "/workspaces", {"slug": "acme", "name": "Acme"}, expect=201)
    web.call(
        "POST", "/workspaces/acme/registries",
        {"name": "local", "kind": "generic", "url": registry.address, "namespace": namespace,
         "is_default": True},
        expect=201,
    )  # fmt: skip
    owner = web.add_user("owner@acme.test", "acme", Role.OWNER)
    member = web.add_user("member@acme.test", "acme", Role.MEMBER)
    return Workspace("acme", namespace, owner, member)


@pytest.fixture(scope="package")
def browser(web: Dashboard) -> Iterator[Browser]:
    """Started after the service: Playwright's sync API keeps an event loop on this thread."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def owner_page(context: BrowserContext, web: Dashboard, acme: Workspace) -> Page:
    page = context.new_page()
    login(page, web.url, acme.owner)
    return page
