"""Garbage collection of the managed registry frees the blobs of deleted images on disk."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from pathlib import Path

import httpx
import pytest

from kiln.quota.cleaner import delete_referrers
from kiln.registry.client import RegistryClient
from kiln.registry.gc import garbage_collect
from tests.support.servers import run_registry

pytestmark = pytest.mark.integration
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push(address: str, repository: str, tag: str, layer: bytes) -> str:
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
                         "diff_ids": [digest_of(layer)]}}).encode()  # fmt: skip
    with httpx.Client(base_url=f"http://{address}") as http:
        for blob in (config, layer):
            start = http.post(f"/v2/{repository}/blobs/uploads/")
            location = start.url.join(start.headers["Location"])
            put = http.put(location.copy_merge_params({"digest": digest_of(blob)}), content=blob)
            assert put.status_code == 201, put.text
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": digest_of(config), "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": digest_of(layer), "size": len(layer)}]}).encode()  # fmt: skip
        put = http.put(f"/v2/{repository}/manifests/{tag}", content=manifest,
                       headers={"Content-Type": OCI_MANIFEST})  # fmt: skip
        assert put.status_code == 201, put.text
    return digest_of(manifest)


def test_gc_reports_the_bytes_freed(tmp_path: Path) -> None:
    with run_registry(tmp_path / "storage") as registry:
        old = push(registry.address, "app/web", "old", os.urandom(2_000_000))
        push(registry.address, "app/web", "new", os.urandom(1_000_000))

        async def delete_old() -> bool:
            async with RegistryClient(registry.address, plain_http=True) as client:
                return await client.delete_manifest("app/web", old)

        assert asyncio.run(delete_old()) is True
    assert registry.config is not None
    lines: list[str] = []
    preview = asyncio.run(garbage_collect(registry.config, lines.append, dry_run=True))
    assert preview.freed_bytes == 0 and preview.dry_run
    report = asyncio.run(garbage_collect(registry.config, lines.append))
    assert 2_000_000 <= report.freed_bytes < 2_100_000  # the old layer and its config, not more
    with run_registry(tmp_path / "storage") as registry:
        head = httpx.head(
            f"{registry.url}/v2/app/web/manifests/new", headers={"Accept": OCI_MANIFEST}
        )
        assert head.status_code == 200


def test_referrer_tags_go_with_the_image(tmp_path: Path) -> None:
    with run_registry(tmp_path / "storage") as registry:
        image = push(registry.address, "app/web", "v1", os.urandom(1000))
        signature_tag = image.replace(":", "-") + ".sig"
        push(registry.address, "app/web", signature_tag, os.urandom(500))
        push(registry.address, "app/web", "unrelated", os.urandom(500))

        async def scenario() -> tuple[int, list[str]]:
            async with RegistryClient(registry.address, plain_http=True) as client:
                assert await client.delete_manifest("app/web", image)
                removed = await delete_referrers(client, "app/web", image)
                return removed, await client.list_tags("app/web")

        removed, tags = asyncio.run(scenario())
    assert removed == 1
    assert tags == ["unrelated"]
