"""Version requirements of Ruby, Elixir and Composer, translated to the npm range reader.

RubyGems' and Mix's `~> 3.1` and Composer's `~8.2` are "pessimistic": the last given part may
grow (`~> 3.1` is `>=3.1 <4`, `~> 3.1.2` is `>=3.1.2 <3.2`). Pin files (`.ruby-version 3.3.5`)
name a release; against a catalog of version lines they mean that release's line (`3.3`).
"""

from __future__ import annotations

import re

from kiln.detect.versions import Predicate, npm_range

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def _pessimistic(version: str) -> str | None:
    """`3.1` → `>=3.1 <4`, `3.1.2` → `>=3.1.2 <3.2`, `3` → `>=3`."""
    match = _VERSION.match(version.strip())
    if match is None:
        return None
    parts = [int(p) for p in match.groups() if p is not None]
    if len(parts) == 1:
        return f">={parts[0]}"
    upper = [*parts[:-2], parts[-2] + 1]
    return f">={'.'.join(map(str, parts))} <{'.'.join(map(str, upper))}"


def _constraints(parts: list[str]) -> str | None:
    """Constraints like `~> 3.1`, `>= 2.7`, `!= 3.0.1`, `= 3.2` → one npm conjunction."""
    tokens: list[str] = []
    for raw in parts:
        text = raw.strip()
        if not text:
            continue
        match = re.match(r"^(~>|>=|<=|!=|==|=|>|<|~|\^)?\s*(\S+)$", text)
        if match is None:
            return None
        op, version = match.group(1) or "", match.group(2)
        if op == "!=":
            continue  # an excluded patch release does not change which line fits
        if op in ("~>", "~"):
            pessimistic = _pessimistic(version)
            if pessimistic is None:
                return None
            tokens.append(pessimistic)
        else:
            tokens.append(("" if op in ("=", "==") else op) + version)
    return " ".join(tokens) if tokens else "*"


def gem_requirement(spec: str) -> Predicate | None:
    """A RubyGems requirement: `~> 3.1`, `>= 2.7, < 3.4`, `3.2.2`."""
    text = _constraints(spec.split(","))
    return None if text is None else npm_range(text)


def mix_requirement(spec: str) -> Predicate | None:
    """An Elixir requirement: `~> 1.14`, `>= 1.12.0 and < 2.0.0`, `~> 1.15 or ~> 1.16`."""
    alternatives = []
    for alternative in re.split(r"\s+or\s+", spec.strip()):
        text = _constraints(re.split(r"\s+and\s+", alternative))
        if text is None:
            return None
        alternatives.append(text)
    return npm_range(" || ".join(alternatives))


def composer_constraint(spec: str) -> Predicate | None:
    """A Composer constraint: `^8.1`, `~8.2`, `>=8.0 <8.4`, `8.2.*`, `^7.4 || ^8.0`."""
    text = re.sub(r"@\w+", "", spec).strip()
    alternatives = []
    for alternative in re.split(r"\s*\|\|?\s*", text):
        parts = [
            p
            for p in re.split(r"[\s,]+", re.sub(r"(>=|<=|!=|~|\^|>|<|=)\s+", r"\1", alternative))
            if p
        ]
        converted = _constraints(parts)
        if converted is None:
            return None
        alternatives.append(converted)
    return npm_range(" || ".join(alternatives))


def release_line(version: str) -> Predicate | None:
    """A pinned release (`3.3.5`, `ruby-3.3.5`, `8.2`) means its major.minor line."""
    match = _VERSION.match(re.sub(r"^[a-z]+-", "", version.strip()))
    if match is None:
        return None
    major, minor = match.group(1), match.group(2)
    return npm_range(f"{major}.{minor}" if minor is not None else major)
