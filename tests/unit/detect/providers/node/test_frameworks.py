import pytest

from kiln.plan.bases import Catalog
from kiln.plan.dockerfile import render
from tests.unit.conftest import WriteFiles
from tests.unit.detect.providers.node.helpers import explained, manifest, plan_of

BUILD = {"build": "x build"}


@pytest.mark.parametrize(
    ("deps", "framework", "start"),
    [
        ({"next": "15"}, "next", "next start"),
        ({"nuxt": "3"}, "nuxt", "node .output/server/index.mjs"),
        ({"@remix-run/serve": "2"}, "remix", "remix-serve ./build/server/index.js"),
        (
            {"@react-router/dev": "7", "react-router": "7"},
            "react-router",
            "react-router-serve ./build/server/index.js",
        ),
        ({"@sveltejs/kit": "2", "@sveltejs/adapter-node": "5"}, "sveltekit", "node build"),
        ({"astro": "5", "@astrojs/node": "9"}, "astro", "node ./dist/server/entry.mjs"),
        (
            {"@angular/core": "19", "@angular/ssr": "19"},
            "angular-ssr",
            "node dist/app/server/server.mjs",
        ),
        ({"@nestjs/core": "11"}, "nestjs", "node dist/main"),
        ({"fastify": "5"}, "fastify", None),
        ({"hono": "4"}, "hono", None),
        ({"koa": "2"}, "koa", None),
        ({"express": "4"}, "express", None),
    ],
)
def test_server_frameworks(
    project: WriteFiles, catalog: Catalog, deps: dict[str, str], framework: str, start: str | None
) -> None:
    plan = plan_of(project, catalog, {"package.json": manifest(dependencies=deps, scripts=BUILD)})
    assert plan.framework == framework
    assert plan.start == start  # servers without a start script or entry file: none
    assert plan.bases is not None and "node" in plan.bases.runtime


def test_angular_ssr_server_path_comes_from_angular_json(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {
        "package.json": manifest(dependencies={"@angular/core": "19", "@angular/ssr": "19"}),
        "angular.json": '{"projects": {"shop": {}}}',
    }
    assert plan_of(project, catalog, files).start == "node dist/shop/server/server.mjs"


@pytest.mark.parametrize(
    ("deps", "framework", "directory"),
    [
        ({"vite": "6", "react": "19"}, "vite-react", "dist"),
        ({"vite": "6", "vue": "3"}, "vite-vue", "dist"),
        ({"vite": "6", "svelte": "5"}, "vite-svelte", "dist"),
        ({"vite": "6"}, "vite", "dist"),
        ({"react-scripts": "5", "react": "18"}, "create-react-app", "build"),
        ({"astro": "5"}, "astro-static", "dist"),
        ({"@sveltejs/kit": "2", "@sveltejs/adapter-static": "3"}, "sveltekit-static", "build"),
        ({"@angular/core": "19"}, "angular", "dist/app/browser"),
    ],
)
def test_static_sites_are_served_without_node(
    project: WriteFiles, catalog: Catalog, deps: dict[str, str], framework: str, directory: str
) -> None:
    files = {"package.json": manifest(devDependencies=deps, scripts={"build": "x", "dev": "x"})}
    plan = plan_of(project, catalog, files)
    assert plan.framework == framework
    static = catalog.static_base()
    assert plan.bases is not None and plan.bases.runtime == static.pinned
    assert plan.start == static.serve and plan.port == 8080
    assert plan.artifacts == [f"/app/{directory}:/app"]
    assert plan.prune == []
    assert f"COPY --from=build --chown=10001:10001 /app/{directory} /app\n" in render(
        plan, with_ca=False
    )


def test_vite_with_its_own_server_is_not_static(project: WriteFiles, catalog: Catalog) -> None:
    deps = {"vite": "6", "express": "4"}
    files = {"package.json": manifest(dependencies=deps, scripts={"start": "node server.js"})}
    plan = plan_of(project, catalog, files)
    assert plan.start == "node server.js" and plan.port == 3000


def test_static_site_without_build_script_warns(project: WriteFiles, catalog: Catalog) -> None:
    plan = plan_of(project, catalog, {"package.json": manifest(dependencies={"vite": "6"})})
    assert explained(plan, "warning: no build script")


@pytest.mark.parametrize(
    "deps",
    [{"next-auth": "4"}, {"express-session": "1"}, {"@types/express": "4"}, {"vite-node": "1"}],
)
def test_only_exact_dependency_names_count(
    project: WriteFiles, catalog: Catalog, deps: dict[str, str]
) -> None:
    files = {"package.json": manifest(dependencies=deps, scripts={"start": "node i.js"})}
    assert plan_of(project, catalog, files).framework is None


def test_a_dependency_named_in_a_script_is_not_a_framework(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {"package.json": manifest(scripts={"start": "node next.js", "express": "x"})}
    assert plan_of(project, catalog, files).framework is None


def test_next_static_export(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(dependencies={"next": "15"}, scripts={"build": "next build"}),
        "next.config.mjs": "// output: 'standalone'\nexport default { output: 'export' };\n",
    }
    plan = plan_of(project, catalog, files)
    assert plan.framework == "next-static"
    assert plan.artifacts == ["/app/out:/app"]


def test_next_standalone_ships_only_the_traced_server(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {
        "package.json": manifest(dependencies={"next": "15"}, scripts={"build": "next build"}),
        "next.config.js": 'module.exports = { output: "standalone" }\n',
        "public/logo.svg": "<svg/>",
    }
    plan = plan_of(project, catalog, files)
    assert plan.framework == "next"
    assert plan.start == "node server.js"
    assert plan.artifacts == [
        "/app/.next/standalone:/app",
        "/app/.next/static:/app/.next/static",
        "/app/public:/app/public",
    ]
    assert plan.runtime_env["HOSTNAME"] == "0.0.0.0"


def test_astro_server_output_from_config(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(dependencies={"astro": "5"}, scripts={"build": "astro build"}),
        "astro.config.mjs": "export default defineConfig({ output: 'server' });\n",
    }
    plan = plan_of(project, catalog, files)
    assert plan.framework == "astro"
    assert plan.runtime_env["HOST"] == "0.0.0.0"


def test_react_router_spa_mode(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(devDependencies={"@react-router/dev": "7"}, scripts=BUILD),
        "react-router.config.ts": "export default { ssr: false } satisfies Config;\n",
    }
    plan = plan_of(project, catalog, files)
    assert plan.framework == "react-router-spa"
    assert plan.artifacts == ["/app/build/client:/app"]


def test_nuxt_generate_is_static(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(dependencies={"nuxt": "3"}, scripts={"build": "nuxt generate"})
    }
    assert plan_of(project, catalog, files).artifacts == ["/app/.output/public:/app"]


def test_sveltekit_without_node_adapter_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(devDependencies={"@sveltejs/kit": "2"}, scripts=BUILD)}
    assert explained(plan_of(project, catalog, files), "needs that adapter")


def test_nest_prefers_start_prod(project: WriteFiles, catalog: Catalog) -> None:
    scripts = {"build": "nest build", "start": "nest start", "start:prod": "node dist/main"}
    files = {"package.json": manifest(dependencies={"@nestjs/core": "11"}, scripts=scripts)}
    plan = plan_of(project, catalog, files)
    assert plan.start == "node dist/main"
    assert explained(plan, "starts with the start:prod script")
    assert explained(plan, "the build step must create it")


def test_start_script_indirection_is_inlined(project: WriteFiles, catalog: Catalog) -> None:
    scripts = {"start": "npm run serve", "serve": "node server.js"}
    files = {"package.json": manifest(scripts=scripts), "server.js": ""}
    assert plan_of(project, catalog, files).start == "node server.js"


def test_static_site_gets_no_apt_packages(project: WriteFiles, catalog: Catalog) -> None:
    deps = {"vite": "6", "puppeteer": "24"}
    files = {"package.json": manifest(devDependencies=deps, scripts={"build": "vite build"})}
    plan = plan_of(project, catalog, files)
    assert plan.apt_packages == [] and plan.runtime_env == {}
    assert explained(plan, "chromium serve the build only")
