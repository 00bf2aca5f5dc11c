"""Cache mounts namespaced per tenant, for every engine.

An engine shares a cache mount between all builds that name the same id (BuildKit per daemon,
buildah per host), so a tenant naming another tenant's id, or just the same target path, would read
and write its cache. Every `--mount=type=cache` is rewritten to an id prefixed with a hash of the
build's cache namespace (the workspace); a mount without an id gets one made from its target, which
is the engines' own default.
"""

from __future__ import annotations

import hashlib
import re

_MOUNT = re.compile(r"--mount=(\S+)")


def namespace_prefix(namespace: str) -> str:
    """A short, stable, opaque prefix for a namespace (workspace or app identity)."""
    return "kiln-ns-" + hashlib.sha256(namespace.encode()).hexdigest()[:16]


def _rewrite_mount(spec: str, prefix: str, separator: str) -> str:
    fields = spec.split(",")
    pairs = [field.split("=", 1) for field in fields]
    kinds = [pair[1] for pair in pairs if len(pair) == 2 and pair[0].lower() == "type"]
    if kinds[-1:] != ["cache"]:
        return spec
    ids = [pair[1] for pair in pairs if len(pair) == 2 and pair[0].lower() == "id"]
    targets = [
        pair[1]
        for pair in pairs
        if len(pair) == 2 and pair[0].lower() in ("target", "dst", "destination")
    ]
    original = ids[-1] if ids else (targets[-1] if targets else "")
    kept = [field for field, pair in zip(fields, pairs, strict=True) if pair[0].lower() != "id"]
    if separator != "/":
        original = original.replace("/", "_")
    return ",".join([*kept, f"id={prefix}{separator}{original}"])


def namespace_cache_mounts(dockerfile: str, namespace: str, separator: str = "/") -> str:
    """The Dockerfile with every cache mount's id moved into the namespace.

    buildah keeps a cache mount in a directory named by its id, so it gets `-` as the separator
    (and no `/` inside the id); BuildKit's ids are opaque and keep the readable `/`.
    """
    prefix = namespace_prefix(namespace)
    return _MOUNT.sub(
        lambda m: "--mount=" + _rewrite_mount(m.group(1), prefix, separator), dockerfile
    )
