"""Prepare a Dockerfile for BuildKit: no external frontend, cache mounts namespaced per tenant.

Cache mounts are namespaced per workspace by `kiln/engines/cache_mounts.py` (shared with buildah).

A `# syntax=` directive would make the daemon pull a frontend image and run it instead of its
built-in Dockerfile frontend, which would escape this rewrite (and there is no public image
registry to pull it from here): the directive is dropped.
"""

from __future__ import annotations

import re

from kiln.engines.cache_mounts import namespace_cache_mounts

_SYNTAX_DIRECTIVE = re.compile(r"^#\s*syntax\s*=.*$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^#\s*\w+\s*=")


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
