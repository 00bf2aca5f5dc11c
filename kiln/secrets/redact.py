"""Mask known secret values in text, including a secret split across two chunks of output."""

from __future__ import annotations

MASK = "***"
MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces every known secret with `***`. Feed lines in order through `line()`."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self._secrets = sorted(
            {s for s in (secrets or []) if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        self._previous = ""

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return value

    def line(self, value: str) -> str:
        """Redact a line; also masks a secret whose start ended the previous line."""
        redacted = self.text(value)
        for secret in self._secrets:
            for cut in range(1, len(secret)):
                head, tail = secret[:cut], secret[cut:]
                if self._previous.endswith(head) and redacted.startswith(tail):
                    redacted = MASK + redacted[len(tail) :]
                    break
        self._previous = value
        return redacted
