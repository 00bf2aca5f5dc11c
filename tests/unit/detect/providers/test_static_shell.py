import pytest

from kiln.detect import detect
from kiln.detect.providers.shell import referenced_files
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

SERVE_ROOT = "busybox httpd -f -v -p 0.0.0.0:${PORT} -h /app"


@pytest.mark.parametrize(
    ("files", "start"),
    [
        ({"index.html": ""}, SERVE_ROOT),
        ({"Staticfile": "root: site\n", "site/index.html": ""}, SERVE_ROOT + "/site"),
        ({"Staticfile": "# comment\npushstate: enabled\n", "index.html": ""}, SERVE_ROOT),
        ({"public/index.html": ""}, SERVE_ROOT + "/public"),
        ({"dist/index.html": ""}, SERVE_ROOT + "/dist"),
    ],
)
def test_static_site_roots(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], start: str
) -> None:
    plan = detect(project(files), catalog)
    assert (plan.provider, plan.start) == ("static", start)
    assert plan.bases is not None and plan.bases.build is None


@pytest.mark.parametrize(
    ("staticfile", "message"),
    [("root: missing\n", "'missing' is not a directory"), ("root public\n", "key: value")],
)
def test_bad_staticfile(
    project: WriteFiles, catalog: Catalog, staticfile: str, message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project({"Staticfile": staticfile, "public/index.html": ""}), catalog)


def test_staticfile_root_cannot_escape(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="not a directory"):
        detect(project({"Staticfile": "root: ../..\n"}), catalog)


def test_a_public_dir_in_a_node_project_is_node(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"package.json": "{}", "public/index.html": ""}), catalog)
    assert plan.provider == "node"


def test_shell_start_script(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"start.sh": "echo hi\n", "index.html": ""}), catalog)
    assert (plan.provider, plan.start) == ("shell", "sh start.sh")
    assert plan.bases is not None and plan.bases.build is None
    assert plan.bases.runtime == catalog.runtime_base().pinned


@pytest.mark.parametrize("shebang", ["#!/bin/bash", "#!/usr/bin/env bash"])
def test_bash_shebang_runs_with_bash(project: WriteFiles, catalog: Catalog, shebang: str) -> None:
    plan = detect(project({"start.sh": f"{shebang}\necho hi\n"}), catalog)
    assert plan.start == "bash start.sh"


def test_missing_referenced_file_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    script = "#!/bin/sh\n./bin/server --port $PORT\nsh setup.sh # and ./ignored.sh\n"
    plan = detect(project({"start.sh": script, "setup.sh": ""}), catalog)
    warnings = [e for e in plan.explanations if e.startswith("warning:")]
    assert warnings == [
        "warning: start.sh refers to bin/server, not in the repository; "
        "the container will fail unless something creates it first"
    ]


def test_referenced_files() -> None:
    assert referenced_files('exec python app.py\n. ./env.sh\necho "$HOME/x.sh"\n') == [
        "app.py",
        "env.sh",
    ]


def test_binary_start_script(project: WriteFiles, catalog: Catalog) -> None:
    root = project({})
    (root / "start.sh").write_bytes(b"\x7fELF\x00")
    with pytest.raises(ManifestError, match="binary file"):
        detect(root, catalog)
