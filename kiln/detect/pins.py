"""The one version precedence of compiled languages, and their base images.

user override > the language's own pin file (`rust-toolchain.toml`, `.java-version`, `.go-version`,
`global.json`) > `.tool-versions` / `mise.toml` > the manifest field (go.mod `toolchain`/`go`, Cargo
`rust-version`, `maven.compiler.release`) > the catalog default. Each plan explains which one won.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.tool_versions import pinned_tool
from kiln.detect.versions import Predicate
from kiln.errors import CatalogError
from kiln.plan.bases import CatalogImage
from kiln.plan.model import BaseImages, BuildPlan


@dataclass(frozen=True)
class PinFile:
    """A file that pins the language's version; `read` returns the version text or None."""

    path: str
    read: Callable[[str], str | None]


def first_line(text: str) -> str | None:
    """The first line that is not blank or a comment: `.go-version`, `.java-version`."""
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        if stripped:
            return stripped
    return None


def requested_version(
    ctx: DetectContext,
    *,
    pins: Sequence[PinFile],
    tools: tuple[str, ...],
    pinned: Callable[[str], Predicate | None],
    manifest: VersionRequest | None,
) -> VersionRequest | None:
    """The request that wins the precedence, or None for the catalog default."""
    override = ctx.override_request(pinned)
    if override is not None:
        return override
    for pin in pins:
        if ctx.repo.has_file(pin.path):
            text = pin.read(ctx.repo.read_text(pin.path))
            if text:
                return VersionRequest(text, pin.path, pinned(text))
    tool = pinned_tool(ctx.repo, *tools)
    if tool is not None:
        return VersionRequest(tool.version, tool.source, pinned(tool.version))
    return manifest


def _require(image: CatalogImage | None, what: str) -> CatalogImage:
    if image is None:
        raise CatalogError(f"the base-image catalog has no {what} image")
    return image


def explain_user_provided(plan: BuildPlan, images: Sequence[CatalogImage]) -> None:
    for image in images:
        if image.user_provided:
            plan.explain(
                f"{image.image} ({image.language} {image.version} {image.role}) is user-provided: "
                "Debian does not package this toolchain and no registry this host reaches ships "
                "it, so kiln cannot bootstrap it; mirror that image into a registry the builder "
                "reaches and list it in the base-image catalog"
            )


def use_binary_bases(
    ctx: DetectContext, plan: BuildPlan, language: str, version: str, *, static: bool = False
) -> None:
    """The language's build image, and the plain runtime base of the same Debian suite.

    A binary linked on trixie needs trixie's glibc: the runtime base follows the build's suite.
    A static binary needs no libc: it takes the default plain base, shared with other apps.
    """
    build = _require(ctx.catalog.find(language, version, "build"), f"{language} {version} build")
    runtime = ctx.catalog.runtime_base(None if static else build.suite)
    plan.bases = BaseImages(build=build.pinned, runtime=runtime.pinned)
    explain_user_provided(plan, [build])


def use_language_bases(ctx: DetectContext, plan: BuildPlan, language: str, version: str) -> None:
    """The language's build and runtime images (a JRE, an ASP.NET runtime…)."""
    build = _require(ctx.catalog.find(language, version, "build"), f"{language} {version} build")
    runtime = _require(
        ctx.catalog.find(language, version, "runtime"), f"{language} {version} runtime"
    )
    plan.bases = BaseImages(build=build.pinned, runtime=runtime.pinned)
    explain_user_provided(plan, [build, runtime])
