"""Python manifests read properly: PEP 508 names, normalised, runtime dependencies only.

`flask-cors` is not Flask: every name goes through `packaging` and PEP 503 normalisation, and
development groups (`[dependency-groups]`, Poetry's dev groups, Pipfile's `[dev-packages]`) are
never read, so they never decide a framework nor reach the runtime image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

MAX_INCLUDE_DEPTH = 5


@dataclass
class Dependencies:
    """Runtime dependencies by canonical name, with the extras asked for."""

    extras: dict[str, frozenset[str]] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and canonicalize_name(name) in self.extras

    def add(self, name: str, extras: Iterable[str] = ()) -> None:
        key = canonicalize_name(name)
        self.extras[key] = self.extras.get(key, frozenset()) | {e.lower() for e in extras}

    def has_extra(self, name: str, extra: str) -> bool:
        return extra in self.extras.get(canonicalize_name(name), frozenset())

    def update(self, other: Dependencies) -> None:
        for name, extras in other.extras.items():
            self.add(name, extras)


def _requirement(text: str, where: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise ManifestError(f"{where}: {text!r} is not a requirement ({exc})") from exc


def parse_requirements(repo: RepoView, path: str, depth: int = 0) -> Dependencies:
    """A requirements file, following `-r other.txt` inside the repository (bounded depth)."""
    deps = Dependencies()
    base = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    for number, raw in enumerate(repo.read_text(path).splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")) and depth < MAX_INCLUDE_DEPTH:
            included = base + line.split(None, 1)[1].strip()
            if repo.has_file(included):
                deps.update(parse_requirements(repo, included, depth + 1))
            continue
        if not line or line.startswith(("#", "-", "git+", "http://", "https://", ".", "/")):
            continue
        requirement = _requirement(line, f"{path} line {number}")
        deps.add(requirement.name, requirement.extras)
    return deps


def pep508_list(raw: object, where: str) -> Dependencies:
    """A TOML list of PEP 508 strings (`[project] dependencies`)."""
    if raw is None:
        return Dependencies()
    if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
        raise ManifestError(f"{where} must be a list of strings")
    deps = Dependencies()
    for text in raw:
        requirement = _requirement(text, where)
        deps.add(requirement.name, requirement.extras)
    return deps


def table(data: dict[str, Any], *path: str) -> dict[str, Any]:
    """A nested TOML table, `{}` when absent; a clear error when it is not a table."""
    current: Any = data
    for key in path:
        current = current.get(key, {}) if isinstance(current, dict) else None
        if not isinstance(current, dict):
            raise ManifestError(f"[{'.'.join(path)}] must be a table")
    result: dict[str, Any] = current
    return result


def project_dependencies(pyproject: dict[str, Any]) -> Dependencies:
    return pep508_list(
        table(pyproject, "project").get("dependencies"), "pyproject.toml [project] dependencies"
    )


def _named_table(raw: dict[str, Any], where: str, skip: tuple[str, ...] = ()) -> Dependencies:
    deps = Dependencies()
    for name, spec in raw.items():
        if name.lower() in skip:
            continue
        extras = spec.get("extras", []) if isinstance(spec, dict) else []
        if not isinstance(extras, list):
            raise ManifestError(f"{where} {name}: extras must be a list")
        try:
            deps.add(Requirement(name).name, [str(e) for e in extras])
        except InvalidRequirement as exc:
            raise ManifestError(f"{where}: {name!r} is not a package name") from exc
    return deps


def poetry_dependencies(pyproject: dict[str, Any]) -> Dependencies:
    """Poetry's main group: `[tool.poetry.dependencies]` (minus python) and PEP 621's list."""
    deps = project_dependencies(pyproject)
    main = table(pyproject, "tool", "poetry", "dependencies")
    deps.update(_named_table(main, "pyproject.toml [tool.poetry.dependencies]", ("python",)))
    return deps


def pipfile_dependencies(pipfile: dict[str, Any]) -> Dependencies:
    """Pipfile's `[packages]`; `[dev-packages]` never reach the image."""
    return _named_table(table(pipfile, "packages"), "Pipfile [packages]")
