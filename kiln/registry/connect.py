"""A client for a registry host as kiln's settings say to reach it (plain HTTP or TLS)."""

from __future__ import annotations

from kiln.config import Settings
from kiln.refs import uses_plain_http
from kiln.registry.client import RegistryClient
from kiln.registry.credentials import Credentials


def connect(
    settings: Settings, host: str, credentials: Credentials | None = None
) -> RegistryClient:
    plain = uses_plain_http(host, settings.insecure_registries)
    return RegistryClient(host, plain_http=plain, credentials=credentials)
