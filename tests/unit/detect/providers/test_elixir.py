import pytest

from kiln.detect import detect
from kiln.detect.providers.elixir import parse_mix
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def mix(deps: str = "", project: str = 'elixir: "~> 1.14",') -> str:
    return f"""\
defmodule Hello.MixProject do
  use Mix.Project

  def project do
    [
      app: :hello,
      version: "0.1.0",
      {project}
      deps: deps()
    ]
  end

  defp deps do
    [
{deps}
    ]
  end
end
"""


def test_release_on_the_plain_runtime_base(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"mix.exs": mix()}), catalog)
    assert (plan.provider, plan.language_version, plan.framework) == ("elixir", "1.18", None)
    assert plan.install == []  # no deps: nothing to fetch from hex.pm
    assert plan.build == ["mix compile", "mix release --overwrite"]
    assert plan.artifacts == ["/app/_build/prod/rel/hello"]
    assert plan.start == "/app/_build/prod/rel/hello/bin/hello start"
    assert plan.env == {"MIX_ENV": "prod"}
    assert plan.bases is not None and plan.bases.runtime == catalog.runtime_base().pinned


@pytest.mark.parametrize(
    ("project_line", "version"),
    [
        ('elixir: "~> 1.14.0",', "1.14"),
        ('elixir: ">= 1.14.0 and < 1.17.0",', "1.16"),
        ('elixir: "~> 1.17.0 or ~> 1.14.2",', "1.17"),
        ("", "1.18"),
    ],
)
def test_mix_elixir_requirement(
    project: WriteFiles, catalog: Catalog, project_line: str, version: str
) -> None:
    plan = detect(project({"mix.exs": mix(project=project_line)}), catalog)
    assert plan.language_version == version


def test_tool_versions_wins_over_mix_exs(project: WriteFiles, catalog: Catalog) -> None:
    files = {"mix.exs": mix(), ".tool-versions": "erlang 26.2\nelixir 1.16.2-otp-26\n"}
    plan = detect(project(files), catalog)
    assert plan.language_version == "1.16"
    assert any(".tool-versions (elixir)" in e for e in plan.explanations)


def test_phoenix_with_assets(project: WriteFiles, catalog: Catalog) -> None:
    deps = '      {:phoenix, "~> 1.7"},\n      {:jason, "~> 1.4"}'
    text = mix(deps).replace(
        "  defp deps", '  defp aliases, do: ["assets.deploy": []]\n\n  defp deps'
    )
    plan = detect(project({"mix.exs": text, "mix.lock": "%{}", "assets/app.js": ""}), catalog)
    assert plan.framework == "phoenix"
    assert plan.install[-1] == "mix deps.get --only prod"
    assert plan.install_files == ["mix.exs", "mix.lock"]
    assert "mix assets.deploy" in plan.build
    assert plan.runtime_env == {"PHX_SERVER": "true"}


@pytest.mark.parametrize(
    "deps",
    [
        '      {:phoenix, "~> 1.7", only: [:dev, :test]}',
        '      {:phoenix_live_view, "~> 1.0"}',
        '      # {:phoenix, "~> 1.7"},\n      {:plug, "~> 1.0"}',
    ],
)
def test_not_phoenix(project: WriteFiles, catalog: Catalog, deps: str) -> None:
    assert detect(project({"mix.exs": mix(deps)}), catalog).framework is None


def test_named_release(project: WriteFiles, catalog: Catalog) -> None:
    text = mix(project="releases: [web: [include_executables_for: [:unix]]],")
    plan = detect(project({"mix.exs": text}), catalog)
    assert plan.start == "/app/_build/prod/rel/web/bin/web start"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("IO.puts(:hi)\n", "not a Mix project"),
        ('defmodule X do\n  def project do\n    [version: "1"]\n  end\nend\n', "no `app: :name`"),
        (mix().rsplit("  end\nend", 1)[0].replace("  end\n\n  defp", "  defp"), "no matching"),
    ],
)
def test_malformed_mix_exs(text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_mix(text)


def test_deps_parsing() -> None:
    deps = '      {:plug_cowboy, "~> 2.0"},\n      {:credo, "~> 1.7", only: :dev, runtime: false}'
    assert parse_mix(mix(deps)).deps == {"plug_cowboy": True, "credo": False}
