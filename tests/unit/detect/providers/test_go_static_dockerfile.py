import pytest

from kiln.detect import detect
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def test_go_root_package(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(
        project({"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\n", "go.sum": ""}),
        catalog,
    )
    assert (plan.provider, plan.language_version) == ("go", "1.24")
    assert plan.build == ['go build -trimpath -ldflags="-s -w" -o /out/app .']
    assert plan.artifacts == ["/out/app"] and plan.start == "/out/app"
    assert plan.install_files == ["go.mod", "go.sum"]
    assert plan.bases is not None and "debian" in plan.bases.runtime  # binary on the plain base
    assert plan.env["CGO_ENABLED"] == "0"


def test_go_cmd_directory(project: WriteFiles, catalog: Catalog) -> None:
    main = "package main\n"
    root = project({"go.mod": "module x\n", "cmd/api/main.go": main, "cmd/worker/main.go": main})
    plan = detect(root, catalog)
    assert plan.build[0].endswith("./cmd/api")
    assert any("none named like the module" in e for e in plan.explanations)


def test_go_without_module_line(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="no `module` line"):
        detect(project({"go.mod": "go 1.22\n"}), catalog)


def test_go_without_main_package(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="no main package"):
        detect(project({"go.mod": "module x\n"}), catalog)


def test_static_site(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"index.html": "<h1>hi</h1>"}), catalog)
    assert plan.provider == "static"
    assert plan.bases is not None and plan.bases.build is None
    assert plan.start is not None and "${PORT}" in plan.start


def test_dockerfile_wins_and_reads_expose(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"Dockerfile": "FROM x\nEXPOSE 9000\n", "package.json": "{}"})
    plan = detect(root, catalog)
    assert (plan.provider, plan.dockerfile, plan.port) == ("dockerfile", "Dockerfile", 9000)


def test_forcing_a_provider_skips_the_dockerfile(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"Dockerfile": "FROM x\n", "index.html": ""})
    plan = detect(root, catalog, provider="static")
    assert plan.provider == "static"
    assert plan.explanations[0] == "provider static was chosen by the user"
