import json

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.detect.providers.deno import parse_jsonc
from kiln.errors import CatalogError, ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles


def test_deno_wins_over_package_json(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"deno.json": "{}", "package.json": "{}", "main.ts": ""})
    plan = detect(root, catalog)
    assert (plan.provider, plan.language_version) == ("deno", "2.9")
    assert plan.install[0].endswith("@deno/linux-x64-glibc@2.9.6")
    assert plan.build == ["deno cache main.ts"]
    assert plan.start == "deno run --allow-all main.ts"
    assert plan.artifacts == ["/opt/deno", "/app"]
    assert plan.bases is not None
    assert plan.bases.build is not None and "node" in plan.bases.build  # npm fetches the binary
    assert plan.bases.runtime == catalog.runtime_base().pinned


def test_start_task(project: WriteFiles, catalog: Catalog) -> None:
    config = json.dumps({"tasks": {"start": "deno run -A server.ts"}})
    plan = detect(project({"deno.json": config, "server.ts": ""}), catalog)
    assert plan.start == "deno task start"
    assert plan.build == ["deno cache server.ts"]


@pytest.mark.parametrize(
    ("files", "release"),
    [
        ({".dvmrc": "2.1\n"}, "2.1.12"),
        ({".dvmrc": "v2.2.3\n"}, "2.2.3"),
        ({".tool-versions": "deno 1.46.3\n"}, "1.46.3"),
        ({"mise.toml": '[tools]\ndeno = "~2.5"\n'}, "2.5.7"),
        ({".dvmrc": "2\n"}, "2.9.6"),
    ],
)
def test_versions(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], release: str
) -> None:
    plan = detect(project({"deno.jsonc": "{}", "main.ts": "", **files}), catalog)
    assert plan.install[0].endswith(f"@{release}")


def test_override_wins(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"deno.json": "{}", ".dvmrc": "2.1", "main.ts": ""})
    plan = detect(root, catalog, overrides=Overrides(language_version="2.3"))
    assert plan.install[0].endswith("@2.3.7")


def test_jsonc_comments_and_trailing_commas() -> None:
    text = '{\n  // tasks\n  "tasks": {"start": "echo // not a comment", /* x */},\n}\n'
    assert parse_jsonc(text, "deno.jsonc") == {"tasks": {"start": "echo // not a comment"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not valid JSON"), ("[]", "must hold a JSON object"), ('{"tasks": 1}', "'tasks'")],
)
def test_malformed_config(project: WriteFiles, catalog: Catalog, text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        detect(project({"deno.json": text}), catalog)


def test_no_entry_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"deno.json": "{}"}), catalog)
    assert plan.start is None and plan.build == []


def test_catalog_without_node_names_what_to_provide(project: WriteFiles, catalog: Catalog) -> None:
    no_node = Catalog(images=[i for i in catalog.images if i.language != "node"])
    with pytest.raises(CatalogError, match="no node build image to fetch Deno"):
        detect(project({"deno.json": "{}", "main.ts": ""}), no_node)


def test_unknown_line_falls_back_to_the_nearest_with_a_reason(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project({"deno.json": "{}", ".dvmrc": "2.99", "main.ts": ""}), catalog)
    assert plan.install[0].endswith("@2.9.6")
    assert any(e.startswith("no Deno release kiln knows") for e in plan.explanations)
