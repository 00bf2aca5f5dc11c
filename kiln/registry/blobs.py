"""The blobs an image is made of: config and layers, of every child for an index."""

from __future__ import annotations

from kiln.registry.client import RegistryClient


async def manifest_blobs(client: RegistryClient, repository: str, digest: str) -> dict[str, int]:
    manifest = await client.get_manifest(repository, digest)
    if not manifest.is_index:
        return manifest.blob_sizes()
    blobs: dict[str, int] = {}
    for child in manifest.body.get("manifests", []):
        blobs.update(await manifest_blobs(client, repository, child["digest"]))
    return blobs
