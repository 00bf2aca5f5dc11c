"""Catalog additions for compiled languages: user-provided entries and per-suite runtime bases."""

from __future__ import annotations

from pathlib import Path

from kiln.baseimages.recipes import RECIPES
from kiln.plan.bases import Catalog, CatalogImage, load_catalog, save_catalog


def test_bootstrapped_catalog_gains_user_provided_entries(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    runtime = CatalogImage(language="runtime", version="bookworm", role="runtime", image="r")
    save_catalog(Catalog(source="bootstrap:x", images=[runtime]), path)
    loaded = load_catalog(path)
    dotnet = loaded.find("dotnet", "8.0", "build")
    assert dotnet is not None and dotnet.user_provided and dotnet.digest is None
    assert loaded.find("runtime", "bookworm", "runtime") == runtime
    assert not loaded.images[0].user_provided


def test_a_language_the_operator_listed_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    mine = CatalogImage(language="gleam", version="1.11", role="build", image="reg/gleam:1.11")
    save_catalog(Catalog(source="bootstrap:x", images=[mine]), path)
    assert load_catalog(path).versions("gleam") == [mine]


def test_runtime_base_of_a_suite() -> None:
    bookworm = CatalogImage(
        language="runtime", version="bookworm", role="runtime", image="a", suite="bookworm"
    )
    trixie = CatalogImage(
        language="runtime", version="trixie", role="runtime", image="b", suite="trixie"
    )
    catalog = Catalog(images=[bookworm, trixie])
    assert catalog.runtime_base("trixie") == trixie
    assert catalog.runtime_base("sid") == bookworm  # unknown suite: the default plain base
    assert catalog.runtime_base() == bookworm


def test_recipes_for_compiled_languages() -> None:
    lines = {(r.language, r.version, r.role): r for r in RECIPES}
    assert lines[("java", "21", "runtime")].packages == (
        "ca-certificates",
        "openjdk-21-jre-headless",
    )
    assert "openjdk-21-jdk-headless" in lines[("java", "21", "build")].packages
    assert lines[("rust", "1.85", "build")].suite == lines[("runtime", "trixie", "runtime")].suite
    assert lines[("cpp", "12", "build")].suite == "bookworm"  # the default runtime base's suite
    assert "gcc" in lines[("go", "1.24", "build")].packages  # cgo
