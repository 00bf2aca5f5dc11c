"""Go modules and workspaces: one binary built with the module's Go version, alone at run time.

Without cgo the binary is static and goes on the plain runtime base; with cgo (`import "C"`)
it links glibc dynamically and goes on the plain base of the build image's Debian suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiln.detect.pins import PinFile, first_line, requested_version, use_binary_bases
from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.version_ranges import release_line
from kiln.detect.versions import minimum
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "1.24"
BINARY = "/out/app"
MAX_SCANNED_FILES = 400
MAX_DEPTH = 6
SKIPPED_DIRS = {"vendor", "testdata", "node_modules"}
_MODULE = re.compile(r"^module\s+\"?([^\s\"]+)", re.MULTILINE)
_GO_LINE = re.compile(r"^go\s+(\d+\.\d+(?:\.\d+)?)\s*$", re.MULTILINE)
_TOOLCHAIN = re.compile(r"^toolchain\s+go(\d+\.\d+(?:\.\d+)?)\S*\s*$", re.MULTILINE)
_USE_BLOCK = re.compile(r"^use\s*\(([^)]*)\)", re.MULTILINE)
_USE_ONE = re.compile(r"^use\s+([^\s(]+)\s*$", re.MULTILINE)
_PACKAGE_MAIN = re.compile(r"^package\s+main\b", re.MULTILINE)
_IMPORT_C = re.compile(r'^\s*import\s+"C"|^import\s*\([^)]*^\s*"C"\s*$', re.MULTILINE)


def go_version_pin(text: str) -> str | None:
    """`.go-version` holds `1.22.3` (goenv) or `go1.22.3`."""
    line = first_line(text)
    return line.removeprefix("go") if line else None


def without_comments(text: str) -> str:
    return "\n".join(line.split("//", 1)[0].rstrip() for line in text.splitlines())


@dataclass(frozen=True)
class GoSources:
    """What a bounded walk over the `.go` files found."""

    main_dirs: list[str]
    uses_cgo: bool
    truncated: bool


def scan_sources(repo: RepoView, roots: list[str]) -> GoSources:
    """Walk the module directories (bounded in depth and files; symlink loops end the walk)."""
    main_dirs: list[str] = []
    uses_cgo = False
    scanned = 0
    pending = [(root, 0) for root in roots]
    while pending:
        directory, depth = pending.pop(0)
        for name in repo.list_dir(directory):
            path = name if directory == "." else f"{directory}/{name}"
            if repo.has_dir(path):
                if (
                    depth < MAX_DEPTH
                    and not name.startswith((".", "_"))
                    and name not in SKIPPED_DIRS
                ):
                    pending.append((path, depth + 1))
                continue
            if not name.endswith(".go") or name.endswith("_test.go") or not repo.has_file(path):
                continue
            if scanned >= MAX_SCANNED_FILES:
                return GoSources(main_dirs, uses_cgo, truncated=True)
            scanned += 1
            try:
                text = repo.read_text(path)
            except ManifestError:
                continue  # a binary or huge file named *.go is not a source we can read
            if _PACKAGE_MAIN.search(text) and directory not in main_dirs:
                main_dirs.append(directory)
            uses_cgo = uses_cgo or bool(_IMPORT_C.search(without_comments(text)))
    return GoSources(main_dirs, uses_cgo, truncated=False)


def workspace_modules(gowork: str) -> list[str]:
    """The directories a go.work `use`s, normalised (`./api` → `api`)."""
    text = without_comments(gowork)
    found = [d for block in _USE_BLOCK.findall(text) for d in block.split()]
    found += _USE_ONE.findall(text)
    modules: list[str] = []
    for entry in found:
        cleaned = entry.strip('"').removeprefix("./").rstrip("/") or "."
        if cleaned.startswith("/") or ".." in cleaned.split("/"):
            raise ManifestError(f"go.work uses {entry!r}, outside the repository")
        if cleaned not in modules:
            modules.append(cleaned)
    return modules


def _relative(path: str) -> str:
    return "." if path == "." else f"./{path}"


class GoProvider:
    name = "go"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("go.mod") or repo.has_file("go.work")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        plan = BuildPlan(provider=self.name, language="go", package_manager="go modules", port=PORT)
        workspace = repo.has_file("go.work")
        if workspace:
            manifest_file = "go.work"
            modules = workspace_modules(repo.read_text("go.work"))
            if not modules:
                raise ManifestError("go.work has no `use` directive: no module to build")
            missing = [m for m in modules if not repo.has_file(f"{m}/go.mod".removeprefix("./"))]
            if missing:
                raise ManifestError(f"go.work uses {', '.join(missing)}, which has no go.mod")
            plan.package_manager = "go workspace"
            plan.explain(f"a Go workspace (go.work) of {', '.join(modules)}")
        else:
            manifest_file, modules = "go.mod", ["."]
        manifest = repo.read_text(manifest_file)
        module_path = self._module_path(repo, modules)
        plan.detected_files.append(manifest_file)

        version = ctx.choose_version(
            plan, "go", self._request(ctx, manifest_file, manifest), DEFAULT_VERSION
        )
        plan.language_version = version
        sources = scan_sources(repo, ["."] if "." in modules else modules)
        if sources.truncated:
            plan.explain(f"looked at the first {MAX_SCANNED_FILES} .go files only")
        cgo = sources.uses_cgo
        use_binary_bases(ctx, plan, "go", version, static=not cgo)
        package = self._main_package(plan, sources.main_dirs, module_path)
        if workspace:
            plan.install_files = []
            plan.env = {"CGO_ENABLED": "1" if cgo else "0", "GOTOOLCHAIN": "local"}
        else:
            plan.install_files = ["go.mod"]
            if repo.has_file("go.sum"):
                plan.install_files.append("go.sum")
                plan.detected_files.append("go.sum")
            plan.install = ["go mod download"]
            plan.env = {
                "CGO_ENABLED": "1" if cgo else "0",
                "GOTOOLCHAIN": "local",
                "GOFLAGS": "-mod=mod",
            }
        plan.caches = [
            CacheMount(id="go-mod", target="/root/go/pkg/mod"),
            CacheMount(id="go-build", target="/root/.cache/go-build"),
        ]
        plan.build = [f'go build -trimpath -ldflags="-s -w" -o {BINARY} {package}']
        plan.artifacts = [BINARY]
        plan.start = BINARY
        if cgo:
            plan.explain(
                'cgo: a source imports "C", so CGO_ENABLED=1 and the binary, linked to glibc, '
                "runs on the plain runtime base of the build image's Debian suite"
            )
        else:
            plan.explain("a static binary (CGO_ENABLED=0) shipped alone on the plain runtime base")
        return plan

    @staticmethod
    def _request(ctx: DetectContext, manifest_file: str, manifest: str) -> VersionRequest | None:
        toolchain = _TOOLCHAIN.search(manifest)
        go_line = _GO_LINE.search(manifest)
        from_manifest = (
            VersionRequest(
                toolchain.group(1), f"{manifest_file} (toolchain)", minimum(toolchain.group(1))
            )
            if toolchain
            else VersionRequest(go_line.group(1), manifest_file, minimum(go_line.group(1)))
            if go_line
            else None
        )
        return requested_version(
            ctx,
            pins=[PinFile(".go-version", go_version_pin)],
            tools=("golang", "go"),
            pinned=lambda text: release_line(text.removeprefix("go")),
            manifest=from_manifest,
        )

    @staticmethod
    def _module_path(repo: RepoView, modules: list[str]) -> str:
        """The first module's path (`example.com/x/api`); every go.mod must declare one."""
        paths = []
        for module in modules:
            gomod = "go.mod" if module == "." else f"{module}/go.mod"
            found = _MODULE.search(repo.read_text(gomod))
            if found is None:
                raise ManifestError(f"{gomod} has no `module` line")
            paths.append(found.group(1))
        return paths[0]

    @staticmethod
    def _main_package(plan: BuildPlan, main_dirs: list[str], module_path: str) -> str:
        """The root main package, else the only/best-named `cmd/<name>`, else the only main."""
        if "." in main_dirs:
            plan.explain("builds the main package at the repository root")
            return "."
        if not main_dirs:
            raise ManifestError(
                "no main package: no Go file says `package main` at the root, under cmd/<name> "
                "or in a workspace module"
            )
        commands = [d for d in main_dirs if d.split("/")[-2:-1] == ["cmd"]] or main_dirs
        commands.sort()
        if len(commands) == 1:
            plan.explain(f"builds {_relative(commands[0])}, the only main package")
            return _relative(commands[0])
        module_name = module_path.rstrip("/").split("/")[-1]
        named = [c for c in commands if c.split("/")[-1] == module_name]
        if named:
            plan.explain(
                f"builds {_relative(named[0])}: of the main packages {', '.join(commands)}, "
                f"the one named like the module ({module_name})"
            )
            return _relative(named[0])
        plan.explain(
            f"several main packages ({', '.join(commands)}) and none named like the module "
            f"({module_name}): builds {_relative(commands[0])}, the first; set the build command "
            f"(e.g. go build -o {BINARY} ./{commands[-1]}) to choose another"
        )
        return _relative(commands[0])
