"""package.json, parsed once into a typed record; a malformed manifest is a clear ManifestError."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiln.detect.repo import RepoView
from kiln.errors import ManifestError


@dataclass(frozen=True)
class DevEngine:
    """One entry of `devEngines.runtime` / `devEngines.packageManager`."""

    name: str
    version: str | None


@dataclass(frozen=True)
class PackageJson:
    path: str
    """Where the manifest is, relative to the repository root."""
    name: str | None = None
    main: str | None = None
    scripts: dict[str, str] = field(default_factory=dict)
    dependencies: dict[str, str] = field(default_factory=dict)
    dev_dependencies: dict[str, str] = field(default_factory=dict)
    engines_node: str | None = None
    package_manager: str | None = None
    dev_runtime: DevEngine | None = None
    dev_package_manager: DevEngine | None = None
    workspaces: tuple[str, ...] = ()

    @property
    def directory(self) -> str:
        """The manifest's directory ('' for the repository root)."""
        return self.path.rpartition("/")[0]

    def depends_on(self, package: str) -> bool:
        """An exact dependency name, never a substring: `next-auth` is not `next`."""
        return package in self.dependencies or package in self.dev_dependencies


def _table(data: dict[str, Any], key: str, path: str) -> dict[str, str]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: {key!r} must be an object")
    if not all(isinstance(v, str) for v in value.values()):
        raise ManifestError(f"{path}: every entry of {key!r} must be a string")
    return value


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _dev_engine(data: dict[str, Any], key: str) -> DevEngine | None:
    dev_engines = data.get("devEngines")
    if not isinstance(dev_engines, dict):
        return None
    value = dev_engines.get(key)
    if isinstance(value, list):  # several acceptable engines: the first is the preferred one
        value = value[0] if value else None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    version = value.get("version")
    return DevEngine(value["name"], version if isinstance(version, str) else None)


def _workspaces(data: dict[str, Any], path: str) -> tuple[str, ...]:
    value = data.get("workspaces")
    if isinstance(value, dict):  # yarn's {"packages": [...], "nohoist": [...]}
        value = value.get("packages")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{path}: 'workspaces' must be a list of directory patterns")
    return tuple(value)


def read_package_json(repo: RepoView, path: str = "package.json") -> PackageJson:
    data = repo.read_json(path)
    engines = data.get("engines")
    engines_node = engines.get("node") if isinstance(engines, dict) else None
    return PackageJson(
        path=path,
        name=_text(data, "name"),
        main=_text(data, "main"),
        scripts=_table(data, "scripts", path),
        dependencies=_table(data, "dependencies", path),
        dev_dependencies=_table(data, "devDependencies", path),
        engines_node=engines_node if isinstance(engines_node, str) else None,
        package_manager=_text(data, "packageManager"),
        dev_runtime=_dev_engine(data, "runtime"),
        dev_package_manager=_dev_engine(data, "packageManager"),
        workspaces=_workspaces(data, path),
    )
