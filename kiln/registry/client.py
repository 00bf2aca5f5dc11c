"""An async client for the OCI distribution API (the subset kiln needs, grown issue by issue)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from kiln.errors import (
    KilnError,
    NotFound,
    RegistryAuthError,
    RegistryDeletesDisabled,
    RegistryError,
    UserError,
)
from kiln.registry.auth import RegistryAuth
from kiln.registry.credentials import Credentials

MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
INDEX_TYPES = MANIFEST_TYPES[1], MANIFEST_TYPES[3]
DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")


@dataclass(frozen=True)
class Manifest:
    digest: str
    media_type: str
    body: dict[str, Any]

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES

    def blob_sizes(self) -> dict[str, int]:
        """Config and layer digests → sizes (an image manifest's own blobs)."""
        blobs = [self.body.get("config", {}), *self.body.get("layers", [])]
        return {b["digest"]: int(b["size"]) for b in blobs if "digest" in b}


class RegistryClient:
    """One registry (`host[:port]`); plain HTTP for loopback or insecure registries.

    Requests authenticate through `RegistryAuth` (basic or bearer tokens, as the registry's 401
    challenge asks; anonymous tokens without `credentials`) unless another `auth` is given.
    """

    def __init__(
        self,
        registry: str,
        *,
        plain_http: bool,
        credentials: Credentials | None = None,
        auth: httpx.Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        if auth is not None and credentials is not None:
            raise TypeError("pass either credentials or auth, not both")
        scheme = "http" if plain_http else "https"
        self.registry = registry
        self._has_credentials = credentials is not None or auth is not None
        self._http = httpx.AsyncClient(
            base_url=f"{scheme}://{registry}",
            auth=auth if auth is not None else RegistryAuth(credentials),
            transport=transport,
            timeout=timeout,
        )

    async def __aenter__(self) -> RegistryClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str | httpx.URL, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise RegistryError(f"registry {self.registry} is unreachable: {exc}") from exc
        if response.status_code in (401, 403):
            if response.status_code == 403:
                hint = "the credentials are valid but lack this permission"
            elif self._has_credentials:
                hint = "the registry rejected the credentials"
            else:
                hint = "the registry needs credentials"
            raise RegistryAuthError(
                f"registry {self.registry} refused {method} {httpx.URL(path).path} "
                f"({response.status_code})",
                hint=hint,
            )
        if response.status_code >= 500:
            raise RegistryError(
                f"registry {self.registry} failed: {response.status_code} on {path}"
            )
        return response

    async def ping(self) -> None:
        """Check that the registry speaks the distribution API (`GET /v2/`)."""
        response = await self._request("GET", "/v2/")
        if response.status_code != 200:
            raise RegistryError(
                f"{self.registry} does not answer like an OCI registry (GET /v2/ → "
                f"{response.status_code})"
            )

    async def manifest_digest(self, repository: str, reference: str) -> str | None:
        """The digest the registry reports for a tag or digest, or None if it does not exist."""
        response = await self._request(
            "HEAD",
            f"/v2/{repository}/manifests/{reference}",
            headers={"Accept": ", ".join(MANIFEST_TYPES)},
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RegistryError(f"HEAD manifest {repository}:{reference} → {response.status_code}")
        digest = response.headers.get("Docker-Content-Digest")
        if not isinstance(digest, str):
            raise RegistryError(f"{self.registry} sent no Docker-Content-Digest for {reference}")
        return digest

    async def get_manifest(self, repository: str, reference: str) -> Manifest:
        response = await self._request(
            "GET",
            f"/v2/{repository}/manifests/{reference}",
            headers={"Accept": ", ".join(MANIFEST_TYPES)},
        )
        if response.status_code == 404:
            raise NotFound(f"{self.registry}/{repository}:{reference} does not exist")
        if response.status_code != 200:
            raise RegistryError(f"GET manifest {repository}:{reference} → {response.status_code}")
        digest = response.headers.get("Docker-Content-Digest") or (
            "sha256:" + hashlib.sha256(response.content).hexdigest()
        )
        try:
            body = json.loads(response.content)
        except json.JSONDecodeError as exc:
            raise RegistryError(f"manifest {repository}:{reference} is not JSON") from exc
        media_type = body.get("mediaType") or response.headers.get("Content-Type", "")
        return Manifest(digest=digest, media_type=media_type.split(";")[0], body=body)

    async def image_size(self, repository: str, reference: str) -> int:
        """Compressed size of an image: manifest blobs (every child's, for an index)."""
        manifest = await self.get_manifest(repository, reference)
        if not manifest.is_index:
            return sum(manifest.blob_sizes().values())
        total = 0
        for child in manifest.body.get("manifests", []):
            total += await self.image_size(repository, child["digest"])
        return total

    async def stream_blob(self, repository: str, digest: str) -> AsyncIterator[bytes]:
        """The blob's bytes, streamed; following the registry's redirect if it sends one."""
        try:
            async with self._http.stream(
                "GET", f"/v2/{repository}/blobs/{digest}", follow_redirects=True
            ) as response:
                if response.status_code == 404:
                    raise NotFound(f"blob {digest} not found in {repository}")
                if response.status_code != 200:
                    raise RegistryError(f"GET blob {digest} → {response.status_code}")
                async for chunk in response.aiter_bytes():
                    yield chunk
        except httpx.TransportError as exc:
            raise RegistryError(f"registry {self.registry} is unreachable: {exc}") from exc

    async def get_blob_json(self, repository: str, digest: str) -> dict[str, Any]:
        """A small JSON blob (an image config), read whole."""
        data = b"".join([chunk async for chunk in self.stream_blob(repository, digest)])
        try:
            body = json.loads(data)
        except json.JSONDecodeError as exc:
            raise RegistryError(f"blob {digest} in {repository} is not JSON") from exc
        if not isinstance(body, dict):
            raise RegistryError(f"blob {digest} in {repository} is not a JSON object")
        return body

    async def image_labels(self, repository: str, reference: str) -> dict[str, str]:
        """The labels in an image's config (an index: its first child's)."""
        manifest = await self.get_manifest(repository, reference)
        if manifest.is_index:
            return await self.image_labels(repository, manifest.body["manifests"][0]["digest"])
        config = await self.get_blob_json(repository, manifest.body["config"]["digest"])
        labels = (config.get("config") or {}).get("Labels") or {}
        return {str(k): str(v) for k, v in labels.items()}

    async def tag_manifest(self, repository: str, digest: str, tag: str) -> None:
        """Point `tag` at an existing manifest (copied byte for byte, so the digest holds)."""
        response = await self._request(
            "GET",
            f"/v2/{repository}/manifests/{digest}",
            headers={"Accept": ", ".join(MANIFEST_TYPES)},
        )
        if response.status_code != 200:
            raise NotFound(f"{self.registry}/{repository}@{digest} does not exist")
        put = await self._request(
            "PUT",
            f"/v2/{repository}/manifests/{tag}",
            content=response.content,
            headers={"Content-Type": response.headers.get("Content-Type", MANIFEST_TYPES[0])},
        )
        if put.status_code not in (200, 201):
            raise RegistryError(f"PUT manifest {repository}:{tag} → {put.status_code}")

    async def list_tags(self, repository: str, *, page_size: int = 100) -> list[str]:
        """Every tag, following `Link: <…>; rel="next"` pages; [] if the repository is unknown."""
        tags: list[str] = []
        url: str | httpx.URL = f"/v2/{repository}/tags/list"
        params: dict[str, int] | None = {"n": page_size}
        seen: set[str] = set()
        while True:
            response = await self._request("GET", url, params=params)
            if response.status_code == 404:
                return tags
            if response.status_code != 200:
                raise RegistryError(f"GET tags of {repository} → {response.status_code}")
            try:
                page = json.loads(response.content).get("tags") or []
            except (json.JSONDecodeError, AttributeError) as exc:
                raise RegistryError(f"the tag list of {repository} is not JSON") from exc
            tags.extend(str(tag) for tag in page)
            link = response.links.get("next", {}).get("url")
            if not link:
                return tags
            url, params = response.url.join(link), None
            if url.netloc != response.url.netloc or str(url) in seen:
                raise RegistryError(f"{self.registry} sent a bad next-page link for {repository}")
            seen.add(str(url))

    async def delete_manifest(self, repository: str, digest: str) -> bool:
        """Delete a manifest by digest: True if deleted, False if it was already gone."""
        if not DIGEST.match(digest):
            raise UserError(f"manifests are deleted by digest, and {digest!r} is not one")
        response = await self._request("DELETE", f"/v2/{repository}/manifests/{digest}")
        if response.status_code in (200, 202):
            return True
        if response.status_code == 404:
            return False
        if response.status_code == 405:
            raise RegistryDeletesDisabled(
                f"deletes are disabled on this registry ({self.registry})",
                hint="docker-registry: set storage.delete.enabled: true",
            )
        raise RegistryError(f"DELETE manifest {repository}@{digest} → {response.status_code}")

    async def check_push_access(self, repository: str) -> None:
        """Prove the credentials may push to `repository` without pushing anything.

        Starts a blob upload and cancels it at once; a refusal raises `RegistryAuthError`.
        """
        response = await self._request("POST", f"/v2/{repository}/blobs/uploads/")
        if response.status_code != 202:
            raise RegistryError(
                f"{self.registry} did not open an upload in {repository} "
                f"(POST → {response.status_code})"
            )
        location = response.headers.get("Location")
        if location:
            # Best effort: cancelling may need a delete permission, and registries expire
            # abandoned uploads anyway.
            with contextlib.suppress(KilnError):
                await self._request("DELETE", response.url.join(location))
