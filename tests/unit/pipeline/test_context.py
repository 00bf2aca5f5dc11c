from pathlib import Path

from kiln.pipeline.context import stage_context


def test_staging_skips_vcs_and_caches_and_escaping_links(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / ".git").mkdir(parents=True)
    (source / ".git" / "config").write_text("[core]")
    (source / "node_modules" / "x").mkdir(parents=True)
    (source / "lib").mkdir()
    (source / "lib" / "a.js").write_text("a")
    (source / "app.js").write_text("app")
    (tmp_path / "host-secret").write_text("secret")
    (source / "leak").symlink_to(tmp_path / "host-secret")
    (source / "alias.js").symlink_to("app.js")
    (source / "libdir").symlink_to("lib")

    destination = tmp_path / "ctx"
    copied = stage_context(source, destination)

    assert (destination / "app.js").read_text() == "app"
    assert (destination / "lib" / "a.js").read_text() == "a"
    assert (destination / "alias.js").is_symlink()
    assert (destination / "libdir").is_symlink()
    assert not (destination / "leak").exists() and not (destination / "leak").is_symlink()
    assert not (destination / ".git").exists()
    assert not (destination / "node_modules").exists()
    assert copied == 4
