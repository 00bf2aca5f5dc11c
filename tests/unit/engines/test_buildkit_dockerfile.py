"""BuildKit Dockerfile preparation: cache mounts namespaced per tenant, no external frontend."""

from __future__ import annotations

from kiln.engines.buildkit.dockerfile import drop_syntax_directive, prepare_dockerfile
from kiln.engines.cache_mounts import namespace_cache_mounts, namespace_prefix

DOCKERFILE = """\
# syntax=docker/dockerfile:1
# escape=\\
FROM base AS build
RUN --mount=type=cache,id=kiln-npm,target=/root/.npm \\
    --mount=type=secret,id=kiln-ca,target=/run/secrets/kiln-ca \\
    npm ci
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
RUN --mount=type=bind,source=x,target=/x true
"""


def test_every_cache_mount_gets_an_id_in_the_namespace() -> None:
    out = namespace_cache_mounts(DOCKERFILE, "acme")
    prefix = namespace_prefix("acme")
    assert f"--mount=type=cache,target=/root/.npm,id={prefix}/kiln-npm" in out
    # a mount without an id is keyed by its target, as BuildKit itself does
    assert f"--mount=type=cache,target=/root/.cache/pip,id={prefix}//root/.cache/pip" in out
    assert "--mount=type=secret,id=kiln-ca,target=/run/secrets/kiln-ca" in out
    assert "--mount=type=bind,source=x,target=/x" in out


def test_two_workspaces_never_share_a_cache_id() -> None:
    one = namespace_cache_mounts(DOCKERFILE, "acme")
    two = namespace_cache_mounts(DOCKERFILE, "globex")
    assert namespace_prefix("acme") != namespace_prefix("globex")
    assert namespace_prefix("globex") not in one and namespace_prefix("acme") not in two
    # a tenant cannot reach another namespace by naming its id: the prefix is always added
    hostile = "RUN --mount=type=cache,id=" + namespace_prefix("acme") + "/kiln-npm,target=/c x\n"
    rewritten = namespace_cache_mounts(hostile, "globex")
    assert f"id={namespace_prefix('globex')}/{namespace_prefix('acme')}/kiln-npm" in rewritten


def test_the_syntax_directive_is_dropped_and_other_directives_kept() -> None:
    out = drop_syntax_directive(DOCKERFILE)
    assert "syntax" not in out
    assert out.startswith("# escape=\\\nFROM base AS build\n")
    # a `# syntax=` after the first instruction is a comment, left alone
    later = "FROM base\n# syntax=other\n"
    assert drop_syntax_directive(later) == later


def test_prepare_does_both() -> None:
    out = prepare_dockerfile(DOCKERFILE, "acme")
    assert "syntax=" not in out and namespace_prefix("acme") in out
