import json
from pathlib import Path

import pytest

from kiln.detect import detect
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def composer(**fields: object) -> str:
    return json.dumps({"name": "x/y", **fields})


def test_vanilla_index_php_has_no_build_stage(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"index.php": "<?php echo 1;"}), catalog)
    assert (plan.provider, plan.language_version, plan.package_manager) == ("php", "8.4", None)
    assert plan.bases is not None and plan.bases.build is None
    assert plan.start == "php -S 0.0.0.0:${PORT} -t ."


def test_composer_app_with_public_front_controller(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"composer.json": composer(), "composer.lock": "{}", "public/index.php": ""})
    plan = detect(root, catalog)
    assert plan.package_manager == "composer"
    assert plan.install_files == ["composer.json", "composer.lock"]
    assert plan.install[0].startswith("composer install --no-dev")
    assert "--no-autoloader" in plan.install[0]  # sources are not there yet
    assert plan.build == ["composer dump-autoload --optimize --no-dev --no-interaction"]
    assert plan.start == "php -S 0.0.0.0:${PORT} -t public public/index.php"
    assert plan.bases is not None and plan.bases.build is not None


@pytest.mark.parametrize(
    ("constraint", "version"),
    [
        ("^8.2", "8.4"),
        ("~8.2.0", "8.2"),
        ("~8.2", "8.4"),
        (">=8.1 <8.4", "8.3"),
        (">=8.1,<8.3", "8.2"),
        ("^7.4 || ^8.0", "8.4"),
        ("8.3.*", "8.3"),
        ("^8.2@stable", "8.4"),
    ],
)
def test_require_php_ranges(
    project: WriteFiles, catalog: Catalog, constraint: str, version: str
) -> None:
    root = project({"composer.json": composer(require={"php": constraint}), "index.php": ""})
    plan = detect(root, catalog)
    assert plan.language_version == version
    assert any("composer.json require.php" in e for e in plan.explanations)


def test_php_version_file_wins_over_tool_versions_and_composer(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {
        "composer.json": composer(require={"php": "^8.3"}),
        ".tool-versions": "php 8.3.1\n",
        ".php-version": "8.2\n",
        "index.php": "",
    }
    root = project(files)
    assert detect(root, catalog).language_version == "8.2"
    (root / ".php-version").unlink()
    plan = detect(root, catalog)
    assert plan.language_version == "8.3"
    assert any(".tool-versions" in e for e in plan.explanations)


def test_laravel(project: WriteFiles, catalog: Catalog) -> None:
    manifest = composer(require={"php": "^8.2", "laravel/framework": "^11.0"})
    plan = detect(
        project({"composer.json": manifest, "artisan": "", "public/index.php": ""}), catalog
    )
    assert plan.framework == "laravel"
    assert plan.start == "php artisan serve --host=0.0.0.0 --port=${PORT}"
    assert plan.runtime_env["LOG_CHANNEL"] == "stderr"


@pytest.mark.parametrize(
    "files",
    [
        {"composer.json": composer(require={"laravel/framework": "^11.0"})},  # no artisan
        {"composer.json": composer(require={"laravel/lumen-framework": "^10"}), "artisan": ""},
    ],
)
def test_not_laravel(project: WriteFiles, catalog: Catalog, files: dict[str, str]) -> None:
    plan = detect(project({**files, "index.php": ""}), catalog)
    assert plan.framework is None


def test_extensions_become_debian_packages(project: WriteFiles, catalog: Catalog) -> None:
    require = {"ext-mbstring": "*", "ext-pdo_pgsql": "*", "ext-json": "*", "ext-dom": "*"}
    plan = detect(project({"composer.json": composer(require=require), "index.php": ""}), catalog)
    assert plan.apt_packages == ["php-mbstring", "php-pgsql", "php-xml"]


def test_empty_require_written_as_list(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"composer.json": composer(require=[]), "index.php": ""}), catalog)
    assert plan.package_manager == "composer"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"composer.json": '{"require": {'}, "composer.json is not valid JSON"),
        ({"composer.json": composer(require=["a/b"])}, "'require' must be an object"),
        ({"composer.json": composer(require={"php": 8})}, "must be a string"),
        ({"composer.json": composer(), "composer.lock": "<<<<<<<"}, "composer.lock is not valid"),
    ],
)
def test_malformed_manifests(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project(files), catalog)


def test_binary_composer_json(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "composer.json").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ManifestError, match="binary file"):
        detect(tmp_path, catalog)


def test_no_entry_point_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"composer.json": composer()}), catalog)
    assert plan.start is None
    assert any("no start command" in e for e in plan.explanations)
