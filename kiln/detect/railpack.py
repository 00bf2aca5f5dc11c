"""Railpack's `railpack.json`, read for compatibility: commands, start command, packages.

Read: `steps.install.commands`, `steps.build.commands` (strings or `{"cmd": …}`),
`deploy.startCommand`, `buildAptPackages`, `deploy.aptPackages`, and `packages` when it names
exactly one language (its version). Everything else (layers, caches, secrets, mise tools) is
Railpack's own machinery: ignored, and the plan says which keys were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kiln.detect.overrides import OverrideLayer, Overrides
from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

FILE = "railpack.json"
READ_KEYS = frozenset({"$schema", "steps", "deploy", "buildAptPackages", "packages"})
LANGUAGES = frozenset(
    {"python", "node", "go", "ruby", "php", "java", "rust", "elixir", "deno", "bun"}
)
KEEP_DETECTED = "..."


@dataclass(frozen=True)
class RailpackConfig:
    layer: OverrideLayer
    notes: list[str]


def _strings(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ManifestError(f"{FILE}: {where} must be a list")
    result: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("cmd", item.get("command"))
        if not isinstance(item, str):
            raise ManifestError(f"{FILE}: {where} must hold strings or {{'cmd': …}} objects")
        result.append(item)
    return result


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ManifestError(f"{FILE}: {key} must be an object")
    return value


def _commands(steps: dict[str, Any], name: str, notes: list[str]) -> str | None:
    step = steps.get(name, {})
    if not isinstance(step, dict):
        raise ManifestError(f"{FILE}: steps.{name} must be an object")
    commands = _strings(step.get("commands"), f"steps.{name}.commands")
    if KEEP_DETECTED in commands:
        notes.append(
            f"railpack.json steps.{name} uses '...' (the detected commands): kiln replaces "
            f"its {name} commands with the listed ones only"
        )
        commands = [c for c in commands if c != KEEP_DETECTED]
    return " && ".join(commands) if commands else None


def railpack_layer(repo: RepoView) -> RailpackConfig | None:
    if not repo.has_file(FILE):
        return None
    data = repo.read_json(FILE)
    notes: list[str] = []
    steps = _object(data, "steps")
    deploy = _object(data, "deploy")
    start = deploy.get("startCommand")
    if start is not None and not isinstance(start, str):
        raise ManifestError(f"{FILE}: deploy.startCommand must be a string")
    version: str | None = None
    packages = _object(data, "packages")
    languages = {k: v for k, v in packages.items() if k in LANGUAGES and isinstance(v, str)}
    if len(languages) == 1:
        version = next(iter(languages.values()))
    elif packages:
        notes.append("railpack.json packages (mise tools) are not installed by kiln")
    ignored = sorted(set(data) - READ_KEYS)
    if ignored:
        notes.append("railpack.json keys kiln does not read: " + ", ".join(ignored))
    try:
        overrides = Overrides(
            install_cmd=_commands(steps, "install", notes),
            build_cmd=_commands(steps, "build", notes),
            start_cmd=start or None,
            language_version=version if version not in ("latest", "*") else None,
            build_apt_packages=_strings(data.get("buildAptPackages"), "buildAptPackages") or None,
            apt_packages=_strings(deploy.get("aptPackages"), "deploy.aptPackages") or None,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
        raise ManifestError(f"{FILE}: {problems}") from exc
    return RailpackConfig(OverrideLayer(FILE, overrides), notes)
