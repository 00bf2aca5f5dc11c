"""A monorepo app in a sub-directory is planned from its workspace root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.detect.repo import RepoView
from kiln.detect.workspace_root import member_path, workspace_root
from kiln.errors import NotAWorkspaceMember
from kiln.pipeline.analyze import plan_workspace_member
from kiln.plan.bases import builtin_catalog

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "node-turborepo"


def test_the_nearest_declaring_ancestor_is_the_root(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"workspaces": ["apps/*"]}))
    (tmp_path / "apps" / "web").mkdir(parents=True)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "pnpm-workspace.yaml").write_text("packages:\n  - 'x/*'\n")
    repo = RepoView(tmp_path)
    assert workspace_root(repo, "apps/web") == "."
    assert workspace_root(repo, "tools/x/cli") == "tools"
    assert workspace_root(RepoView(tmp_path / "apps"), "web") is None


def test_member_path_and_the_way_back() -> None:
    assert member_path(".", "apps/web") == ("apps/web", "../..")
    assert member_path("tools", "tools/x/cli") == ("x/cli", "../..")


def test_the_chosen_member_is_the_app() -> None:
    plan = detect(EXAMPLE, builtin_catalog(), member="apps/web")
    assert plan.start is not None and "apps/web" in plan.start
    assert {"package-lock.json", "apps/web/package.json", "packages/greeting/package.json"} <= set(
        plan.install_files
    )
    assert any("the app's sub-directory" in e for e in plan.explanations)


def test_a_directory_the_workspace_does_not_list_is_refused() -> None:
    with pytest.raises(NotAWorkspaceMember, match="not a member of the workspace"):
        detect(EXAMPLE, builtin_catalog(), member="docs")


def test_the_pipeline_plans_a_sub_directory_from_its_workspace_root() -> None:
    plan = plan_workspace_member(
        EXAMPLE / "apps" / "web", "apps/web", builtin_catalog(), Overrides()
    )
    assert plan is not None
    assert plan.context == "../.."
    assert "package-lock.json" in plan.install_files
    assert "apps/web/package.json" in plan.install_files


def test_a_standalone_project_under_a_workspace_stays_standalone(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"workspaces": ["apps/*"]}))
    site = tmp_path / "docs" / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<h1>docs</h1>")
    assert plan_workspace_member(site, "docs/site", builtin_catalog(), Overrides()) is None
