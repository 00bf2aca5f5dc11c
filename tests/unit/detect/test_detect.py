from pathlib import Path

import pytest
from pydantic import ValidationError

from kiln.detect import detect
from kiln.detect.repo import RepoView
from kiln.errors import DetectionError, ManifestError, UserError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def test_empty_directory_says_what_was_looked_for(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(DetectionError) as caught:
        detect(tmp_path, catalog)
    text = str(caught.value)
    assert text.startswith("could not detect the project type: looked for Dockerfile")
    for name in ("package.json", "requirements.txt", "go.mod", "index.html", "--provider"):
        assert name in text


def test_missing_directory(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(UserError, match="no such directory"):
        detect(tmp_path / "nope", catalog)


def test_unknown_provider(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(
        UserError, match="unknown provider 'cobol'; choose one of dockerfile, deno, node"
    ):
        detect(project({"index.html": ""}), catalog, provider="cobol")


def test_symlink_outside_the_repository_is_invisible(tmp_path: Path, catalog: Catalog) -> None:
    outside = tmp_path / "secret.json"
    outside.write_text('{"scripts": {"start": "node x"}}')
    root = tmp_path / "repo"
    root.mkdir()
    (root / "package.json").symlink_to(outside)
    with pytest.raises(DetectionError):
        detect(root, catalog)


def test_symlink_loop_is_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    view = RepoView(tmp_path)
    assert not view.has_file("a")


def test_oversized_manifest(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(" " * (2 * 1024 * 1024))
    with pytest.raises(ManifestError, match="too large"):
        RepoView(tmp_path).read_json("package.json")


def test_paths_cannot_climb_out(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    view = RepoView(tmp_path / ".." / tmp_path.name)
    assert not view.has_file("../x") and not view.has_file("/etc/passwd")
    assert view.has_file("x")


def test_overrides_win_and_are_explained(project: WriteFiles, catalog: Catalog) -> None:
    from kiln.detect.overrides import Overrides

    root = project({"package.json": '{"engines": {"node": "18"}}', "index.js": ""})
    plan = detect(
        root,
        catalog,
        overrides=Overrides(
            language_version="22", install_cmd="npm i", start_cmd="node index.js --fast", port=9999
        ),
    )
    assert plan.language_version == "22"
    assert plan.install == ["npm i"] and plan.start == "node index.js --fast" and plan.port == 9999
    assert any("the overrides" in e for e in plan.explanations)


def test_dockerfile_path_override(project: WriteFiles, catalog: Catalog) -> None:
    from kiln.detect.overrides import Overrides

    root = project({"docker/app.Dockerfile": "FROM x\n", "index.html": ""})
    plan = detect(root, catalog, overrides=Overrides(dockerfile_path="docker/app.Dockerfile"))
    assert (plan.provider, plan.dockerfile) == ("dockerfile", "docker/app.Dockerfile")
    with pytest.raises(ManifestError, match="not a file inside the repository"):
        detect(root, catalog, overrides=Overrides(dockerfile_path="docker/missing.Dockerfile"))
    with pytest.raises(ValidationError, match="inside the repository"):
        Overrides(dockerfile_path="../etc/passwd")
