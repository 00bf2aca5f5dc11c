"""The build context: a staged copy of the source, without VCS data, caches or escaping links."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

EXCLUDED_NAMES = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__"})


def stage_context(source: Path, destination: Path) -> int:
    """Copy `source` into `destination` for the engine; return the number of files copied.

    Symlinks that stay inside the tree are kept as links; links that point outside it are left
    out, so a hostile repository cannot pull host files into the image.
    """
    root = source.resolve()
    copied = 0
    for directory, dirnames, filenames in os.walk(root):
        current = Path(directory)
        relative = current.relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDED_NAMES)
        target_dir = destination / relative
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in [*filenames, *(d for d in dirnames if (current / d).is_symlink())]:
            path = current / name
            target = target_dir / name
            if path.is_symlink():
                resolved = path.resolve()
                if resolved != root and root not in resolved.parents:
                    continue
                target.symlink_to(path.readlink())
            else:
                shutil.copy2(path, target)
            copied += 1
        dirnames[:] = [d for d in dirnames if not (current / d).is_symlink()]
    return copied
