"""Mask known secret values in text, including a secret split across two lines of output.

A line that ends with the beginning of a secret is held back until the next line shows whether
the secret continues there; then both halves are masked. Lines that cannot be the first half of
a secret pass straight through, so live logs are not delayed.
"""

from __future__ import annotations

MASK = "***"
MIN_SECRET_LENGTH = 4
MIN_SPLIT = 3
"""The shortest piece of a secret recognised at a line break."""


class Redactor:
    def __init__(self, secrets: list[str] | None = None) -> None:
        self._secrets = sorted(
            {s for s in (secrets or []) if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        self._held: str | None = None

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return value

    def _may_continue(self, line: str) -> bool:
        return any(
            line.endswith(secret[:cut])
            for secret in self._secrets
            for cut in range(MIN_SPLIT, len(secret))
        )

    def _join(self, held: str, line: str) -> tuple[str, str]:
        for secret in self._secrets:
            for cut in range(len(secret) - 1, MIN_SPLIT - 1, -1):
                if held.endswith(secret[:cut]) and line.startswith(secret[cut:]):
                    return held[:-cut] + MASK, MASK + line[len(secret) - cut :]
        return held, line

    def feed(self, line: str) -> list[str]:
        """Redact one line; returns the lines ready to be shown (none, one or two)."""
        ready: list[str] = []
        if self._held is not None:
            held, line = self._join(self._held, line)
            ready.append(held)
            self._held = None
        redacted = self.text(line)
        if self._may_continue(redacted):
            self._held = redacted
        else:
            ready.append(redacted)
        return ready

    def drain(self) -> list[str]:
        """The held-back line, if any (at a pause in the output or at the end)."""
        held, self._held = self._held, None
        return [held] if held is not None else []

    def line(self, value: str) -> str:
        """Redact a standalone line (no holding back)."""
        return self.text(value)
