"""A failing build shows its error summary above the log and offers Retry; Cancel stops a
running build."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Workspace
from tests.browser.harness import BUILD_MS, Dashboard, dockerfile_repo

pytestmark = pytest.mark.browser


def add_app(web: Dashboard, ws: str, slug: str, repo: str) -> None:
    web.call(
        "POST", f"/workspaces/{ws}/apps", {"slug": slug, "repo_url": repo, "branch": "main"},
        expect=201,
    )  # fmt: skip


def press_build(page: Page, web: Dashboard, ws: str, app: str) -> str:
    page.goto(f"{web.url}/w/{ws}/apps/{app}")
    page.get_by_role("button", name="Build now").click()
    page.wait_for_url("**/builds/*")
    return page.url.rsplit("/", 1)[1]


def test_failed_build_shows_its_summary_and_retries(
    owner_page: Page, web: Dashboard, acme: Workspace, tmp_path: Path
) -> None:
    marker = f"kiln-broken-{uuid.uuid4().hex[:10]}"
    repo = dockerfile_repo(tmp_path / "repo", f"RUN echo {marker} && exit 7")
    add_app(web, acme.slug, "broken", repo)
    page = owner_page
    build_id = press_build(page, web, acme.slug, "broken")
    expect(page.locator("#build-status")).to_have_attribute(
        "data-status", "failed", timeout=BUILD_MS
    )
    build = web.call("GET", f"/builds/{build_id}", expect=200)
    assert build["error_summary"]
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text(build["error_summary"])
    if build["error_suggestion"]:
        expect(summary).to_contain_text(build["error_suggestion"])
    # The summary comes before the log.
    assert page.evaluate(
        "document.getElementById('error-summary').compareDocumentPosition("
        "document.getElementById('log')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    expect(page.locator("#log .line", has_text=marker).first).to_be_visible()
    expect(page.locator("#cancel")).to_have_count(0)

    page.get_by_role("button", name="Retry").click()
    page.wait_for_url(lambda url: not url.endswith(build_id))
    retried = web.call("GET", f"/builds/{page.url.rsplit('/', 1)[1]}", expect=200)
    assert retried["retry_of"] == build_id and retried["trigger"] == "retry"
    expect(page.get_by_role("heading", name=f"Build #{retried['number']}")).to_be_visible()
    expect(page.locator("#build-status")).to_have_attribute(
        "data-status", "failed", timeout=BUILD_MS
    )


def test_cancel_stops_a_running_build(
    owner_page: Page, web: Dashboard, acme: Workspace, tmp_path: Path
) -> None:
    marker = f"kiln-slow-{uuid.uuid4().hex[:10]}"
    repo = dockerfile_repo(tmp_path / "repo", f"RUN echo {marker} && sleep 60")
    add_app(web, acme.slug, "slow", repo)
    page = owner_page
    build_id = press_build(page, web, acme.slug, "slow")
    running = page.locator("#log .line", has_text=re.compile(f"^{marker}$"))
    expect(running).to_be_visible(timeout=BUILD_MS)
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#build-status")).to_have_attribute(
        "data-status", "cancelled", timeout=30_000
    )
    assert web.call("GET", f"/builds/{build_id}", expect=200)["status"] == "cancelled"
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.locator("#cancel")).to_have_count(0)
