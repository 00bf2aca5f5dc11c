"""A static site: an index.html served by a tiny HTTP server, no build step."""

from __future__ import annotations

from kiln.detect.provider import DetectContext
from kiln.detect.repo import RepoView
from kiln.errors import CatalogError
from kiln.plan.model import BaseImages, BuildPlan

PORT = 8080


class StaticProvider:
    name = "static"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("index.html")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        base = ctx.catalog.static_base()
        if base.serve is None:
            raise CatalogError(f"the static base {base.image} does not say how it serves files")
        plan = BuildPlan(
            provider=self.name,
            language="html",
            start=base.serve,
            port=PORT,
            detected_files=["index.html"],
            bases=BaseImages(build=None, runtime=base.pinned),
        )
        plan.explain("a static site because index.html is at the root")
        plan.explain(f"served by the static base image on port {PORT}")
        return plan
