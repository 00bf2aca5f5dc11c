"""Settings: every `KILN_*` environment variable, read once in the entry point and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    build_network: str = "host"
    debian_mirror: str = "http://deb.debian.org/debian"
    debian_security_mirror: str = "http://deb.debian.org/debian-security"

    @field_validator("insecure_registries", mode="before")
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
    def catalog_path(self) -> Path:
        return self.data_dir / "bases" / "catalog.json"

    def ca_bundle(self) -> Path | None:
        """The CA bundle to mount into RUN steps, or None when it is unset or missing."""
        if self.extra_ca_certs is None or not self.extra_ca_certs.is_file():
            return None
        return self.extra_ca_certs
