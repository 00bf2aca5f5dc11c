"""Protocol edge cases of the registry client, against httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest

from kiln.errors import NotFound, RegistryAuthError, RegistryError
from kiln.registry.client import RegistryClient

DIGEST = "sha256:" + "1" * 64
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def client(handler: httpx.MockTransport) -> RegistryClient:
    return RegistryClient("registry.test:5000", plain_http=True, transport=handler)


def manifest(layers: list[int]) -> dict[str, object]:
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"digest": "sha256:" + "c" * 64, "size": 100},
        "layers": [{"digest": f"sha256:{i:064x}", "size": size} for i, size in enumerate(layers)],
    }


async def test_head_reports_the_registry_digest_or_none() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        assert OCI_MANIFEST in request.headers["Accept"]
        if request.url.path.endswith("/missing"):
            return httpx.Response(404)
        return httpx.Response(200, headers={"Docker-Content-Digest": DIGEST})

    async with client(httpx.MockTransport(handle)) as registry:
        assert await registry.manifest_digest("app", "v1") == DIGEST
        assert await registry.manifest_digest("app", "missing") is None


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (401, RegistryAuthError, "refused HEAD"),
        (403, RegistryAuthError, "refused HEAD"),
        (503, RegistryError, "failed: 503"),
    ],
)
async def test_error_statuses_become_kiln_errors(
    status: int, error: type[Exception], message: str
) -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(status))) as registry:
        with pytest.raises(error, match=message):
            await registry.manifest_digest("app", "v1")


async def test_missing_digest_header_is_an_error() -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(200))) as registry:
        with pytest.raises(RegistryError, match="no Docker-Content-Digest"):
            await registry.manifest_digest("app", "v1")


async def test_unreachable_registry() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with client(httpx.MockTransport(refuse)) as registry:
        with pytest.raises(RegistryError, match=r"registry registry\.test:5000 is unreachable"):
            await registry.ping()


async def test_manifest_that_is_not_json() -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(200, text="<html>"))) as reg:
        with pytest.raises(RegistryError, match="is not JSON"):
            await reg.get_manifest("app", "v1")


async def test_image_size_sums_blobs_and_index_children() -> None:
    child_a, child_b = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"digest": child_a}, {"digest": child_b}],
    }
    bodies = {"v1": index, child_a: manifest([10, 20]), child_b: manifest([5])}

    def handle(request: httpx.Request) -> httpx.Response:
        reference = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=json.dumps(bodies[reference]).encode())

    async with client(httpx.MockTransport(handle)) as registry:
        assert await registry.image_size("app", "v1") == (100 + 10 + 20) + (100 + 5)


async def test_get_manifest_404_is_not_found() -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(404))) as registry:
        with pytest.raises(NotFound):
            await registry.get_manifest("app", "v9")
