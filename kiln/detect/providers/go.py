"""Go modules: a static binary built with the module's Go version, alone on the plain base."""

from __future__ import annotations

import re

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.versions import minimum
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "1.24"
BINARY = "/out/app"
_MODULE = re.compile(r"^module\s+(\S+)", re.MULTILINE)
_GO_LINE = re.compile(r"^go\s+(\d+\.\d+(?:\.\d+)?)\s*$", re.MULTILINE)


class GoProvider:
    name = "go"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("go.mod")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        gomod = repo.read_text("go.mod")
        if not _MODULE.search(gomod):
            raise ManifestError("go.mod has no `module` line")
        plan = BuildPlan(provider=self.name, language="go", package_manager="go modules", port=PORT)
        plan.detected_files.append("go.mod")
        go_line = _GO_LINE.search(gomod)
        request = ctx.override_request(minimum) or (
            VersionRequest(go_line.group(1), "go.mod", minimum(go_line.group(1)))
            if go_line
            else None
        )
        version = ctx.choose_version(plan, "go", request, DEFAULT_VERSION)
        plan.language_version = version
        ctx.use_bases(plan, "go", version, slim=True)

        plan.install_files = ["go.mod"]
        if repo.has_file("go.sum"):
            plan.install_files.append("go.sum")
            plan.detected_files.append("go.sum")
        plan.install = ["go mod download"]
        plan.caches = [
            CacheMount(id="go-mod", target="/root/go/pkg/mod"),
            CacheMount(id="go-build", target="/root/.cache/go-build"),
        ]
        package = self._main_package(repo, plan)
        plan.build = [f'go build -trimpath -ldflags="-s -w" -o {BINARY} {package}']
        plan.env = {"CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
        plan.artifacts = [BINARY]
        plan.start = BINARY
        plan.explain("a static binary (CGO_ENABLED=0) shipped alone on the plain runtime base")
        return plan

    @staticmethod
    def _main_package(repo: RepoView, plan: BuildPlan) -> str:
        commands = [name for name in repo.list_dir("cmd") if repo.has_dir(f"cmd/{name}")]
        if any(name.endswith(".go") for name in repo.list_dir(".")):
            plan.explain("builds the main package at the repository root")
            return "."
        if commands:
            plan.explain(
                f"builds ./cmd/{commands[0]}"
                + (f" (first of {', '.join(commands)})" if len(commands) > 1 else "")
            )
            return f"./cmd/{commands[0]}"
        raise ManifestError("go.mod found but no Go files at the root and no cmd/<name> directory")
