"""Node.js with npm: version from pin files or `engines.node`, npm ci, build, pruned runtime."""

from __future__ import annotations

from typing import Any

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.versions import npm_range
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 3000
DEFAULT_VERSION = "20"
# Frameworks recognised from an exact dependency name, most specific first.
FRAMEWORKS = (
    ("next", "next"),
    ("@nestjs/core", "nestjs"),
    ("fastify", "fastify"),
    ("hono", "hono"),
    ("koa", "koa"),
    ("express", "express"),
)
ENTRY_FILES = ("server.js", "index.js", "app.js", "main.js", "server.mjs", "index.mjs")


def _dict(manifest: dict[str, Any], key: str) -> dict[str, Any]:
    value = manifest.get(key, {})
    if not isinstance(value, dict):
        raise ManifestError(f"package.json: {key!r} must be an object")
    return value


def _string_values(table: dict[str, Any], key: str) -> dict[str, str]:
    if not all(isinstance(v, str) for v in table.values()):
        raise ManifestError(f"package.json: every entry of {key!r} must be a string")
    return table


class NodeProvider:
    name = "node"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("package.json")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        manifest = repo.read_json("package.json")
        scripts = _string_values(_dict(manifest, "scripts"), "scripts")
        deps = _string_values(_dict(manifest, "dependencies"), "dependencies")
        dev_deps = _string_values(_dict(manifest, "devDependencies"), "devDependencies")

        plan = BuildPlan(provider=self.name, language="node", package_manager="npm", port=PORT)
        plan.detected_files.append("package.json")
        request = ctx.override_request(npm_range) or self._version_request(repo, manifest)
        version = ctx.choose_version(plan, "node", request, DEFAULT_VERSION)
        plan.language_version = version
        ctx.use_bases(plan, "node", version, slim=False)

        lock = repo.first_file("package-lock.json", "npm-shrinkwrap.json")
        plan.install_files = ["package.json"] + ([lock] if lock else [])
        if repo.has_file(".npmrc"):
            plan.install_files.append(".npmrc")
        if lock:
            plan.detected_files.append(lock)
            plan.install = ["npm ci --no-audit --no-fund"]
            plan.explain(f"npm because {lock} is present; `npm ci` installs exactly the lock file")
        else:
            plan.install = ["npm install --no-audit --no-fund"]
            plan.explain(
                "npm because package.json has no lock file; "
                "commit package-lock.json for reproducible installs"
            )
        plan.caches = [CacheMount(id="npm", target="/root/.npm")]

        if "build" in scripts:
            plan.build = ["npm run build"]
            plan.explain("runs `npm run build` because package.json has a build script")
        if dev_deps:
            plan.prune = ["npm prune --omit=dev --no-audit --no-fund"]
            plan.explain("drops devDependencies from the runtime image (`npm prune --omit=dev`)")

        all_deps = {**dev_deps, **deps}
        for package, framework in FRAMEWORKS:
            if package in all_deps:
                plan.framework = framework
                plan.explain(f"framework {framework} because {package} is a dependency")
                break

        plan.start = self._start(repo, manifest, scripts, plan)
        plan.env = {"PATH": "/app/node_modules/.bin:$PATH"}
        plan.runtime_env = {"NODE_ENV": "production"}
        return plan

    @staticmethod
    def _version_request(repo: RepoView, manifest: dict[str, Any]) -> VersionRequest | None:
        for pin in (".nvmrc", ".node-version"):
            text = repo.read_text(pin).strip() if repo.has_file(pin) else ""
            if text:
                first = text.splitlines()[0].strip()
                return VersionRequest(first, pin, npm_range(first.removeprefix("v")))
        engines = manifest.get("engines")
        if isinstance(engines, dict) and isinstance(engines.get("node"), str):
            text = engines["node"]
            return VersionRequest(text, "package.json engines.node", npm_range(text))
        return None

    @staticmethod
    def _start(
        repo: RepoView, manifest: dict[str, Any], scripts: dict[str, str], plan: BuildPlan
    ) -> str | None:
        if "start" in scripts:
            plan.explain(f"starts with the start script: {scripts['start']}")
            return scripts["start"]
        main = manifest.get("main")
        if isinstance(main, str) and repo.has_file(main):
            plan.explain(f"starts `node {main}` because package.json main names it")
            return f"node {main}"
        entry = repo.first_file(*ENTRY_FILES)
        if entry:
            plan.explain(
                f"starts `node {entry}` because {entry} exists and there is no start script"
            )
            return f"node {entry}"
        plan.explain("no start command: add a start script to package.json or set KILN_START_CMD")
        return None
