"""The git binary, with fixed argv: what a local checkout says about itself."""

from __future__ import annotations

import subprocess
from pathlib import Path


def head_commit(directory: Path) -> str | None:
    """The commit checked out in `directory`, or None if it is not a git work tree."""
    if not (directory / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "--verify", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    sha = result.stdout.strip()
    return sha if result.returncode == 0 and len(sha) == 40 else None
