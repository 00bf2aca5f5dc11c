"""The gRPC BuildService of a real `kiln serve` (its embedded Temporal server, the test registry,
buildah), driven by a real grpc.aio client: auth, roles, a build streamed to its digest, resume,
cancel, quota dry run, image tracking, analysis and bad input."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest

from kiln.config import Settings
from kiln.grpc.generated import build_pb2 as pb
from kiln.grpc.generated.build_pb2_grpc import BuildServiceStub
from kiln.registry.client import RegistryClient
from kiln.service.access import Role, add_member_by_email, create_token, create_user
from kiln.store.db import Database
from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry, free_port
from tests.support.service import git_repo

pytestmark = [pytest.mark.integration, pytest.mark.grpc]

OWNER = "kiln-grpc-test-owner"
DOCKERFILE = """ARG KILN_BASE_RUNTIME=missing-base
FROM ${{KILN_BASE_RUNTIME}}
RUN {command}
CMD ["true"]
"""


@dataclass
class Kiln:
    api: str
    grpc_target: str
    registry: Registry
    marker: str
    """Printed by the `hello` app's RUN step (unique, so the step really runs)."""
    outsider: str
    """A token of someone who is only a member of workspace `other`."""


def dockerfile_repo(root: Path, name: str, command: str) -> str:
    source = root / f"{name}-src"
    source.mkdir()
    (source / "Dockerfile").write_text(DOCKERFILE.format(command=command))
    git_repo(source, root / name)
    return str(root / name)


async def make_outsider(database: str) -> str:
    db = Database(database)
    try:
        await create_user(db, "outsider@kiln.dev", "Outsider", None)
        await add_member_by_email(db, "outsider@kiln.dev", "other", Role.MEMBER)
        return await create_token(db, "outsider@kiln.dev", "grpc-test")
    finally:
        await db.close()


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    pytest.fail(f"kiln serve did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def kiln(
    settings: Settings, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Kiln]:
    root = tmp_path_factory.mktemp("grpc")
    data_dir = root / "data"
    (data_dir / "bases").mkdir(parents=True)
    shutil.copy(settings.catalog_path, data_dir / "bases" / "catalog.json")
    http_port, grpc_port = free_port(), free_port()
    env = {
        **os.environ, "KILN_DATA_DIR": str(data_dir), "KILN_BOOTSTRAP_TOKEN": OWNER,
        "KILN_PORT": str(http_port), "KILN_GRPC_PORT": str(grpc_port),
        "KILN_ALLOW_LOCAL_REPOS": "true", "KILN_SECRET_KEY": "kiln-grpc-test-secret",
        "KILN_TASK_QUEUE": f"kiln-grpc-{uuid.uuid4().hex}",
    }  # fmt: skip
    env.pop("KILN_TEMPORAL_ADDRESS", None)  # kiln serve starts its embedded Temporal server
    log = root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiln", "serve"], env=env, stdout=out, stderr=out
        )
    api = f"http://127.0.0.1:{http_port}"
    try:
        wait_healthy(process, api, log)
        marker = f"grpc-build-{uuid.uuid4().hex}"
        repos = {
            "hello": dockerfile_repo(root, "hello", f"echo {marker}"),
            "slow": dockerfile_repo(root, "slow", f"echo slow-{uuid.uuid4().hex} && sleep 300"),
        }
        with httpx.Client(
            base_url=f"{api}/api/v1", headers={"Authorization": f"Bearer {OWNER}"}
        ) as c:
            for body in ({"slug": "acme", "name": "Acme"}, {"slug": "other", "name": "Other"}):
                assert c.post("/workspaces", json=body).status_code == 201
            registry_body = {"name": "local", "kind": "generic", "url": registry.address,
                             "namespace": "acme", "is_default": True}  # fmt: skip
            response = c.post("/workspaces/acme/registries", json=registry_body)
            assert response.status_code == 201, response.text
            for app, repo in repos.items():
                body = {"slug": app, "repo_url": repo, "branch": "main"}
                response = c.post("/workspaces/acme/apps", json=body)
                assert response.status_code == 201, response.text
        outsider = asyncio.run(make_outsider(f"sqlite:///{data_dir / 'kiln.db'}"))
        yield Kiln(api, f"127.0.0.1:{grpc_port}", registry, marker, outsider)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def auth(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


OWNER_AUTH = auth(OWNER)


@pytest.fixture
async def stub(kiln: Kiln) -> AsyncIterator[BuildServiceStub]:
    async with grpc.aio.insecure_channel(kiln.grpc_target) as channel:
        yield BuildServiceStub(channel)


async def status_of(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """Await a call that must fail; its status code and message."""
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    return failure.value.code(), failure.value.details() or ""


async def stream(stub: BuildServiceStub, build_id: str, after: int = 0) -> list[pb.BuildLogEntry]:
    request = pb.StreamBuildLogsRequest(build_id=build_id, after_sequence=after)
    async with asyncio.timeout(600):
        return [entry async for entry in stub.StreamBuildLogs(request, metadata=OWNER_AUTH)]


def registry_digest(registry: Registry, repository: str, tag: str) -> str | None:
    response = httpx.head(
        f"{registry.url}/v2/{repository}/manifests/{tag}",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    return response.headers.get("Docker-Content-Digest") if response.status_code == 200 else None


async def test_calls_need_a_valid_token(stub: BuildServiceStub) -> None:
    code, message = await status_of(stub.GetBuild(pb.GetBuildRequest(build_id="x")))
    assert code == grpc.StatusCode.UNAUTHENTICATED and "bearer token" in message
    wrong = stub.GetBuild(pb.GetBuildRequest(build_id="x"), metadata=auth("kiln_not-a-token"))
    assert (await status_of(wrong))[0] == grpc.StatusCode.UNAUTHENTICATED
    logs = stub.StreamBuildLogs(pb.StreamBuildLogsRequest(build_id="x"))
    code, _ = await status_of(logs.read())
    assert code == grpc.StatusCode.UNAUTHENTICATED


async def test_roles_and_workspaces(stub: BuildServiceStub, kiln: Kiln) -> None:
    outsider = auth(kiln.outsider)
    elsewhere = stub.BuildImage(
        pb.BuildImageRequest(workspace="acme", app="hello"), metadata=outsider
    )
    code, message = await status_of(elsewhere)
    assert code == grpc.StatusCode.NOT_FOUND and "workspace 'acme' not found" in message
    as_member = stub.CheckQuotaAndCleanup(
        pb.CheckQuotaRequest(workspace="other"), metadata=outsider
    )
    code, message = await status_of(as_member)
    assert code == grpc.StatusCode.PERMISSION_DENIED and "admin" in message


async def test_build_stream_resume_and_digest(stub: BuildServiceStub, kiln: Kiln) -> None:
    result = await stub.BuildImage(
        pb.BuildImageRequest(workspace="acme", app="hello"), metadata=OWNER_AUTH, timeout=600
    )
    assert result.success, result.error
    build = result.build
    assert build.status == "built" and build.app == "hello" and build.trigger == "grpc"
    tag = build.commit_sha[:12]
    assert result.image_url == f"{kiln.registry.address}/acme/hello:{tag}" == build.image_ref
    assert result.image_digest == registry_digest(kiln.registry, "acme/hello", tag)
    assert result.image_digest.startswith("sha256:") and build.size_bytes > 0
    assert [s.name for s in result.steps] == ["clone", "analyze", "build", "push"]
    assert all(s.status == pb.BUILD_STEP_STATUS_COMPLETED for s in result.steps)
    assert build.created_at.seconds > 0 and build.HasField("finished_at")

    entries = await stream(stub, build.id)
    assert entries[-1].WhichOneof("entry") == "end" and entries[-1].end.status == "built"
    statuses = [e.status.status for e in entries if e.WhichOneof("entry") == "status"]
    assert statuses == ["pending", "cloning", "analyzing", "building", "pushing", "built"]
    lines = [e.line for e in entries if e.WhichOneof("entry") == "line"]
    assert [line.sequence for line in lines] == list(range(1, len(lines) + 1))
    assert any(kiln.marker in line.message for line in lines)
    assert {line.step for line in lines} >= {"clone", "build", "push"}

    cut = lines[len(lines) // 2].sequence
    resumed = [
        e.line for e in await stream(stub, build.id, after=cut) if e.WhichOneof("entry") == "line"
    ]
    assert resumed == lines[len(lines) // 2 + 1 :]

    fetched = await stub.GetBuild(pb.GetBuildRequest(build_id=build.id), metadata=OWNER_AUTH)
    assert fetched.digest == result.image_digest and fetched.number == build.number
    hidden = stub.GetBuild(pb.GetBuildRequest(build_id=build.id), metadata=auth(kiln.outsider))
    assert (await status_of(hidden))[0] == grpc.StatusCode.NOT_FOUND
    ended = stub.CancelBuild(pb.CancelBuildRequest(build_id=build.id), metadata=OWNER_AUTH)
    code, message = await status_of(ended)
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "already ended" in message

    await track_and_check_quota(stub, kiln, result.image_digest, build.size_bytes)


async def track_and_check_quota(stub: BuildServiceStub, kiln: Kiln, digest: str, size: int) -> None:
    """TrackImage of a tag pushed outside kiln, then a quota dry run over a tiny quota."""
    async with RegistryClient(kiln.registry.address, plain_http=True) as client:
        await client.tag_manifest("acme/hello", digest, "release-1")
    tracked = await stub.TrackImage(
        pb.TrackImageRequest(workspace="acme", app="hello", tag="release-1", digest=digest),
        metadata=OWNER_AUTH,
    )
    assert tracked.size_bytes == size and tracked.new_total_usage >= size
    moved = pb.TrackImageRequest(
        workspace="acme", app="hello", tag="latest", digest="sha256:" + "0" * 64
    )
    code, message = await status_of(stub.TrackImage(moved, metadata=OWNER_AUTH))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and f"points at {digest}" in message
    missing = pb.TrackImageRequest(workspace="acme", app="hello", tag="nope", digest=digest)
    assert (await status_of(stub.TrackImage(missing, metadata=OWNER_AUTH)))[
        0
    ] == grpc.StatusCode.NOT_FOUND

    async with httpx.AsyncClient(
        base_url=f"{kiln.api}/api/v1", headers={"Authorization": f"Bearer {OWNER}"}
    ) as http:
        images = (await http.get("/workspaces/acme/images")).json()
        assert {i["tag"] for i in images if i["digest"] == digest} >= {"release-1", "latest"}
        assert (await http.patch("/workspaces/acme", json={"quota_bytes": 1})).status_code == 200
        try:
            report = await stub.CheckQuotaAndCleanup(
                pb.CheckQuotaRequest(workspace="acme", dry_run=True), metadata=OWNER_AUTH
            )
        finally:
            await http.patch("/workspaces/acme", json={"quota_bytes": 10 * 1024**3})
    assert report.dry_run and report.triggered and not report.cleanup_performed
    assert report.quota_bytes == 1 and report.current_usage_bytes == report.before_bytes >= size
    assert registry_digest(kiln.registry, "acme/hello", "release-1") == digest  # nothing deleted


async def test_cancel_a_running_build(stub: BuildServiceStub, kiln: Kiln) -> None:
    waiting = asyncio.ensure_future(
        stub.BuildImage(
            pb.BuildImageRequest(workspace="acme", app="slow"), metadata=OWNER_AUTH, timeout=600
        )
    )
    async with httpx.AsyncClient(
        base_url=f"{kiln.api}/api/v1", headers={"Authorization": f"Bearer {OWNER}"}
    ) as http:
        build_id = None
        async with asyncio.timeout(120):
            while build_id is None:
                builds = (await http.get("/workspaces/acme/apps/slow/builds")).json()["builds"]
                build_id = builds[0]["id"] if builds else None
                await asyncio.sleep(0.2)
    request = pb.StreamBuildLogsRequest(build_id=build_id)
    async with asyncio.timeout(600):
        async for entry in stub.StreamBuildLogs(request, metadata=OWNER_AUTH):
            if entry.WhichOneof("entry") == "line" and "slow-" in entry.line.message:
                break  # the slow RUN step is running
    cancelled = await stub.CancelBuild(
        pb.CancelBuildRequest(build_id=build_id), metadata=OWNER_AUTH
    )
    assert cancelled.id == build_id
    result = await waiting
    assert not result.success and result.build.status == "cancelled"
    assert result.steps[-1].status == pb.BUILD_STEP_STATUS_CANCELLED


async def test_analyze_repository(stub: BuildServiceStub, tmp_path: Path) -> None:
    git_repo(EXAMPLES / "node-express", tmp_path / "node")
    response = await stub.AnalyzeRepository(
        pb.AnalyzeRepositoryRequest(workspace="acme", repo_url=str(tmp_path / "node")),
        metadata=OWNER_AUTH,
    )
    assert response.detected and response.config.provider == "node"
    assert response.config.language == "node" and response.config.framework == "express"
    assert "package.json" in response.detected_files and response.explanations
    assert response.config.start_command and '"provider":"node"' in response.plan_json

    by_app = await stub.AnalyzeRepository(
        pb.AnalyzeRepositoryRequest(workspace="acme", app="hello"), metadata=OWNER_AUTH
    )
    assert by_app.detected and by_app.config.provider == "dockerfile"

    (tmp_path / "nothing-src").mkdir()
    (tmp_path / "nothing-src" / "notes.txt").write_text("no project here\n")
    git_repo(tmp_path / "nothing-src", tmp_path / "nothing")
    nothing = await stub.AnalyzeRepository(
        pb.AnalyzeRepositoryRequest(workspace="acme", repo_url=str(tmp_path / "nothing")),
        metadata=OWNER_AUTH,
    )
    assert not nothing.detected and nothing.error and not nothing.HasField("config")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("GetBuild", "build_id is required"),
        ("ref", "ref"),
        ("both", "either app or repo_url"),
        ("url", "repo"),
        ("after", "after_sequence"),
        ("digest", "digest"),
        ("no-app", "app is required"),
    ],
)
async def test_bad_input_is_invalid_argument(
    stub: BuildServiceStub, call: str, expected: str
) -> None:
    calls = {
        "GetBuild": lambda: stub.GetBuild(pb.GetBuildRequest(), metadata=OWNER_AUTH),
        "ref": lambda: stub.BuildImage(
            pb.BuildImageRequest(workspace="acme", app="hello", ref="bad ref\n..;"),
            metadata=OWNER_AUTH,
        ),
        "both": lambda: stub.AnalyzeRepository(
            pb.AnalyzeRepositoryRequest(workspace="acme", app="hello", repo_url="https://x.dev/r"),
            metadata=OWNER_AUTH,
        ),
        "url": lambda: stub.AnalyzeRepository(
            pb.AnalyzeRepositoryRequest(workspace="acme", repo_url="ftp://example.com/r"),
            metadata=OWNER_AUTH,
        ),
        "after": lambda: stub.StreamBuildLogs(
            pb.StreamBuildLogsRequest(build_id="x", after_sequence=-1), metadata=OWNER_AUTH
        ).read(),
        "digest": lambda: stub.TrackImage(
            pb.TrackImageRequest(workspace="acme", app="hello", tag="v1", digest="md5:abc"),
            metadata=OWNER_AUTH,
        ),
        "no-app": lambda: stub.BuildImage(
            pb.BuildImageRequest(workspace="acme"), metadata=OWNER_AUTH
        ),
    }
    code, message = await status_of(calls[call]())
    assert code == grpc.StatusCode.INVALID_ARGUMENT, message
    assert expected in message


async def test_unknown_build_is_not_found(stub: BuildServiceStub) -> None:
    missing = stub.GetBuild(pb.GetBuildRequest(build_id=str(uuid.uuid4())), metadata=OWNER_AUTH)
    code, message = await status_of(missing)
    assert code == grpc.StatusCode.NOT_FOUND and "not found" in message
