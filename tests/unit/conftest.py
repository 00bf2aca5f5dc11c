from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiln.plan.bases import Catalog, builtin_catalog

WriteFiles = Callable[[dict[str, str]], Path]


@pytest.fixture
def catalog() -> Catalog:
    return builtin_catalog()


@pytest.fixture
def project(tmp_path: Path) -> WriteFiles:
    """Write {relative path: text} under a fresh directory and return it."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    return write
