"""Frameworks need both the parsed dependency and the code; the server follows the dependencies."""

from kiln.detect import detect
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings.prod')\n"


def django(settings: str, requirements: str = "django\ngunicorn\n") -> dict[str, str]:
    return {
        "requirements.txt": requirements,
        "manage.py": MANAGE,
        "conf/settings/prod.py": settings,
        "site/wsgi.py": "",
    }


def test_django_wsgi_module_follows_the_settings(project: WriteFiles, catalog: Catalog) -> None:
    settings = 'WSGI_APPLICATION = "conf.entry.application"\nSTATIC_ROOT = "/app/static"\n'
    plan = detect(project(django(settings)), catalog)
    assert plan.framework == "django"
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} conf.entry"
    assert plan.build[-1] == "python manage.py collectstatic --noinput"
    assert any("STATIC_ROOT" in e for e in plan.explanations)


def test_django_without_static_root_skips_collectstatic(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project(django('WSGI_APPLICATION = "conf.wsgi.application"\n')), catalog)
    assert not any("collectstatic" in c for c in plan.build)


def test_django_missing_settings_falls_back_to_the_wsgi_file(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = django("")
    del files["conf/settings/prod.py"]
    plan = detect(project(files), catalog)
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} site.wsgi"
    assert any("conf/settings/prod.py is missing" in e for e in plan.explanations)


def test_django_without_gunicorn_uses_runserver_and_says_so(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project(django("", requirements="Django>=5\n")), catalog)
    assert plan.start == "python manage.py runserver 0.0.0.0:${PORT}"
    assert any("add gunicorn" in e for e in plan.explanations)


def test_manage_py_without_django_dependency_is_not_django(
    project: WriteFiles, catalog: Catalog
) -> None:
    plan = detect(project({"requirements.txt": "django-environ\n", "manage.py": ""}), catalog)
    assert plan.framework is None


def test_fastapi_in_a_package_directory(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "service/__init__.py": "",
            "service/main.py": "from fastapi import FastAPI\n\nweb = FastAPI(title='x')\n",
        }
    )
    plan = detect(root, catalog)
    assert plan.framework == "fastapi"
    assert plan.start == "uvicorn service.main:web --host 0.0.0.0 --port ${PORT}"


def test_fastapi_standard_extra_brings_uvicorn(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "fastapi[standard]\n", "main.py": "app = FastAPI()\n"})
    assert detect(root, catalog).start == "uvicorn main:app --host 0.0.0.0 --port ${PORT}"


def test_fastapi_without_a_server_has_no_start_and_explains(
    project: WriteFiles, catalog: Catalog
) -> None:
    root = project({"requirements.txt": "fastapi\n", "main.py": "app = FastAPI()\n"})
    plan = detect(root, catalog)
    assert plan.framework == "fastapi" and plan.start is None
    assert any("add uvicorn" in e for e in plan.explanations)


def test_hypercorn_serves_when_it_is_the_server(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "starlette\nhypercorn\n", "app.py": "a = Starlette()\n"})
    assert detect(root, catalog).start == "hypercorn app:a --bind 0.0.0.0:${PORT}"


def test_fasthtml_fast_app(project: WriteFiles, catalog: Catalog) -> None:
    root = project(
        {
            "requirements.txt": "python-fasthtml\n",
            "main.py": "from fasthtml.common import *\n\napp, rt = fast_app()\n",
        }
    )
    plan = detect(root, catalog)
    assert plan.framework == "fasthtml"
    assert plan.start == "uvicorn main:app --host 0.0.0.0 --port ${PORT}"


def test_flask_factory(project: WriteFiles, catalog: Catalog) -> None:
    code = "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n"
    root = project({"requirements.txt": "flask\ngunicorn\n", "web/app.py": code})
    assert detect(root, catalog).start == "gunicorn --bind 0.0.0.0:${PORT} 'web.app:create_app()'"


def test_flask_without_gunicorn_uses_flask_run(project: WriteFiles, catalog: Catalog) -> None:
    code = "from flask import Flask\napp = Flask(__name__)\n"
    plan = detect(project({"requirements.txt": "flask\n", "app.py": code}), catalog)
    assert plan.start == "flask --app app:app run --host 0.0.0.0 --port ${PORT}"


def test_an_app_object_without_its_dependency_is_ignored(
    project: WriteFiles, catalog: Catalog
) -> None:
    code = "app = Flask(__name__)\n"
    plan = detect(project({"requirements.txt": "flask-cors\n", "app.py": code}), catalog)
    assert plan.framework is None
    assert plan.start == "python app.py"


def test_tests_directories_are_not_searched(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"requirements.txt": "fastapi\nuvicorn\n", "tests/app.py": "a = FastAPI()\n"})
    plan = detect(root, catalog)
    assert plan.framework is None and plan.start is None


def test_django_settings_package(project: WriteFiles, catalog: Catalog) -> None:
    files = django("")
    del files["conf/settings/prod.py"]
    files["conf/settings/prod/__init__.py"] = 'WSGI_APPLICATION = "conf.asgi_or_wsgi.application"\n'
    plan = detect(project(files), catalog)
    assert plan.start == "gunicorn --bind 0.0.0.0:${PORT} conf.asgi_or_wsgi"


def test_directories_that_are_not_modules_are_skipped(
    project: WriteFiles, catalog: Catalog
) -> None:
    root = project({"requirements.txt": "fastapi\nuvicorn\n", "my-app/main.py": "a = FastAPI()\n"})
    assert detect(root, catalog).framework is None


def test_the_only_console_script_is_the_start_command(
    project: WriteFiles, catalog: Catalog
) -> None:
    pyproject = '[project]\nname = "g"\nversion = "1"\n[project.scripts]\ngreeter = "g.cli:main"\n'
    assert detect(project({"pyproject.toml": pyproject}), catalog).start == "greeter"
    two = pyproject + 'other = "g.cli:other"\n'
    plan = detect(project({"pyproject.toml": two}), catalog)
    assert plan.start is None
    assert any("no start command detected" in e for e in plan.explanations)
