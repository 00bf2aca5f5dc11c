"""Services: the shared dependencies every use case gets (built once in the entry point)."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.client import Client

from kiln.config import Settings
from kiln.logs.follow import LogHub
from kiln.secrets.crypto import SecretBox
from kiln.service.ratelimit import RateLimiter
from kiln.store.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    temporal: Client
    box: SecretBox
    hub: LogHub
    triggers: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.triggers = RateLimiter(self.settings.trigger_rate_per_minute)
