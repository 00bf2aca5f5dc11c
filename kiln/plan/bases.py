"""The base-image catalog: (language, version, role) → image, so plans resolve versions offline.

A catalog written by `kiln bases bootstrap` lives in the data directory; without one, plans name
the usual public images (useful for `kiln plan` on a laptop, not buildable on air-gapped hosts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from kiln.errors import CatalogError

Role = Literal["build", "runtime"]

RUNTIME = "runtime"
"""The language name of the plain runtime base (CA certificates, a non-root user, nothing else)."""
STATIC = "static"
"""The language name of the static-file server base."""


BUSYBOX_SERVE = "busybox httpd -f -v -p 0.0.0.0:${PORT} -h /app"


class CatalogImage(BaseModel):
    language: str
    version: str = Field(description="the version line plans ask for: '20', '3.11', '1.24'")
    full_version: str | None = Field(default=None, description="exact version inside the image")
    role: Role
    image: str = Field(description="a tag reference, for people")
    digest: str | None = Field(default=None, description="pinned manifest digest")
    suite: str | None = None
    packages: list[str] = Field(default_factory=list)
    serve: str | None = Field(
        default=None, description="static bases: the command that serves /app on $PORT"
    )
    user_provided: bool = Field(
        default=False,
        description="kiln cannot build this image (Debian lacks the toolchain and no reachable "
        "registry ships it): the operator mirrors it and lists it in the catalog",
    )

    @property
    def pinned(self) -> str:
        """The reference a Dockerfile uses: by digest when known, so builds are reproducible."""
        if self.digest is None:
            return self.image
        repository = (
            self.image.rsplit(":", 1)[0] if ":" in self.image.rsplit("/", 1)[-1] else self.image
        )
        return f"{repository}@{self.digest}"


class Catalog(BaseModel):
    source: str = "builtin"
    images: list[CatalogImage]

    def versions(self, language: str) -> list[CatalogImage]:
        """One entry per version line of a language (the first listed of its roles)."""
        seen: dict[str, CatalogImage] = {}
        for image in self.images:
            if image.language == language:
                seen.setdefault(image.version, image)
        return list(seen.values())

    def find(self, language: str, version: str, role: Role) -> CatalogImage | None:
        for image in self.images:
            if image.language == language and image.version == version and image.role == role:
                return image
        return None

    def runtime_base(self, suite: str | None = None) -> CatalogImage:
        """The plain runtime base; of `suite` when the catalog has one (binaries need its glibc)."""
        for image in self.images:
            if image.language == RUNTIME and image.role == "runtime" and image.suite == suite:
                return image
        return self._require(RUNTIME, "runtime")

    def static_base(self) -> CatalogImage:
        return self._require(STATIC, "runtime")

    def _require(self, language: str, role: Role) -> CatalogImage:
        for image in self.images:
            if image.language == language and image.role == role:
                return image
        raise CatalogError(f"the base-image catalog ({self.source}) has no {language} {role} image")


def _public(language: str, version: str, build: str, runtime: str) -> list[CatalogImage]:
    return [
        CatalogImage(language=language, version=version, role="build", image=build),
        CatalogImage(language=language, version=version, role="runtime", image=runtime),
    ]


def builtin_catalog() -> Catalog:
    """The public images most projects use; what `kiln plan` names before any bootstrap."""
    images: list[CatalogImage] = [
        CatalogImage(
            language=RUNTIME,
            version="bookworm",
            role="runtime",
            image="docker.io/library/debian:bookworm-slim",
        ),
        CatalogImage(
            language=STATIC,
            version="bookworm",
            role="runtime",
            image="docker.io/library/busybox:stable",
            serve=BUSYBOX_SERVE,
        ),
    ]
    for major in ("18", "20", "22", "24"):
        slim = f"docker.io/library/node:{major}-bookworm-slim"
        images += _public("node", major, slim, slim)
    for minor in ("3.10", "3.11", "3.12", "3.13"):
        slim = f"docker.io/library/python:{minor}-slim-bookworm"
        images += _public("python", minor, slim, slim)
    for minor in ("1.22", "1.23", "1.24"):
        images.append(
            CatalogImage(
                language="go",
                version=minor,
                role="build",
                image=f"docker.io/library/golang:{minor}-bookworm",
            )
        )
    for major in ("17", "21"):
        images += _public(
            "java",
            major,
            f"docker.io/library/maven:3-eclipse-temurin-{major}",
            f"docker.io/library/eclipse-temurin:{major}-jre",
        )
    images.append(
        CatalogImage(
            language="rust",
            version="1.85",
            role="build",
            image="docker.io/library/rust:1.85-slim-bookworm",
        )
    )
    images.append(
        CatalogImage(
            language="cpp", version="12", role="build", image="docker.io/library/gcc:12-bookworm"
        )
    )
    for minor in ("3.1", "3.2", "3.3", "3.4"):
        images += _public("ruby", minor, *[f"docker.io/library/ruby:{minor}-slim-bookworm"] * 2)
    for minor in ("8.2", "8.3", "8.4"):
        images += _public("php", minor, *[f"docker.io/library/php:{minor}-cli-bookworm"] * 2)
    for minor in ("1.14", "1.16", "1.17", "1.18"):  # a mix release runs on the plain runtime base
        images.append(
            CatalogImage(
                language="elixir",
                version=minor,
                role="build",
                image=f"docker.io/library/elixir:{minor}-slim",
            )
        )
    return Catalog(source="builtin", images=images + user_provided_images())


def user_provided_images() -> list[CatalogImage]:
    """Toolchains neither Debian nor a registry this host reaches ships: named, not built."""
    images: list[CatalogImage] = []
    for line in ("8.0", "9.0"):
        images += _public(
            "dotnet",
            line,
            f"mcr.microsoft.com/dotnet/sdk:{line}",
            f"mcr.microsoft.com/dotnet/aspnet:{line}",
        )
    images += _public(
        "gleam",
        "1.9",
        "ghcr.io/gleam-lang/gleam:v1.9.1-erlang-slim",
        "docker.io/library/erlang:27-slim",
    )
    return [image.model_copy(update={"user_provided": True}) for image in images]


def with_user_provided(catalog: Catalog) -> Catalog:
    """The catalog plus the user-provided entries of the languages it has no image for."""
    missing = [i for i in user_provided_images() if not catalog.versions(i.language)]
    return catalog.model_copy(update={"images": catalog.images + missing}) if missing else catalog


def load_catalog(path: Path) -> Catalog:
    """The bootstrapped catalog at `path`, or the builtin one when none was written yet."""
    if not path.exists():
        return builtin_catalog()
    try:
        return with_user_provided(Catalog.model_validate_json(path.read_text()))
    except (OSError, ValidationError) as exc:
        raise CatalogError(
            f"cannot read the base-image catalog {path}: {exc}",
            hint="re-run `kiln bases bootstrap`",
        ) from exc


def save_catalog(catalog: Catalog, path: Path) -> None:
    """Write atomically: a reader never sees half a catalog."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(catalog.model_dump_json(indent=2) + "\n")
    tmp.replace(path)
