"""The buildah engine: daemonless `buildah bud` with layer caching, then `buildah push`."""

from __future__ import annotations

import base64
import json
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from kiln.engines.base import BuildRequest, BuildResult
from kiln.engines.cache_mounts import namespace_cache_mounts
from kiln.engines.process import ProcessResult, run_streaming
from kiln.errors import BuildFailed, RegistryAuthError, RegistryError
from kiln.logs.reporter import LogFn, Reporter
from kiln.refs import ImageRef

_AUTH_FAILURE = re.compile(r"unauthorized|authentication required|denied|401|403", re.IGNORECASE)
_STEP_FAILURE = re.compile(
    r"^(?:Error: )?(?:building at STEP|error building at STEP)", re.IGNORECASE
)


def namespaced(request: BuildRequest, scratch: Path) -> BuildRequest:
    """The request with its Dockerfile's cache mounts moved into the tenant's namespace (the
    workspace; without one, the image's repository), written to `scratch`."""
    primary = request.tags[0] if request.tags else None
    namespace = request.cache_namespace or (
        f"{primary.registry}/{primary.repository}" if primary else "kiln"
    )
    dockerfile = scratch / "Dockerfile"
    dockerfile.write_text(
        namespace_cache_mounts(request.dockerfile.read_text(), namespace, separator="-")
    )
    return replace(request, dockerfile=dockerfile)


class BuildahEngine:
    """Runs the `buildah` binary; storage driver and OCI runtime come from Settings."""

    name = "buildah"

    def __init__(
        self, *, storage_driver: str, runtime: str, network: str, storage_root: Path | None = None
    ) -> None:
        self.storage_driver = storage_driver
        self.runtime = runtime
        self.network = network
        self.storage_root = storage_root
        """A private image store (benchmarks use one per cold build); None = the system one."""

    def _base(self) -> list[str]:
        argv = ["buildah", "--storage-driver", self.storage_driver]
        if self.storage_root is not None:
            argv += ["--root", str(self.storage_root), "--runroot", str(self.storage_root / "run")]
        return argv

    @staticmethod
    def _tls_verify(image: ImageRef, insecure: frozenset[str]) -> str:
        return "--tls-verify=false" if image.registry in insecure else "--tls-verify=true"

    def bud_argv(self, request: BuildRequest, iidfile: Path, authfile: Path | None) -> list[str]:
        argv = [
            *self._base(), "bud",
            "--layers",
            "--runtime", self.runtime,
            "--network", self.network,
            "--iidfile", str(iidfile),
            "-f", str(request.dockerfile),
        ]  # fmt: skip
        # Base images come from the catalog's registry; pulls from an insecure one need this.
        if request.insecure_registries:
            argv.append("--tls-verify=false")
        if authfile is not None:
            argv += ["--authfile", str(authfile)]
        for secret_id, path in sorted(request.secrets.items()):
            argv += ["--secret", f"id={secret_id},src={path}"]
        for key, value in sorted(request.build_args.items()):
            argv += ["--build-arg", f"{key}={value}"]
        for key, value in sorted(request.labels.items()):
            argv += ["--label", f"{key}={value}"]
        for key, value in sorted(request.annotations.items()):
            argv += ["--annotation", f"{key}={value}"]
        for tag in request.tags:
            argv += ["-t", str(tag)]
        argv.append(str(request.context_dir))
        return argv

    async def build(self, request: BuildRequest, report: Reporter) -> BuildResult:
        log = report.log
        with tempfile.TemporaryDirectory(prefix="kiln-buildah-") as scratch:
            iidfile = Path(scratch) / "iid"
            authfile = write_authfile(Path(scratch), request.credentials)
            request = namespaced(request, Path(scratch))
            result = await run_streaming(self.bud_argv(request, iidfile, authfile), log)
            if result.returncode != 0:
                raise BuildFailed(_failure_summary(result))
            image_id = iidfile.read_text().strip()
            digest = None
            if request.push:
                report.step("push")
                for tag in request.tags:
                    digest = await self._push(image_id, tag, request, authfile, Path(scratch), log)
        return BuildResult(image_id=image_id, digest=digest)

    async def _push(
        self,
        image_id: str,
        tag: ImageRef,
        request: BuildRequest,
        authfile: Path | None,
        scratch: Path,
        log: LogFn,
    ) -> str:
        digestfile = scratch / "digest"
        log(f"pushing {tag}")
        argv = [
            *self._base(), "push",
            self._tls_verify(tag, request.insecure_registries),
            "--digestfile", str(digestfile),
            *(["--authfile", str(authfile)] if authfile else []),
            image_id, f"docker://{tag}",
        ]  # fmt: skip
        result = await run_streaming(argv, log)
        if result.returncode != 0:
            text = " ".join(result.tail[-5:])
            if _AUTH_FAILURE.search(text):
                raise RegistryAuthError(f"push to {tag.registry} was refused: {result.tail[-1]}")
            raise RegistryError(f"push to {tag} failed: {result.tail[-1] if result.tail else '?'}")
        return digestfile.read_text().strip()


def write_authfile(directory: Path, credentials: dict[str, tuple[str, str]]) -> Path | None:
    """A containers-auth.json readable only by us, so no password is ever on a command line."""
    if not credentials:
        return None
    auths = {
        host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
        for host, (user, password) in credentials.items()
    }
    path = directory / "auth.json"
    path.touch(mode=0o600)
    path.write_text(json.dumps({"auths": auths}))
    return path


def _failure_summary(result: ProcessResult) -> str:
    """The line naming the failed step, else the last line of output."""
    for line in reversed(result.tail):
        if _STEP_FAILURE.search(line):
            return line.removeprefix("Error: ")
    return result.tail[-1] if result.tail else f"buildah exited with {result.returncode}"
