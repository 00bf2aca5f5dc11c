"""Every page: role checks as in the REST API, CSRF, secrets never in the page, the quota warning
at 70 % / 90 %, reading without JavaScript, 375 px wide, labels, contrast, keyboard, empty and
error states."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Workspace
from tests.browser.harness import Dashboard, dockerfile_repo, login

pytestmark = pytest.mark.browser
GIB = 1024**3
Form = dict[str, str | float | bool]

# The contrast ratio (WCAG) of each text element against its effective background.
LOW_CONTRAST = """
() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
    if (!el.offsetParent || !text) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(el.tagName + "." + el.className + ": " + ratio.toFixed(2));
  }
  return low;
}
"""
UNLABELLED = """
() => [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
  .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label")).map((el) => el.name)
"""


@pytest.fixture(scope="module")
def built(web: Dashboard, acme: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An app with one finished build (made through the REST API)."""
    repo = dockerfile_repo(
        tmp_path_factory.mktemp("tiny") / "repo", f"RUN echo kiln-tiny-{uuid.uuid4().hex}"
    )
    build = web.build_app(acme.slug, "tiny", repo)
    assert build["status"] == "built", build
    return build


def pages(ws: str, build: dict[str, Any]) -> list[str]:
    return ["/", f"/w/{ws}", f"/w/{ws}/apps/{build['app']}", f"/builds/{build['id']}",
            f"/w/{ws}/registries", f"/w/{ws}/quota"]  # fmt: skip


def csrf_of(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "kiln_csrf")


def test_pages_need_a_session(context: BrowserContext, web: Dashboard, acme: Workspace) -> None:
    page = context.new_page()
    page.goto(f"{web.url}/w/{acme.slug}/quota")
    expect(page).to_have_url(f"{web.url}/login?next=/w/{acme.slug}/quota")
    page.get_by_label("Email").fill(acme.owner)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("wrong email or password")
    login(page, web.url, acme.owner)
    page.goto(f"{web.url}/login?next=//evil.example/")
    page.get_by_label("Email").fill(acme.owner)
    page.get_by_label("Password").fill(web.users[acme.owner])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{web.url}/")


def test_secrets_never_reach_the_page(
    owner_page: Page, web: Dashboard, acme: Workspace, tmp_path: Path
) -> None:
    secret, hook_secret = f"reg-secret-{uuid.uuid4().hex}", f"hook-secret-{uuid.uuid4().hex}"
    page = owner_page
    page.goto(f"{web.url}/w/{acme.slug}/registries")
    form = page.locator("#add-registry")
    form.get_by_label("Name", exact=True).fill("private")
    form.get_by_label("URL (host[:port])").fill("127.0.0.1:9")
    form.get_by_label("Username").fill("robot")
    form.get_by_label("Secret (token or password; write-only)").fill(secret)
    form.get_by_role("button", name="Add registry").click()
    row = page.locator("#registries tr", has_text="private")
    expect(row.locator("td").nth(4)).to_have_text("set")
    assert secret not in page.content()

    row.get_by_role("button", name="Test connection").click()
    expect(page.locator("#check-result")).to_contain_text("private: connection failed")
    assert secret not in page.content()

    edit = page.locator("details", has_text="Edit private")
    edit.get_by_text("Edit private").click()
    edit.get_by_label("Namespace").fill("team")
    edit.get_by_role("button", name="Save private").click()
    row = page.locator("#registries tr", has_text="127.0.0.1:9/team")
    expect(row.locator("td").nth(4)).to_have_text("set")
    stored = {r["name"]: r for r in web.call("GET", f"/workspaces/{acme.slug}/registries")}
    assert stored["private"]["has_secret"] and stored["private"]["namespace"] == "team"
    assert secret not in page.content()

    edit.get_by_text("Edit private").click()
    edit.get_by_label("Username").fill("")
    edit.get_by_label("Remove the stored secret").check()
    edit.get_by_role("button", name="Save private").click()
    expect(page.locator("#registries tr", has_text="private").locator("td").nth(4)).to_have_text(
        "not set"
    )

    page.locator("#registries tr", has_text="private").get_by_role("button", name="Delete").click()
    expect(page.locator("#registries tr", has_text="private")).to_have_count(0)

    web.call(
        "POST", f"/workspaces/{acme.slug}/apps",
        {"slug": "hooked", "repo_url": str(tmp_path), "webhook_secret": hook_secret}, expect=201,
    )  # fmt: skip
    for path in (f"/w/{acme.slug}/apps/hooked", f"/w/{acme.slug}"):
        page.goto(web.url + path)
        assert hook_secret not in page.content()


def test_members_read_but_do_not_manage(
    context: BrowserContext, web: Dashboard, acme: Workspace, built: dict[str, Any]
) -> None:
    page = context.new_page()
    login(page, web.url, acme.member)
    page.goto(f"{web.url}/w/{acme.slug}")
    expect(page.get_by_role("link", name="tiny")).to_be_visible()
    expect(page.get_by_role("button", name="Create app")).to_have_count(0)
    page.goto(f"{web.url}/w/{acme.slug}/apps/tiny")
    expect(page.locator("#image-digest")).to_have_text(built["digest"])
    expect(page.get_by_role("button", name="Build now")).to_have_count(0)
    page.goto(f"{web.url}/w/{acme.slug}/registries")
    expect(page.get_by_role("cell", name="local")).to_be_visible()
    expect(page.get_by_role("button", name="Add registry")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    page.goto(f"{web.url}/w/{acme.slug}/quota")
    expect(page.get_by_role("button", name="Preview cleanup")).to_have_count(0)

    form: Form = {"csrf_token": csrf_of(context), "name": "sneaky", "kind": "generic",
            "url": "127.0.0.1:9"}  # fmt: skip
    refused = page.request.post(f"{web.url}/w/{acme.slug}/registries", form=form)
    assert refused.status == 403 and "Not allowed" in refused.text()
    build = page.request.post(f"{web.url}/w/{acme.slug}/apps/tiny/build", form=form)
    assert build.status == 403
    names = [r["name"] for r in web.call("GET", f"/workspaces/{acme.slug}/registries")]
    assert "sneaky" not in names


def test_forms_need_the_csrf_token(owner_page: Page, web: Dashboard, acme: Workspace) -> None:
    form: Form = {"name": "forged", "kind": "generic", "url": "127.0.0.1:9"}
    refused = owner_page.request.post(f"{web.url}/w/{acme.slug}/registries", form=form)
    assert refused.status == 403 and "CSRF" in refused.text()
    forged: Form = {**form, "csrf_token": "not-the-token"}
    assert owner_page.request.post(f"{web.url}/w/{acme.slug}/registries", form=forged).status == 403
    names = [r["name"] for r in web.call("GET", f"/workspaces/{acme.slug}/registries")]
    assert "forged" not in names


def test_quota_warning_from_70_and_90_percent(
    owner_page: Page, web: Dashboard, acme: Workspace, built: dict[str, Any]
) -> None:
    used = web.call("GET", f"/workspaces/{acme.slug}/registry-usage")["used_bytes"]
    assert used > 0
    page = owner_page
    try:
        page.goto(f"{web.url}/w/{acme.slug}")
        expect(page.locator("#quota-warning")).to_have_count(0)  # 10 GiB: far below 70 %
        web.call("PATCH", f"/workspaces/{acme.slug}", {"quota_bytes": int(used / 0.75)}, 200)
        page.reload()
        warning = page.locator("#quota-warning")
        expect(warning).to_contain_text("oldest images will be cleaned up automatically")
        expect(warning).to_have_class("alert alert-warn")

        page.goto(f"{web.url}/w/{acme.slug}/quota")
        page.get_by_label("Quota (MB)").fill(f"{used / 0.95 / 1e6:.6f}")
        page.get_by_role("button", name="Set quota").click()
        expect(page.locator("#quota-warning")).to_have_class("alert alert-danger")
        assert 90 <= web.call("GET", f"/workspaces/{acme.slug}/registry-usage")["percent"] < 100
        expect(page.locator("#usage-by-app li", has_text="tiny")).to_be_visible()

        page.get_by_role("button", name="Preview cleanup").click()
        expect(page.locator("#preview-result")).to_contain_text("Nothing was deleted")
        expect(page.locator("tbody tr", has_text="dry run").first).to_be_visible()
        assert web.call("GET", f"/workspaces/{acme.slug}/registry-usage")["used_bytes"] == used
    finally:  # no cleanup may delete the other tests' images
        web.call("PATCH", f"/workspaces/{acme.slug}", {"quota_bytes": 10 * GIB}, 200)


def test_reading_works_without_javascript(
    browser: Browser, web: Dashboard, acme: Workspace, built: dict[str, Any]
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, web.url, acme.owner)
        page.goto(f"{web.url}/builds/{built['id']}")
        expect(page.locator("#build-status")).to_have_attribute("data-status", "built")
        expect(page.locator("#build-digest")).to_have_text(built["digest"])
        stored = web.api.get(f"/api/v1/builds/{built['id']}/logs").text.splitlines()
        expect(page.locator("#log .line")).to_have_count(len(stored))
        expect(page.get_by_role("button", name="Copy")).to_be_hidden()
        page.goto(f"{web.url}/w/{acme.slug}/apps/tiny")
        expect(page.locator("#history tbody tr")).to_have_count(1)
    finally:
        context.close()


def test_narrow_screens_labels_contrast_and_keyboard(
    browser: Browser, web: Dashboard, acme: Workspace, built: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        login(page, web.url, acme.owner)
        for path in pages(acme.slug, built):
            page.goto(web.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
            assert page.evaluate(UNLABELLED) == [], path
            assert page.evaluate(LOW_CONTRAST) == [], path
            expect(page.locator("h1")).to_have_count(1)
        page.goto(f"{web.url}/w/{acme.slug}/apps/tiny")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        for _ in range(30):  # the Build now button is reachable by keyboard
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "build-now":
                break
        assert page.evaluate("document.activeElement.id") == "build-now"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
    finally:
        context.close()


def test_empty_and_error_states(owner_page: Page, web: Dashboard) -> None:
    page = owner_page
    page.goto(f"{web.url}/")
    page.get_by_label("Slug", exact=True).fill("empty")
    page.get_by_label("Name", exact=True).fill("Empty Co")
    page.get_by_role("button", name="Create workspace").click()
    expect(page).to_have_url(f"{web.url}/w/empty")
    expect(page.get_by_text("No apps yet.")).to_be_visible()
    expect(page.get_by_text("No registry yet")).to_be_visible()
    page.goto(f"{web.url}/w/empty/registries")
    expect(page.get_by_text("No registries yet")).to_be_visible()
    page.goto(f"{web.url}/w/empty/quota")
    expect(page.get_by_text("No images tracked yet.")).to_be_visible()
    expect(page.get_by_text("No cleanups yet.")).to_be_visible()

    for path in ("/w/empty/apps/nope", "/w/nobody-here", f"/builds/{uuid.uuid4()}"):
        response = page.goto(web.url + path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    bad = page.request.post(
        f"{web.url}/w/empty/apps",
        form={"csrf_token": csrf_of(page.context), "slug": "Bad Slug!", "repo_url": "x"},
    )
    assert bad.status == 422 and "slug" in bad.text() and "<h1>" in bad.text()
