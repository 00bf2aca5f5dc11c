"""`kiln.toml` in the repository: the project's own overrides (schema in docs/providers/README.md).

    provider = "python"            # force a provider
    version = "3.12"               # the language version (a range works: ">=3.11")
    install = "pip install -r requirements.txt"
    build = "python manage.py collectstatic --noinput"
    start = "gunicorn app:app"
    port = 8000
    packages = ["ffmpeg"]          # Debian packages in the runtime image
    build_packages = ["gcc"]       # Debian packages in the build stage
    dockerfile = "docker/Dockerfile"

Unknown keys are an error naming the known ones, so a typo never silently does nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiln.detect.overrides import OverrideLayer, Overrides
from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

FILE = "kiln.toml"


class KilnToml(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str | None = None
    version: str | None = None
    install: str | None = None
    build: str | None = None
    start: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    packages: list[str] | None = None
    build_packages: list[str] | None = None
    dockerfile: str | None = None

    def overrides(self) -> Overrides:
        return Overrides(
            provider=self.provider,
            language_version=self.version,
            install_cmd=self.install,
            build_cmd=self.build,
            start_cmd=self.start,
            port=self.port,
            apt_packages=self.packages,
            build_apt_packages=self.build_packages,
            dockerfile_path=self.dockerfile,
        )


def _problems(exc: ValidationError) -> str:
    known = ", ".join(KilnToml.model_fields)
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            lines.append(f"unknown key {where!r} (known keys: {known})")
        else:
            lines.append(f"{where}: {error['msg']}")
    return "; ".join(lines)


def kiln_toml_layer(repo: RepoView) -> OverrideLayer | None:
    """The overrides `kiln.toml` sets, or None when the repository has none."""
    if not repo.has_file(FILE):
        return None
    data = repo.read_toml(FILE)
    try:
        return OverrideLayer(FILE, KilnToml.model_validate(data).overrides())
    except ValidationError as exc:
        raise ManifestError(f"{FILE}: {_problems(exc)}") from exc
