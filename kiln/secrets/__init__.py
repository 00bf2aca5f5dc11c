"""Secrets: encryption at rest (Fernet) and redaction of known secret values."""
