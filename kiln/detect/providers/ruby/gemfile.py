"""Gemfile and Gemfile.lock, read as data: the gems a project asks for, and its Ruby version.

The Gemfile is Ruby code; kiln reads only the statements Bundler's DSL documents at the start of
a line (`gem "name"`, `ruby "3.3"`, `group :x do`), never a substring of the file, so a gem named
`sinatra-contrib` is not `sinatra`. The lock file is read by its sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiln.errors import ManifestError

_GEM = re.compile(r"""^gem\s*\(?\s*(["'])([A-Za-z0-9_.\-]+)\1""")
_RUBY = re.compile(r"""^ruby\s*\(?\s*(["'])([^"']+)\1""")
_RUBY_FILE = re.compile(r"""^ruby\s*\(?\s*file:\s*(["'])([^"']+)\1""")
_GROUP = re.compile(r"^group\b(.*?)\bdo\b")
_BLOCK_START = re.compile(r"^(platforms?|source|git|github|path|install_if)\b.*\bdo\b")
_SPEC = re.compile(r"^    ([A-Za-z0-9_.\-]+) \(([^)]+)\)$")
_DEPENDENCY = re.compile(r"^  ([A-Za-z0-9_.\-]+)(!)?(?: \(([^)]*)\))?$")
_LOCK_RUBY = re.compile(r"^\s+ruby (\d+(?:\.\d+)*)")
DEV_GROUPS = frozenset({"development", "test"})


@dataclass
class Gemfile:
    gems: dict[str, frozenset[str]] = field(default_factory=dict)
    """Gem name → the groups it is in (empty: the default group)."""
    ruby: str | None = None
    ruby_file: str | None = None

    def runtime_gems(self) -> set[str]:
        return {name for name, groups in self.gems.items() if not groups or groups - DEV_GROUPS}


@dataclass
class GemfileLock:
    specs: dict[str, str] = field(default_factory=dict)
    """Every resolved gem (direct or not) → its version."""
    dependencies: set[str] = field(default_factory=set)
    """The direct dependencies, as the lock file records them."""
    ruby: str | None = None


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index]
    return line


def parse_gemfile(text: str) -> Gemfile:
    gemfile = Gemfile()
    groups: list[frozenset[str]] = []
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line:
            continue
        group = _GROUP.match(line)
        if group:
            names = re.findall(r":(\w+)|[\"'](\w+)[\"']", group.group(1))
            groups.append(frozenset(a or b for a, b in names))
            continue
        if _BLOCK_START.match(line):
            groups.append(frozenset())
            continue
        if line == "end" and groups:
            groups.pop()
            continue
        gem = _GEM.match(line)
        if gem:
            inline = re.search(r"groups?:\s*\[?([^\]]+)\]?", line)
            inline_groups: frozenset[str] = (
                frozenset(re.findall(r":(\w+)", inline.group(1))) if inline else frozenset()
            )
            gemfile.gems[gem.group(2)] = inline_groups.union(*groups)
            continue
        ruby_file = _RUBY_FILE.match(line)
        if ruby_file:
            gemfile.ruby_file = ruby_file.group(2)
            continue
        ruby = _RUBY.match(line)
        if ruby:
            gemfile.ruby = ruby.group(2)
    return gemfile


def parse_lock(text: str, name: str = "Gemfile.lock") -> GemfileLock:
    """Read the lock by sections; a line that fits no section's shape is an error, with its line."""
    lock = GemfileLock()
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not line.startswith(" "):
            if not re.fullmatch(r"[A-Z][A-Z ]*", line):
                raise ManifestError(f"{name} line {number}: {line[:60]!r} is not a section header")
            section = line
            continue
        if not section:
            raise ManifestError(f"{name} line {number}: indented line before any section")
        if section in ("GEM", "GIT", "PATH"):
            if line.startswith("    ") and not line.startswith("      "):
                spec = _SPEC.match(line)
                if spec is None:
                    raise ManifestError(
                        f"{name} line {number}: {line.strip()[:60]!r} is not `name (version)`"
                    )
                lock.specs[spec.group(1)] = spec.group(2)
        elif section == "DEPENDENCIES":
            dependency = _DEPENDENCY.match(line)
            if dependency is None:
                raise ManifestError(
                    f"{name} line {number}: {line.strip()[:60]!r} is not a dependency"
                )
            lock.dependencies.add(dependency.group(1))
        elif section == "RUBY VERSION":
            ruby = _LOCK_RUBY.match(line)
            if ruby:
                lock.ruby = ruby.group(1)
    if not lock.dependencies and not lock.specs and section == "":
        raise ManifestError(f"{name} has no sections: not a Bundler lock file")
    return lock
