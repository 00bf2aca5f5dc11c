"""diagnose(): the raw output of a failed build → one summary line and a suggestion for people.

The output is cleaned first (ANSI escape codes, buildah's `[1/2] ` stage prefixes and BuildKit's
`#12 0.345 ` step prefixes removed; passwords in `scheme://user:password@` URLs masked), then the
rules of `rules.RULES` are tried in table order over the last `max_lines` lines; the first rule
that matches wins, with its last match (the error is usually at the end).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from kiln.diagnose.rules import RULES, Rule

SUMMARY_LIMIT = 200
LINE_LIMIT = 2000
"""A longer line is cut (after masking) before matching: minified bundles print huge lines."""

UNKNOWN = "unknown"
SEE_THE_LOG = "see the build log"
NO_OUTPUT = "the build failed without output"

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PREFIX = re.compile(r"^(?:\[\d+/\d+\] |#\d+ (?:\d+\.\d+ )?)")
_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s]+@")


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong, in one line, and what to do about it.

    `line` is the (cleaned, masked) line where the winning rule matched; None when none did.
    """

    code: str
    summary: str
    suggestion: str
    line: str | None


def mask_credentials(text: str) -> str:
    """`https://user:secret@host` → `https://user:***@host`."""
    return _CREDENTIALS.sub(r"\1:***@", text)


def clean_line(line: str) -> str:
    """One line without escape codes, control characters, step prefixes or passwords."""
    line = mask_credentials(_CONTROL.sub("", _ANSI.sub("", line)))
    return _PREFIX.sub("", line[:LINE_LIMIT].rstrip())


def one_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Whitespace collapsed to single spaces, cut to `limit` characters (ending in …)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def diagnose(lines: Sequence[str], *, max_lines: int = 2000) -> Diagnosis:
    """The Diagnosis of a failed build from its output lines (oldest first)."""
    if max_lines < 1:
        raise ValueError("max_lines must be at least 1")
    recent = deque(lines, maxlen=max_lines)  # any sequence, a deque too (no slicing needed)
    split = deque((part for line in recent for part in line.splitlines()), maxlen=max_lines)
    cleaned = [clean_line(line) for line in split]
    if not any(line.strip() for line in cleaned):
        return Diagnosis(UNKNOWN, NO_OUTPUT, SEE_THE_LOG, None)
    text = "\n".join(cleaned)
    for rule in RULES:
        matches = list(rule.pattern.finditer(text))
        if matches:
            return _from_match(rule, matches[-1], text)
    last_line = next(line for line in reversed(cleaned) if line.strip())
    return Diagnosis(UNKNOWN, one_line(last_line), SEE_THE_LOG, None)


def _from_match(rule: Rule, match: re.Match[str], text: str) -> Diagnosis:
    values = {name: " ".join((value or "").split()) for name, value in match.groupdict().items()}
    matched = match.group()
    at = match.start() + len(matched) - len(matched.lstrip())  # not the newline before it
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return Diagnosis(
        code=rule.code,
        summary=one_line(rule.summary.format_map(values)),
        suggestion=one_line(rule.suggestion.format_map(values), limit=2 * SUMMARY_LIMIT),
        line=text[start : end if end >= 0 else len(text)],
    )
