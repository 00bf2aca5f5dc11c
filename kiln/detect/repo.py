"""RepoView: the only way providers see a repository: bounded reads, no symlink escapes."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

from kiln.errors import ManifestError, UserError

MAX_FILE_BYTES = 1024 * 1024
MAX_LISTING = 10_000


class RepoView:
    """Read-only, size-limited access to files under one root directory."""

    def __init__(self, root: Path) -> None:
        if not root.exists():
            raise UserError(f"{root}: no such directory")
        if not root.is_dir():
            raise UserError(f"{root}: not a directory")
        self.root = root.resolve()

    def _path(self, relative: str) -> Path | None:
        """The real path of `relative`, or None if it is absent or resolves outside the root."""
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts:
            return None
        candidate = self.root / pure
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            return None
        if real != self.root and self.root not in real.parents:
            return None
        return real

    def has_file(self, relative: str) -> bool:
        path = self._path(relative)
        return path is not None and path.is_file()

    def has_dir(self, relative: str) -> bool:
        path = self._path(relative)
        return path is not None and path.is_dir()

    def is_executable(self, relative: str) -> bool:
        path = self._path(relative)
        return path is not None and path.is_file() and os.access(path, os.X_OK)

    def list_dir(self, relative: str = ".") -> list[str]:
        """Names directly inside a directory (sorted, bounded); empty if it is not one."""
        path = self._path(relative)
        if path is None or not path.is_dir():
            return []
        names: list[str] = []
        with os.scandir(path) as entries:
            for entry in entries:
                names.append(entry.name)
                if len(names) >= MAX_LISTING:
                    break
        return sorted(names)

    def read_text(self, relative: str) -> str:
        path = self._path(relative)
        if path is None or not path.is_file():
            raise ManifestError(f"{relative}: not a readable file inside the repository")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ManifestError(f"{relative}: {size} bytes is too large to be a manifest")
        data = path.read_bytes()
        if b"\0" in data:
            raise ManifestError(f"{relative}: binary file where a text manifest was expected")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ManifestError(f"{relative}: not UTF-8 text ({exc.reason})") from exc

    def read_json(self, relative: str) -> dict[str, Any]:
        text = self.read_text(relative)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ManifestError(
                f"{relative} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from exc
        if not isinstance(data, dict):
            raise ManifestError(f"{relative} must hold a JSON object, not {type(data).__name__}")
        return data

    def read_toml(self, relative: str) -> dict[str, Any]:
        text = self.read_text(relative)
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ManifestError(f"{relative} is not valid TOML: {exc}") from exc

    def first_file(self, *candidates: str) -> str | None:
        return next((name for name in candidates if self.has_file(name)), None)
