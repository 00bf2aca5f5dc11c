"""Fernet encryption of secrets at rest keyed by KILN_SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from kiln.errors import KilnError


class SecretBox:
    """Encrypts and decrypts short secrets; any passphrase is a key (hashed to 32 bytes)."""

    def __init__(self, key: str) -> None:
        if not key:
            raise KilnError("KILN_SECRET_KEY is empty: set it to a long random string")
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise KilnError(
                "a stored secret cannot be decrypted: KILN_SECRET_KEY changed?"
            ) from exc
