"""Rust: Cargo packages and workspaces, binaries, rust-toolchain precedence, bad input."""

from __future__ import annotations

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog, CatalogImage
from tests.unit.conftest import WriteFiles

PACKAGE = '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n'
MAIN = "fn main() {}\n"


def two_lines() -> Catalog:
    return Catalog(
        source="test",
        images=[
            CatalogImage(language="runtime", version="bookworm", role="runtime", image="r:bw"),
            CatalogImage(
                language="runtime", version="trixie", role="runtime", image="r:tx", suite="trixie"
            ),
            CatalogImage(
                language="rust", version="1.63", role="build", image="rust:1.63", suite="bookworm"
            ),
            CatalogImage(
                language="rust", version="1.85", role="build", image="rust:1.85", suite="trixie"
            ),
        ],
    )


def test_single_binary(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Cargo.toml": PACKAGE, "src/main.rs": MAIN}), catalog)
    assert (plan.provider, plan.language_version) == ("rust", "1.85")
    assert plan.build == [
        "cargo build --release --bins",
        "install -D -m 0755 target/release/app /out/bin/app",
    ]
    assert plan.artifacts == ["/out/bin"] and plan.start == "/out/bin/app"
    assert "rust 1.85: no version requested, the default" in plan.explanations


def test_lock_file_means_locked(project: WriteFiles, catalog: Catalog) -> None:
    files = {"Cargo.toml": PACKAGE, "Cargo.lock": "version = 3\n", "src/main.rs": MAIN}
    plan = detect(project(files), catalog)
    assert plan.build[0] == "cargo build --release --bins --locked"


def test_runtime_follows_the_build_suite(project: WriteFiles) -> None:
    plan = detect(project({"Cargo.toml": PACKAGE, "src/main.rs": MAIN}), two_lines())
    assert plan.bases is not None
    assert (plan.bases.build, plan.bases.runtime) == ("rust:1.85", "r:tx")


def test_rust_version_is_a_minimum(project: WriteFiles) -> None:
    toml = PACKAGE + 'rust-version = "1.70"\n'
    plan = detect(project({"Cargo.toml": toml, "src/main.rs": MAIN}), two_lines())
    assert plan.language_version == "1.85"
    assert "rust 1.85 because Cargo.toml (rust-version) asks for '1.70'" in plan.explanations


def test_tool_versions_wins_over_rust_version(project: WriteFiles) -> None:
    toml = PACKAGE + 'rust-version = "1.60"\n'
    files = {"Cargo.toml": toml, "src/main.rs": MAIN, ".tool-versions": "rust 1.63.0\n"}
    plan = detect(project(files), two_lines())
    assert plan.language_version == "1.63"


def test_rust_toolchain_toml_wins_over_tool_versions(project: WriteFiles) -> None:
    files = {
        "Cargo.toml": PACKAGE,
        "src/main.rs": MAIN,
        ".tool-versions": "rust 1.85.0\n",
        "rust-toolchain.toml": '[toolchain]\nchannel = "1.63.0"\n',
    }
    plan = detect(project(files), two_lines())
    assert plan.language_version == "1.63"
    assert any("rust-toolchain.toml asks for '1.63.0'" in e for e in plan.explanations)


def test_legacy_rust_toolchain_file(project: WriteFiles) -> None:
    files = {"Cargo.toml": PACKAGE, "src/main.rs": MAIN, "rust-toolchain": "1.63\n"}
    assert detect(project(files), two_lines()).language_version == "1.63"


def test_channel_name_is_explained(project: WriteFiles) -> None:
    files = {"Cargo.toml": PACKAGE, "src/main.rs": MAIN, "rust-toolchain": "stable\n"}
    plan = detect(project(files), two_lines())
    assert plan.language_version == "1.85"
    assert any("could not read rust version 'stable'" in e for e in plan.explanations)


def test_override_wins(project: WriteFiles) -> None:
    files = {"Cargo.toml": PACKAGE, "src/main.rs": MAIN, "rust-toolchain": "1.85\n"}
    plan = detect(project(files), two_lines(), overrides=Overrides(language_version="1.63"))
    assert plan.language_version == "1.63"


def test_several_binaries_default_run(project: WriteFiles, catalog: Catalog) -> None:
    toml = PACKAGE.replace('edition = "2021"\n', 'edition = "2021"\ndefault-run = "worker"\n')
    files = {"Cargo.toml": toml, "src/main.rs": MAIN, "src/bin/worker.rs": MAIN}
    plan = detect(project(files), catalog)
    assert plan.start == "/out/bin/worker"
    assert "starts worker, the default-run of Cargo.toml" in plan.explanations
    assert "install -D -m 0755 target/release/app /out/bin/app" in plan.build[1]


def test_several_binaries_named_like_the_package(project: WriteFiles, catalog: Catalog) -> None:
    toml = PACKAGE + '\n[[bin]]\nname = "migrate"\npath = "tools/migrate.rs"\n'
    plan = detect(project({"Cargo.toml": toml, "src/main.rs": MAIN}), catalog)
    assert plan.start == "/out/bin/app"


def test_workspace_with_glob_members(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nexclude = ["crates/old"]\n'
        '[workspace.package]\nrust-version = "1.80"\n',
        "crates/api/Cargo.toml": '[package]\nname = "api"\nversion = "0.1.0"\n',
        "crates/api/src/main.rs": MAIN,
        "crates/cli/Cargo.toml": '[package]\nname = "cli"\nversion = "0.1.0"\n',
        "crates/cli/src/main.rs": MAIN,
        "crates/core/Cargo.toml": '[package]\nname = "core"\nversion = "0.1.0"\n',
        "crates/core/src/lib.rs": "",
        "crates/old/Cargo.toml": '[package]\nname = "old"\nversion = "0.1.0"\n',
        "crates/old/src/main.rs": MAIN,
        "crates/notes.txt": "",
    }
    plan = detect(project(files), catalog)
    assert plan.build[0] == "cargo build --release --workspace --bins"
    assert plan.start == "/out/bin/api"
    assert "old" not in plan.build[1]
    assert any("several binaries (api, cli)" in e for e in plan.explanations)
    assert any("Cargo.toml (rust-version) asks for '1.80'" in e for e in plan.explanations)


def test_library_only(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="builds no binary"):
        detect(project({"Cargo.toml": PACKAGE, "src/lib.rs": ""}), catalog)


def test_malformed_cargo_toml(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"Cargo\.toml is not valid TOML"):
        detect(project({"Cargo.toml": "[package\nname = ", "src/main.rs": MAIN}), catalog)


def test_wrongly_typed_cargo_toml(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"\[package\] must be a table"):
        detect(project({"Cargo.toml": 'package = "x"\n', "src/main.rs": MAIN}), catalog)


def test_member_outside_the_repo(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="not inside the repo"):
        detect(project({"Cargo.toml": '[workspace]\nmembers = ["../x"]\n'}), catalog)


def test_binary_cargo_toml(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"src/main.rs": MAIN})
    (root / "Cargo.toml").write_bytes(b"\x00\xff\x00")
    with pytest.raises(ManifestError, match="binary file"):
        detect(root, catalog)


def test_unreadable_lock_file_is_not_parsed(project: WriteFiles, catalog: Catalog) -> None:
    """Only the lock's presence matters (--locked); cargo itself judges its content."""
    root = project({"Cargo.toml": PACKAGE, "src/main.rs": MAIN})
    (root / "Cargo.lock").write_bytes(b"\x00garbage\xff")
    plan = detect(root, catalog)
    assert plan.build[0].endswith("--locked")
