import pytest

from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles
from tests.unit.detect.providers.node.helpers import explained, manifest, plan_of

START = {"start": "node index.js"}
BERRY_LOCK = "__metadata:\n  version: 8\n  cacheKey: 10c0\n"
YARN1_LOCK = '# yarn lockfile v1\n\nms@^2:\n  version "2.1.3"\n'


@pytest.mark.parametrize(
    ("lock", "text", "name", "install"),
    [
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n", "pnpm", "pnpm install --frozen-lockfile"),
        ("bun.lock", "{}", "bun", "bun install --frozen-lockfile"),
        ("bun.lockb", "binary-ish", "bun", "bun install --frozen-lockfile"),
        ("yarn.lock", YARN1_LOCK, "yarn", "yarn install --non-interactive --frozen-lockfile"),
        ("yarn.lock", BERRY_LOCK, "yarn-berry", "yarn install --immutable"),
        ("package-lock.json", "{}", "npm", "npm ci --no-audit --no-fund"),
        ("npm-shrinkwrap.json", "{}", "npm", "npm ci --no-audit --no-fund"),
    ],
)
def test_lock_file_chooses_the_manager(
    project: WriteFiles, catalog: Catalog, lock: str, text: str, name: str, install: str
) -> None:
    plan = plan_of(project, catalog, {"package.json": manifest(scripts=START), lock: text})
    assert plan.package_manager == name
    assert plan.install[-1] == install
    assert lock in plan.install_files and lock in plan.detected_files
    assert explained(plan, f"{name} because {lock} is present")


def test_package_manager_field_wins_over_the_lock_file(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {
        "package.json": manifest(packageManager="pnpm@8.15.1+sha512.abc", scripts=START),
        "package-lock.json": "{}",
    }
    plan = plan_of(project, catalog, files)
    assert plan.package_manager == "pnpm"
    assert plan.install == ["npm install -g --no-audit --no-fund pnpm@8.15.1", "pnpm install"]
    assert explained(plan, "pnpm because packageManager is 'pnpm@8.15.1+sha512.abc'")
    assert explained(plan, "ignores package-lock.json")


@pytest.mark.parametrize(
    ("field", "name", "package"),
    [
        ("yarn@1.22.19", "yarn", "yarn@1.22.19"),
        ("yarn@3.6.4", "yarn-berry", "@yarnpkg/cli-dist@3.6.4"),
        ("yarn@4.9.1", "yarn-berry", "@yarnpkg/cli-dist@4.9.1"),
        ("bun@1.2.19", "bun", "bun@1.2.19"),
    ],
)
def test_package_manager_field_versions(
    project: WriteFiles, catalog: Catalog, field: str, name: str, package: str
) -> None:
    plan = plan_of(
        project, catalog, {"package.json": manifest(packageManager=field, scripts=START)}
    )
    assert plan.package_manager == name
    assert plan.install[0].endswith(f" {package}")


def test_dev_engines_package_manager(project: WriteFiles, catalog: Catalog) -> None:
    dev = {"packageManager": {"name": "pnpm", "version": "9.1.0"}}
    plan = plan_of(project, catalog, {"package.json": manifest(devEngines=dev, scripts=START)})
    assert plan.package_manager == "pnpm"
    assert plan.install[0].endswith("pnpm@9.1.0")
    assert explained(plan, "devEngines.packageManager")


def test_unsafe_version_in_package_manager_is_ignored(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {"package.json": manifest(packageManager="pnpm@9;rm -rf /", scripts=START)}
    plan = plan_of(project, catalog, files)
    assert plan.install[0] == "npm install -g --no-audit --no-fund pnpm@9"
    assert explained(plan, "not a version number")


def test_unknown_package_manager_falls_back_to_the_lock(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {"package.json": manifest(packageManager="cargo@1", scripts=START), "yarn.lock": ""}
    assert plan_of(project, catalog, files).package_manager == "yarn"


def test_pnpm_version_follows_the_lock_format(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(scripts=START), "pnpm-lock.yaml": "lockfileVersion: '6.0'\n"}
    assert plan_of(project, catalog, files).install[0].endswith("pnpm@8")


@pytest.mark.parametrize(
    ("yarnrc", "linker"),
    [("nodeLinker: node-modules\n", "node-modules"), ("nodeLinker: 'pnpm'\n", "pnpm"), ("", "pnp")],
)
def test_berry_node_linker(project: WriteFiles, catalog: Catalog, yarnrc: str, linker: str) -> None:
    files = {
        "package.json": manifest(scripts=START),
        "yarn.lock": BERRY_LOCK,
        ".yarnrc.yml": yarnrc,
    }
    plan = plan_of(project, catalog, files)
    assert plan.package_manager == "yarn-berry"
    assert explained(plan, f"the {linker} linker")
    assert ".yarnrc.yml" in plan.install_files
    pnp = plan.runtime_env.get("NODE_OPTIONS") == "--require /app/.pnp.cjs"
    assert pnp == (linker == "pnp")


def test_berry_releases_dir_is_copied_before_install(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(scripts=START),
        "yarn.lock": BERRY_LOCK,
        ".yarnrc.yml": "yarnPath: .yarn/releases/yarn-4.9.1.cjs\nnodeLinker: node-modules\n",
        ".yarn/releases/yarn-4.9.1.cjs": "// yarn",
    }
    assert ".yarn/releases" in plan_of(project, catalog, files).install_files


def test_yarn_3_cannot_prune(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(
            packageManager="yarn@3.6.4", scripts=START, devDependencies={"typescript": "5"}
        ),
        ".yarnrc.yml": "nodeLinker: node-modules\n",
    }
    plan = plan_of(project, catalog, files)
    assert plan.prune == []
    assert explained(plan, "keeps devDependencies")


@pytest.mark.parametrize(
    ("lock", "prune"),
    [
        ("package-lock.json", "npm prune --omit=dev --no-audit --no-fund"),
        ("pnpm-lock.yaml", "pnpm prune --prod"),
        ("bun.lock", "rm -rf node_modules && bun install --production --frozen-lockfile"),
    ],
)
def test_dev_dependencies_are_pruned(
    project: WriteFiles, catalog: Catalog, lock: str, prune: str
) -> None:
    package = manifest(scripts=START, devDependencies={"typescript": "5"})
    plan = plan_of(project, catalog, {"package.json": package, lock: "{}"})
    assert plan.prune == [prune]


@pytest.mark.parametrize(
    "lock", ["package-lock.json", "pnpm-lock.yaml", "bun.lock", "yarn.lock", "none"]
)
def test_caches_are_never_inside_node_modules(
    project: WriteFiles, catalog: Catalog, lock: str
) -> None:
    files = {"package.json": manifest(scripts=START)}
    if lock != "none":
        files[lock] = "{}"
    plan = plan_of(project, catalog, files)
    assert plan.caches
    for cache in plan.caches:
        assert "node_modules" not in cache.target and not cache.target.startswith("/app")


def test_binary_lock_file_is_explained_not_fatal(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"package.json": manifest(scripts=START)})
    (root / "pnpm-lock.yaml").write_bytes(b"\x00\x01binary")
    from kiln.detect import detect

    plan = detect(root, catalog)
    assert plan.package_manager == "pnpm"
    assert explained(plan, "could not read pnpm-lock.yaml")


def test_several_lock_files_are_explained(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(scripts=START), "pnpm-lock.yaml": "", "yarn.lock": ""}
    plan = plan_of(project, catalog, files)
    assert plan.package_manager == "pnpm"
    assert explained(plan, "ignores yarn.lock: one package manager per project")


def test_bun_start_ships_bun_in_the_runtime(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(scripts={"start": "bun server.ts"}), "bun.lock": "{}"}
    plan = plan_of(project, catalog, files)
    assert plan.artifacts == ["/app", "/opt/bun"]
    assert "/opt/bun/bin" in plan.env["PATH"]


def test_bun_install_only_keeps_bun_out_of_the_runtime(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {"package.json": manifest(scripts={"start": "node server.js"}), "bun.lock": "{}"}
    assert plan_of(project, catalog, files).artifacts == ["/app"]
