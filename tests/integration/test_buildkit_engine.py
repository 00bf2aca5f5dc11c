"""The BuildKit engine for real: a buildkitd on Debian's runc, pushing to a real registry.

Push + digest from the metadata file, build secrets and the extra CA as secret mounts (in no
layer), cache mounts namespaced per workspace, the registry cache imported by a fresh daemon,
progress with step names, cancellation, credentials only in a DOCKER_CONFIG that is removed,
and a pool whose daemon dies mid-build.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from kiln.config import Settings
from kiln.engines.base import BuildRequest, BuildResult
from kiln.engines.buildkit import BuildKitEngine, BuildKitPool
from kiln.engines.buildkit.pool import affinity_rank
from kiln.engines.process import ProcessResult, run_streaming
from kiln.errors import BuildFailed, RegistryAuthError
from kiln.logs.reporter import LogFn, Reporter
from kiln.pipeline.build import registry_client
from kiln.plan.bases import load_catalog
from kiln.plan.dockerfile import CA_SECRET_ID, CA_TARGET
from kiln.refs import ImageRef
from kiln.registry.credentials import Credentials
from tests.integration.test_buildah_engine import layer_files, make_ca
from tests.support.buildkit import Buildkitd, run_buildkitd
from tests.support.servers import Registry, run_registry, write_htpasswd

pytestmark = [pytest.mark.integration, pytest.mark.buildkit]


def runtime_base(settings: Settings) -> str:
    return load_catalog(settings.catalog_path).runtime_base().pinned


def project(directory: Path, dockerfile: str, files: Mapping[str, str] = {}) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def request_for(source: Path, image: ImageRef, settings: Settings, **fields: Any) -> BuildRequest:
    hosts = {image.registry, runtime_base(settings).split("/", 1)[0]}
    return BuildRequest(
        context_dir=source,
        dockerfile=source / "Dockerfile",
        tags=[image],
        push=True,
        insecure_registries=frozenset(hosts),
        **fields,
    )


def build(
    engine: BuildKitEngine | BuildKitPool, request: BuildRequest
) -> tuple[BuildResult, list[str]]:
    lines: list[str] = []
    result = asyncio.run(engine.build(request, Reporter(lines.append)))
    return result, lines


def registry_digest(
    settings: Settings, image: ImageRef, credentials: Credentials | None = None
) -> str | None:
    async def head() -> str | None:
        async with registry_client(settings, image.registry, credentials) as client:
            return await client.manifest_digest(image.repository, image.reference)

    return asyncio.run(head())


def test_push_returns_the_registry_digest_and_progress_names_the_steps(
    settings: Settings, registry: Registry, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    marker = f"kiln-bk-{uuid.uuid4().hex}"
    source = project(
        tmp_path / "app",
        f"# syntax=docker/dockerfile:1\nFROM {runtime_base(settings)}\n"
        f"COPY hello.txt /hello.txt\nRUN echo {marker}-out && cp /hello.txt /copied.txt\n",
        {"hello.txt": marker},
    )
    image = ImageRef(registry.address, "buildkit/push", "v1")
    steps: list[str] = []
    lines: list[str] = []
    engine = BuildKitEngine(buildkitd.address)
    result = asyncio.run(
        engine.build(
            request_for(source, image, settings, labels={"dev.kiln.test": marker}),
            Reporter(lines.append, steps.append),
        )
    )
    assert result.digest is not None and result.digest.startswith("sha256:")
    assert result.digest == registry_digest(settings, image)
    assert result.image_id.startswith("sha256:") and result.image_id != result.digest
    assert steps == ["push"]
    # progress: the RUN step is announced by name, and its output carries the step's label
    run_start = next(
        line
        for line in lines
        if line.endswith(f"RUN echo {marker}-out && cp /hello.txt /copied.txt")
    )
    number, label = run_start.split(" ")[0], run_start.split(" ")[1]
    assert label == "[3/3]"
    assert f"{number} {label}" in " ".join(lines)
    assert any(
        line.startswith(f"{number} ") and line.endswith(f"{marker}-out") for line in lines
    ), lines
    files = asyncio.run(layer_files(settings, image))
    assert any(
        name.endswith("copied.txt") and body == marker.encode() for name, body in files.items()
    )
    assert marker in files["config"].decode()  # the label


@pytest.mark.security
def test_build_secret_and_extra_ca_reach_run_steps_but_no_layer(
    settings: Settings, registry: Registry, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    ca_line = make_ca(tmp_path, f"kiln-bk-ca-{uuid.uuid4().hex[:8]}")
    secret_value = f"s3cr3t-{uuid.uuid4().hex}"
    secret_file = tmp_path / "token"
    secret_file.write_text(secret_value)
    source = project(
        tmp_path / "app",
        f"FROM {runtime_base(settings)}\n"
        "RUN --mount=type=secret,id=token,target=/run/secrets/token "
        f"--mount=type=secret,id={CA_SECRET_ID},target={CA_TARGET} "
        # a secret is not part of the cache key: a unique command makes the step run
        f"echo {uuid.uuid4().hex} >/dev/null && "
        f"sha256sum /run/secrets/token | cut -d' ' -f1 > /token.sha && "
        f"grep -c 'BEGIN CERTIFICATE' {CA_TARGET} > /ca.count\n",
    )
    image = ImageRef(registry.address, "buildkit/secrets", "v1")
    request = request_for(
        source, image, settings,
        secrets={"token": secret_file, CA_SECRET_ID: tmp_path / "bundle.pem"},
    )  # fmt: skip
    _, lines = build(BuildKitEngine(buildkitd.address), request)
    files = asyncio.run(layer_files(settings, image))
    by_name = {name.split(":", 1)[1]: body for name, body in files.items() if ":" in name}
    assert (
        by_name["token.sha"].decode().strip() == hashlib.sha256(secret_value.encode()).hexdigest()
    )
    assert int(by_name["ca.count"]) > 100  # the host bundle plus our CA was mounted
    leaks = [
        name
        for name, body in files.items()
        if secret_value.encode() in body or ca_line.encode() in body
    ]
    assert leaks == []
    assert not [name for name in files if "kiln-ca" in name or name.endswith("/token")]
    assert not [line for line in lines if secret_value in line]


def test_cache_mounts_are_namespaced_per_workspace(
    settings: Settings, registry: Registry, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    engine = BuildKitEngine(buildkitd.address, cache_tag="")
    run_id = uuid.uuid4().hex

    def build_in(workspace: str, attempt: int) -> str:
        """Lists the cache mount, then leaves a file in it; returns what it saw."""
        stamp = f"{workspace}-{run_id}-{attempt}"
        source = project(
            tmp_path / stamp,
            f"FROM {runtime_base(settings)}\n"
            "RUN --mount=type=cache,id=kiln-shared,target=/cache "
            f"ls /cache > /seen && touch /cache/{stamp}\n",
        )
        image = ImageRef(registry.address, f"buildkit/ns-{workspace}", str(attempt))
        build(
            engine, request_for(source, image, settings, cache_namespace=f"ws-{workspace}-{run_id}")
        )
        files = asyncio.run(layer_files(settings, image))
        return next(body.decode() for name, body in files.items() if name.endswith(":seen"))

    assert build_in("acme", 1) == ""
    assert build_in("globex", 1) == ""  # same cache id in another workspace: an empty cache
    assert f"acme-{run_id}-1" in build_in("acme", 2)  # the workspace's own cache persists
    assert "acme" not in build_in("globex", 2)


def test_registry_cache_is_imported_by_a_fresh_daemon(
    settings: Settings, registry: Registry, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex
    source = project(
        tmp_path / "app",
        f"FROM {runtime_base(settings)}\nRUN echo {marker} > /slow.txt && sleep 2\n",
    )
    image = ImageRef(registry.address, "buildkit/cache-import", "one")
    build(BuildKitEngine(buildkitd.address), request_for(source, image, settings))
    assert registry_digest(settings, image.with_tag("buildcache")) is not None
    with run_buildkitd(tmp_path / "fresh-root", [registry.address]) as fresh:
        _, lines = build(
            BuildKitEngine(fresh.address), request_for(source, image.with_tag("two"), settings)
        )
    run_step = next(
        line for line in lines if line.endswith(f"RUN echo {marker} > /slow.txt && sleep 2")
    )
    number = run_step.split(" ")[0]
    assert any(line.startswith(f"{number} CACHED") for line in lines), lines
    assert any("importing cache manifest" in line for line in lines)


def running_steps(marker: str) -> str:
    return subprocess.run(["pgrep", "-af", marker], capture_output=True, text=True).stdout.strip()


def test_cancel_stops_the_running_step_quickly(
    settings: Settings, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    marker = f"kiln-bk-cancel-{uuid.uuid4().hex}"
    source = project(
        tmp_path / "app", f"FROM {runtime_base(settings)}\nRUN echo {marker} && sleep 600\n"
    )
    image = ImageRef("localhost", "kiln-test/cancel", "v1")
    request = BuildRequest(
        context_dir=source, dockerfile=source / "Dockerfile", tags=[image],
        insecure_registries=frozenset({runtime_base(settings).split("/", 1)[0]}),
    )  # fmt: skip

    async def scenario() -> None:
        running = asyncio.Event()

        def log(line: str) -> None:
            if line.endswith(f" {marker}"):
                running.set()

        task = asyncio.create_task(BuildKitEngine(buildkitd.address).build(request, Reporter(log)))
        await asyncio.wait_for(running.wait(), 120)
        assert running_steps(marker), "the step's process should be visible while it runs"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    started = time.monotonic()
    survivors = "?"
    while time.monotonic() < started + 10:
        survivors = running_steps(marker)
        if not survivors:
            break
        time.sleep(0.2)
    assert survivors == "", f"still running after cancel: {survivors}"
    assert buildkitd.answers()


@pytest.mark.security
def test_credentials_only_in_a_private_docker_config_that_is_removed(
    settings: Settings, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    htpasswd = write_htpasswd(tmp_path / "htpasswd", {"kiln": password})
    calls: list[tuple[list[str], dict[str, str], list[str]]] = []

    async def recording_runner(
        argv: Sequence[str], log: LogFn, *, env: Mapping[str, str]
    ) -> ProcessResult:
        config_dir = Path(env["DOCKER_CONFIG"])
        assert (config_dir.stat().st_mode & 0o777) == 0o700
        seen_in_proc: list[str] = []

        def scan(line: str) -> None:
            if not seen_in_proc:  # once the process runs: no command line anywhere holds it
                for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                    try:
                        if password.encode() in cmdline.read_bytes():
                            seen_in_proc.append(str(cmdline))
                    except OSError:
                        pass
                seen_in_proc.append("scanned")
            log(line)

        result = await run_streaming(argv, scan, env=env)
        calls.append((list(argv), dict(env), seen_in_proc))
        return result

    with run_registry(tmp_path / "auth-registry", htpasswd=htpasswd) as auth_registry:
        source = project(
            tmp_path / "app",
            "FROM scratch\nCOPY hello.txt /hello.txt\n",
            {"hello.txt": password[:8]},
        )
        image = ImageRef(auth_registry.address, "private/app", "v1")
        request = BuildRequest(
            context_dir=source, dockerfile=source / "Dockerfile", tags=[image], push=True,
            insecure_registries=frozenset({auth_registry.address}),
            credentials={auth_registry.address: ("kiln", password)},
        )  # fmt: skip
        result, lines = build(BuildKitEngine(buildkitd.address, runner=recording_runner), request)
        credentials = Credentials("kiln", password)
        assert result.digest == registry_digest(settings, image, credentials)
        assert registry_digest(settings, image.with_tag("buildcache"), credentials) is not None
        # without credentials the same push is refused: they really went through DOCKER_CONFIG
        with pytest.raises(RegistryAuthError):
            build(BuildKitEngine(buildkitd.address), request_for_anonymous(request))
    [(argv, env, proc_scan)] = calls
    assert proc_scan == ["scanned"]
    assert not [arg for arg in argv if password in arg]
    assert not Path(env["DOCKER_CONFIG"]).exists()
    assert not [line for line in lines if password in line]


def request_for_anonymous(request: BuildRequest) -> BuildRequest:
    return BuildRequest(
        context_dir=request.context_dir, dockerfile=request.dockerfile, tags=request.tags,
        push=True, insecure_registries=request.insecure_registries,
    )  # fmt: skip


def test_pool_retries_on_another_daemon_when_one_dies_mid_build(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    marker = f"kiln-bk-pool-{uuid.uuid4().hex}"
    source = project(
        tmp_path / "app", f"FROM {runtime_base(settings)}\nRUN echo {marker} && sleep 15\n"
    )
    image = ImageRef(registry.address, "buildkit/pool", "v1")
    with (
        run_buildkitd(tmp_path / "one", [registry.address]) as one,
        run_buildkitd(tmp_path / "two", [registry.address]) as two,
    ):
        daemons = {one.address: one, two.address: two}
        key = f"{image.registry}/{image.repository}"
        preferred = daemons[affinity_rank(key, list(daemons))[0]]
        survivor = one if preferred is two else two
        pool = BuildKitPool(list(daemons), affinity_slack=0, probe_interval=1.0)
        lines: list[str] = []

        def log(line: str) -> None:
            lines.append(line)
            if line.endswith(f" {marker}") and preferred.process.poll() is None:
                os.killpg(preferred.process.pid, signal.SIGKILL)  # the daemon dies mid-build

        result = asyncio.run(pool.build(request_for(source, image, settings), Reporter(log)))
        assert preferred.process.poll() is not None
        assert result.digest == registry_digest(settings, image)
        assert f"buildkit: building on {preferred.address}" in lines
        assert f"buildkit: {preferred.address} stopped answering; retrying elsewhere" in lines
        assert lines.index(f"buildkit: building on {survivor.address}") > lines.index(
            f"buildkit: {preferred.address} stopped answering; retrying elsewhere"
        )
        assert pool.daemons[preferred.address].down_until > time.monotonic()


def test_a_failing_step_is_a_build_failure_naming_the_step(
    settings: Settings, registry: Registry, buildkitd: Buildkitd, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex
    source = project(
        tmp_path / "app", f"FROM {runtime_base(settings)}\nRUN echo {marker} && exit 3\n"
    )
    image = ImageRef(registry.address, "buildkit/failing", "v1")
    with pytest.raises(BuildFailed) as failure:
        build(BuildKitEngine(buildkitd.address), request_for(source, image, settings))
    assert f"[2/2] RUN echo {marker} && exit 3" in str(failure.value)
    assert "exit code: 3" in str(failure.value)
    assert registry_digest(settings, image) is None
