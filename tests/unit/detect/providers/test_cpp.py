"""C/C++: CMake and Meson executables, the start choice, the build suite, bad input."""

from __future__ import annotations

import pytest

from kiln.detect import detect
from kiln.detect.providers.cpp import cmake_targets, meson_targets
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog, CatalogImage
from tests.unit.conftest import WriteFiles


def test_cmake_targets() -> None:
    text = (
        "cmake_minimum_required(VERSION 3.16)\nproject(demo LANGUAGES C)\n"
        "# add_executable(commented out.c)\n"
        "add_executable(demo main.c)\nadd_executable(ext IMPORTED)\n"
        "add_executable(${NAME} x.c)\nadd_library(util util.c)\n"
    )
    assert cmake_targets(text) == ("demo", ["demo"], False)


def test_meson_targets() -> None:
    text = "project('app', 'cpp')\n# executable('old', 'x.cpp')\nexecutable('app', 'main.cpp')\n"
    assert meson_targets(text) == ("app", ["app"], True)


def test_cmake_plan(project: WriteFiles, catalog: Catalog) -> None:
    files = {"CMakeLists.txt": "project(hello CXX)\nadd_executable(hello main.cpp)\n"}
    plan = detect(project(files), catalog)
    assert (plan.provider, plan.package_manager, plan.language_version) == ("cpp", "cmake", "12")
    assert plan.build[0].startswith("cmake -S . -B /tmp/build -G Ninja")
    assert "-DCMAKE_RUNTIME_OUTPUT_DIRECTORY=/out/bin" in plan.build[0]
    assert plan.artifacts == ["/out/bin"] and plan.start == "/out/bin/hello"
    assert "a C++ project built with cmake (CMakeLists.txt)" in plan.explanations


def test_meson_plan_starts_the_project_executable(project: WriteFiles, catalog: Catalog) -> None:
    build = "project('srv', 'c')\nexecutable('bench', 'b.c')\nexecutable('srv', 's.c')\n"
    plan = detect(project({"meson.build": build}), catalog)
    assert plan.start == "/out/bin/srv"
    assert "install -D -m 0755 /tmp/build/bench /out/bin/bench" in plan.build
    assert "starts srv, the executable named like the project" in plan.explanations


def test_several_executables_first(project: WriteFiles, catalog: Catalog) -> None:
    text = "project(x C)\nadd_executable(b b.c)\nadd_executable(a a.c)\n"
    plan = detect(project({"CMakeLists.txt": text}), catalog)
    assert plan.start == "/out/bin/b"
    assert any("set the start command" in e for e in plan.explanations)


def test_runtime_shares_the_compiler_suite(project: WriteFiles) -> None:
    catalog = Catalog(
        source="test",
        images=[
            CatalogImage(language="runtime", version="trixie", role="runtime", image="r:tx",
                         suite="trixie"),
            CatalogImage(language="runtime", version="bookworm", role="runtime", image="r:bw",
                         suite="bookworm"),
            CatalogImage(language="cpp", version="12", role="build", image="cpp:12",
                         suite="bookworm"),
        ],
    )  # fmt: skip
    plan = detect(project({"meson.build": "executable('a', 'a.c')\n"}), catalog)
    assert plan.bases is not None and plan.bases.runtime == "r:bw"


def test_no_executable(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="defines no executable"):
        detect(project({"CMakeLists.txt": "project(x)\nadd_library(x x.c)\n"}), catalog)


def test_binary_cmakelists(project: WriteFiles, catalog: Catalog) -> None:
    root = project({})
    (root / "CMakeLists.txt").write_bytes(b"\x00\x00")
    with pytest.raises(ManifestError, match="binary file"):
        detect(root, catalog)


def test_rust_wins_over_cmake(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "CMakeLists.txt": "add_executable(x x.c)\n",
        "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
        "src/main.rs": "fn main() {}\n",
    }
    assert detect(project(files), catalog).provider == "rust"
