"""A shell script (`start.sh`) run as it is on the plain runtime base; no build step.

The script's own shebang picks the shell (bash when it asks for bash, else sh), so the file
need not be executable. Relative files the script runs are checked, and a missing one explained.
"""

from __future__ import annotations

import re

from kiln.detect.provider import DetectContext
from kiln.detect.repo import RepoView
from kiln.plan.model import BaseImages, BuildPlan

SCRIPT = "start.sh"
PORT = 8080
_SHEBANG = re.compile(r"^#!\s*(?:/usr/bin/env\s+)?(?:\S*/)?(\w+)")
# A word that names a file relative to the repository: ./x, x.sh, bin/x.py …
_RELATIVE = re.compile(
    r"(?<![\w/.$-])(\./[\w./-]+|[\w-]+(?:/[\w.-]+)*\.(?:sh|py|rb|js|php|pl|bin))\b"
)


def referenced_files(script: str) -> list[str]:
    """Relative paths the script's commands name, in order, without duplicates."""
    found: list[str] = []
    for raw in script.splitlines():
        line = raw.split("#", 1)[0] if not raw.startswith("#!") else ""
        for match in _RELATIVE.finditer(line):
            path = match.group(1).removeprefix("./")
            if path and path not in found:
                found.append(path)
    return found


class ShellProvider:
    name = "shell"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file(SCRIPT)

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        script = repo.read_text(SCRIPT)
        plan = BuildPlan(
            provider=self.name,
            language="shell",
            port=PORT,
            detected_files=[SCRIPT],
            bases=BaseImages(build=None, runtime=ctx.catalog.runtime_base().pinned),
        )
        shebang = _SHEBANG.match(script)
        shell = "bash" if shebang and shebang.group(1) == "bash" else "sh"
        plan.start = f"{shell} {SCRIPT}"
        plan.explain(
            f"runs {SCRIPT} with {shell}"
            + (f" (its shebang asks for {shebang.group(1)})" if shebang else " (no shebang)")
            + " on the plain runtime base"
        )
        missing = [path for path in referenced_files(script) if not repo.has_file(path)]
        if missing:
            plan.explain(
                f"warning: {SCRIPT} refers to {', '.join(missing)}, not in the repository; "
                "the container will fail unless something creates it first"
            )
        return plan
