"""`make screenshots`: start the service (real registry, Temporal, buildah) with sample data and
write a PNG of each dashboard page to docs/screenshots/ (desktop, and 375 px wide).

Run from the repository root: `python -m scripts.screenshots`."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from kiln.baseimages.bootstrap import BootstrapTarget, bootstrap
from kiln.config import Settings
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine
from kiln.service.access import Role
from tests.browser.harness import Dashboard, dashboard, dockerfile_repo, launch, login
from tests.support.servers import run_registry
from tests.support.temporal import temporal_dev_server

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CACHE = ROOT / ".kiln" / "test-cache"
WEB = """RUN echo "installing dependencies ({nonce})" && sleep 1 && echo "added 42 packages"
RUN echo "building assets" && sleep 1 && echo "done in 1.2 s"
"""


def sample_data(web: Dashboard, registry: str, state: Path) -> dict[str, str]:
    """A workspace with two registries, three apps, a failed build and two good ones."""
    web.call("POST", "/workspaces", {"slug": "acme", "name": "Acme"}, expect=201)
    web.call(
        "POST", "/workspaces/acme/registries",
        {"name": "local", "kind": "generic", "url": registry, "namespace": "acme-demo",
         "is_default": True}, expect=201,
    )  # fmt: skip
    web.call(
        "POST", "/workspaces/acme/registries",
        {"name": "ghcr", "kind": "ghcr", "url": "ghcr.io", "namespace": "acme",
         "username": "acme-bot", "secret": f"ghp_{uuid.uuid4().hex}"}, expect=201,
    )  # fmt: skip
    web.add_user("ada@acme.test", "acme", Role.OWNER)
    nonce = uuid.uuid4().hex[:8]
    web_repo = dockerfile_repo(state / "web", WEB.format(nonce=nonce))
    first = web.build_app("acme", "web", web_repo)
    second = web.call("POST", "/workspaces/acme/apps/web/builds", {"force": True}, expect=202)
    second = web.wait_build(second["id"])
    api_repo = dockerfile_repo(state / "api", "RUN echo 'npm ERR! missing script: build' && exit 1")
    failed = web.build_app("acme", "api", api_repo)
    web.call("POST", "/workspaces/acme/apps", {"slug": "worker", "repo_url": web_repo}, 201)
    used = web.call("GET", "/workspaces/acme/registry-usage")["used_bytes"]
    web.call("PATCH", "/workspaces/acme", {"quota_bytes": int(used / 0.74)}, 200)
    web.call("POST", "/workspaces/acme/registry-cleanup", {"dry_run": True}, 200)
    assert first["status"] == second["status"] == "built" and failed["status"] == "failed"
    return {"built": second["id"], "failed": failed["id"]}


def shoot(page: Page, url: str, name: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"wrote docs/screenshots/{name}.png")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="kiln-screens-") as scratch,
        run_registry(CACHE / "registry") as registry,
    ):
        state = Path(scratch)
        settings = Settings(data_dir=state / "base-data")
        reporter = Reporter(log=lambda _: None)
        target = BootstrapTarget(registry.address, "kiln")
        asyncio.run(bootstrap(settings, target, default_engine(settings), reporter))
        (state / "temporal").mkdir()
        with (
            temporal_dev_server(state / "temporal") as address,
            dashboard(settings, state, address) as web,
        ):
            ids = sample_data(web, registry.address, state)
            with sync_playwright() as playwright:
                browser = launch(playwright)
                desktop = browser.new_page(viewport={"width": 1280, "height": 800})
                shoot(desktop, f"{web.url}/login", "login")
                login(desktop, web.url, "ada@acme.test")
                pages = {
                    "workspace": "/w/acme", "app": "/w/acme/apps/web",
                    "app-empty": "/w/acme/apps/worker", "build": f"/builds/{ids['built']}",
                    "build-failed": f"/builds/{ids['failed']}", "registries": "/w/acme/registries",
                    "quota": "/w/acme/quota",
                }  # fmt: skip
                for name, path in pages.items():
                    shoot(desktop, web.url + path, name)
                phone = browser.new_page(viewport={"width": 375, "height": 812})
                login(phone, web.url, "ada@acme.test")
                for name in ("workspace", "build", "app"):
                    shoot(phone, web.url + pages[name], f"{name}-375")
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
