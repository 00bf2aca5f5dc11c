""".NET and Gleam: detection and plans whose base images the user must provide."""

from __future__ import annotations

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

WEB = (
    '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup>'
    "<TargetFramework>net9.0</TargetFramework></PropertyGroup></Project>"
)


def test_aspnet_project(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Shop.Api.csproj": WEB, "Program.cs": ""}), catalog)
    assert (plan.provider, plan.language_version, plan.framework) == ("dotnet", "9.0", "aspnetcore")
    assert plan.install_files == ["Shop.Api.csproj"]
    assert plan.install == ["dotnet restore Shop.Api.csproj"]
    assert plan.start == "dotnet /out/app/Shop.Api.dll --urls http://0.0.0.0:${PORT}"
    assert plan.bases is not None
    assert (plan.bases.build, plan.bases.runtime) == (
        "mcr.microsoft.com/dotnet/sdk:9.0",
        "mcr.microsoft.com/dotnet/aspnet:9.0",
    )
    assert any("is user-provided" in e and "sdk:9.0" in e for e in plan.explanations)


def test_console_project_with_assembly_name(project: WriteFiles, catalog: Catalog) -> None:
    csproj = (
        '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType>'
        "<TargetFrameworks>net8.0;net9.0</TargetFrameworks><AssemblyName>tool</AssemblyName>"
        "</PropertyGroup></Project>"
    )
    plan = detect(project({"App.fsproj": csproj}), catalog)
    assert plan.start == "dotnet /out/app/tool.dll"
    assert any("App.fsproj (TargetFramework) asks for '8.0'" in e for e in plan.explanations)


def test_global_json_wins(project: WriteFiles, catalog: Catalog) -> None:
    files = {"A.csproj": WEB, "global.json": '{"sdk": {"version": "8.0.404"}}'}
    plan = detect(project(files), catalog)
    assert plan.language_version == "8.0"
    assert any("global.json asks for '8.0.404'" in e for e in plan.explanations)


def test_override_wins(project: WriteFiles, catalog: Catalog) -> None:
    files = {"A.csproj": WEB, "global.json": '{"sdk": {"version": "9.0.100"}}'}
    plan = detect(project(files), catalog, overrides=Overrides(language_version="8.0"))
    assert plan.language_version == "8.0"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"A.csproj": "<Project><PropertyGroup>"}, "not valid XML"),
        ({"A.csproj": WEB, "global.json": "{sdk"}, "global.json is not valid JSON"),
        ({"A.csproj": '<!DOCTYPE x [<!ENTITY e "e">]><Project/>'}, "DOCTYPE"),
    ],
)
def test_bad_dotnet_input(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], message: str
) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project(files), catalog)


GLEAM = 'name = "hello"\nversion = "1.0.0"\ngleam = ">= 1.4.0 and < 2.0.0"\n'


def test_gleam(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"gleam.toml": GLEAM, "manifest.toml": ""}), catalog)
    assert (plan.provider, plan.language_version) == ("gleam", "1.9")
    assert plan.install_files == ["gleam.toml", "manifest.toml"]
    assert plan.build == ["gleam export erlang-shipment"]
    assert plan.start == "/app/build/erlang-shipment/entrypoint.sh run"
    assert any("gleam.toml (gleam) asks for '>= 1.4.0 and < 2.0.0'" in e for e in plan.explanations)
    assert sum("is user-provided" in e for e in plan.explanations) == 2


def test_gleam_javascript_target(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="Erlang target only"):
        detect(project({"gleam.toml": GLEAM + 'target = "javascript"\n'}), catalog)


def test_gleam_without_name(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="no `name`"):
        detect(project({"gleam.toml": 'version = "1"\n'}), catalog)
