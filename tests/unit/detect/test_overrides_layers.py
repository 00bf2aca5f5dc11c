"""The override precedence, one step at a time: options > KILN_* > kiln.toml > railpack.json."""

import json

import pytest

from kiln.detect import detect
from kiln.detect.overrides import OverrideLayer, Overrides, merge, overrides_from_env
from kiln.errors import ManifestError, UserError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

APP = {"requirements.txt": "", "main.py": ""}
RAILPACK = json.dumps({"deploy": {"startCommand": "python railpack.py"}})
KILN_TOML = 'start = "python kiln.py"\n'


def start_of(project: WriteFiles, catalog: Catalog, files: dict[str, str], **kw: Overrides) -> str:
    plan = detect(project({**APP, **files}), catalog, **kw)  # type: ignore[arg-type]
    assert plan.start is not None
    return plan.start


def test_detection_alone(project: WriteFiles, catalog: Catalog) -> None:
    assert start_of(project, catalog, {}) == "python main.py"


def test_railpack_json_beats_detection(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({**APP, "railpack.json": RAILPACK}), catalog)
    assert plan.start == "python railpack.py"
    assert "start command from railpack.json: python railpack.py" in plan.explanations


def test_kiln_toml_beats_railpack_json(project: WriteFiles, catalog: Catalog) -> None:
    files = {"railpack.json": RAILPACK, "kiln.toml": KILN_TOML}
    assert start_of(project, catalog, files) == "python kiln.py"


def test_env_beats_kiln_toml(project: WriteFiles, catalog: Catalog) -> None:
    files = {"railpack.json": RAILPACK, "kiln.toml": KILN_TOML}
    env = overrides_from_env({"KILN_START_CMD": "python env.py"})
    plan = detect(project({**APP, **files}), catalog, env_overrides=env)
    assert plan.start == "python env.py"
    assert "start command from KILN_* variables: python env.py" in plan.explanations


def test_options_beat_env(project: WriteFiles, catalog: Catalog) -> None:
    files = {"railpack.json": RAILPACK, "kiln.toml": KILN_TOML}
    env = overrides_from_env({"KILN_START_CMD": "python env.py"})
    plan = detect(
        project({**APP, **files}),
        catalog,
        env_overrides=env,
        overrides=Overrides(start_cmd="python api.py"),
    )
    assert plan.start == "python api.py"
    assert "start command from the overrides: python api.py" in plan.explanations


def test_fields_merge_independently() -> None:
    merged = merge(
        [
            OverrideLayer("high", Overrides(start_cmd="a")),
            OverrideLayer("middle", Overrides(start_cmd="b", build_cmd="c")),
            OverrideLayer("low", Overrides(build_cmd="d", port=9000)),
        ]
    )
    assert (merged.values.start_cmd, merged.values.build_cmd, merged.values.port) == (
        "a",
        "c",
        9000,
    )
    assert merged.sources == {"start_cmd": "high", "build_cmd": "middle", "port": "low"}


def test_kiln_toml_version_and_provider(project: WriteFiles, catalog: Catalog) -> None:
    files = {"kiln.toml": 'provider = "python"\nversion = ">=3.12,<3.13"\n', "index.html": ""}
    plan = detect(project(files), catalog)
    assert (plan.provider, plan.language_version) == ("python", "3.12")
    assert plan.explanations[:2] == [
        "provider python was chosen by kiln.toml",
        "python 3.12 because kiln.toml asks for '>=3.12,<3.13'",
    ]


def test_kiln_toml_unknown_key_is_a_clear_error(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"kiln.toml: unknown key 'start_command' \(known keys"):
        detect(project({**APP, "kiln.toml": 'start_command = "x"\n'}), catalog)


def test_kiln_toml_wrong_type_and_bad_toml(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"kiln.toml: port: "):
        detect(project({**APP, "kiln.toml": 'port = "eighty"\n'}), catalog)
    with pytest.raises(ManifestError, match=r"kiln\.toml is not valid TOML"):
        detect(project({**APP, "kiln.toml": "start = \n"}), catalog)


def test_packages_from_every_layer_reach_the_plan(project: WriteFiles, catalog: Catalog) -> None:
    files = {"kiln.toml": 'packages = ["ffmpeg"]\nbuild_packages = ["gcc"]\n'}
    plan = detect(project({**APP, **files}), catalog)
    assert plan.apt_packages == ["ffmpeg"]
    assert (
        plan.install[0].startswith("apt-get update && apt-get install -y")
        and "gcc" in (plan.install[0])
    )
    assert "runtime Debian packages from kiln.toml: ffmpeg" in plan.explanations


def test_env_variables_parse_lists_and_reject_bad_names() -> None:
    env = overrides_from_env({"KILN_PACKAGES": "curl, jq  tzdata", "KILN_PORT": "1", "HOME": "/"})
    assert env.apt_packages == ["curl", "jq", "tzdata"]
    assert env.port is None  # KILN_PORT is kiln serve's own port, not a build variable
    with pytest.raises(UserError, match=r"KILN_PACKAGES: .*not a Debian package name"):
        overrides_from_env({"KILN_PACKAGES": "curl; rm -rf /"})


def test_railpack_json_is_read_for_compatibility(project: WriteFiles, catalog: Catalog) -> None:
    config = {
        "$schema": "https://schema.railpack.com",
        "packages": {"python": "3.12"},
        "buildAptPackages": ["libpq-dev"],
        "steps": {
            "install": {"commands": ["pip install -r requirements.txt"]},
            "build": {"commands": ["...", {"cmd": "python build.py"}]},
        },
        "deploy": {"startCommand": "python main.py", "aptPackages": ["libpq5"]},
        "caches": {},
    }
    plan = detect(project({**APP, "railpack.json": json.dumps(config)}), catalog)
    assert plan.language_version == "3.12"
    assert plan.install[1:] == ["pip install -r requirements.txt"]
    assert "libpq-dev" in plan.install[0]
    assert plan.build == ["python build.py"]
    assert plan.apt_packages == ["libpq5"]
    assert any("'...'" in e for e in plan.explanations)
    assert "railpack.json keys kiln does not read: caches" in plan.explanations
    assert "railpack.json" in plan.detected_files


def test_bad_railpack_json(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"railpack\.json is not valid JSON"):
        detect(project({**APP, "railpack.json": "{"}), catalog)
    with pytest.raises(ManifestError, match=r"deploy\.startCommand must be a string"):
        detect(project({**APP, "railpack.json": '{"deploy": {"startCommand": 1}}'}), catalog)
    with pytest.raises(ManifestError, match=r"steps\.build\.commands must be a list"):
        detect(
            project({**APP, "railpack.json": '{"steps": {"build": {"commands": "x"}}}'}), catalog
        )


def test_procfile_web_wins_over_detection(project: WriteFiles, catalog: Catalog) -> None:
    files = {"Procfile": "web: gunicorn app:app\nworker: celery -A app worker\n"}
    plan = detect(project({**APP, **files}), catalog)
    assert plan.start == "gunicorn app:app"
    assert "start command from the Procfile's web process: gunicorn app:app" in plan.explanations
    assert any(e.startswith("Procfile worker ignored") for e in plan.explanations)


def test_overrides_win_over_the_procfile(project: WriteFiles, catalog: Catalog) -> None:
    files = {"Procfile": "web: gunicorn app:app\n", "kiln.toml": KILN_TOML}
    assert start_of(project, catalog, files) == "python kiln.py"


def test_procfile_without_web_keeps_the_detected_start(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project({**APP, "Procfile": "worker: python jobs.py\n"}), catalog)
    assert plan.start == "python main.py"
    assert any("no web process" in e for e in plan.explanations)


def test_malformed_procfile(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match="Procfile line 2: expected `name: command`"):
        detect(project({**APP, "Procfile": "web: x\njust words\n"}), catalog)


def test_a_start_command_naming_a_missing_file_is_warned(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project({**APP, "Procfile": "web: python missing.py --port $PORT\n"}), catalog)
    assert plan.start == "python missing.py --port $PORT"
    assert (
        "warning: the start command runs missing.py, which is not in the repository"
        in plan.explanations
    )


def test_nothing_detected_lists_the_files_and_the_ways_out(
    project: WriteFiles, catalog: Catalog
) -> None:
    from kiln.errors import DetectionError

    with pytest.raises(DetectionError) as caught:
        detect(project({"notes.txt": "hi"}), catalog)
    text = str(caught.value)
    for looked_for in ("Dockerfile", "package.json", "Pipfile", "go.mod", "index.html"):
        assert looked_for in text
    for way_out in ("add a Dockerfile", "set a start command", "pick a provider"):
        assert way_out in text


def test_a_start_command_alone_runs_the_files(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"hello.txt": "hi\n"})
    env = overrides_from_env({"KILN_START_CMD": "cat hello.txt"})
    plan = detect(root, catalog, env_overrides=env)
    assert (plan.provider, plan.start) == ("command", "cat hello.txt")
    assert plan.bases is not None and plan.bases.build is None
    procfile_only = detect(project({"Procfile": "web: cat hello.txt\n"}), catalog)
    assert (procfile_only.provider, procfile_only.start) == ("command", "cat hello.txt")


def test_a_start_command_after_cd_looks_in_that_directory(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {**APP, "web/serve.py": "", "Procfile": "web: cd web && python serve.py\n"}
    assert not any("warning" in e for e in detect(project(files), catalog).explanations)
    files["Procfile"] = "web: cd web && python gone.py\n"
    plan = detect(project(files), catalog)
    assert "warning: the start command runs gone.py, which is not in the repository" in (
        plan.explanations
    )
