"""Fernet encryption of secrets at rest keyed by KILN_SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from kiln.errors import KilnError


class SecretBox:
    """Encrypts and decrypts short secrets; any passphrase is a key (hashed to 32 bytes)."""

    def __init__(self, key: str) -> None:
        if not key:
            raise KilnError("KILN_SECRET_KEY is empty: set it to a long random string")
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._mac_key = hashlib.sha256(b"kiln-fingerprint:" + key.encode()).digest()

    def fingerprint(self, data: str) -> str:
        """A keyed hash (HMAC-SHA256): identifies a value without revealing guessable ones."""
        return hmac.new(self._mac_key, data.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise KilnError(
                "a stored secret cannot be decrypted: KILN_SECRET_KEY changed?"
            ) from exc


def load_or_create_key(configured: str, key_file: Path) -> str:
    """KILN_SECRET_KEY, else a key generated once and kept (mode 0600) in the data directory."""
    if configured:
        return configured
    if key_file.is_file():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.touch(mode=0o600)
    key_file.write_text(key + "\n")
    return key
