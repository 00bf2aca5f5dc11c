"""diagnose() on the output of real tools failing for real on this machine, without the network.

Go, Python/pip, git, npm, cargo, coreutils and node run in a temporary directory; the buildah
tests (marked integration) build from `scratch` into a private vfs store, with a busybox shell
copied in for RUN steps, against a real docker-registry and small local HTTP(S) servers that
answer 401 or present a self-signed certificate.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiln.diagnose import Diagnosis, diagnose
from tests.support.servers import free_port, require_binary, run_registry


def _binary(name: str, fallback: str) -> str:
    return shutil.which(name) or (fallback if Path(fallback).exists() else require_binary(name))


def failing(argv: list[str], cwd: Path, **env: str) -> Diagnosis:
    """Run argv, check that it fails, and diagnose its merged stdout + stderr."""
    result = subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    return diagnose(result.stdout.splitlines())


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


# --- Go ---------------------------------------------------------------------------------------


def go_build(tmp_path: Path, go_mod: str, main_go: str, **env: str) -> Diagnosis:
    go = _binary("go", "/usr/local/go/bin/go")
    src = write(tmp_path / "src", {"go.mod": go_mod, "main.go": main_go})
    settings = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOPROXY": "off"}
    settings |= {"GOPATH": str(tmp_path / "gopath"), "GOCACHE": str(tmp_path / "gocache")}
    return failing([go, "build", "./..."], src, **(settings | env))


MOD = "module example.com/app\n\ngo 1.21\n"
IMPORT = 'package main\n\nimport _ "github.com/pkg/errors"\n\nfunc main() {}\n'


def test_go_undefined_identifier(tmp_path: Path) -> None:
    diagnosis = go_build(tmp_path, MOD, "package main\n\nfunc main() {\n\tFoo()\n}\n")
    assert diagnosis.code == "go_build_error"
    assert diagnosis.summary == "Go compile error at ./main.go:4: undefined: Foo"


def test_go_mod_needs_a_newer_go(tmp_path: Path) -> None:
    diagnosis = go_build(tmp_path, MOD.replace("1.21", "1.999"), "package main\n")
    assert diagnosis.code == "go_version_too_new"
    assert diagnosis.summary.startswith("go.mod requires Go 1.999 but the build image has Go 1.")


def test_go_sum_entry_missing(tmp_path: Path) -> None:
    go_mod = MOD + "\nrequire github.com/pkg/errors v0.9.1\n"
    diagnosis = go_build(tmp_path, go_mod, IMPORT, GOFLAGS="-mod=readonly")
    assert diagnosis.code == "go_sum_missing"
    assert "github.com/pkg/errors" in diagnosis.summary


def test_go_module_missing(tmp_path: Path) -> None:
    diagnosis = go_build(tmp_path, MOD, IMPORT)
    assert (diagnosis.code, diagnosis.summary) == (
        "go_module_missing",
        "no module in go.mod provides the package github.com/pkg/errors",
    )


def test_go_proxy_unreachable(tmp_path: Path) -> None:
    diagnosis = go_build(tmp_path, MOD, IMPORT, GOPROXY=f"http://127.0.0.1:{free_port()}")
    assert diagnosis.code == "network_unreachable"
    assert diagnosis.summary == "a network connection failed: connection refused"


# --- Python -----------------------------------------------------------------------------------


def test_python_import_of_a_missing_module(tmp_path: Path) -> None:
    diagnosis = failing([sys.executable, "-c", "import nonexistent_mod_xyz"], tmp_path)
    assert diagnosis.code == "python_module_missing"
    assert "nonexistent_mod_xyz" in diagnosis.summary


def _pip() -> list[str]:
    """pip of a Python that has it: the venv's (uv makes it without pip) or the machine's."""
    for python in filter(None, (sys.executable, shutil.which("python3"))):
        probe = [python, "-m", "pip", "--version"]
        if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
            return [python, "-m", "pip", "--isolated", "--disable-pip-version-check"]
    pytest.fail("no python with pip on this machine")


def _wheel(folder: Path, name: str, version: str, *requires: str) -> None:
    info = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{info}/METADATA", meta)
        wheel.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{info}/RECORD", "")


def test_pip_finds_no_version(tmp_path: Path) -> None:
    argv = [*_pip(), "download", "--no-index", "-d", str(tmp_path), "nonexistent-pkg-xyz==1.0"]
    diagnosis = failing(argv, tmp_path)
    assert (diagnosis.code, diagnosis.summary) == (
        "pip_package_not_found",
        "pip found no version of nonexistent-pkg-xyz==1.0 (versions available: none)",
    )


def test_pip_conflicting_requirements(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels, "kiln_a", "1.0", "kiln_b==1.0")
    _wheel(wheels, "kiln_b", "2.0")
    argv = [*_pip(), "download", "--no-index", "--find-links", str(wheels), "-d", str(tmp_path)]
    diagnosis = failing([*argv, "kiln_a", "kiln_b==2.0"], tmp_path)
    assert diagnosis.code == "pip_resolution_impossible"
    assert diagnosis.summary.startswith("pip cannot install kiln")


# --- git --------------------------------------------------------------------------------------


@pytest.fixture
def bare_repo(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    ident = ["-c", "user.name=kiln", "-c", "user.email=kiln@example.com"]
    commit = ["git", "-C", str(work), *ident, "commit", "-q", "--allow-empty", "-m", "one"]
    subprocess.run(commit, check=True)
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(tmp_path / "repo.git")], check=True
    )
    return tmp_path / "repo.git"


def test_git_clone_of_a_missing_repository(tmp_path: Path) -> None:
    diagnosis = failing(["git", "clone", str(tmp_path / "nothere"), "out"], tmp_path)
    assert (diagnosis.code, diagnosis.summary) == (
        "git_repo_not_found",
        f"the git repository {tmp_path / 'nothere'} was not found",
    )


def test_git_fetch_of_a_missing_ref(tmp_path: Path, bare_repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "clone")], check=True)
    argv = ["git", "fetch", "--depth", "1", f"file://{bare_repo}", "refs/heads/nope"]
    diagnosis = failing(argv, tmp_path / "clone")
    assert (diagnosis.code, diagnosis.summary) == (
        "git_ref_not_found",
        "the git ref refs/heads/nope does not exist in the repository",
    )
    argv = ["git", "clone", "--depth", "1", "--branch", "v9", f"file://{bare_repo}", "out"]
    assert failing(argv, tmp_path).summary == "the git ref v9 does not exist in the repository"


# --- servers that say no: 401 over HTTP, a self-signed certificate over HTTPS -------------------


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        error = {"code": "UNAUTHORIZED", "message": "authentication required", "detail": None}
        body = json.dumps({"errors": [error]})  # what distribution answers
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="kiln-test"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        return None


def _serve(tls: ssl.SSLContext | None) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_401() -> Iterator[str]:
    yield from _serve(None)


@pytest.fixture
def https_self_signed(tmp_path: Path) -> Iterator[str]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [require_binary("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    yield from _serve(context)


def test_git_private_repository(tmp_path: Path, http_401: str) -> None:
    diagnosis = failing(["git", "ls-remote", f"http://{http_401}/acme/api.git"], tmp_path)
    assert diagnosis.code == "git_auth"
    url = f"http://kiln:s3cret-token@{http_401}/acme/api.git"
    diagnosis = failing(["git", "ls-remote", url], tmp_path)
    assert diagnosis.code == "git_auth"
    assert "s3cret" not in f"{diagnosis.summary} {diagnosis.line}"


def test_git_untrusted_certificate(tmp_path: Path, https_self_signed: str) -> None:
    diagnosis = failing(["git", "ls-remote", f"https://{https_self_signed}/a.git"], tmp_path)
    assert diagnosis.code == "tls_untrusted"


# --- npm, cargo, node, coreutils --------------------------------------------------------------


def npm(tmp_path: Path, files: dict[str, str], *args: str) -> Diagnosis:
    project = write(tmp_path / "app", files)
    env = {"HOME": str(tmp_path), "npm_config_cache": str(tmp_path / "npm-cache")}
    flags = ["--offline", "--no-audit", "--no-fund", "--no-update-notifier"]
    return failing([require_binary("npm"), *args, *flags], project, **env)


PACKAGE = '{"name": "app", "version": "1.0.0", "dependencies": {"left-pad": "1.3.0"}}'
LOCK = '{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": '


def test_npm_ci_without_a_lock_file(tmp_path: Path) -> None:
    assert npm(tmp_path, {"package.json": PACKAGE}, "ci").code == "lockfile_missing"


def test_npm_ci_with_a_stale_lock_file(tmp_path: Path) -> None:
    files = {
        "package.json": '{"name": "app", "version": "1.0.0", "dependencies": {"lib": "file:lib"}}',
        "package-lock.json": LOCK + '{"": {"name": "app", "version": "1.0.0"}}}',
        "lib/package.json": '{"name": "lib", "version": "1.0.0"}',
    }
    diagnosis = npm(tmp_path, files, "ci")
    assert (diagnosis.code, diagnosis.summary) == (
        "lockfile_out_of_sync",
        "package-lock.json is out of sync with package.json (Missing: lib@1.0.0 from lock file)",
    )


def test_npm_install_offline_without_a_cache(tmp_path: Path) -> None:
    diagnosis = npm(tmp_path, {"package.json": PACKAGE}, "install")
    assert (diagnosis.code, diagnosis.summary) == (
        "npm_error",
        "npm failed with error code ENOTCACHED",
    )


def test_npm_script_with_a_missing_command(tmp_path: Path) -> None:
    package = '{"name": "app", "version": "1.0.0", "scripts": {"build": "tsc-xyz --strict"}}'
    diagnosis = npm(tmp_path, {"package.json": package}, "run", "build")
    assert (diagnosis.code, diagnosis.summary) == (
        "command_not_found",
        "the command tsc-xyz was not found in the build image",
    )


def test_cargo_compile_error(tmp_path: Path) -> None:
    cargo = _binary("cargo", str(Path.home() / ".cargo" / "bin" / "cargo"))
    files = {
        "Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/main.rs": 'fn main() {\n    println!("{}", missing_value);\n}\n',
    }
    crate = write(tmp_path / "crate", files)
    diagnosis = failing([cargo, "build", "--offline"], crate, CARGO_TARGET_DIR=str(tmp_path / "t"))
    assert diagnosis.code == "rust_compile_error"
    assert diagnosis.summary == (
        "Rust compile error E0425 at src/main.rs:2: cannot find value `missing_value` in this scope"
    )


def test_node_heap_exhausted(tmp_path: Path) -> None:
    script = "const a = []; for (;;) a.push(new Array(1e5).fill(1))"
    node = require_binary("node")
    diagnosis = failing([node, "--max-old-space-size=16", "-e", script], tmp_path)
    assert diagnosis.code == "node_heap_oom"


def test_disk_full(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("x" * 100_000)
    assert failing(["cp", "data", "/dev/full"], tmp_path).code == "out_of_disk"


# --- buildah ----------------------------------------------------------------------------------

KILLED = "the build ran out of memory: a process was killed (exit code 137)"


def buildah(tmp_path: Path, *args: str) -> Diagnosis:
    """buildah with a private vfs store under tmp_path: nothing touches the system's images."""
    require_binary("runc")
    store = tmp_path / "storage"
    base = [require_binary("buildah"), "--storage-driver", "vfs", "--root", str(store)]
    return failing([*base, "--runroot", str(store / "run"), *args], tmp_path)


def bud(tmp_path: Path, dockerfile: str, *, shell: bool = False) -> Diagnosis:
    """Build `dockerfile` from a context that holds a busybox shell (and its libraries) in root/."""
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(dockerfile)
    if shell:
        busybox = require_binary("busybox")
        ldd = subprocess.run(["ldd", busybox], capture_output=True, text=True, check=False)
        for library in [*re.findall(r"(/\S+) \(0x", ldd.stdout), "/bin/sh"]:
            target = context / "root" / library.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(busybox if library == "/bin/sh" else library, target)
    argv = ["bud", "--runtime", "runc", "--network", "host", "--tls-verify=false"]
    return buildah(tmp_path, *argv, "-f", str(context / "Dockerfile"), str(context))


@pytest.mark.integration
@pytest.mark.parametrize(
    ("command", "code", "summary"),
    [
        (
            "echo hello && exit 3",
            "run_step_failed",
            "RUN step failed with exit code 3: echo hello && exit 3",
        ),
        ("sh -c 'kill -9 $$' && true", "out_of_memory", KILLED),
        ("tsc --version", "command_not_found", "the command tsc was not found in the build image"),
    ],
)
def test_buildah_run_step_failures(tmp_path: Path, command: str, code: str, summary: str) -> None:
    diagnosis = bud(tmp_path, f"FROM scratch\nCOPY root/ /\nRUN {command}\n", shell=True)
    assert (diagnosis.code, diagnosis.summary) == (code, summary)


@pytest.mark.integration
def test_buildah_copy_of_a_missing_file(tmp_path: Path) -> None:
    diagnosis = bud(tmp_path, "FROM scratch\nCOPY missing.txt /app/\n")
    assert (diagnosis.code, diagnosis.summary) == (
        "copy_source_missing",
        "COPY missing.txt /app/: missing.txt is not in the build context",
    )


@pytest.mark.integration
def test_buildah_base_image_missing_from_a_real_registry(tmp_path: Path) -> None:
    with run_registry(tmp_path / "registry") as registry:
        diagnosis = bud(tmp_path, f"FROM {registry.address}/kiln/node:99\n")
    assert (diagnosis.code, diagnosis.summary) == (
        "base_image_not_found",
        f"the base image {registry.address}/kiln/node:99 was not found in the registry",
    )


@pytest.mark.integration
def test_buildah_pull_refused(tmp_path: Path, http_401: str) -> None:
    diagnosis = buildah(tmp_path, "pull", "--tls-verify=false", f"docker://{http_401}/acme/base:1")
    assert diagnosis.code == "registry_auth"
    assert diagnosis.summary.startswith("the registry refused access: unauthorized")
    assert diagnosis.line is not None and f"{http_401}/acme/base" in diagnosis.line


@pytest.mark.integration
def test_buildah_pull_from_an_untrusted_registry(tmp_path: Path, https_self_signed: str) -> None:
    diagnosis = buildah(tmp_path, "pull", f"docker://{https_self_signed}/acme/base:1")
    assert diagnosis.code == "tls_untrusted"
    assert diagnosis.line is not None and "x509" in diagnosis.line
