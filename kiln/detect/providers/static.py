"""A static site served by a tiny HTTP server, no build step.

The site's root is, in order: the `root:` of a `Staticfile` (Cloud Foundry's format), the
repository itself when index.html is there, or a `public/` / `dist/` directory with an index.html.
"""

from __future__ import annotations

from kiln.detect.provider import DetectContext
from kiln.detect.repo import RepoView
from kiln.errors import CatalogError, ManifestError
from kiln.plan.model import BaseImages, BuildPlan

PORT = 8080
SITE_DIRS = ("public", "dist")
SERVED_DIR = "/app"


def staticfile_root(text: str) -> str | None:
    """The `root:` of a Staticfile (`key: value` lines; other keys are ignored)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise ManifestError(f"Staticfile line {number}: expected `key: value`, got {line!r}")
        if key.strip() == "root":
            root = value.strip().strip("\"'").strip("/")
            return root or "."
    return None


def site_root(repo: RepoView) -> tuple[str, str] | None:
    """(directory, why) of the site, or None when this is not a static site."""
    if repo.has_file("Staticfile"):
        root = staticfile_root(repo.read_text("Staticfile")) or "."
        if not repo.has_dir(root):
            raise ManifestError(f"Staticfile: root {root!r} is not a directory in the repository")
        return root, f"Staticfile names {root!r} as the root"
    if repo.has_file("index.html"):
        return ".", "index.html is at the root"
    for directory in SITE_DIRS:
        if repo.has_file(f"{directory}/index.html"):
            return directory, f"{directory}/index.html exists"
    return None


def serve_command(serve: str, root: str) -> str:
    """The base's serve command (which serves /app) pointed at the site's directory."""
    if root == ".":
        return serve
    tokens = serve.split(" ")
    if SERVED_DIR not in tokens:
        raise CatalogError(f"the static base's serve command does not name {SERVED_DIR}: {serve}")
    return " ".join(f"{SERVED_DIR}/{root}" if t == SERVED_DIR else t for t in tokens)


class StaticProvider:
    name = "static"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("Staticfile") or site_root(repo) is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        found = site_root(ctx.repo)
        if found is None:
            raise ManifestError(
                "no static site: add index.html, a Staticfile, or public/ or dist/ with index.html"
            )
        root, why = found
        base = ctx.catalog.static_base()
        if base.serve is None:
            raise CatalogError(f"the static base {base.image} does not say how it serves files")
        detected = "Staticfile" if ctx.repo.has_file("Staticfile") else f"{root}/index.html"
        plan = BuildPlan(
            provider=self.name,
            language="html",
            start=serve_command(base.serve, root),
            port=PORT,
            detected_files=[detected.removeprefix("./")],
            bases=BaseImages(build=None, runtime=base.pinned),
        )
        plan.explain(f"a static site because {why}")
        where = "" if root == "." else f" from {root}/"
        plan.explain(f"served by the static base image{where} on port {PORT}")
        return plan
