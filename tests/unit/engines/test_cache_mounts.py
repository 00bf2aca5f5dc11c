"""Cache mounts are namespaced per tenant in both engines."""

from __future__ import annotations

from pathlib import Path

from kiln.engines.base import BuildRequest
from kiln.engines.buildah import namespaced
from kiln.engines.cache_mounts import namespace_cache_mounts, namespace_prefix
from kiln.refs import ImageRef

DOCKERFILE = (
    "FROM base\n"
    "RUN --mount=type=cache,id=kiln-npm,target=/root/.npm npm ci\n"
    "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    "RUN --mount=type=secret,id=kiln-ca,target=/run/secrets/kiln-ca true\n"
)


def test_buildah_ids_are_flat_names_in_the_namespace() -> None:
    out = namespace_cache_mounts(DOCKERFILE, "acme", separator="-")
    prefix = namespace_prefix("acme")
    assert f"id={prefix}-kiln-npm" in out
    assert f"id={prefix}-_root_.cache_pip" in out
    assert "id=kiln-ca" in out  # secrets are not cache mounts


def test_two_workspaces_never_share_a_buildah_cache(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(DOCKERFILE)
    image = ImageRef("registry.example", "acme/web", "v1")
    texts = []
    for workspace in ("acme", "globex"):
        scratch = tmp_path / workspace
        scratch.mkdir()
        request = BuildRequest(
            context_dir=tmp_path, dockerfile=dockerfile, tags=[image], cache_namespace=workspace
        )
        moved = namespaced(request, scratch)
        assert moved.dockerfile == scratch / "Dockerfile"
        texts.append(moved.dockerfile.read_text())
    assert texts[0] != texts[1]
    assert dockerfile.read_text() == DOCKERFILE  # the source Dockerfile is left as it was
