"""Framework config files (`next.config.mjs`, `astro.config.ts`, …) read as text, never run.

Only literal settings are recognised (`output: "export"`); a computed value is not guessed.
"""

from __future__ import annotations

import re

from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

EXTENSIONS = ("js", "mjs", "cjs", "ts", "mts")


def config_text(repo: RepoView, directory: str, stem: str) -> tuple[str, str] | None:
    """(path, text) of the first `<stem>.<ext>` in the directory; None when absent/unreadable."""
    prefix = f"{directory}/" if directory else ""
    for extension in EXTENSIONS:
        path = f"{prefix}{stem}.{extension}"
        if repo.has_file(path):
            try:
                return path, repo.read_text(path)
            except ManifestError:
                return None
    return None


def literal_setting(text: str, key: str) -> str | None:
    """The literal string value of `key: "value"` (or `key = 'value'`), comments stripped."""
    without_comments = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
    match = re.search(rf"\b{key}\s*[:=]\s*['\"`]([\w./-]+)['\"`]", without_comments)
    return match.group(1) if match else None


def literal_flag(text: str, key: str) -> bool | None:
    without_comments = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
    match = re.search(rf"\b{key}\s*[:=]\s*(true|false)\b", without_comments)
    return None if match is None else match.group(1) == "true"
