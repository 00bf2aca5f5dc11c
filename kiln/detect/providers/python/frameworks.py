"""Django, Flask, FastAPI, FastHTML, Starlette: the framework and the command that serves it.

A framework needs both its dependency (a parsed, normalised name) and its code: the app object is
found by scanning source text (`app = FastAPI(`), Django's WSGI module from `manage.py`'s
settings module and that module's WSGI_APPLICATION. Nothing is imported or executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiln.detect.providers.python.manifests import Dependencies
from kiln.detect.repo import RepoView
from kiln.errors import ManifestError

APP_FILES = (
    "main.py",
    "app.py",
    "server.py",
    "web.py",
    "api.py",
    "wsgi.py",
    "asgi.py",
    "application.py",
)
SKIP_DIRS = frozenset({"tests", "test", "docs", "node_modules", "venv", "migrations", "static"})
MAX_PACKAGES = 50
_ASSIGN = re.compile(
    r"^(\w+)\s*(?:,\s*\w+\s*)?(?::\s*\w+\s*)?=\s*(Flask|FastAPI|Starlette|FastHTML|fast_app)\(",
    re.MULTILINE,
)
_FACTORY = re.compile(r"^def (create_app)\(", re.MULTILINE)
_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
_WSGI = re.compile(r"""^WSGI_APPLICATION\s*=\s*["']([\w.]+)["']""", re.MULTILINE)
_STATIC_ROOT = re.compile(r"^STATIC_ROOT\s*=", re.MULTILINE)
KIND_TO_FRAMEWORK = {
    "Flask": "flask",
    "FastAPI": "fastapi",
    "Starlette": "starlette",
    "FastHTML": "fasthtml",
    "fast_app": "fasthtml",
}
DISPLAY_NAMES = {
    "flask": "Flask",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "fasthtml": "FastHTML",
}
FRAMEWORK_PACKAGE = {
    "flask": "flask",
    "fastapi": "fastapi",
    "starlette": "starlette",
    "fasthtml": "python-fasthtml",
}


@dataclass
class Serving:
    framework: str | None
    start: str | None
    build: list[str]
    explanations: list[str]


@dataclass(frozen=True)
class AppObject:
    module: str
    path: str
    variable: str
    framework: str


def _candidates(repo: RepoView) -> list[str]:
    """Root files first, then `<dir>/<file>` one level down (bounded; tests, vendored skipped)."""
    found = [name for name in APP_FILES if repo.has_file(name)]
    directories = [
        d
        for d in repo.list_dir(".")
        if d.isidentifier() and not d.startswith("_") and d not in SKIP_DIRS and repo.has_dir(d)
    ]
    for directory in directories[:MAX_PACKAGES]:
        found += [
            f"{directory}/{name}" for name in APP_FILES if repo.has_file(f"{directory}/{name}")
        ]
    return found


def find_app(repo: RepoView, deps: Dependencies, notes: list[str]) -> AppObject | None:
    """The first `x = Flask(` / `FastAPI(` / `fast_app(` … whose framework is a dependency."""
    for path in _candidates(repo):
        try:
            text = repo.read_text(path)
        except ManifestError as exc:
            notes.append(f"skipped {path} while looking for the app: {exc}")
            continue
        for match in _ASSIGN.finditer(text):
            framework = KIND_TO_FRAMEWORK[match.group(2)]
            if FRAMEWORK_PACKAGE[framework] in deps:
                module = path.removesuffix(".py").replace("/", ".")
                return AppObject(module, path, match.group(1), framework)
        factory = _FACTORY.search(text)
        if factory and "flask" in deps and "Flask(" in text:
            module = path.removesuffix(".py").replace("/", ".")
            return AppObject(module, path, "create_app()", "flask")
    return None


def _django(repo: RepoView, deps: Dependencies) -> Serving:
    notes: list[str] = []
    settings = _SETTINGS.search(repo.read_text("manage.py"))
    wsgi: str | None = None
    build: list[str] = []
    if settings:
        module_path = settings.group(1).replace(".", "/")
        settings_path = repo.first_file(f"{module_path}.py", f"{module_path}/__init__.py") or (
            f"{module_path}.py"
        )
        if repo.has_file(settings_path):
            text = repo.read_text(settings_path)
            application = _WSGI.search(text)
            if application:
                wsgi = application.group(1).rsplit(".", 1)[0]
                notes.append(f"WSGI module {wsgi} from WSGI_APPLICATION in {settings_path}")
            if _STATIC_ROOT.search(text):
                build.append("python manage.py collectstatic --noinput")
                notes.append(
                    f"collectstatic runs at build time because {settings_path} sets STATIC_ROOT"
                )
        else:
            notes.append(f"manage.py names {settings.group(1)}, but {settings_path} is missing")
    if wsgi is None:
        wsgi = next(
            (d + ".wsgi" for d in repo.list_dir(".") if repo.has_file(f"{d}/wsgi.py")), None
        )
        if wsgi:
            notes.append(f"WSGI module {wsgi} because it is the project's wsgi.py")
    if "gunicorn" in deps and wsgi:
        notes.append("served by gunicorn because it is a dependency")
        return Serving("django", f"gunicorn --bind 0.0.0.0:${{PORT}} {wsgi}", build, notes)
    notes.append("Django's development server: add gunicorn for a production server")
    return Serving("django", "python manage.py runserver 0.0.0.0:${PORT}", build, notes)


def _asgi(app: AppObject, deps: Dependencies, target: str) -> tuple[str | None, str]:
    if "uvicorn" in deps or app.framework == "fasthtml" or deps.has_extra("fastapi", "standard"):
        return (
            f"uvicorn {target} --host 0.0.0.0 --port ${{PORT}}",
            "served by uvicorn (a dependency)",
        )
    if "hypercorn" in deps:
        return f"hypercorn {target} --bind 0.0.0.0:${{PORT}}", "served by hypercorn (a dependency)"
    return None, f"no ASGI server among the dependencies: add uvicorn to serve {target}"


def _console_script(repo: RepoView) -> str | None:
    """The one `[project.scripts]` entry of pyproject.toml (installed into the venv's bin)."""
    if not repo.has_file("pyproject.toml"):
        return None
    project = repo.read_toml("pyproject.toml").get("project")
    scripts = project.get("scripts") if isinstance(project, dict) else None
    if isinstance(scripts, dict) and len(scripts) == 1:
        name = next(iter(scripts))
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            return str(name)
    return None


def serving(repo: RepoView, deps: Dependencies) -> Serving:
    """The framework and start command, or a sentence saying why there is none."""
    if "django" in deps and repo.has_file("manage.py"):
        serving = _django(repo, deps)
        serving.explanations.insert(0, "Django because it is a dependency and manage.py is present")
        return serving
    skipped: list[str] = []
    app = find_app(repo, deps, skipped)
    if app is not None:
        target = f"{app.module}:{app.variable}"
        name = DISPLAY_NAMES[app.framework]
        notes = [*skipped, f"{name} app `{target}` found in {app.path}"]
        if app.framework == "flask":
            quoted = f"'{target}'" if "(" in target else target
            if "gunicorn" in deps:
                notes.append("served by gunicorn because it is a dependency")
                start = f"gunicorn --bind 0.0.0.0:${{PORT}} {quoted}"
                return Serving("flask", start, [], notes)
            notes.append("Flask's own server: add gunicorn for a production server")
            start = f"flask --app {quoted} run --host 0.0.0.0 --port ${{PORT}}"
            return Serving("flask", start, [], notes)
        asgi_start, why = _asgi(app, deps, target)
        notes.append(why)
        return Serving(app.framework, asgi_start, [], notes)
    entry = repo.first_file(*APP_FILES)
    if entry:
        return Serving(
            None, f"python {entry}", [], [*skipped, f"starts `python {entry}` because it exists"]
        )
    script = _console_script(repo)
    if script is not None:
        why = f"starts `{script}`, the only console script of pyproject.toml [project.scripts]"
        return Serving(None, script, [], [*skipped, why])
    return Serving(
        None,
        None,
        [],
        [
            "no start command detected (no app object, no main.py): a Procfile web line, "
            "KILN_START_CMD or kiln.toml `start` can set one"
        ],
    )
