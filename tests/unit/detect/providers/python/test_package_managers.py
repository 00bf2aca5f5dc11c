"""Which package manager, and that only runtime dependencies reach /opt/venv."""

from kiln.detect import detect
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"
PROJECT = '[project]\nname = "x"\nversion = "0"\ndependencies = ["flask", "gunicorn"]\n'


def test_uv_lock_syncs_locked_without_dev_and_keeps_uv_out_of_the_runtime(
    project: WriteFiles, catalog: Catalog
) -> None:
    root = project({"pyproject.toml": PROJECT, "uv.lock": "version = 1\n", "app.py": FLASK_APP})
    plan = detect(root, catalog)
    assert plan.package_manager == "uv"
    assert plan.install_files == ["pyproject.toml", "uv.lock"]
    assert "/opt/kiln-tools/bin/pip install -q uv==0.13.9" in plan.install
    assert plan.install[-1].endswith("uv sync --locked --no-dev --no-install-project")
    assert plan.build[0].endswith("uv sync --locked --no-dev --no-editable")
    assert "UV_PYTHON_DOWNLOADS=never" in plan.build[0]
    assert plan.artifacts == ["/opt/venv", "/app"]
    assert {c.id for c in plan.caches} == {"pip", "uv"}
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} app:app"


def test_uv_workspace_installs_every_member_after_the_sources(
    project: WriteFiles, catalog: Catalog
) -> None:
    root = project(
        {
            "pyproject.toml": PROJECT + '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
            "uv.lock": "",
            "packages/lib/pyproject.toml": '[project]\nname = "lib"\nversion = "0"\n',
        }
    )
    plan = detect(root, catalog)
    assert plan.install_files == []
    assert plan.build == [
        "UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy "
        "/opt/kiln-tools/bin/uv sync --locked --no-dev --no-editable --all-packages"
    ]
    assert any("uv workspace (members: packages/*)" in e for e in plan.explanations)


def test_uv_table_without_lock_resolves_and_says_so(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"pyproject.toml": PROJECT + "[tool.uv]\ndev-dependencies = []\n"})
    plan = detect(root, catalog)
    assert plan.package_manager == "uv"
    assert "--locked" not in plan.build[0] and "--no-dev" in plan.build[0]
    assert any("commit uv.lock" in e for e in plan.explanations)


def test_poetry_exports_the_main_group_only(project: WriteFiles, catalog: Catalog) -> None:
    pyproject = (
        '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'gunicorn = "*"\n[tool.poetry.group.dev.dependencies]\nflask = "*"\n'
    )
    root = project({"pyproject.toml": pyproject, "poetry.lock": "", "app.py": FLASK_APP})
    plan = detect(root, catalog)
    assert plan.package_manager == "poetry"
    assert plan.install_files == ["pyproject.toml", "poetry.lock"]
    assert any("export --only main" in c for c in plan.install)
    assert plan.install[-1] == (
        "/opt/venv/bin/pip install --disable-pip-version-check -r /tmp/kiln-requirements.txt"
    )
    # Flask is only a dev dependency: not a Flask app in production.
    assert plan.framework is None


def test_poetry_without_lock_locks_in_the_build(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"pyproject.toml": '[tool.poetry]\nname = "x"\n', "main.py": ""})
    plan = detect(root, catalog)
    assert plan.package_manager == "poetry"
    assert "/opt/kiln-tools/bin/poetry lock --no-interaction" in plan.install
    assert any("no poetry.lock" in e for e in plan.explanations)


def test_pdm_exports_production_dependencies(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"pyproject.toml": PROJECT, "pdm.lock": "", "app.py": FLASK_APP})
    plan = detect(root, catalog)
    assert plan.package_manager == "pdm"
    assert "/opt/kiln-tools/bin/pdm export --prod --no-hashes -o /tmp/kiln-requirements.txt" in (
        plan.install
    )
    assert plan.framework == "flask"


def test_pipenv_installs_default_packages_not_dev_packages(
    project: WriteFiles, catalog: Catalog
) -> None:
    pipfile = '[packages]\ngunicorn = "*"\n[dev-packages]\nflask = "*"\n'
    root = project({"Pipfile": pipfile, "Pipfile.lock": "{}", "app.py": FLASK_APP})
    plan = detect(root, catalog)
    assert plan.package_manager == "pipenv"
    assert plan.install_files == ["Pipfile", "Pipfile.lock"]
    assert "/opt/kiln-tools/bin/pipenv requirements > /tmp/kiln-requirements.txt" in plan.install
    assert plan.framework is None


def test_pipenv_without_lock_locks_first(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Pipfile": "[packages]\n", "main.py": ""}), catalog)
    assert "/opt/kiln-tools/bin/pipenv lock" in plan.install
    assert any("no Pipfile.lock" in e for e in plan.explanations)


def test_a_lock_file_beats_requirements_txt(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "flask\n", "poetry.lock": "", "pyproject.toml": ""})
    assert detect(root, catalog).package_manager == "poetry"


def test_pep621_without_lock_installs_the_project(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"pyproject.toml": PROJECT, "app.py": FLASK_APP}), catalog)
    assert (plan.package_manager, plan.install_files) == ("pip", [])
    assert plan.build == ["/opt/venv/bin/pip install --disable-pip-version-check ."]
    assert plan.framework == "flask"


def test_setup_py_alone_is_python(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"setup.py": "from setuptools import setup\nsetup()\n"}), catalog)
    assert plan.detected_files == ["setup.py"]
    assert plan.build == ["/opt/venv/bin/pip install --disable-pip-version-check ."]


def test_requirements_includes_are_followed(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "Flask\n-r extra.txt\n",
            "requirements/extra.txt": "gunicorn\n",
            "app.py": FLASK_APP,
        }
    )
    plan = detect(root, catalog)
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} app:app"


def test_requirement_include_loop_is_bounded(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "-r requirements.txt\nflask\n", "app.py": FLASK_APP})
    assert detect(root, catalog).framework == "flask"
