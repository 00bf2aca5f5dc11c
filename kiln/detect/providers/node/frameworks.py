"""Frameworks, recognised by exact dependency names (never substrings), most specific first.

A framework says how it builds, what starts it, or which directory is a static site to serve
with the catalog's static base instead of Node.js.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from kiln.detect.providers.node.configs import config_text, literal_flag, literal_setting
from kiln.detect.providers.node.manifest import PackageJson
from kiln.detect.repo import RepoView
from kiln.errors import ManifestError


@dataclass
class Framework:
    name: str
    reason: str
    start: str | None = None
    """Used when package.json has no start script (relative to the app directory)."""
    static_dir: str | None = None
    """A static site: this directory (relative to the app) is served, Node.js is not shipped."""
    start_script: str | None = None
    """A script preferred over `start` (NestJS's `start:prod`)."""
    artifacts: list[str] = field(default_factory=list)
    """Paths (relative to the app, `src:dest` allowed) copied instead of the whole /app."""
    runtime_env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


Rule = Callable[[RepoView, PackageJson], Framework | None]


def _dep(app: PackageJson, *names: str) -> str | None:
    return next((name for name in names if app.depends_on(name)), None)


def _next(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("next"):
        return None
    config = config_text(repo, app.directory, "next.config")
    output = literal_setting(config[1], "output") if config else None
    reason = "framework next because next is a dependency"
    if output == "export":
        return Framework(
            "next-static",
            f"{reason} and {config[0] if config else ''} sets output: 'export'",
            static_dir="out",
        )
    if output == "standalone":
        copies = [".next/standalone:.", ".next/static:.next/static"]
        prefix = f"{app.directory}/" if app.directory else ""
        if repo.has_dir(f"{prefix}public"):
            copies.append("public:public")
        return Framework(
            "next",
            f"{reason}; output: 'standalone' ships only the traced server",
            start="node server.js",
            artifacts=copies,
            runtime_env={"HOSTNAME": "0.0.0.0"},  # noqa: S104 - listen outside the container
        )
    return Framework("next", reason, start="next start")


def _nuxt(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("nuxt"):
        return None
    if "nuxt generate" in app.scripts.get("build", ""):
        return Framework(
            "nuxt-static",
            "framework nuxt (nuxt generate: a static site)",
            static_dir=".output/public",
        )
    return Framework(
        "nuxt", "framework nuxt because nuxt is a dependency", start="node .output/server/index.mjs"
    )


def _react_router(repo: RepoView, app: PackageJson) -> Framework | None:
    if app.depends_on("@react-router/dev"):
        config = config_text(repo, app.directory, "react-router.config")
        if config and literal_flag(config[1], "ssr") is False:
            return Framework(
                "react-router-spa",
                f"framework react-router, {config[0]} sets ssr: false",
                static_dir="build/client",
            )
        return Framework(
            "react-router",
            "framework react-router because @react-router/dev is a dependency",
            start="react-router-serve ./build/server/index.js",
        )
    package = _dep(app, "@remix-run/serve", "@remix-run/node", "@remix-run/react", "@remix-run/dev")
    if package is None:
        return None
    return Framework(
        "remix",
        f"framework remix because {package} is a dependency",
        start="remix-serve ./build/server/index.js",
    )


def _sveltekit(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("@sveltejs/kit"):
        return None
    if app.depends_on("@sveltejs/adapter-static"):
        return Framework(
            "sveltekit-static",
            "framework sveltekit with @sveltejs/adapter-static",
            static_dir="build",
        )
    framework = Framework(
        "sveltekit", "framework sveltekit because @sveltejs/kit is a dependency", start="node build"
    )
    if not app.depends_on("@sveltejs/adapter-node"):
        framework.notes.append(
            "SvelteKit without @sveltejs/adapter-node: `node build` needs that adapter; add it"
        )
    return framework


def _astro(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("astro"):
        return None
    config = config_text(repo, app.directory, "astro.config")
    output = literal_setting(config[1], "output") if config else None
    if output == "server" or app.depends_on("@astrojs/node"):
        return Framework(
            "astro",
            "framework astro (server output with @astrojs/node)",
            start="node ./dist/server/entry.mjs",
            runtime_env={"HOST": "0.0.0.0"},  # noqa: S104 - listen outside the container
        )
    return Framework(
        "astro-static", "framework astro: static output (the default)", static_dir="dist"
    )


def _angular_project(repo: RepoView, app: PackageJson) -> str | None:
    path = f"{app.directory}/angular.json" if app.directory else "angular.json"
    if not repo.has_file(path):
        return None
    try:
        projects = json.loads(repo.read_text(path)).get("projects")
    except (ManifestError, json.JSONDecodeError, AttributeError):
        return None
    return next(iter(projects), None) if isinstance(projects, dict) else None


def _angular(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("@angular/core"):
        return None
    project = _angular_project(repo, app) or app.name or "app"
    if app.depends_on("@angular/ssr"):
        return Framework(
            "angular-ssr",
            "framework angular with @angular/ssr (a Node server)",
            start=f"node dist/{project}/server/server.mjs",
        )
    return Framework(
        "angular",
        f"framework angular: a static site built into dist/{project}/browser",
        static_dir=f"dist/{project}/browser",
    )


def _cra(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("react-scripts"):
        return None
    return Framework(
        "create-react-app",
        "framework create-react-app because react-scripts is a dependency",
        static_dir="build",
    )


VITE_FLAVOURS = (
    ("react", "react"),
    ("vue", "vue"),
    ("svelte", "svelte"),
    ("preact", "preact"),
    ("solid-js", "solid"),
)


def _vite(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("vite"):
        return None
    flavour = next((name for package, name in VITE_FLAVOURS if app.depends_on(package)), None)
    name = f"vite-{flavour}" if flavour else "vite"
    return Framework(
        name,
        f"framework {name}: a vite single-page app, served as static files from dist",
        static_dir="dist",
    )


def _nest(repo: RepoView, app: PackageJson) -> Framework | None:
    if not app.depends_on("@nestjs/core"):
        return None
    return Framework(
        "nestjs",
        "framework nestjs because @nestjs/core is a dependency",
        start="node dist/main",
        start_script="start:prod",
    )


SERVERS = ("fastify", "hono", "koa", "express")


def _server(repo: RepoView, app: PackageJson) -> Framework | None:
    package = _dep(app, *SERVERS)
    if package is None:
        return None
    return Framework(package, f"framework {package} because {package} is a dependency")


RULES: tuple[Rule, ...] = (
    _next,
    _nuxt,
    _react_router,
    _sveltekit,
    _astro,
    _angular,
    _nest,
    _cra,
    _vite,
    _server,
)


def detect_framework(repo: RepoView, app: PackageJson) -> Framework | None:
    for rule in RULES:
        framework = rule(repo, app)
        if framework is not None:
            return framework
    return None
