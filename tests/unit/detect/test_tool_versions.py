"""`.tool-versions` and `mise.toml` pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiln.detect.repo import RepoView
from kiln.detect.tool_versions import PinnedTool, pinned_tool
from kiln.errors import ManifestError


def test_tool_versions_line_with_comment(tmp_path: Path) -> None:
    (tmp_path / ".tool-versions").write_text("# pins\nnodejs 20.11.1 # lts\npython 3.12.1\n")
    repo = RepoView(tmp_path)
    assert pinned_tool(repo, "node", "nodejs") == PinnedTool("20.11.1", ".tool-versions (nodejs)")
    assert pinned_tool(repo, "python") == PinnedTool("3.12.1", ".tool-versions (python)")
    assert pinned_tool(repo, "ruby") is None


def test_mise_forms(tmp_path: Path) -> None:
    (tmp_path / "mise.toml").write_text(
        '[tools]\nnode = "22"\npython = ["3.11", "3.12"]\ngo = { version = "1.24" }\n'
    )
    repo = RepoView(tmp_path)
    assert pinned_tool(repo, "node") == PinnedTool("22", "mise.toml (tools.node)")
    assert pinned_tool(repo, "python") == PinnedTool("3.11", "mise.toml (tools.python)")
    assert pinned_tool(repo, "go") == PinnedTool("1.24", "mise.toml (tools.go)")


def test_tool_versions_wins_over_mise(tmp_path: Path) -> None:
    (tmp_path / ".tool-versions").write_text("nodejs 18\n")
    (tmp_path / "mise.toml").write_text('[tools]\nnode = "22"\n')
    assert pinned_tool(RepoView(tmp_path), "node", "nodejs") == PinnedTool(
        "18", ".tool-versions (nodejs)"
    )


def test_malformed_mise_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "mise.toml").write_text('tools = "node"\n')
    with pytest.raises(ManifestError, match=r"\[tools\] must be a table"):
        pinned_tool(RepoView(tmp_path), "node")
