import time
from pathlib import Path

import pytest

from kiln.detect import detect
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles
from tests.unit.detect.providers.node.helpers import explained, manifest, plan_of


def test_malformed_member_manifest_names_its_path(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(workspaces=["apps/*"]), "apps/web/package.json": "{oops"}
    with pytest.raises(ManifestError, match=r"apps/web/package\.json is not valid JSON"):
        plan_of(project, catalog, files)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"workspaces": "apps/*"}, "'workspaces' must be a list"),
        ({"devDependencies": []}, "'devDependencies' must be an object"),
    ],
)
def test_malformed_fields(
    project: WriteFiles, catalog: Catalog, field: dict[str, object], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        plan_of(project, catalog, {"package.json": manifest(**field)})


def test_odd_but_harmless_fields_are_ignored(project: WriteFiles, catalog: Catalog) -> None:
    package = manifest(
        engines="node 20",
        packageManager=7,
        devEngines=[1],
        main=["x"],
        scripts={"start": "node i.js"},
    )
    plan = plan_of(project, catalog, {"package.json": package, "i.js": ""})
    assert (plan.package_manager, plan.language_version, plan.start) == ("npm", "20", "node i.js")


def test_start_script_naming_a_missing_file_is_explained(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = plan_of(project, catalog, {"package.json": manifest(scripts={"start": "node gone.js"})})
    assert plan.start == "node gone.js"
    assert explained(plan, "runs gone.js, which is not in the repository and there is no build")


def test_start_file_without_extension_is_found(project: WriteFiles, catalog: Catalog) -> None:
    files = {"package.json": manifest(scripts={"start": "node --enable-source-maps dist/main"}),
             "dist/main.js": ""}  # fmt: skip
    plan = plan_of(project, catalog, files)
    assert not explained(plan, "not in the repository")


def test_binary_framework_config_is_not_fatal(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"package.json": manifest(dependencies={"next": "15"})})
    (root / "next.config.js").write_bytes(b"\x00\xff")
    assert detect(root, catalog).framework == "next"


def test_huge_workspace_glob_is_bounded(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "package.json").write_text(manifest(workspaces=["**"]))
    for index in range(300):
        deep = tmp_path / f"d{index}" / "a" / "b" / "c" / "d" / "e"
        deep.mkdir(parents=True)
    started = time.monotonic()
    plan = detect(tmp_path, catalog)
    assert plan.provider == "node"
    assert time.monotonic() - started < 20  # bounded walk, not a benchmark: a hang would fail
