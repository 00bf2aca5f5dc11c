import pytest

from kiln.detect import detect
from kiln.errors import ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

FLASK_APP = "from flask import Flask\n\napplication = Flask(__name__)\n"


def test_flask_with_gunicorn(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "Flask==3.0\ngunicorn>=21 # server\n", "app.py": FLASK_APP})
    plan = detect(root, catalog)
    assert (plan.provider, plan.package_manager, plan.framework) == ("python", "pip", "flask")
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} app:application"
    assert plan.install == [
        "python3 -m venv /opt/venv",
        "/opt/venv/bin/pip install --disable-pip-version-check -r requirements.txt",
    ]
    assert plan.artifacts == ["/opt/venv", "/app"]
    assert plan.port == 8000


def test_flask_cors_is_not_flask(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "flask-cors\n", "main.py": "print('hi')\n"})
    plan = detect(root, catalog)
    assert plan.framework is None
    assert plan.start == "python main.py"


def test_fastapi_with_uvicorn(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {
            "requirements.txt": "fastapi\nuvicorn[standard]\n",
            "main.py": "from fastapi import FastAPI\napi: FastAPI = FastAPI()\n",
        }
    )
    plan = detect(root, catalog)
    assert plan.framework == "fastapi"
    assert plan.start == "uvicorn main:api --host 0.0.0.0 --port ${PORT}"


def test_django_project(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "Django\ngunicorn\n", "manage.py": "", "site1/wsgi.py": ""})
    plan = detect(root, catalog)
    assert plan.framework == "django"
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} site1.wsgi"


@pytest.mark.parametrize(
    ("files", "version"),
    [
        ({".python-version": "3.13.1\n"}, "3.13"),
        ({"runtime.txt": "python-3.10.4"}, "3.10"),
        ({"pyproject.toml": '[project]\nname="x"\nrequires-python=">=3.12"\n'}, "3.13"),
        ({}, "3.11"),
    ],
)
def test_version_sources(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], version: str
) -> None:
    plan = detect(project({"requirements.txt": "", "main.py": "", **files}), catalog)
    assert plan.language_version == version


def test_pyproject_installs_the_project(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi", "uvicorn"]\n',
            "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        }
    )
    plan = detect(root, catalog)
    assert plan.build == ["/opt/venv/bin/pip install --disable-pip-version-check ."]
    assert plan.start == "uvicorn main:app --host 0.0.0.0 --port ${PORT}"


def test_malformed_requirement_names_the_line(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"requirements.txt line 2: .flask\[security. "):
        detect(project({"requirements.txt": "gunicorn\nflask[security\n"}), catalog)


def test_malformed_pyproject(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(ManifestError, match=r"pyproject\.toml is not valid TOML"):
        detect(project({"pyproject.toml": "[project\n"}), catalog)
