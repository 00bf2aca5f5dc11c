"""Needs beyond Node.js: Prisma (generate, openssl), Puppeteer and Playwright (chromium)."""

from __future__ import annotations

from kiln.detect.providers.node.manifest import PackageJson
from kiln.detect.repo import RepoView
from kiln.plan.model import BuildPlan

BROWSER = "/usr/bin/chromium"
PLAYWRIGHT = ("playwright", "playwright-core", "playwright-chromium", "@playwright/test")


def apply_system_deps(repo: RepoView, app: PackageJson, plan: BuildPlan) -> list[str]:
    """Adjust the plan; return commands to run before the build (e.g. `prisma generate`)."""
    before_build: list[str] = []
    if app.depends_on("prisma") or app.depends_on("@prisma/client"):
        prefix = f"{app.directory}/" if app.directory else ""
        schema = next(
            (
                p
                for p in (f"{prefix}prisma/schema.prisma", f"{prefix}schema.prisma")
                if repo.has_file(p)
            ),
            None,
        )
        if schema is not None and app.depends_on("prisma"):
            before_build.append(f"prisma generate --schema {schema}")
            plan.detected_files.append(schema)
            plan.explain(f"runs `prisma generate` before the build because {schema} exists")
        elif schema is None:
            plan.explain("Prisma is a dependency but no prisma/schema.prisma was found")
        else:
            plan.explain("Prisma client without the prisma CLI: add prisma to devDependencies")
        plan.apt_packages.append("openssl")
        plan.explain("installs openssl in the runtime image: Prisma's query engine links it")
    if app.depends_on("puppeteer"):
        plan.apt_packages.append("chromium")
        plan.env["PUPPETEER_SKIP_DOWNLOAD"] = "true"
        plan.runtime_env["PUPPETEER_EXECUTABLE_PATH"] = BROWSER
        plan.explain(
            "Puppeteer: installs Debian's chromium in the runtime image, skips the browser "
            f"download and points PUPPETEER_EXECUTABLE_PATH at {BROWSER}"
        )
    playwright = next((p for p in PLAYWRIGHT if app.depends_on(p)), None)
    if playwright is not None:
        plan.apt_packages.append("chromium")
        plan.env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
        plan.runtime_env["KILN_CHROMIUM_PATH"] = BROWSER
        plan.explain(
            f"{playwright}: installs Debian's chromium (launch it with executablePath "
            f"{BROWSER}) instead of downloading Playwright's browsers"
        )
    plan.apt_packages[:] = sorted(set(plan.apt_packages))
    return before_build
