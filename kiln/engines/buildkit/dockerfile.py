"""Prepare a Dockerfile for BuildKit: no external frontend, cache mounts namespaced per tenant.

BuildKit's cache mounts are shared by every build on a daemon whose mount has the same id, so a
tenant naming another tenant's id (or just the same target path) would read and write its cache.
Every `--mount=type=cache` is rewritten to an id prefixed with a hash of the build's cache
namespace; a mount without an id gets one made from its target, which is BuildKit's own default.

A `# syntax=` directive would make the daemon pull a frontend image and run it instead of its
built-in Dockerfile frontend, which would escape this rewrite (and there is no public image
registry to pull it from here): the directive is dropped.
"""

from __future__ import annotations

import hashlib
import re

_SYNTAX_DIRECTIVE = re.compile(r"^#\s*syntax\s*=.*$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^#\s*\w+\s*=")
_MOUNT = re.compile(r"--mount=(\S+)")


def namespace_prefix(namespace: str) -> str:
    """A short, stable, opaque prefix for a namespace (workspace or app identity)."""
    return "kiln-ns-" + hashlib.sha256(namespace.encode()).hexdigest()[:16]


def _rewrite_mount(spec: str, prefix: str) -> str:
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
    return ",".join([*kept, f"id={prefix}/{original}"])


def namespace_cache_mounts(dockerfile: str, namespace: str) -> str:
    """The Dockerfile with every cache mount's id moved into the namespace."""
    prefix = namespace_prefix(namespace)
    return _MOUNT.sub(lambda m: "--mount=" + _rewrite_mount(m.group(1), prefix), dockerfile)


def drop_syntax_directive(dockerfile: str) -> str:
    """Remove `# syntax=` from the parser directives at the top of the file."""
    lines = dockerfile.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not _DIRECTIVE.match(line):
            break
        if _SYNTAX_DIRECTIVE.match(line.strip()):
            del lines[index]
            break
    return "".join(lines)


def prepare_dockerfile(dockerfile: str, namespace: str) -> str:
    return namespace_cache_mounts(drop_syntax_directive(dockerfile), namespace)
