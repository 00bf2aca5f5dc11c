"""`kiln plan` with the KILN_* build variables: the second override layer, read at the door."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.snapshots.plans_of import EXAMPLES

pytestmark = pytest.mark.integration


def kiln_plan(
    directory: Path, data_dir: Path, *args: str, **variables: str
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "KILN_DATA_DIR": str(data_dir), **variables}
    return subprocess.run(
        [sys.executable, "-m", "kiln", "plan", str(directory), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_env_variables_override_kiln_toml_and_are_explained(tmp_path: Path) -> None:
    result = kiln_plan(
        EXAMPLES / "python-kiln-toml",
        tmp_path,
        "--json",
        KILN_START_CMD="python -m serve --port 9",
        KILN_PACKAGES="tzdata,curl",
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["start"] == "python -m serve --port 9"
    assert plan["apt_packages"] == ["curl", "tzdata"]
    assert "start command from KILN_* variables: python -m serve --port 9" in plan["explanations"]
    assert plan["language_version"] == "3.13"  # still kiln.toml's: fields merge one by one


def test_readable_plan_lists_the_commands_then_the_reasons(tmp_path: Path) -> None:
    result = kiln_plan(EXAMPLES / "python-procfile", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "python"
    assert "  package_manager  pip" in lines
    why = lines.index("why")
    assert any(line.startswith("  start ") for line in lines[:why])
    assert "  • start command from the Procfile's web process: " in "\n".join(lines[why:])


def test_a_bad_variable_is_one_clear_line(tmp_path: Path) -> None:
    result = kiln_plan(EXAMPLES / "python-flask", tmp_path, KILN_PACKAGES="curl;reboot")
    assert result.returncode == 2
    assert "KILN_PACKAGES" in result.stderr and "not a Debian package name" in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
