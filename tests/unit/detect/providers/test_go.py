"""Go depth: version precedence, cmd/<name>, go.work workspaces, cgo, bad input."""

from __future__ import annotations

import os

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.detect.providers.go import workspace_modules
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog, CatalogImage
from tests.unit.conftest import WriteFiles

MAIN = "package main\n\nfunc main() {}\n"


def bootstrapped() -> Catalog:
    """A catalog shaped like `kiln bases bootstrap` writes: suites recorded, two runtime bases."""
    return Catalog(
        source="test",
        images=[
            CatalogImage(
                language="runtime",
                version="bookworm",
                role="runtime",
                image="r:bw",
                suite="bookworm",
            ),
            CatalogImage(
                language="runtime", version="trixie", role="runtime", image="r:tx", suite="trixie"
            ),
            CatalogImage(
                language="go",
                version="1.24",
                full_version="1.24.4",
                role="build",
                image="go:1.24",
                suite="trixie",
            ),
        ],
    )


def test_go_line_is_a_minimum(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"go.mod": "module x\n\ngo 1.22\n", "main.go": MAIN}), catalog)
    assert plan.language_version == "1.24"
    assert "go 1.24 because go.mod asks for '1.22'" in plan.explanations


def test_toolchain_line_wins_over_go_line(project: WriteFiles, catalog: Catalog) -> None:
    gomod = "module x\n\ngo 1.21\n\ntoolchain go1.23.4\n"
    plan = detect(project({"go.mod": gomod, "main.go": MAIN}), catalog)
    assert plan.language_version == "1.24"
    assert any("go.mod (toolchain) asks for '1.23.4'" in e for e in plan.explanations)


def test_go_version_file_wins_over_go_mod(project: WriteFiles, catalog: Catalog) -> None:
    files = {"go.mod": "module x\ngo 1.24\n", ".go-version": "go1.22.5\n", "main.go": MAIN}
    plan = detect(project(files), catalog)
    assert plan.language_version == "1.22"  # a pin names its line, unlike go.mod's minimum
    assert any(".go-version asks for '1.22.5'" in e for e in plan.explanations)


def test_tool_versions_between_pin_file_and_manifest(project: WriteFiles, catalog: Catalog) -> None:
    files = {"go.mod": "module x\ngo 1.22\n", ".tool-versions": "golang 1.23.1\n", "main.go": MAIN}
    plan = detect(project(files), catalog)
    assert any(".tool-versions (golang) asks for '1.23.1'" in e for e in plan.explanations)


def test_override_wins(project: WriteFiles, catalog: Catalog) -> None:
    files = {"go.mod": "module x\ngo 1.22\n", ".go-version": "1.22\n", "main.go": MAIN}
    plan = detect(project(files), catalog, overrides=Overrides(language_version="1.23"))
    assert plan.language_version == "1.23"
    assert "go 1.23 because the overrides asks for '1.23'" in plan.explanations


def test_single_cmd_is_built(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"go.mod": "module x\n", "cmd/server/main.go": MAIN}), catalog)
    assert plan.build[0].endswith(" ./cmd/server")
    assert "builds ./cmd/server, the only main package" in plan.explanations


def test_cmd_named_like_the_module_is_chosen(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "go.mod": "module github.com/acme/shop\n",
        "cmd/admin/main.go": MAIN,
        "cmd/shop/main.go": MAIN,
        "internal/db/db.go": "package db\n",
    }
    plan = detect(project(files), catalog)
    assert plan.build[0].endswith(" ./cmd/shop")
    assert any("named like the module (shop)" in e for e in plan.explanations)


def test_main_package_outside_cmd(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"go.mod": "module x\n", "server/main.go": MAIN}), catalog)
    assert plan.build[0].endswith(" ./server")


def test_tests_and_vendor_are_not_main_packages(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "go.mod": "module x\n",
        "cmd/app/main.go": MAIN,
        "vendor/y/main.go": MAIN,
        "tools/gen_test.go": MAIN,
    }
    plan = detect(project(files), catalog)
    assert plan.build[0].endswith(" ./cmd/app")


def test_workspace(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "go.work": "go 1.22\n\nuse (\n\t./api // the server\n\t./lib\n)\n",
        "api/go.mod": "module example.com/api\n",
        "api/main.go": MAIN,
        "lib/go.mod": "module example.com/lib\n",
        "lib/lib.go": "package lib\n",
    }
    plan = detect(project(files), catalog)
    assert plan.package_manager == "go workspace"
    assert plan.build[0].endswith(" ./api")
    assert "GOFLAGS" not in plan.env  # -mod=mod is refused in workspace mode
    assert plan.install_files == [] and plan.install == []
    assert plan.detected_files == ["go.work"]


def test_workspace_use_forms() -> None:
    assert workspace_modules('use ./a\nuse (\n ./b\n "./c"\n)\nuse .\n') == ["b", "c", "a", "."]


def test_workspace_outside_the_repo_is_refused(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="outside the repository"):
        detect(project({"go.work": "use ../elsewhere\n"}), catalog)


def test_workspace_module_without_go_mod(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"api, which has no go\.mod"):
        detect(project({"go.work": "use ./api\n", "api/main.go": MAIN}), catalog)


def test_cgo_turns_cgo_on_and_follows_the_build_suite(project: WriteFiles) -> None:
    source = 'package main\n\n// #include <stdio.h>\nimport "C"\n\nfunc main() {}\n'
    plan = detect(project({"go.mod": "module x\n", "main.go": source}), bootstrapped())
    assert plan.env["CGO_ENABLED"] == "1"
    assert plan.bases is not None and plan.bases.runtime == "r:tx"  # trixie glibc, like go:1.24


def test_cgo_in_an_import_block(project: WriteFiles, catalog: Catalog) -> None:
    source = 'package main\n\nimport (\n\t"C"\n\t"fmt"\n)\n\nfunc main() { fmt.Println() }\n'
    plan = detect(project({"go.mod": "module x\n", "main.go": source}), catalog)
    assert plan.env["CGO_ENABLED"] == "1"


def test_without_cgo_the_static_binary_uses_the_default_base(project: WriteFiles) -> None:
    source = 'package main\n\n// import "C" in a comment is not cgo\nfunc main() {}\n'
    plan = detect(project({"go.mod": "module x\n", "main.go": source}), bootstrapped())
    assert plan.env["CGO_ENABLED"] == "0"
    assert plan.bases is not None and plan.bases.runtime == "r:bw"


def test_malformed_go_mod(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="no `module` line"):
        detect(project({"go.mod": "modul x\ngo 1.22\n", "main.go": MAIN}), catalog)


def test_binary_go_mod(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"main.go": MAIN})
    (root / "go.mod").write_bytes(b"\x7fELF\x00\x01\x02")
    with pytest.raises(ManifestError, match="binary file"):
        detect(root, catalog)


def test_binary_go_source_is_skipped(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"go.mod": "module x\n", "cmd/app/main.go": MAIN})
    (root / "blob.go").write_bytes(b"\x00\x01")
    plan = detect(root, catalog)
    assert plan.build[0].endswith(" ./cmd/app")


def test_symlink_loop_ends(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"go.mod": "module x\n", "cmd/app/main.go": MAIN})
    os.symlink("loop", root / "loop")
    os.symlink(".", root / "cmd" / "again")  # a cycle of directories, bounded by depth
    plan = detect(root, catalog)
    assert plan.build[0].endswith(" ./cmd/app")
