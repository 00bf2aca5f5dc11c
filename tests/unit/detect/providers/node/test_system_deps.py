from kiln.plan.bases import Catalog
from kiln.plan.dockerfile import render
from tests.unit.conftest import WriteFiles
from tests.unit.detect.providers.node.helpers import explained, manifest, plan_of


def test_prisma_generates_before_the_build_and_gets_openssl(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {
        "package.json": manifest(
            dependencies={"@prisma/client": "6", "express": "4"},
            devDependencies={"prisma": "6"},
            scripts={"build": "tsc", "start": "node dist/server.js"},
        ),
        "package-lock.json": "{}",
        "prisma/schema.prisma": 'datasource db { provider = "sqlite" }\n',
    }
    plan = plan_of(project, catalog, files)
    assert plan.build == ["prisma generate --schema prisma/schema.prisma", "npm run build"]
    assert plan.apt_packages == ["openssl"]
    assert "prisma/schema.prisma" in plan.detected_files
    assert "apt-get install -y --no-install-recommends openssl" in render(plan, with_ca=False)


def test_prisma_without_schema_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(dependencies={"@prisma/client": "6"})}
    plan = plan_of(project, catalog, files)
    assert plan.build == []
    assert explained(plan, "no prisma/schema.prisma was found")


def test_puppeteer_uses_debian_chromium(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(dependencies={"puppeteer": "24"}, main="i.js"), "i.js": ""}
    plan = plan_of(project, catalog, files)
    assert plan.apt_packages == ["chromium"]
    assert plan.env["PUPPETEER_SKIP_DOWNLOAD"] == "true"
    assert plan.runtime_env["PUPPETEER_EXECUTABLE_PATH"] == "/usr/bin/chromium"


def test_playwright_skips_its_browser_download(project: WriteFiles, catalog: Catalog) -> None:
    deps = {"playwright": "1", "puppeteer": "24"}
    files = {"package.json": manifest(dependencies=deps, main="i.js"), "i.js": ""}
    plan = plan_of(project, catalog, files)
    assert plan.apt_packages == ["chromium"]  # once, however many ask for it
    assert plan.env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] == "1"
