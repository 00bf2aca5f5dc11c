"""Registry clients for a workspace's cleanup: each host with the credentials configured for it."""

from __future__ import annotations

from collections.abc import Iterable

from kiln.config import Settings
from kiln.quota.cleaner import ClientFactory
from kiln.registry.client import RegistryClient
from kiln.registry.connect import connect
from kiln.registry.credentials import Credentials
from kiln.store.context import RegistryTarget


def workspace_clients(settings: Settings, targets: Iterable[RegistryTarget]) -> ClientFactory:
    by_host = {target.host: target for target in targets}

    def client_for(host: str) -> RegistryClient:
        target = by_host.get(host)
        credentials = (
            Credentials(target.username, target.secret)
            if target is not None and target.username and target.secret
            else None
        )
        return connect(settings, host, credentials)

    return client_for
