"""The one version precedence, applied to Python; ranges honoured against the catalog."""

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

ALL_SOURCES = {
    ".python-version": "3.10\n",
    ".tool-versions": "python 3.12.1\nnodejs 20\n",
    "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.13"\n',
}


def version_of(project: WriteFiles, catalog: Catalog, files: dict[str, str], **kw: str) -> str:
    plan = detect(project({"requirements.txt": "", **files}), catalog, **kw)  # type: ignore[arg-type]
    assert plan.language_version is not None
    return plan.language_version


def test_the_override_wins_over_every_file(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(
        project({"requirements.txt": "", **ALL_SOURCES}),
        catalog,
        overrides=Overrides(language_version="3.11"),
    )
    assert plan.language_version == "3.11"
    assert plan.explanations[0] == "python 3.11 because the overrides asks for '3.11'"


def test_the_pin_file_wins_over_tool_versions(project: WriteFiles, catalog: Catalog) -> None:
    assert version_of(project, catalog, ALL_SOURCES) == "3.10"


def test_tool_versions_win_over_the_manifest(project: WriteFiles, catalog: Catalog) -> None:
    files = {k: v for k, v in ALL_SOURCES.items() if k != ".python-version"}
    assert version_of(project, catalog, files) == "3.12"


def test_mise_toml_counts_like_tool_versions(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "mise.toml": '[tools]\npython = "3.10"\n',
        "pyproject.toml": ALL_SOURCES["pyproject.toml"],
    }
    assert version_of(project, catalog, files) == "3.10"


@pytest.mark.parametrize(
    ("files", "version"),
    [
        ({"pyproject.toml": '[project]\nname="x"\nrequires-python=">=3.10,<3.12"\n'}, "3.11"),
        ({"pyproject.toml": '[project]\nname="x"\nrequires-python="~=3.12.0"\n'}, "3.12"),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\n'}, "3.13"),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "~3.10"\n'}, "3.10"),
        ({"Pipfile": '[requires]\npython_version = "3.12"\n'}, "3.12"),
        ({"runtime.txt": "python-3.10.14\n"}, "3.10"),
        ({".python-version": "# pinned\ncpython-3.12\n"}, "3.12"),
        ({}, "3.11"),
    ],
)
def test_manifest_ranges_are_honoured(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], version: str
) -> None:
    assert version_of(project, catalog, files) == version


def test_an_unsatisfiable_range_takes_the_nearest_and_says_so(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project({"requirements.txt": "", ".python-version": "3.8\n"}), catalog)
    assert plan.language_version == "3.10"
    assert "no base image satisfies python '3.8' from .python-version" in plan.explanations[0]


def test_an_unreadable_version_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"requirements.txt": "", ".python-version": "pypy-latest\n"}), catalog)
    assert plan.explanations[0].startswith("could not read python version 'pypy-latest'")
