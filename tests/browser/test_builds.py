"""Create an app, press Build, watch the log arrive live (through a dropped connection, with no
line repeated) and the status reach "built" with the registry's digest; a failing build shows its
summary and can be retried; Cancel stops a running build."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Workspace
from tests.browser.harness import (
    BUILD_MS,
    TEMPORAL_UI,
    Dashboard,
    dockerfile_repo,
    login,
    registry_digest,
)
from tests.support.servers import Registry

pytestmark = pytest.mark.browser
DURATION = re.compile(r"^\d+(\.\d)? s$|^\d+ min \d+ s$")

# Every `.line` element the page adds, per document (performance.timeOrigin tells them apart).
RECORD_LINES = """
const origin = String(performance.timeOrigin);
new MutationObserver((mutations) => {
  for (const mutation of mutations) for (const node of mutation.addedNodes)
    if (node.classList && node.classList.contains("line"))
      window.kilnLine(origin, Number(node.dataset.seq));
}).observe(document, { childList: true, subtree: true });
"""


def create_app(page: Page, web: Dashboard, ws: str, slug: str, repo: str) -> None:
    page.goto(f"{web.url}/w/{ws}")
    page.get_by_label("Name (slug)").fill(slug)
    page.get_by_label("Repository URL").fill(repo)
    page.get_by_label("Branch").fill("main")
    page.get_by_role("button", name="Create app").click()
    page.wait_for_url(f"**/w/{ws}/apps/{slug}")


def status_of(page: Page) -> str:
    return str(page.locator("#build-status").get_attribute("data-status"))


def test_build_streams_live_and_shows_the_registry_digest(
    context: BrowserContext, web: Dashboard, acme: Workspace, registry: Registry, tmp_path: Path
) -> None:
    seen: dict[str, list[int]] = defaultdict(list)
    context.expose_function("kilnLine", lambda origin, seq: seen[origin].append(seq))
    context.add_init_script(RECORD_LINES)
    page = context.new_page()
    login(page, web.url, acme.owner)
    marker = f"kiln-web-{uuid.uuid4().hex[:10]}"
    repo = dockerfile_repo(
        tmp_path / "repo", f"RUN echo {marker}-start && sleep 5 && echo {marker}-done"
    )
    create_app(page, web, acme.slug, "hello", repo)
    expect(page.get_by_text("Auto-detect on build")).to_be_visible()
    expect(page.get_by_text("No builds yet.")).to_be_visible()

    page.get_by_role("button", name="Build now").click()
    page.wait_for_url("**/builds/*")
    build_id = page.url.rsplit("/", 1)[1]
    # Lines arrive while the build runs: the RUN step's first line, 5 s before it ends.
    started = page.locator("#log .line", has_text=re.compile(f"^{marker}-start$"))
    expect(started).to_be_visible(timeout=BUILD_MS)
    assert status_of(page) == "building"
    expect(page.locator('#timeline li[data-step="clone"] .step-state')).to_have_text("done")
    expect(page.locator('#timeline li[data-step="build"] .step-state')).to_have_text("running")
    assert web.proxy.cut() >= 1  # drop the live stream mid-build: EventSource reconnects
    expect(page.locator("#build-status")).to_have_attribute(
        "data-status", "built", timeout=BUILD_MS
    )

    build = web.call("GET", f"/builds/{build_id}", expect=200)
    # The end of the stream reloads the page, which then shows the image and its digest.
    expect(page.locator("#build-digest")).to_have_text(build["digest"])
    stored = len(web.api.get(f"/api/v1/builds/{build_id}/logs").text.splitlines())
    live, reloaded = list(seen.values())[:2]  # the live document, then the reloaded one
    assert reloaded == list(range(1, stored + 1))
    assert live == list(range(1, stored + 1)), "each line once, in order, across the cut"

    tag = build["image_ref"].rsplit(":", 1)[1]
    assert build["digest"] == registry_digest(registry.url, f"{acme.namespace}/hello", tag)
    for step in ("clone", "analyze", "build", "push"):
        item = page.locator(f'#timeline li[data-step="{step}"]')
        expect(item.locator(".step-state")).to_have_text("done")
        expect(item.locator(".step-time")).to_have_text(DURATION)
    expect(page.locator("#temporal-link")).to_have_attribute(
        "href", f"{TEMPORAL_UI}/namespaces/default/workflows/{build['workflow_id']}"
    )

    page.goto(f"{web.url}/w/{acme.slug}/apps/hello")
    expect(page.locator("#image-digest")).to_have_text(build["digest"])
    expect(page.get_by_text("Built just now")).to_be_visible()
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.get_by_text("Language", exact=True)).to_be_visible()
