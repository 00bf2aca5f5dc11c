"""The Node.js provider: version, package manager, workspace, framework → one BuildPlan."""

from __future__ import annotations

import posixpath

from kiln.detect.provider import DetectContext
from kiln.detect.providers.node.frameworks import Framework, detect_framework
from kiln.detect.providers.node.manifest import PackageJson, read_package_json
from kiln.detect.providers.node.package_manager import (
    BUN_PREFIX,
    PackageManager,
    detect_package_manager,
)
from kiln.detect.providers.node.start import (
    check_start_file,
    default_start,
    in_directory,
    inline_script,
)
from kiln.detect.providers.node.system_deps import apply_system_deps
from kiln.detect.providers.node.version import choose_node_version
from kiln.detect.providers.node.workspace import Workspace, find_workspace, select_app
from kiln.detect.repo import RepoView
from kiln.errors import CatalogError
from kiln.plan.model import BaseImages, BuildPlan

PORT = 3000
STATIC_PORT = 8080
DEV_SERVERS = ("vite", "react-scripts", "ng", "astro", "serve", "nuxt", "next", "svelte-kit")
"""A start script running one of these is a dev/preview server, not what production serves."""


class NodeProvider:
    name = "node"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("package.json")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        root = read_package_json(repo)
        plan = BuildPlan(provider=self.name, language="node", port=PORT)
        plan.detected_files.append("package.json")
        version = choose_node_version(ctx, plan, root)
        plan.language_version = version
        manager = detect_package_manager(repo, root)
        plan.package_manager = manager.name
        for reason in manager.reasons:
            plan.explain(reason)
        if manager.lock_file:
            plan.detected_files.append(manager.lock_file)
        workspace = find_workspace(repo, root)
        app = self._app(plan, root, workspace, ctx.member)
        self._install(repo, plan, manager, workspace)
        framework = detect_framework(repo, app)
        if framework is not None:
            plan.framework = framework.name
            plan.explain(framework.reason)
            for note in framework.notes:
                plan.explain(note)
        plan.build = apply_system_deps(repo, app, plan) + self._build(plan, manager, workspace, app)
        if framework is not None and framework.static_dir and self._serves_static(app):
            self._static(ctx, plan, app, framework)
            return plan
        ctx.use_bases(plan, "node", version, slim=False)
        self._prune(plan, manager, [root, *(workspace.members if workspace else [])])
        self._start(repo, plan, app, framework)
        self._runtime(plan, manager, app, framework)
        return plan

    @staticmethod
    def _app(
        plan: BuildPlan, root: PackageJson, workspace: Workspace | None, member: str | None
    ) -> PackageJson:
        if workspace is None:
            return root
        members = ", ".join(m.directory for m in workspace.members) or "none found"
        plan.explain(
            f"a workspace ({workspace.source}; members: {members}): installs from the root with "
            "the root lock file and every member's package.json"
        )
        if workspace.task_runner is not None:
            plan.explain(f"uses {workspace.task_runner} (its config is at the workspace root)")
        app, why = select_app(workspace, member)
        plan.explain(why)
        return app

    @staticmethod
    def _install(
        repo: RepoView, plan: BuildPlan, manager: PackageManager, workspace: Workspace | None
    ) -> None:
        files = ["package.json"] + ([manager.lock_file] if manager.lock_file else [])
        files += manager.config_files(repo)
        if workspace is not None:
            files += workspace.manifests()
        plan.install_files = files
        plan.install = [*manager.setup(), manager.install()]
        plan.caches = manager.caches()
        if manager.setup():
            plan.explain(
                f"installs {manager.tool} {manager.setup()[0].rsplit('@', 1)[1]} from the npm "
                "registry in the build stage only"
            )

    @staticmethod
    def _build(
        plan: BuildPlan, manager: PackageManager, workspace: Workspace | None, app: PackageJson
    ) -> list[str]:
        root = workspace.root if workspace is not None else app
        if "build" in root.scripts:
            plan.explain(f"runs `{manager.run('build')}` because package.json has a build script")
            return [manager.run("build")]
        if workspace is None or app is root or "build" not in app.scripts:
            return []
        if workspace.task_runner == "turborepo" and app.name:
            command = f"turbo run build --filter={app.name}..."
        elif workspace.task_runner == "nx" and app.name:
            command = f"nx run {app.name}:build"
        else:
            command = f"cd {app.directory} && {manager.run('build')}"
        plan.explain(f"runs `{command}`: the app's build script, from the workspace")
        return [command]

    @staticmethod
    def _serves_static(app: PackageJson) -> bool:
        start = app.scripts.get("start", "").strip()
        return not start or start.split()[0] in DEV_SERVERS

    @staticmethod
    def _static(ctx: DetectContext, plan: BuildPlan, app: PackageJson, fw: Framework) -> None:
        base = ctx.catalog.static_base()
        node = ctx.catalog.find("node", plan.language_version or "", "build")
        if base.serve is None or node is None:
            raise CatalogError("the catalog has no static base that serves files, or no node image")
        plan.bases = BaseImages(build=node.pinned, runtime=base.pinned)
        prefix = f"{app.directory}/" if app.directory else ""
        plan.artifacts = [f"/app/{prefix}{fw.static_dir}:/app"]
        plan.start, plan.port = base.serve, STATIC_PORT
        plan.explain(
            f"serves {prefix}{fw.static_dir} with the static base image on port {STATIC_PORT}: "
            "no Node.js, no node_modules, no sources in the runtime image"
        )
        if not plan.build:
            plan.explain(f"warning: no build script, so nothing creates {prefix}{fw.static_dir}")
        if plan.apt_packages:
            plan.explain(f"{', '.join(plan.apt_packages)} serve the build only: not installed")
            plan.apt_packages = []
        plan.runtime_env = {}

    @staticmethod
    def _prune(plan: BuildPlan, manager: PackageManager, manifests: list[PackageJson]) -> None:
        if not any(m.dev_dependencies for m in manifests):
            return
        prune = manager.prune()
        if prune is None:
            plan.explain(f"keeps devDependencies: {manager.name} {manager.version} cannot prune")
            return
        plan.prune = [prune]
        plan.explain(f"drops devDependencies from the runtime image (`{prune}`)")

    @staticmethod
    def _start(repo: RepoView, plan: BuildPlan, app: PackageJson, fw: Framework | None) -> None:
        script = fw.start_script if fw and fw.start_script in app.scripts else "start"
        command: str | None = None
        if script in app.scripts:
            command = inline_script(app.scripts, script)
            plan.explain(f"starts with the {script} script of {app.path}: {command}")
        elif fw is not None and fw.start is not None:
            command = fw.start
            plan.explain(f"starts `{command}`, the {fw.name} production server")
        else:
            command = default_start(repo, app, plan)
        if command is None:
            plan.explain(
                "no start command: add a start script to package.json or set KILN_START_CMD"
            )
            return
        check_start_file(repo, app, command, plan, builds=bool(plan.build))
        plan.start = in_directory(app.directory, command)

    @staticmethod
    def _runtime(
        plan: BuildPlan, manager: PackageManager, app: PackageJson, fw: Framework | None
    ) -> None:
        paths = ["/app/node_modules/.bin"]
        if app.directory:
            paths.insert(0, f"/app/{app.directory}/node_modules/.bin")
        if manager.name == "bun":
            paths.append(f"{BUN_PREFIX}/bin")
            if plan.start and plan.start.split("&& ")[-1].removeprefix("exec ").startswith("bun "):
                plan.artifacts = ["/app", BUN_PREFIX]
                plan.explain(
                    f"copies bun ({BUN_PREFIX}) into the runtime image: the start command runs it"
                )
        plan.env["PATH"] = ":".join(paths) + ":$PATH"
        plan.runtime_env["NODE_ENV"] = "production"
        if manager.node_linker == "pnp":
            plan.runtime_env["NODE_OPTIONS"] = "--require /app/.pnp.cjs"
            plan.explain(
                "Plug'n'Play: node loads /app/.pnp.cjs (set nodeLinker: node-modules to avoid)"
            )
        if fw is not None:
            plan.runtime_env.update(fw.runtime_env)
            if fw.artifacts:
                base = posixpath.join("/app", app.directory)
                plan.artifacts = [
                    f"{posixpath.normpath(posixpath.join(base, source))}:"
                    f"{posixpath.normpath(posixpath.join(base, target))}"
                    for source, _, target in (a.partition(":") for a in fw.artifacts)
                ]
