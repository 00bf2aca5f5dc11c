"""Version requests (`>=18 <21`, `^20.1`, `3.11`, `~=3.12`, `go 1.22`) resolved against the catalog.

Resolution is offline and deterministic: the highest catalog version that satisfies the request,
or — when none does — the nearest one, with a sentence saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

VersionTuple = tuple[int, int, int]
Predicate = Callable[[VersionTuple], bool]

_NUM = re.compile(r"^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:[-+].*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    line: str
    full: VersionTuple


@dataclass(frozen=True)
class Resolution:
    version: str
    satisfied: bool
    note: str


def to_tuple(text: str) -> VersionTuple | None:
    match = _NUM.match(text.strip())
    if match is None:
        return None
    parts = [int(p) if p and p.isdigit() else 0 for p in match.groups()]
    return (parts[0], parts[1], parts[2])


def _partial(text: str) -> tuple[VersionTuple, int] | None:
    """A version and how many of its parts were given (`20` → 1, `20.1` → 2, `20.x` → 1)."""
    match = _NUM.match(text.strip())
    if match is None:
        return None
    given = 0
    parts = []
    for p in match.groups():
        if p is not None and p.isdigit():
            given += 1
            parts.append(int(p))
        else:
            break
    while len(parts) < 3:
        parts.append(0)
    return (parts[0], parts[1], parts[2]), given


def _bump(version: VersionTuple, given: int) -> VersionTuple:
    if given <= 1:
        return (version[0] + 1, 0, 0)
    if given == 2:
        return (version[0], version[1] + 1, 0)
    return (version[0], version[1], version[2] + 1)


def _comparator(token: str) -> Predicate | None:
    op_match = re.match(r"^(>=|<=|>|<|=|\^|~)?\s*(.+)$", token)
    if op_match is None:
        return None
    op, rest = op_match.group(1) or "", op_match.group(2)
    parsed = _partial(rest)
    if parsed is None:
        return None
    low, given = parsed
    if op == "^":
        if low[0] > 0 or given == 1:
            high = (low[0] + 1, 0, 0)
        elif low[1] > 0 or given == 2:
            high = (0, low[1] + 1, 0)
        else:
            high = (0, 0, low[2] + 1)
        return lambda v: low <= v < high
    if op == "~":
        high = _bump(low, min(given, 2))
        return lambda v: low <= v < high
    if op == ">=":
        return lambda v: v >= low
    if op == ">":
        high = _bump(low, given)
        return lambda v: v >= high
    if op == "<":
        return lambda v: v < low
    if op == "<=":
        high = _bump(low, given)
        return lambda v: v < high
    high = _bump(low, given)  # "=" or bare: a partial version is a range (`20` = 20.x)
    return lambda v: low <= v < high


def npm_range(spec: str) -> Predicate | None:
    """An npm-style range (`>=18 <21`, `^20`, `18 || 20`, `20.x`, `18 - 20`); None if unreadable."""
    alternatives: list[list[Predicate]] = []
    for alternative in spec.split("||"):
        text = alternative.strip()
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", text)
        if hyphen:
            text = f">={hyphen.group(1)} <={hyphen.group(2)}"
        if text in ("", "*", "x", "latest", "lts/*", "node", "stable"):
            alternatives.append([])
            continue
        text = re.sub(r"(>=|<=|>|<|=|\^|~)\s+", r"\1", text)
        group: list[Predicate] = []
        for token in text.split():
            comparator = _comparator(token)
            if comparator is None:
                return None
            group.append(comparator)
        alternatives.append(group)
    return lambda v: any(all(c(v) for c in group) for group in alternatives)


def pep440_range(spec: str) -> Predicate | None:
    """A Python requirement: `>=3.10`, `~=3.12`, `3.11` / `3.11.4` (meaning that minor line)."""
    text = spec.strip()
    bare = _partial(text)
    if bare is not None and re.match(r"^\d", text):
        version, given = bare
        return _comparator(".".join(str(p) for p in version[: max(1, min(given, 2))]))
    try:
        specifiers = SpecifierSet(text)
    except InvalidSpecifier:
        return None

    def check(v: VersionTuple) -> bool:
        try:
            return Version(".".join(map(str, v))) in specifiers
        except InvalidVersion:
            return False

    return check


def minimum(spec: str) -> Predicate | None:
    """Go's `go 1.22`: that version or newer (a newer toolchain builds older modules)."""
    parsed = _partial(spec)
    if parsed is None:
        return None
    low = (parsed[0][0], parsed[0][1], 0)
    return lambda v: v >= low


def resolve(
    language: str,
    request: str,
    source: str,
    predicate: Predicate | None,
    candidates: Sequence[Candidate],
) -> Resolution:
    """Pick the highest candidate the predicate accepts, else the nearest, and say why."""
    ordered = sorted(candidates, key=lambda c: c.full)
    if not ordered:
        raise ValueError(f"no {language} versions in the catalog")
    if predicate is None:
        best = ordered[-1]
        return Resolution(
            best.line,
            False,
            f"could not read {language} version {request!r} from {source}; using {best.line}",
        )
    accepted = [c for c in ordered if predicate(c.full)]
    if accepted:
        best = accepted[-1]
        return Resolution(
            best.line, True, f"{language} {best.line} because {source} asks for {request!r}"
        )
    wanted = to_tuple(re.sub(r"^[^\d]*", "", request)) or ordered[-1].full
    nearest = min(ordered, key=lambda c: (abs(c.full[0] - wanted[0]), abs(c.full[1] - wanted[1])))
    available = ", ".join(c.line for c in ordered)
    return Resolution(
        nearest.line,
        False,
        f"no base image satisfies {language} {request!r} from {source} (catalog has {available}); "
        f"using the nearest, {nearest.line}",
    )
