"""The buildah engine for real: the extra CA never lands in a layer; cancel kills the tree."""

from __future__ import annotations

import asyncio
import gzip
import io
import shutil
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from kiln.config import HOST_CA_BUNDLE, Settings
from kiln.engines.base import BuildRequest
from kiln.logs.reporter import Reporter
from kiln.pipeline.build import default_engine, registry_client
from kiln.pipeline.local import LocalBuild, build_local
from kiln.plan.bases import load_catalog
from kiln.refs import ImageRef
from tests.snapshots.plans_of import EXAMPLES
from tests.support.servers import Registry

pytestmark = pytest.mark.integration


def make_ca(directory: Path, name: str) -> str:
    """A self-signed CA appended to the host bundle; returns a line of its body to search for."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(directory / "ca.key"), "-out", str(directory / "ca.pem"),
         "-subj", f"/CN={name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    pem = (directory / "ca.pem").read_text()
    bundle = directory / "bundle.pem"
    bundle.write_text(HOST_CA_BUNDLE.read_text() + pem)
    return pem.splitlines()[5]


async def layer_files(settings: Settings, image: ImageRef) -> dict[str, bytes]:
    """Every regular file of every layer of the pushed image, by `layer-index:path`."""
    files: dict[str, bytes] = {}
    async with registry_client(settings, image.registry) as client:
        manifest = await client.get_manifest(image.repository, image.reference)
        for index, layer in enumerate(manifest.body["layers"]):
            data = b"".join(
                [chunk async for chunk in client.stream_blob(image.repository, layer["digest"])]
            )
            raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
                for member in tar.getmembers():
                    extracted = tar.extractfile(member) if member.isfile() else None
                    files[f"{index}:{member.name}"] = extracted.read() if extracted else b""
        config = await client.get_blob_json(image.repository, manifest.body["config"]["digest"])
        files["config"] = str(config).encode()
    return files


@pytest.mark.security
def test_extra_ca_is_used_by_run_steps_but_in_no_layer(
    settings: Settings, registry: Registry, tmp_path: Path
) -> None:
    marker_line = make_ca(tmp_path, f"kiln-test-ca-{uuid.uuid4().hex[:8]}")
    ca_settings = settings.model_copy(update={"extra_ca_certs": tmp_path / "bundle.pem"})
    source = tmp_path / "app"
    shutil.copytree(EXAMPLES / "python-flask", source)
    # A fresh requirements file: the pip install step must really run (through the TLS proxy).
    requirements = source / "requirements.txt"
    requirements.write_text(requirements.read_text() + f"# {uuid.uuid4()}\n")
    image = ImageRef(registry.address, "security/ca-check", "v1")
    lines: list[str] = []
    asyncio.run(
        build_local(
            ca_settings,
            LocalBuild(source_dir=source, image=image, push=True),
            Reporter(lines.append),
        )
    )
    assert any("Successfully installed" in line for line in lines), "pip did not run"

    files = asyncio.run(layer_files(settings, image))
    assert len(files) > 100
    leaks = [name for name, body in files.items() if marker_line.encode() in body]
    assert leaks == []
    assert not [name for name in files if "kiln-ca" in name]


def test_cancel_kills_buildah_and_the_running_step(settings: Settings, tmp_path: Path) -> None:
    marker = f"kiln-cancel-{uuid.uuid4().hex}"
    runtime = load_catalog(settings.catalog_path).runtime_base().pinned
    (tmp_path / "Dockerfile").write_text(f"FROM {runtime}\nRUN echo {marker} && sleep 600\n")
    request = BuildRequest(
        context_dir=tmp_path,
        dockerfile=tmp_path / "Dockerfile",
        tags=[ImageRef("localhost", "kiln-test/cancel", "v1")],
        insecure_registries=frozenset({runtime.split("/", 1)[0]}),
    )

    async def scenario() -> float:
        running = asyncio.Event()

        def log(line: str) -> None:
            if line.strip() == marker:
                running.set()

        task = asyncio.create_task(default_engine(settings).build(request, Reporter(log)))
        await asyncio.wait_for(running.wait(), 120)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    asyncio.run(scenario())
    deadline = time.monotonic() + 5
    survivors = "?"
    while time.monotonic() < deadline:
        survivors = subprocess.run(
            ["pgrep", "-af", marker], capture_output=True, text=True
        ).stdout.strip()
        if not survivors:
            break
        time.sleep(0.2)
    assert survivors == "", f"still running after cancel: {survivors}"
