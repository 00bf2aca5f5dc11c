"""Services: the shared dependencies every use case gets (built once in the entry point)."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.client import Client

from kiln.config import Settings
from kiln.logs.follow import LogHub
from kiln.secrets.crypto import SecretBox
from kiln.service.ratelimit import RateLimiter
from kiln.source.github_app import InstallationTokens, installation_tokens
from kiln.store.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    temporal: Client
    box: SecretBox
    hub: LogHub
    triggers: RateLimiter = field(init=False)
    github: InstallationTokens | None = field(init=False)

    def __post_init__(self) -> None:
        self.triggers = RateLimiter(self.settings.trigger_rate_per_minute)
        self.github = installation_tokens(self.settings)

    async def git_token(self, installation_id: int | None) -> str | None:
        """The token to read an app's repository with (GitHub App installation), if any."""
        if installation_id is None or self.github is None:
            return None
        return await self.github.token(installation_id)
