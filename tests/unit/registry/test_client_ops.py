"""Tag listing (paginated), deletes by digest and the push-access probe, against MockTransport."""

from __future__ import annotations

import httpx
import pytest

from kiln.errors import RegistryAuthError, RegistryDeletesDisabled, RegistryError, UserError
from kiln.registry.client import RegistryClient

DIGEST = "sha256:" + "d" * 64


def client(handle: httpx.MockTransport) -> RegistryClient:
    return RegistryClient("registry.test:5000", plain_http=True, transport=handle)


async def test_list_tags_follows_next_links_across_pages() -> None:
    pages = {
        None: (["a", "b"], '</v2/team/app/tags/list?last=b&n=2>; rel="next"'),
        "b": (
            ["c", "d"],
            '<http://registry.test:5000/v2/team/app/tags/list?last=d&n=2>; rel="next"',
        ),
        "d": (["e"], None),
    }
    seen: list[httpx.URL] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        assert request.url.path == "/v2/team/app/tags/list"
        tags, link = pages[request.url.params.get("last")]
        headers = {"Link": link} if link else {}
        return httpx.Response(200, json={"name": "team/app", "tags": tags}, headers=headers)

    async with client(httpx.MockTransport(handle)) as registry:
        assert await registry.list_tags("team/app", page_size=2) == ["a", "b", "c", "d", "e"]
    assert [url.params.get("n") for url in seen] == ["2", "2", "2"]


async def test_list_tags_of_unknown_or_empty_repository() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if "missing" in request.url.path:
            return httpx.Response(404, json={"errors": [{"code": "NAME_UNKNOWN"}]})
        return httpx.Response(200, json={"name": "empty", "tags": None})

    async with client(httpx.MockTransport(handle)) as registry:
        assert await registry.list_tags("missing") == []
        assert await registry.list_tags("empty") == []


@pytest.mark.parametrize(
    "link",
    [
        '<http://elsewhere.test/v2/app/tags/list?last=a>; rel="next"',
        '</v2/app/tags/list?last=a&n=100>; rel="next"',  # the same page again and again
    ],
)
async def test_list_tags_refuses_foreign_or_looping_links(link: str) -> None:
    def handle(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"tags": ["a"]}, headers={"Link": link})

    async with client(httpx.MockTransport(handle)) as registry:
        with pytest.raises(RegistryError, match="bad next-page link"):
            await registry.list_tags("app")


@pytest.mark.parametrize(("status", "deleted"), [(202, True), (200, True), (404, False)])
async def test_delete_manifest(status: int, deleted: bool) -> None:
    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status)

    async with client(httpx.MockTransport(handle)) as registry:
        assert await registry.delete_manifest("team/app", DIGEST) is deleted
    assert (requests[0].method, requests[0].url.path) == (
        "DELETE",
        f"/v2/team/app/manifests/{DIGEST}",
    )


async def test_delete_disabled_on_the_registry() -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(405))) as registry:
        with pytest.raises(RegistryDeletesDisabled, match="deletes are disabled on this registry"):
            await registry.delete_manifest("app", DIGEST)


async def test_delete_needs_a_digest() -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(202))) as registry:
        with pytest.raises(UserError, match="deleted by digest"):
            await registry.delete_manifest("app", "latest")


async def test_check_push_access_opens_and_cancels_an_upload() -> None:
    requests: list[tuple[str, str]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append((request.method, str(request.url)))
        if request.method == "POST":
            location = "/v2/team/app/blobs/uploads/u-1?_state=abc"
            return httpx.Response(202, headers={"Location": location})
        return httpx.Response(204)

    async with client(httpx.MockTransport(handle)) as registry:
        await registry.check_push_access("team/app")
    assert requests == [
        ("POST", "http://registry.test:5000/v2/team/app/blobs/uploads/"),
        ("DELETE", "http://registry.test:5000/v2/team/app/blobs/uploads/u-1?_state=abc"),
    ]


async def test_check_push_access_ignores_a_failed_cancel() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, headers={"Location": "/v2/app/blobs/uploads/u-1"})
        return httpx.Response(403)

    async with client(httpx.MockTransport(handle)) as registry:
        await registry.check_push_access("app")


@pytest.mark.parametrize("status", [401, 403])
async def test_check_push_access_refused(status: int) -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(status))) as registry:
        with pytest.raises(RegistryAuthError, match=r"refused POST /v2/app/blobs/uploads/"):
            await registry.check_push_access("app")


async def test_check_push_access_on_a_read_only_registry() -> None:
    async with client(httpx.MockTransport(lambda _: httpx.Response(405))) as registry:
        with pytest.raises(RegistryError, match="did not open an upload"):
            await registry.check_push_access("app")
