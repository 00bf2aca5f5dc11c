import json

import pytest

from kiln.detect import detect
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def manifest(**fields: object) -> str:
    return json.dumps({"name": "app", **fields})


def test_npm_with_lock_file(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {
            "package.json": manifest(
                scripts={"start": "node server.js", "build": "tsc"},
                dependencies={"express": "^4"},
                devDependencies={"typescript": "^5"},
            ),
            "package-lock.json": "{}",
            "server.js": "",
        }
    )
    plan = detect(root, catalog)
    assert (plan.provider, plan.language, plan.package_manager) == ("node", "node", "npm")
    assert plan.install == ["npm ci --no-audit --no-fund"]
    assert plan.build == ["npm run build"]
    assert plan.prune == ["npm prune --omit=dev --no-audit --no-fund"]
    assert plan.start == "node server.js"
    assert plan.framework == "express"
    assert plan.port == 3000
    assert plan.install_files == ["package.json", "package-lock.json"]
    assert plan.detected_files == ["package.json", "package-lock.json"]
    assert any("package-lock.json is present" in e for e in plan.explanations)


def test_without_lock_file_npm_install_and_advice(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"package.json": manifest(main="index.js"), "index.js": ""}), catalog)
    assert plan.install == ["npm install --no-audit --no-fund"]
    assert plan.start == "node index.js"
    assert plan.prune == []
    assert any("commit package-lock.json" in e for e in plan.explanations)


def test_nvmrc_wins_over_engines(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {"package.json": manifest(engines={"node": ">=22"}), ".nvmrc": "v18.19.0\n", "index.js": ""}
    )
    plan = detect(root, catalog)
    assert plan.language_version == "18"
    assert any(".nvmrc" in e for e in plan.explanations)


def test_engines_range_is_honoured(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"package.json": manifest(engines={"node": ">=18 <21"}), "index.js": ""})
    assert detect(root, catalog).language_version == "20"


def test_framework_needs_an_exact_dependency_name(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {"package.json": manifest(dependencies={"express-session": "1"}), "index.js": ""}
    )
    assert detect(root, catalog).framework is None


def test_no_start_command_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"package.json": manifest()}), catalog)
    assert plan.start is None
    assert any("no start command" in e for e in plan.explanations)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "package.json is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"scripts": ["build"]}', "'scripts' must be an object"),
        ('{"dependencies": {"a": 1}}', "every entry of 'dependencies' must be a string"),
    ],
)
def test_malformed_package_json(
    project: WriteFiles, catalog: Catalog, text: str, message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project({"package.json": text}), catalog)


def test_binary_package_json(tmp_path, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "package.json").write_bytes(b"\x00\x01\x02")
    with pytest.raises(ManifestError, match="binary file"):
        detect(tmp_path, catalog)
