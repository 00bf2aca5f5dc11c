"""Gleam (`gleam.toml`, Erlang target): an Erlang shipment run on an Erlang runtime image.

Debian packages no Gleam compiler and no registry this host reaches ships one, so the catalog's
Gleam images are user-provided: the plan names them and explains what the operator must mirror.
"""

from __future__ import annotations

from kiln.detect.pins import requested_version, use_language_bases
from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.version_ranges import mix_requirement, release_line
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "1.9"
SHIPMENT = "/app/build/erlang-shipment"


class GleamProvider:
    name = "gleam"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("gleam.toml")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        data = repo.read_toml("gleam.toml")
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ManifestError("gleam.toml has no `name`")
        target = data.get("target", "erlang")
        if target != "erlang":
            raise ManifestError(
                f"gleam.toml targets {target!r}: kiln builds Gleam's Erlang target only",
                hint='set target = "erlang", or bring a Dockerfile',
            )
        plan = BuildPlan(provider=self.name, language="gleam", package_manager="gleam", port=PORT)
        plan.detected_files.append("gleam.toml")
        requirement = data.get("gleam")
        manifest = (
            VersionRequest(requirement, "gleam.toml (gleam)", mix_requirement(requirement))
            if isinstance(requirement, str)
            else None
        )
        request = requested_version(
            ctx, pins=[], tools=("gleam",), pinned=release_line, manifest=manifest
        )
        version = ctx.choose_version(plan, "gleam", request, DEFAULT_VERSION)
        plan.language_version = version
        use_language_bases(ctx, plan, "gleam", version)
        plan.install_files = ["gleam.toml"]
        if repo.has_file("manifest.toml"):
            plan.install_files.append("manifest.toml")
            plan.detected_files.append("manifest.toml")
        plan.install = ["gleam deps download"]
        plan.build = ["gleam export erlang-shipment"]
        plan.caches = [CacheMount(id="gleam", target="/root/.cache/gleam")]
        plan.artifacts = [SHIPMENT]
        plan.start = f"{SHIPMENT}/entrypoint.sh run"
        plan.explain(
            "an Erlang shipment (gleam export erlang-shipment) run by its entrypoint.sh on the "
            "Erlang runtime image; the Gleam compiler stays in the build stage"
        )
        return plan
