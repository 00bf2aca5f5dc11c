"""The repository's own Dockerfile (or Containerfile): built as it is."""

from __future__ import annotations

import re

from kiln.detect.provider import DetectContext
from kiln.detect.repo import RepoView
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan

CANDIDATES = ("Dockerfile", "Containerfile", "dockerfile")
_EXPOSE = re.compile(r"^\s*EXPOSE\s+(\d+)", re.IGNORECASE | re.MULTILINE)


class DockerfileProvider:
    name = "dockerfile"

    def detect(self, repo: RepoView) -> bool:
        return repo.first_file(*CANDIDATES) is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        path = ctx.dockerfile_override or ctx.repo.first_file(*CANDIDATES)
        if path is None or not ctx.repo.has_file(path):
            raise ManifestError(f"{path or 'Dockerfile'} is not a file inside the repository")
        text = ctx.repo.read_text(path)
        plan = BuildPlan(provider=self.name, dockerfile=path, detected_files=[path], artifacts=[])
        plan.explain(f"builds the repository's own {path} as it is")
        exposed = _EXPOSE.findall(text)
        if exposed:
            plan.port = int(exposed[0])
            plan.explain(f"port {plan.port} from EXPOSE in {path}")
        return plan
