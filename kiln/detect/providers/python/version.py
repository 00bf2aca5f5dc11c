"""Which Python the project asks for, in kiln's one version precedence (docs/providers/README.md).

the overrides > `.python-version` / `runtime.txt` > `.tool-versions` / `mise.toml` >
`requires-python` / Poetry's `python` / Pipfile's `python_version` > the catalog default.
"""

from __future__ import annotations

import re
from typing import Any

from kiln.detect.pins import PinFile, first_line, requested_version
from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.providers.python.manifests import table
from kiln.detect.versions import Predicate, npm_range, pep440_range

DEFAULT_VERSION = "3.11"


def python_range(text: str) -> Predicate | None:
    """PEP 440 (`>=3.10,<3.13`, `~=3.12`, `3.11`) or Poetry's caret/tilde (`^3.11`, `~3.12`)."""
    cleaned = text.strip()
    if cleaned.startswith(("^", "~")) and not cleaned.startswith("~="):
        return npm_range(cleaned.replace(",", " "))
    return pep440_range(cleaned)


def _python_version_file(text: str) -> str | None:
    """`.python-version`: the first line that is not a comment, without `cpython-`/`python-`."""
    line = first_line(text)
    return line.removeprefix("python-").removeprefix("cpython-") if line else None


def _runtime_txt(text: str) -> str | None:
    """Heroku's `runtime.txt`: `python-3.11.4`."""
    return text.strip().removeprefix("python-") or None


PINS = (PinFile(".python-version", _python_version_file), PinFile("runtime.txt", _runtime_txt))


def _manifest(pyproject: dict[str, Any], pipfile: dict[str, Any]) -> VersionRequest | None:
    requires = table(pyproject, "project").get("requires-python")
    if isinstance(requires, str) and requires.strip():
        return VersionRequest(requires, "pyproject.toml requires-python", python_range(requires))
    poetry = table(pyproject, "tool", "poetry", "dependencies").get("python")
    if isinstance(poetry, str) and poetry.strip():
        return VersionRequest(
            poetry, "pyproject.toml [tool.poetry.dependencies] python", python_range(poetry)
        )
    requires_table = table(pipfile, "requires")
    for key in ("python_full_version", "python_version"):
        value = requires_table.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            text = str(value).strip()
            if re.fullmatch(r"\d+(\.\d+)*", text):
                return VersionRequest(text, f"Pipfile {key}", python_range(text))
    return None


def python_request(
    ctx: DetectContext, pyproject: dict[str, Any], pipfile: dict[str, Any]
) -> VersionRequest | None:
    """The first source that asks for a version, in the documented order; None → the default."""
    return requested_version(
        ctx,
        pins=PINS,
        tools=("python",),
        pinned=python_range,
        manifest=_manifest(pyproject, pipfile),
    )
