"""Real servers for integration tests: docker-registry on a loopback port, optionally with auth."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_binary(name: str) -> str:
    """A missing prerequisite is a failure, not a skip (DESIGN.md §6)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make setup`")
    return path


@dataclass(frozen=True)
class Registry:
    address: str
    storage: Path
    config: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}"


@dataclass(frozen=True)
class TokenAuth:
    """docker-registry's `auth: token` section: a token service the registry trusts."""

    realm: str
    service: str
    issuer: str
    rootcertbundle: Path
    """PEM certificate(s) whose keys sign the tokens."""


def write_htpasswd(path: Path, users: dict[str, str]) -> Path:
    """An htpasswd file with bcrypt hashes, made by `htpasswd` (passwords on stdin, not argv)."""
    binary = require_binary("htpasswd")
    path.unlink(missing_ok=True)
    for index, (user, password) in enumerate(users.items()):
        flags = ["-B", "-i"] + (["-c"] if index == 0 else [])
        command = [binary, *flags, str(path), user]
        subprocess.run(command, input=password, text=True, check=True, capture_output=True)
    return path


def _auth_config(htpasswd: Path | None, token: TokenAuth | None) -> str:
    if htpasswd is not None and token is not None:
        raise ValueError("a registry takes htpasswd or token auth, not both")
    if htpasswd is not None:
        return f"auth:\n  htpasswd:\n    realm: kiln-test\n    path: {htpasswd}\n"
    if token is not None:
        return (
            f"auth:\n  token:\n    realm: {token.realm}\n    service: {token.service}\n"
            f"    issuer: {token.issuer}\n    rootcertbundle: {token.rootcertbundle}\n"
        )
    return ""


@contextmanager
def run_registry(
    storage: Path, *, htpasswd: Path | None = None, token: TokenAuth | None = None
) -> Iterator[Registry]:
    require_binary("docker-registry")
    storage.mkdir(parents=True, exist_ok=True)
    address = f"127.0.0.1:{free_port()}"
    auth = _auth_config(htpasswd, token)
    config = storage.parent / f"{storage.name}-{address.rsplit(':', 1)[1]}.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: {address}\n{auth}"
    )
    log = config.with_suffix(".log").open("w")
    process = subprocess.Popen(
        ["docker-registry", "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"http://{address}/v2/", timeout=1).status_code in (200, 401):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"docker-registry did not start on {address}; see {log.name}")
            time.sleep(0.1)
        yield Registry(address, storage, config)
    finally:
        process.terminate()
        process.wait(10)
        log.close()
