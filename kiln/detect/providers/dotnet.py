"""`.NET` (a `*.csproj` / `*.fsproj` / `*.vbproj`): `dotnet publish`, run on the ASP.NET runtime.

Debian packages no .NET SDK and no registry this host reaches ships one, so the catalog's .NET
images are user-provided: the plan names them and explains what the operator must mirror.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from kiln.detect.pins import PinFile, requested_version, use_language_bases
from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.version_ranges import release_line
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "8.0"
OUT = "/out/app"
PROJECT_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
_FRAMEWORK = re.compile(r"^net(\d+\.\d+)")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def project_files(repo: RepoView) -> list[str]:
    return [n for n in repo.list_dir(".") if n.endswith(PROJECT_SUFFIXES) and repo.has_file(n)]


def _property(root: ET.Element, name: str) -> str | None:
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == name and element.text and element.text.strip():
            return element.text.strip()
    return None


def global_json_sdk(text: str) -> str | None:
    """`global.json`'s `sdk.version` (`8.0.100`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"global.json is not valid JSON: {exc.msg}") from exc
    sdk = data.get("sdk") if isinstance(data, dict) else None
    version = sdk.get("version") if isinstance(sdk, dict) else None
    return version if isinstance(version, str) else None


def sdk_line(text: str) -> str:
    """`8.0.100` → `8.0` (an SDK band belongs to its runtime's major.minor)."""
    match = re.match(r"^(\d+)(?:\.(\d+))?", text.strip())
    if match is None:
        return text
    return f"{match.group(1)}.{match.group(2) or 0}"


class DotnetProvider:
    name = "dotnet"

    def detect(self, repo: RepoView) -> bool:
        return bool(project_files(repo))

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        projects = project_files(repo)
        project = projects[0]
        plan = BuildPlan(provider=self.name, language="dotnet", package_manager="nuget", port=PORT)
        plan.detected_files.append(project)
        if len(projects) > 1:
            plan.explain(f"several project files ({', '.join(projects)}): builds {project}")
        text = repo.read_text(project)
        if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
            raise ManifestError(f"{project} declares a DOCTYPE or entities; kiln refuses them")
        try:
            root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entity expansion
        except ET.ParseError as exc:
            raise ManifestError(f"{project} is not valid XML: {exc}") from exc
        web = (root.get("Sdk") or "").startswith("Microsoft.NET.Sdk.Web")
        framework = _property(root, "TargetFramework") or (
            (_property(root, "TargetFrameworks") or "").split(";")[0] or None
        )
        manifest = None
        matched = _FRAMEWORK.match(framework) if framework else None
        if matched:
            line = matched.group(1)
            # exact: an app built for net8.0 does not roll forward onto the 9.0 runtime
            manifest = VersionRequest(line, f"{project} (TargetFramework)", release_line(line))
        request = requested_version(
            ctx,
            pins=[PinFile("global.json", global_json_sdk)],
            tools=("dotnet", "dotnet-core"),
            pinned=lambda text: release_line(sdk_line(text)),
            manifest=manifest,
        )
        version = ctx.choose_version(plan, "dotnet", request, DEFAULT_VERSION)
        plan.language_version = version
        use_language_bases(ctx, plan, "dotnet", version)

        assembly = _property(root, "AssemblyName") or project.rsplit(".", 1)[0]
        if not _SAFE_NAME.match(assembly):
            raise ManifestError(f"{project}: AssemblyName {assembly!r} is not a plain file name")
        plan.install_files = [project]
        plan.install = [f"dotnet restore {project}"]
        plan.build = [f"dotnet publish {project} -c Release --no-restore -o {OUT}"]
        plan.caches = [CacheMount(id="nuget", target="/root/.nuget/packages")]
        plan.env = {"DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1"}
        plan.artifacts = [OUT]
        if web:
            plan.framework = "aspnetcore"
            plan.start = f"dotnet {OUT}/{assembly}.dll --urls http://0.0.0.0:${{PORT}}"
            plan.explain("ASP.NET Core (Sdk=Microsoft.NET.Sdk.Web): listens on $PORT via --urls")
        else:
            plan.start = f"dotnet {OUT}/{assembly}.dll"
        plan.explain("the published app alone on the .NET runtime image: no SDK, no sources")
        return plan
