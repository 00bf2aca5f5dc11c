"""Python: pip, uv, Poetry, PDM or Pipenv into a venv; Django, Flask, FastAPI, FastHTML served.

The pieces: `package_manager` (which tool, which commands), `version` (which Python),
`frameworks` (which app, which server), `native_deps` (Debian packages for native extensions).
"""

from __future__ import annotations

from typing import Any

from kiln.detect.provider import DetectContext
from kiln.detect.providers.python.frameworks import serving
from kiln.detect.providers.python.native_deps import native_packages
from kiln.detect.providers.python.package_manager import VENV, choose_install
from kiln.detect.providers.python.version import DEFAULT_VERSION, python_request
from kiln.detect.repo import RepoView
from kiln.plan.model import BuildPlan

PORT = 8000
MANIFESTS = (
    "requirements.txt",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
)


def _apt_install(packages: list[str]) -> str:
    return (
        "apt-get update && apt-get install -y --no-install-recommends "
        + " ".join(packages)
        + " && rm -rf /var/lib/apt/lists/*"
    )


class PythonProvider:
    name = "python"
    looked_for = MANIFESTS

    def detect(self, repo: RepoView) -> bool:
        return repo.first_file(*MANIFESTS) is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        pyproject: dict[str, Any] = (
            repo.read_toml("pyproject.toml") if repo.has_file("pyproject.toml") else {}
        )
        pipfile: dict[str, Any] = repo.read_toml("Pipfile") if repo.has_file("Pipfile") else {}
        install = choose_install(repo, pyproject, pipfile)
        plan = BuildPlan(
            provider=self.name, language="python", package_manager=install.name, port=PORT
        )
        version = ctx.choose_version(
            plan, "python", python_request(ctx, pyproject, pipfile), DEFAULT_VERSION
        )
        plan.language_version = version
        ctx.use_bases(plan, "python", version, slim=False)

        plan.detected_files = install.detected_files
        plan.install_files = install.install_files
        plan.install = install.install
        plan.build = install.build
        plan.caches = install.caches
        plan.explanations += install.explanations
        build_image = ctx.catalog.find("python", version, "build")
        native = native_packages(
            install.deps,
            debian_python=build_image is not None and "python3" in build_image.packages,
        )
        if native.build:
            plan.install.insert(0, _apt_install(native.build))
        plan.apt_packages = native.runtime
        for reason in native.reasons:
            plan.explain(f"Debian packages because {reason}")

        plan.artifacts = [VENV, "/app"]
        plan.env = {
            "PATH": f"{VENV}/bin:$PATH",
            "VIRTUAL_ENV": VENV,
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        served = serving(repo, install.deps)
        plan.framework = served.framework
        plan.start = served.start
        plan.build += served.build
        plan.explanations += served.explanations
        return plan
