"""pip, uv, Poetry, PDM or Pipenv: which one, and the commands that fill /opt/venv with it.

Every manager installs into one virtualenv, /opt/venv, which the runtime stage receives with the
application. The managers themselves (pinned below, for deterministic plans) live in a second
virtualenv, /opt/kiln-tools, that stays in the build stage. Development dependencies are never
installed: `--no-dev`, `--only main`, `--prod`, Pipfile's default packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiln.detect.providers.python.manifests import (
    Dependencies,
    parse_requirements,
    pipfile_dependencies,
    poetry_dependencies,
    project_dependencies,
    table,
)
from kiln.detect.repo import RepoView
from kiln.plan.model import CacheMount

VENV = "/opt/venv"
TOOLS = "/opt/kiln-tools"
PIP = f"{VENV}/bin/pip install --disable-pip-version-check"
TOOL_VERSIONS = {
    "uv": "0.13.9",
    "poetry": "2.5.1",
    "poetry-plugin-export": "1.10.1",
    "pdm": "2.29.3",
    "unearth": "0.18.3",
    "hishel": "1.4.0",
    "pipenv": "2026.10.3",
}
PIP_CACHE = CacheMount(id="pip", target="/root/.cache/pip")
EXPORTED = "/tmp/kiln-requirements.txt"
"""Written and read in the build stage only; never copied into the image."""


@dataclass
class Install:
    """What a package manager contributes to the plan."""

    name: str
    deps: Dependencies
    detected_files: list[str]
    install_files: list[str] = field(default_factory=list)
    install: list[str] = field(default_factory=list)
    build: list[str] = field(default_factory=list)
    caches: list[CacheMount] = field(default_factory=lambda: [PIP_CACHE])
    explanations: list[str] = field(default_factory=list)


def _tool(*names: str) -> list[str]:
    """Install a package manager (pinned) into the build-stage tools venv."""
    pinned = " ".join(f"{name}=={TOOL_VERSIONS[name]}" for name in names)
    return [f"python3 -m venv {TOOLS}", f"{TOOLS}/bin/pip install -q {pinned}"]


def _uv(repo: RepoView, pyproject: dict[str, Any]) -> Install:
    uv = f"UV_PROJECT_ENVIRONMENT={VENV} UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy {TOOLS}/bin/uv"
    locked = repo.has_file("uv.lock")
    result = Install(
        "uv",
        project_dependencies(pyproject),
        ["pyproject.toml", *(["uv.lock"] if locked else [])],
        caches=[PIP_CACHE, CacheMount(id="uv", target="/root/.cache/uv")],
    )
    members = table(pyproject, "tool", "uv", "workspace").get("members")
    setup = [f"python3 -m venv {VENV}", *_tool("uv")]
    if not locked:
        result.install = setup
        result.build = [f"{uv} sync --no-dev --no-editable"]
        result.explanations.append(
            "uv because pyproject.toml has [tool.uv]; no uv.lock, so the build resolves "
            "(not reproducible: commit uv.lock)"
        )
    elif members:
        result.install = setup
        result.build = [f"{uv} sync --locked --no-dev --no-editable --all-packages"]
        result.explanations.append(
            "uv workspace (members: "
            + ", ".join(str(m) for m in members)
            + "): every member is installed from uv.lock once the sources are copied"
        )
    else:
        result.install_files = ["pyproject.toml", "uv.lock"]
        result.install = [*setup, f"{uv} sync --locked --no-dev --no-install-project"]
        result.build = [f"{uv} sync --locked --no-dev --no-editable"]
        result.explanations.append("uv because uv.lock is present; dev dependencies left out")
    return result


def _poetry(repo: RepoView, pyproject: dict[str, Any]) -> Install:
    locked = repo.has_file("poetry.lock")
    files = ["pyproject.toml", *(["poetry.lock"] if locked else [])]
    result = Install(
        "poetry",
        poetry_dependencies(pyproject),
        files,
        install_files=files,
        caches=[PIP_CACHE, CacheMount(id="poetry", target="/root/.cache/pypoetry")],
    )
    poetry = f"{TOOLS}/bin/poetry"
    result.install = [
        f"python3 -m venv {VENV}",
        *_tool("poetry", "poetry-plugin-export"),
        *([] if locked else [f"{poetry} lock --no-interaction"]),
        f"{poetry} export --only main --no-interaction -o {EXPORTED}",
        f"{PIP} -r {EXPORTED}",
    ]
    if locked:
        result.explanations.append(
            "Poetry because poetry.lock is present; its main group is exported (with hashes) "
            "and installed with pip, other groups are not"
        )
    else:
        result.explanations.append(
            "Poetry because pyproject.toml has [tool.poetry]; no poetry.lock, so the build "
            "resolves (commit poetry.lock for reproducible builds)"
        )
    return result


def _pdm(repo: RepoView, pyproject: dict[str, Any]) -> Install:
    locked = repo.has_file("pdm.lock")
    files = ["pyproject.toml", *(["pdm.lock"] if locked else [])]
    pdm = f"{TOOLS}/bin/pdm"
    result = Install("pdm", project_dependencies(pyproject), files, install_files=files)
    result.install = [
        f"python3 -m venv {VENV}",
        *_tool("pdm", "unearth", "hishel"),
        *([] if locked else [f"{pdm} lock"]),
        f"{pdm} export --prod --no-hashes -o {EXPORTED}",
        f"{PIP} -r {EXPORTED}",
    ]
    result.explanations.append(
        "PDM because "
        + ("pdm.lock is present" if locked else "pyproject.toml has [tool.pdm] (no pdm.lock)")
        + "; its production dependencies are exported and installed with pip"
    )
    return result


def _pipenv(repo: RepoView, pipfile: dict[str, Any]) -> Install:
    locked = repo.has_file("Pipfile.lock")
    files = ["Pipfile", *(["Pipfile.lock"] if locked else [])]
    pipenv = f"{TOOLS}/bin/pipenv"
    result = Install("pipenv", pipfile_dependencies(pipfile), files, install_files=files)
    result.install = [
        f"python3 -m venv {VENV}",
        *_tool("pipenv"),
        *([] if locked else [f"{pipenv} lock"]),
        f"{pipenv} requirements > {EXPORTED}",
        f"{PIP} -r {EXPORTED}",
    ]
    result.explanations.append(
        "Pipenv because "
        + ("Pipfile.lock is present" if locked else "Pipfile is present (no Pipfile.lock)")
        + "; its default packages are installed with pip, [dev-packages] are not"
    )
    return result


def _pip(repo: RepoView, pyproject: dict[str, Any]) -> Install:
    if repo.has_file("requirements.txt"):
        return Install(
            "pip",
            parse_requirements(repo, "requirements.txt"),
            ["requirements.txt"],
            install_files=["requirements.txt"],
            install=[f"python3 -m venv {VENV}", f"{PIP} -r requirements.txt"],
            explanations=["pip because requirements.txt is present"],
        )
    manifest = repo.first_file("pyproject.toml", "setup.py", "setup.cfg") or "pyproject.toml"
    return Install(
        "pip",
        project_dependencies(pyproject),
        [manifest],
        install=[f"python3 -m venv {VENV}"],
        build=[f"{PIP} ."],
        explanations=[f"pip installs the project itself because {manifest} is present (no lock)"],
    )


def choose_install(repo: RepoView, pyproject: dict[str, Any], pipfile: dict[str, Any]) -> Install:
    """Lock files first (they say which tool wrote them), then tool tables, then pip."""
    tool = table(pyproject, "tool")
    if repo.has_file("uv.lock"):
        return _uv(repo, pyproject)
    if repo.has_file("poetry.lock"):
        return _poetry(repo, pyproject)
    if repo.has_file("pdm.lock"):
        return _pdm(repo, pyproject)
    if repo.has_file("Pipfile.lock") or repo.has_file("Pipfile"):
        return _pipenv(repo, pipfile)
    if repo.has_file("requirements.txt"):
        return _pip(repo, pyproject)
    if "poetry" in tool:
        return _poetry(repo, pyproject)
    if "pdm" in tool:
        return _pdm(repo, pyproject)
    if "uv" in tool:
        return _uv(repo, pyproject)
    return _pip(repo, pyproject)
