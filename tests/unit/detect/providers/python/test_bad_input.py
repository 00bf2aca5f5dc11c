"""Bad manifests: a clear error naming the file, never a crash, in bounded time."""

from pathlib import Path

import pytest

from kiln.detect import detect
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"pyproject.toml": "[project\nname = 'x'"}, "pyproject.toml is not valid TOML"),
        ({"Pipfile": "[packages\n"}, "Pipfile is not valid TOML"),
        ({"pyproject.toml": "project = 3\n"}, r"\[project\] must be a table"),
        (
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = "flask"\n'},
            "dependencies must be a list of strings",
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask >>> 1"]\n'},
            "is not a requirement",
        ),
        ({"Pipfile": '[packages]\n"not a name!" = "*"\n'}, "is not a package name"),
        ({"requirements.txt": "flask\nflask[security\n"}, "requirements.txt line 2"),
    ],
)
def test_malformed_manifests_name_the_problem(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project(files), catalog)


def test_binary_file_named_like_a_manifest(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"\x7fELF\x00\x01\x02")
    with pytest.raises(ManifestError, match=r"requirements\.txt: binary file"):
        detect(tmp_path, catalog)


def test_huge_manifest_is_refused_not_parsed(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "pyproject.toml").write_text("#" * (2 * 1024 * 1024))
    with pytest.raises(ManifestError, match="too large"):
        detect(tmp_path, catalog)


def test_lock_files_are_never_parsed(project: WriteFiles, catalog: Catalog) -> None:
    """A garbage uv.lock still plans: lock files decide the tool, the tool reads them."""
    root = project({"pyproject.toml": '[project]\nname = "x"\n', "uv.lock": "\x01garbage[[["})
    assert detect(root, catalog).package_manager == "uv"


def test_binary_source_file_is_skipped_with_a_sentence(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_bytes(b"\x00\x01")
    plan = detect(tmp_path, catalog)
    assert plan.start == "python app.py"
    assert any(e.startswith("skipped app.py while looking for the app") for e in plan.explanations)
