"""Image references: parse and validate `host[:port]/repo[:tag][@digest]` before use."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from kiln.errors import InvalidReference

_HOST = (
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
)
_HOST_RE = re.compile(rf"^(?:{_HOST}|\[[0-9a-fA-F:]+\])(?::[0-9]{{1,5}})?$")
_COMPONENT_RE = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST_RE = re.compile(r"^sha256:[a-f0-9]{64}$")


@dataclass(frozen=True)
class ImageRef:
    """A fully qualified image reference; `registry` always has the host (and port)."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def reference(self) -> str:
        """What goes after `/manifests/` in the distribution API."""
        return self.digest or self.tag or "latest"

    def with_digest(self, digest: str) -> ImageRef:
        return ImageRef(self.registry, self.repository, None, digest)

    def with_tag(self, tag: str) -> ImageRef:
        return ImageRef(self.registry, self.repository, tag, None)


def parse_image_ref(text: str) -> ImageRef:
    """Parse a reference that names its registry host explicitly (kiln never guesses docker.io)."""
    raw = text.strip()
    if not raw or raw != text or any(ch.isspace() for ch in raw):
        raise InvalidReference(f"invalid image reference {text!r}: empty or contains whitespace")
    rest, digest = raw, None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not _DIGEST_RE.match(digest):
            raise InvalidReference(f"invalid image reference {text!r}: bad digest {digest!r}")
    host, sep, path = rest.partition("/")
    if not sep or not path:
        raise InvalidReference(
            f"invalid image reference {text!r}: expected HOST[:PORT]/REPOSITORY[:TAG]"
        )
    if not _HOST_RE.match(host) or ("." not in host and ":" not in host and host != "localhost"):
        raise InvalidReference(f"invalid image reference {text!r}: {host!r} is not a registry host")
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = path.rsplit(":", 1)
        if not _TAG_RE.match(tag):
            raise InvalidReference(f"invalid image reference {text!r}: bad tag {tag!r}")
    for component in path.split("/"):
        if not _COMPONENT_RE.match(component):
            raise InvalidReference(
                f"invalid image reference {text!r}: repository part {component!r} must be "
                "lowercase letters, digits and separators"
            )
    if len(path) > 255:
        raise InvalidReference(f"invalid image reference {text!r}: repository name too long")
    return ImageRef(host, path, tag, digest)


def registry_host(registry: str) -> str:
    """The host part of `host[:port]` (brackets of IPv6 literals removed)."""
    if registry.startswith("["):
        return registry[1 : registry.index("]")]
    return registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry


def is_loopback(registry: str) -> bool:
    host = registry_host(registry)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uses_plain_http(registry: str, insecure: list[str]) -> bool:
    """Loopback registries speak plain HTTP by default; others only when listed as insecure."""
    return is_loopback(registry) or registry in insecure or registry_host(registry) in insecure
