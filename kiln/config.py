"""Settings: every `KILN_*` environment variable, read once in the entry point and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "kiln"


class Settings(BaseSettings):
    """kiln's configuration; see the configuration table in the README."""

    model_config = SettingsConfigDict(env_prefix="KILN_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    insecure_registries: Annotated[list[str], NoDecode] = Field(default_factory=list)
    extra_ca_certs: Path | None = HOST_CA_BUNDLE
    buildah_storage_driver: str = "overlay"
    buildah_runtime: str = "runc"
    buildah_root: Path | None = None
    """buildah's image store (`--root`, run state beneath it); default: buildah's own."""
    build_network: str = "host"
    engine: Literal["buildah", "buildkit"] = "buildah"
    buildkit_host: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """buildkitd addresses (unix:///…sock, tcp://host:port), comma-separated: a pool."""
    buildkit_cache_tag: str = "buildcache"
    """Tag of each app's registry build cache (`<image repository>:<tag>`); empty: none."""
    buildkit_affinity_slack: int = 1
    """An app's builds stay on its daemon unless it has this many more than the least busy one."""
    database_url: str | None = None
    """SQLAlchemy URL; default: an SQLite file in the data directory."""
    secret_key: str = ""
    """Encrypts registry secrets at rest; required by `kiln serve` / `kiln worker`."""
    temporal_address: str | None = None
    """host:port of a Temporal frontend; default: start the embedded dev server."""
    temporal_namespace: str = "default"
    task_queue: str = "kiln-builds"
    temporal_ui_url: str = ""
    """Base URL of a Temporal web UI; the dashboard links each build to its workflow there."""
    worker_name: str = ""
    """How this worker names itself in Temporal and in build logs; default: pid@hostname."""
    worker_max_builds: int = Field(default=4, ge=1)
    """Build steps (activities) one worker runs at once."""
    bootstrap_token: str = ""
    """An owner API token, until users and tokens exist (used by `make demo` and tests)."""
    api_url: str = "http://127.0.0.1:8700"
    """Where CLI commands that talk to a running kiln (`kiln quota …`) find its API."""
    api_token: str = ""
    """The token those commands send; default: KILN_BOOTSTRAP_TOKEN."""
    github_app_id: str = ""
    github_app_private_key_file: Path | None = None
    github_api_url: str = "https://api.github.com"
    allow_link_local: bool = False
    """Allow repository and registry hosts on link-local / cloud-metadata addresses."""
    trigger_rate_per_minute: int = 60
    """Build triggers per workspace per minute (API and webhooks); more answer 429."""
    allow_local_repos: bool = False
    """Accept file:// and local paths as repository URLs (tests only)."""
    max_log_bytes: int = 5 * 1024 * 1024
    build_timeout_seconds: int = 1800
    host: str = "127.0.0.1"
    port: int = 8700
    grpc_port: int = 8701
    """The gRPC BuildService's port (on `host`); 0 turns it off."""
    debian_mirror: str = "http://deb.debian.org/debian"
    debian_security_mirror: str = "http://deb.debian.org/debian-security"

    @field_validator("insecure_registries", "buildkit_host", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("extra_ca_certs", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        return None if value in ("", "none") else value

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'kiln.db'}"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "bases" / "catalog.json"

    def ca_bundle(self) -> Path | None:
        """The CA bundle to mount into RUN steps, or None when it is unset or missing."""
        if self.extra_ca_certs is None or not self.extra_ca_certs.is_file():
            return None
        return self.extra_ca_certs
