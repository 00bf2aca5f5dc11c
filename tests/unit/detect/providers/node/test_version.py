import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles
from tests.unit.detect.providers.node.helpers import explained, manifest, plan_of

EVERY_SOURCE = {
    "package.json": manifest(
        engines={"node": ">=18 <19"},
        devEngines={"runtime": {"name": "node", "version": "^24"}},
        main="index.js",
    ),
    ".nvmrc": "22\n",
    ".node-version": "v24.1.0\n",
    ".tool-versions": "nodejs 18.19.0\n",
    "index.js": "",
}


def test_override_outranks_every_file(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project(EVERY_SOURCE), catalog, overrides=Overrides(language_version="20"))
    assert plan.language_version == "20"
    assert explained(plan, "outranks .nvmrc ('22'), .node-version ('v24.1.0')")


@pytest.mark.parametrize(
    ("removed", "version", "source"),
    [
        ((), "22", ".nvmrc"),
        ((".nvmrc",), "24", ".node-version"),
        ((".nvmrc", ".node-version"), "18", ".tool-versions (nodejs)"),
        ((".nvmrc", ".node-version", ".tool-versions"), "18", "package.json engines.node"),
    ],
)
def test_precedence_pin_files_then_tool_versions_then_manifest(
    project: WriteFiles, catalog: Catalog, removed: tuple[str, ...], version: str, source: str
) -> None:
    files = {k: v for k, v in EVERY_SOURCE.items() if k not in removed}
    plan = plan_of(project, catalog, files)
    assert plan.language_version == version
    assert explained(plan, f"node {version} because {source} asks for")
    assert explained(plan, f"{source} outranks")


def test_mise_toml_counts_like_tool_versions(project: WriteFiles, catalog: Catalog) -> None:
    files = {
        "package.json": manifest(engines={"node": "24"}, main="i.js"),
        "mise.toml": '[tools]\nnode = "22"\n',
        "i.js": "",
    }
    plan = plan_of(project, catalog, files)
    assert plan.language_version == "22"
    assert explained(plan, "mise.toml (tools.node) outranks package.json engines.node ('24')")


def test_dev_engines_runtime(project: WriteFiles, catalog: Catalog) -> None:
    dev = {"runtime": [{"name": "node", "version": ">=22 <23"}, {"name": "bun"}]}
    files = {"package.json": manifest(devEngines=dev, main="i.js"), "i.js": ""}
    plan = plan_of(project, catalog, files)
    assert plan.language_version == "22"
    assert explained(plan, "package.json devEngines.runtime asks for '>=22 <23'")


@pytest.mark.parametrize(
    ("engines", "version"),
    [(">=18 <21", "20"), ("^18.17", "18"), ("18 || 22", "22"), ("20.x", "20"), (">=19", "24")],
)
def test_engine_ranges_are_honoured(
    project: WriteFiles, catalog: Catalog, engines: str, version: str
) -> None:
    files = {"package.json": manifest(engines={"node": engines}, main="i.js"), "i.js": ""}
    assert plan_of(project, catalog, files).language_version == version


@pytest.mark.parametrize(("nvmrc", "version"), [("lts/iron", "20"), ("lts/jod\n", "22")])
def test_nvmrc_lts_codenames(
    project: WriteFiles, catalog: Catalog, nvmrc: str, version: str
) -> None:
    files = {"package.json": manifest(main="i.js"), ".nvmrc": nvmrc, "i.js": ""}
    assert plan_of(project, catalog, files).language_version == version


def test_unsatisfiable_range_uses_the_nearest_and_says_so(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {"package.json": manifest(engines={"node": ">=30"}, main="i.js"), "i.js": ""}
    plan = plan_of(project, catalog, files)
    assert plan.language_version == "24"
    assert explained(plan, "no base image satisfies node '>=30'")


def test_no_request_uses_the_default(project: WriteFiles, catalog: Catalog) -> None:
    plan = plan_of(project, catalog, {"package.json": manifest(main="i.js"), "i.js": ""})
    assert plan.language_version == "20"
    assert explained(plan, "node 20: no version requested, the default")
