import json

from kiln.plan.bases import Catalog
from kiln.plan.dockerfile import render
from tests.unit.conftest import WriteFiles
from tests.unit.detect.providers.node.helpers import explained, manifest, plan_of


def member(name: str, **fields: object) -> str:
    return json.dumps({"name": name, **fields})


def monorepo(**root: object) -> dict[str, str]:
    return {
        "package.json": manifest(workspaces=["apps/*", "packages/*"], **root),
        "package-lock.json": "{}",
        "apps/web/package.json": member(
            "@acme/web", scripts={"start": "node server.js", "build": "tsc"}
        ),
        "apps/web/server.js": "",
        "apps/docs/README.md": "not a package: no package.json",
        "packages/ui/package.json": member("@acme/ui", devDependencies={"typescript": "5"}),
        "turbo.json": "{}",
    }


def test_install_copies_the_root_lock_and_every_member_manifest(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = plan_of(project, catalog, monorepo())
    assert plan.install_files == [
        "package.json",
        "package-lock.json",
        "apps/web/package.json",
        "packages/ui/package.json",
    ]
    dockerfile = render(plan, with_ca=False)
    assert "COPY package.json package-lock.json ./\n" in dockerfile
    assert "COPY apps/web/package.json apps/web/package.json\n" in dockerfile
    assert dockerfile.index("COPY packages/ui/package.json") < dockerfile.index("npm ci")


def test_the_only_startable_member_is_the_app(project: WriteFiles, catalog: Catalog) -> None:
    plan = plan_of(project, catalog, monorepo())
    assert plan.start == "cd apps/web && exec node server.js"
    assert explained(plan, "runs the workspace member apps/web")
    assert explained(plan, "uses turborepo")
    assert plan.build == ["turbo run build --filter=@acme/web..."]
    assert plan.prune == ["npm prune --omit=dev --no-audit --no-fund"]  # a member has dev deps
    assert plan.env["PATH"].startswith("/app/apps/web/node_modules/.bin:/app/node_modules/.bin")


def test_root_build_and_start_scripts_win(project: WriteFiles, catalog: Catalog) -> None:
    files = monorepo(scripts={"build": "turbo run build", "start": "node apps/web/server.js"})
    plan = plan_of(project, catalog, files)
    assert plan.build == ["npm run build"]
    assert plan.start == "node apps/web/server.js"
    assert explained(plan, "the workspace root has a start script")


def test_several_startable_members_are_explained(project: WriteFiles, catalog: Catalog) -> None:
    files = monorepo()
    files["packages/ui/package.json"] = member("@acme/ui", scripts={"start": "node x.js"})
    plan = plan_of(project, catalog, files)
    assert plan.start is None
    assert explained(plan, "several workspace members can start (apps/web, packages/ui)")


def test_member_build_without_task_runner_runs_in_its_directory(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = monorepo()
    del files["turbo.json"]
    assert plan_of(project, catalog, files).build == ["cd apps/web && npm run build"]


def test_nx_builds_the_app_project(project: WriteFiles, catalog: Catalog) -> None:
    files = monorepo()
    del files["turbo.json"]
    files["nx.json"] = "{}"
    plan = plan_of(project, catalog, files)
    assert plan.build == ["nx run @acme/web:build"]
    assert explained(plan, "uses nx")


def test_pnpm_workspace_yaml(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(),
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "pnpm-workspace.yaml": "# members\npackages:\n  - 'apps/*'\n  - \"libs/**\"\n"
        "  - '!libs/skip'\ncatalog:\n  - 'not/a/member'\n",
        "apps/api/package.json": member("api", scripts={"start": "node main.js"}),
        "apps/api/main.js": "",
        "libs/a/b/package.json": member("b"),
        "libs/skip/package.json": member("skip"),
    }
    plan = plan_of(project, catalog, files)
    assert plan.package_manager == "pnpm"
    assert plan.install_files == [
        "package.json",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
        "apps/api/package.json",
        "libs/a/b/package.json",
    ]
    assert plan.start == "cd apps/api && exec node main.js"


def test_yarn_workspaces_object_form(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(workspaces={"packages": ["services/*"], "nohoist": ["**/x"]}),
        "yarn.lock": "",
        "services/api/package.json": member("api", scripts={"start": "node a.js && node b.js"}),
    }
    plan = plan_of(project, catalog, files)
    assert plan.install_files[-1] == "services/api/package.json"
    assert plan.start == "cd services/api && node a.js && node b.js"  # no exec: a shell list


def test_bun_workspace(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(workspaces=["apps/*"]),
        "bun.lock": "{}",
        "apps/api/package.json": member("api", scripts={"start": "bun run main.ts"}),
    }
    plan = plan_of(project, catalog, files)
    assert plan.package_manager == "bun"
    assert "apps/api/package.json" in plan.install_files
    assert plan.artifacts == ["/app", "/opt/bun"]
