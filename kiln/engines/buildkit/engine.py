"""The BuildKit engine: `buildctl build --frontend dockerfile.v0` against one buildkitd.

Registry credentials go in a per-build DOCKER_CONFIG directory (mode 0700, removed afterwards),
never on the command line. Build secrets and the extra CA are `--secret` files. Cache mounts are
namespaced per workspace (dockerfile.py); the registry cache (`type=registry,mode=max`) is kept
per app next to its image as `<repository>:<cache_tag>`. The pushed digest is read from
`--metadata-file`.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from kiln.engines.base import BuildRequest, BuildResult
from kiln.engines.buildkit.dockerfile import prepare_dockerfile
from kiln.engines.buildkit.progress import ProgressLog
from kiln.engines.process import ProcessResult, run_streaming
from kiln.errors import BuildFailed, RegistryAuthError, RegistryError
from kiln.logs.reporter import Reporter
from kiln.refs import ImageRef

Runner = Callable[..., Awaitable[ProcessResult]]
"""`run_streaming`'s signature; tests wrap it to record argv and environment."""

_AUTH_FAILURE = re.compile(r"unauthorized|authentication required|denied|401 |403 ", re.I)
_PUSH_FAILURE = re.compile(r"failed to push|pushing manifest|export(ing)? to image", re.I)


def csv_field(pairs: Sequence[tuple[str, str]]) -> str:
    """key=value pairs as one CSV record (buildctl parses --output / --*-cache that way)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([f"{key}={value}" for key, value in pairs])
    return buffer.getvalue()


def write_docker_config(directory: Path, credentials: Mapping[str, tuple[str, str]]) -> Path:
    """A DOCKER_CONFIG directory only we can read; buildctl hands its auths to the daemon."""
    directory.mkdir(mode=0o700)
    auths = {
        host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
        for host, (user, password) in credentials.items()
    }
    config = directory / "config.json"
    config.touch(mode=0o600)
    config.write_text(json.dumps({"auths": auths}))
    return directory


class BuildKitEngine:
    """One buildkitd, reached at `host` (unix:///path/buildkitd.sock or tcp://host:port)."""

    name = "buildkit"

    def __init__(
        self,
        host: str,
        *,
        cache_tag: str = "buildcache",
        buildctl: str = "buildctl",
        runner: Runner = run_streaming,
    ) -> None:
        self.host = host
        self.cache_tag = cache_tag
        """Tag of the per-app registry cache; empty disables cache export/import."""
        self.buildctl = buildctl
        self.runner = runner

    def cache_ref(self, image: ImageRef) -> str:
        return f"{image.registry}/{image.repository}:{self.cache_tag}"

    def build_argv(self, request: BuildRequest, dockerfile_dir: Path, metadata: Path) -> list[str]:
        primary = request.tags[0]
        insecure = primary.registry in request.insecure_registries
        argv = [
            self.buildctl, "--addr", self.host, "build",
            "--frontend", "dockerfile.v0",
            "--local", f"context={request.context_dir}",
            "--local", f"dockerfile={dockerfile_dir}",
            "--opt", "filename=Dockerfile",
            "--progress", "rawjson",
            "--metadata-file", str(metadata),
        ]  # fmt: skip
        for key, value in sorted(request.build_args.items()):
            argv += ["--opt", f"build-arg:{key}={value}"]
        for key, value in sorted(request.labels.items()):
            argv += ["--opt", f"label:{key}={value}"]
        for secret_id, path in sorted(request.secrets.items()):
            argv += ["--secret", csv_field([("id", secret_id), ("src", str(path))])]
        output = [
            ("type", "image"),
            ("name", ",".join(str(tag) for tag in request.tags)),
            ("push", "true" if request.push else "false"),
        ]
        if request.push and insecure:
            output.append(("registry.insecure", "true"))
        output += [
            (f"annotation.{key}", value) for key, value in sorted(request.annotations.items())
        ]
        argv += ["--output", csv_field(output)]
        if request.push and self.cache_tag:
            cache = [("type", "registry"), ("ref", self.cache_ref(primary))]
            if insecure:
                cache.append(("registry.insecure", "true"))
            argv += ["--import-cache", csv_field(cache)]
            argv += ["--export-cache", csv_field([*cache, ("mode", "max")])]
        return argv

    async def build(self, request: BuildRequest, report: Reporter) -> BuildResult:
        with tempfile.TemporaryDirectory(prefix="kiln-buildkit-") as scratch:
            work = Path(scratch)
            dockerfile_dir = work / "dockerfile"
            dockerfile_dir.mkdir()
            primary = request.tags[0]
            namespace = request.cache_namespace or f"{primary.registry}/{primary.repository}"
            (dockerfile_dir / "Dockerfile").write_text(
                prepare_dockerfile(request.dockerfile.read_text(), namespace)
            )
            metadata = work / "metadata.json"
            docker_config = write_docker_config(work / "docker", request.credentials)
            env = {**os.environ, "DOCKER_CONFIG": str(docker_config)}
            progress = ProgressLog(report.log, on_step=_push_marker(request, report))
            argv = self.build_argv(request, dockerfile_dir, metadata)
            result = await self.runner(argv, progress.feed, env=env)
            progress.close()
            if result.returncode != 0:
                _raise_failure(request, result, progress.failed)
            data = json.loads(metadata.read_text()) if metadata.is_file() else {}
        digest = data.get("containerimage.digest")
        image_id = data.get("containerimage.config.digest") or digest or ""
        return BuildResult(image_id=str(image_id), digest=str(digest) if request.push else None)


def _push_marker(request: BuildRequest, report: Reporter) -> Callable[[str], None]:
    """Tell the reporter the push has started when the image export step starts."""
    seen = False

    def on_step(name: str) -> None:
        nonlocal seen
        if request.push and not seen and name.startswith("exporting to image"):
            seen = True
            report.step("push")

    return on_step


def _raise_failure(request: BuildRequest, result: ProcessResult, failed: list[str]) -> None:
    # buildctl's own messages, not the rawjson progress (its errors are in `failed`)
    tail = [line for line in result.tail if line.strip() and not line.startswith("{")]
    last = tail[-1] if tail else f"buildctl exited with {result.returncode}"
    text = " ".join(tail[-8:])
    if request.push and _AUTH_FAILURE.search(text):
        raise RegistryAuthError(f"the registry refused buildkit's push or pull: {last}")
    step_failures = [f for f in failed if not f.startswith("exporting")]
    if step_failures:
        raise BuildFailed(step_failures[0])
    if request.push and _PUSH_FAILURE.search(text):
        raise RegistryError(f"push to {request.tags[0]} failed: {last}")
    raise BuildFailed(last)
