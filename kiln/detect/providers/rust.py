"""Rust (Cargo): packages and workspaces; every binary is built, the chosen one is started.

Only the release binaries reach the runtime image, on the plain base of the build's Debian suite.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from typing import Any

from kiln.detect.pins import PinFile, first_line, requested_version, use_binary_bases
from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.version_ranges import release_line
from kiln.detect.versions import minimum
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "1.85"
OUT = "/out/bin"
MAX_MEMBERS = 200


@dataclass(frozen=True)
class Package:
    directory: str
    name: str
    bins: list[str]
    default_run: str | None


def toolchain_file(text: str) -> str | None:
    """`rust-toolchain.toml`'s `[toolchain] channel`, or the legacy file's single line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return first_line(text)
    toolchain = data.get("toolchain")
    channel = toolchain.get("channel") if isinstance(toolchain, dict) else None
    return str(channel) if isinstance(channel, str | int | float) else None


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: [{key}] must be a table")
    return value


def _path(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory}/{name}"


def read_package(repo: RepoView, directory: str) -> Package | None:
    """A member's name and binaries: `[[bin]]`, `src/main.rs`, `src/bin/*.rs` (Cargo's rules)."""
    manifest = _path(directory, "Cargo.toml")
    data = repo.read_toml(manifest)
    package = _table(data, "package", manifest)
    if not package:
        return None
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise ManifestError(f"{manifest}: [package] has no name")
    bins: list[str] = []
    declared = data.get("bin", [])
    if not isinstance(declared, list):
        raise ManifestError(f"{manifest}: `bin` must be an array of tables ([[bin]])")
    for entry in declared:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            bins.append(entry["name"])
    autobins = package.get("autobins", True) is not False
    if autobins and repo.has_file(_path(directory, "src/main.rs")) and name not in bins:
        bins.append(name)
    if autobins:
        for file in repo.list_dir(_path(directory, "src/bin")):
            stem = file.removesuffix(".rs")
            if file.endswith(".rs") and stem not in bins:
                bins.append(stem)
    default_run = package.get("default-run")
    return Package(directory, name, bins, default_run if isinstance(default_run, str) else None)


def workspace_members(repo: RepoView, workspace: dict[str, Any]) -> list[str]:
    """The member directories, with `crates/*` globs expanded (one level, like most repos)."""
    members = workspace.get("members", [])
    excluded = workspace.get("exclude", [])
    if not isinstance(members, list) or not isinstance(excluded, list):
        raise ManifestError("Cargo.toml: workspace.members and exclude must be arrays")
    found: list[str] = []
    for member in members:
        if not isinstance(member, str) or ".." in member.split("/") or member.startswith("/"):
            raise ManifestError(f"Cargo.toml: workspace member {member!r} is not inside the repo")
        member = member.rstrip("/")
        parent, _, pattern = member.rpartition("/")
        if any(ch in pattern for ch in "*?["):
            candidates = [_path(parent or ".", n) for n in repo.list_dir(parent or ".")]
            matches = [c for c in candidates if fnmatch.fnmatch(c, member)]
        else:
            matches = [member]
        found += [m for m in matches if repo.has_file(f"{m}/Cargo.toml") and m not in excluded]
    return sorted(dict.fromkeys(found))[:MAX_MEMBERS]


def _rust_version(data: dict[str, Any]) -> str | None:
    for table in (data.get("package"), _table(data, "workspace", "Cargo.toml").get("package")):
        if isinstance(table, dict) and isinstance(table.get("rust-version"), str):
            return str(table["rust-version"])
    return None


class RustProvider:
    name = "rust"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("Cargo.toml")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        data = repo.read_toml("Cargo.toml")
        plan = BuildPlan(provider=self.name, language="rust", package_manager="cargo", port=PORT)
        plan.detected_files.append("Cargo.toml")
        workspace = _table(data, "workspace", "Cargo.toml")
        members = workspace_members(repo, workspace) if workspace else []
        packages = [p for p in (read_package(repo, d) for d in [".", *members]) if p is not None]
        if workspace:
            plan.explain(f"a Cargo workspace of {', '.join(members) or 'no members'}")
        version = ctx.choose_version(plan, "rust", self._request(ctx, data), DEFAULT_VERSION)
        plan.language_version = version
        use_binary_bases(ctx, plan, "rust", version)

        bins = [b for p in packages for b in p.bins]
        if not bins:
            raise ManifestError(
                "Cargo.toml builds no binary: no src/main.rs, src/bin/*.rs or [[bin]] in "
                + (", ".join(p.directory for p in packages) or "the manifest")
            )
        if len(set(bins)) != len(bins):
            raise ManifestError(f"two packages declare the same binary name ({', '.join(bins)})")
        start = self._choose(plan, packages, bins)
        locked = repo.has_file("Cargo.lock")
        if locked:
            plan.detected_files.append("Cargo.lock")
        flags = " --locked" if locked else ""
        selection = " --workspace" if workspace else ""
        copy = " && ".join(f"install -D -m 0755 target/release/{b} {OUT}/{b}" for b in bins)
        plan.build = [f"cargo build --release{selection} --bins{flags}", copy]
        plan.caches = [
            CacheMount(id="cargo-registry", target="/root/.cargo/registry"),
            CacheMount(id="cargo-git", target="/root/.cargo/git"),
        ]
        plan.artifacts = [OUT]
        plan.start = f"{OUT}/{start}"
        plan.explain(
            f"release binaries ({', '.join(bins)}) shipped alone on the plain runtime base"
        )
        return plan

    @staticmethod
    def _request(ctx: DetectContext, data: dict[str, Any]) -> VersionRequest | None:
        rust_version = _rust_version(data)
        manifest = (
            VersionRequest(rust_version, "Cargo.toml (rust-version)", minimum(rust_version))
            if rust_version
            else None
        )
        return requested_version(
            ctx,
            pins=[
                PinFile("rust-toolchain.toml", toolchain_file),
                PinFile("rust-toolchain", toolchain_file),
            ],
            tools=("rust",),
            pinned=release_line,
            manifest=manifest,
        )

    @staticmethod
    def _choose(plan: BuildPlan, packages: list[Package], bins: list[str]) -> str:
        """The binary to start: the only one, the root's default-run, or the one named like it."""
        if len(bins) == 1:
            plan.explain(f"starts {bins[0]}, the only binary")
            return bins[0]
        root = packages[0] if packages and packages[0].directory == "." else None
        default_run = root.default_run if root is not None else None
        if default_run is not None and default_run in bins:
            plan.explain(f"starts {default_run}, the default-run of Cargo.toml")
            return default_run
        if root is not None and root.name in bins:
            plan.explain(f"starts {root.name}, the binary named like the package")
            return root.name
        plan.explain(
            f"several binaries ({', '.join(bins)}): starts {bins[0]}, the first; every one is in "
            f"{OUT}, set the start command to run another"
        )
        return bins[0]
