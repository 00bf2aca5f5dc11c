"""The buildctl command line the BuildKit engine builds (the real runs are in tests/integration)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kiln.engines.base import BuildRequest
from kiln.engines.buildkit.engine import BuildKitEngine, write_docker_config
from kiln.refs import ImageRef


def request(**fields: object) -> BuildRequest:
    base: dict[str, object] = {
        "context_dir": Path("/ctx"),
        "dockerfile": Path("/ctx/Dockerfile"),
        "tags": [
            ImageRef("reg.test:5000", "ws/app", "abc"),
            ImageRef("reg.test:5000", "ws/app", "latest"),
        ],
        "push": True,
        "insecure_registries": frozenset({"reg.test:5000"}),
        "labels": {"org.opencontainers.image.source": "https://x/y,z"},
        "annotations": {"note": 'a,b "c"'},
        "build_args": {"KILN_BASE_RUNTIME": "reg.test:5000/kiln/runtime:bookworm"},
        "secrets": {"kiln-ca": Path("/s/ca.pem")},
        "credentials": {"reg.test:5000": ("bot", "hunter2")},
    }
    base.update(fields)
    return BuildRequest(**base)  # type: ignore[arg-type]


def values(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv) if arg == flag]


def fields(value: str) -> dict[str, str]:
    [record] = list(csv.reader([value]))
    return dict(item.split("=", 1) for item in record)


def test_argv_pushes_every_tag_with_cache_and_never_holds_a_password() -> None:
    argv = BuildKitEngine("unix:///run/bk.sock").build_argv(request(), Path("/df"), Path("/m.json"))
    assert argv[:5] == ["buildctl", "--addr", "unix:///run/bk.sock", "build", "--frontend"]
    assert "hunter2" not in " ".join(argv) and "bot" not in argv
    output = fields(values(argv, "--output")[0])
    assert output["name"] == "reg.test:5000/ws/app:abc,reg.test:5000/ws/app:latest"
    assert output["push"] == "true" and output["registry.insecure"] == "true"
    assert output["annotation.note"] == 'a,b "c"'
    assert "label:org.opencontainers.image.source=https://x/y,z" in values(argv, "--opt")
    assert "build-arg:KILN_BASE_RUNTIME=reg.test:5000/kiln/runtime:bookworm" in values(
        argv, "--opt"
    )
    assert fields(values(argv, "--secret")[0]) == {"id": "kiln-ca", "src": "/s/ca.pem"}
    export = fields(values(argv, "--export-cache")[0])
    assert export == {"type": "registry", "ref": "reg.test:5000/ws/app:buildcache",
                      "registry.insecure": "true", "mode": "max"}  # fmt: skip
    assert fields(values(argv, "--import-cache")[0])["ref"] == "reg.test:5000/ws/app:buildcache"
    assert values(argv, "--metadata-file") == ["/m.json"]


def test_no_push_no_cache_export_and_tls_registries_stay_verified() -> None:
    engine = BuildKitEngine("tcp://bk:1234")
    argv = engine.build_argv(request(push=False), Path("/df"), Path("/m.json"))
    assert fields(values(argv, "--output")[0])["push"] == "false"
    assert values(argv, "--export-cache") == [] and values(argv, "--import-cache") == []
    secure = engine.build_argv(request(insecure_registries=frozenset()), Path("/df"), Path("/m"))
    assert "registry.insecure" not in values(secure, "--output")[0]
    no_cache = BuildKitEngine("tcp://bk:1234", cache_tag="")
    assert values(no_cache.build_argv(request(), Path("/df"), Path("/m")), "--export-cache") == []


def test_docker_config_is_private(tmp_path: Path) -> None:
    directory = write_docker_config(tmp_path / "docker", {"reg.test:5000": ("bot", "hunter2")})
    assert directory.stat().st_mode & 0o777 == 0o700
    config = directory / "config.json"
    assert config.stat().st_mode & 0o777 == 0o600
    assert json.loads(config.read_text()) == {
        "auths": {"reg.test:5000": {"auth": "Ym90Omh1bnRlcjI="}}
    }
