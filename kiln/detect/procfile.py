"""The Procfile: its `web:` line is the start command, whatever the provider (below the overrides).

Other process types (`worker:`, `release:` …) are not run: kiln builds one web image, and the
plan says so. A command naming a script that is not in the repository is kept, with a warning.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

FILE = "Procfile"
_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.*)$")
_SCRIPT = re.compile(r"^[\w./-]+\.(py|sh|js|mjs|cjs|ts|rb|php|pl|jar)$")


@dataclass
class Procfile:
    processes: dict[str, str] = field(default_factory=dict)

    @property
    def web(self) -> str | None:
        return self.processes.get("web")


def parse_procfile(text: str) -> Procfile:
    result = Procfile()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None or not match.group(2).strip():
            raise ManifestError(f"{FILE} line {number}: expected `name: command`, got {line!r}")
        result.processes.setdefault(match.group(1), match.group(2).strip())
    return result


def read_procfile(repo: RepoView) -> Procfile | None:
    return parse_procfile(repo.read_text(FILE)) if repo.has_file(FILE) else None


def missing_scripts(repo: RepoView, command: str) -> list[str]:
    """Relative script paths the command names that the repository does not contain.

    A `cd DIR && …` prefix moves the directory later paths are relative to.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    missing: list[str] = []
    directory = ""
    for index, word in enumerate(words):
        if index >= 1 and words[index - 1] == "cd":
            directory = "" if word.startswith("/") else f"{directory}{word.rstrip('/')}/"
            continue
        relative = _SCRIPT.match(word) and not word.startswith("/")
        if relative and not repo.has_file(directory + word.removeprefix("./")):
            missing.append(word)
    return missing


def procfile_notes(procfile: Procfile) -> list[str]:
    """Sentences for the process types that are not the web one."""
    others = sorted(name for name in procfile.processes if name != "web")
    if not others:
        return []
    return [
        f"Procfile {', '.join(others)} ignored: kiln builds the web process; "
        "run the others from the same image with their own command"
    ]
