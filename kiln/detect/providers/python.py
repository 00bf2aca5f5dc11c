"""Python with pip: requirements.txt or a PEP 621 pyproject, a venv, the app's web server."""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.versions import pep440_range
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan, CacheMount

PORT = 8000
DEFAULT_VERSION = "3.11"
VENV = "/opt/venv"
APP_FILES = ("main.py", "app.py", "server.py", "wsgi.py", "asgi.py", "application.py")
_APP_ASSIGN = re.compile(r"^(\w+)\s*(?::\s*\w+\s*)?=\s*(Flask|FastAPI|Starlette)\(", re.MULTILINE)


def parse_requirements(text: str, source: str) -> set[str]:
    """Canonical names of the requirements in a requirements file (options and includes skipped)."""
    names: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http://", "https://", ".", "/")):
            continue
        try:
            names.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement as exc:
            raise ManifestError(
                f"{source} line {number}: {line!r} is not a requirement ({exc})"
            ) from exc
    return names


class PythonProvider:
    name = "python"

    def detect(self, repo: RepoView) -> bool:
        return repo.first_file("requirements.txt", "pyproject.toml", "setup.py") is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        plan = BuildPlan(provider=self.name, language="python", package_manager="pip", port=PORT)
        pyproject = repo.read_toml("pyproject.toml") if repo.has_file("pyproject.toml") else {}
        project = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}

        request = ctx.override_request(pep440_range) or self._version_request(repo, project)
        version = ctx.choose_version(plan, "python", request, DEFAULT_VERSION)
        plan.language_version = version
        ctx.use_bases(plan, "python", version, slim=False)

        pip = f"{VENV}/bin/pip install --disable-pip-version-check"
        if repo.has_file("requirements.txt"):
            deps = parse_requirements(repo.read_text("requirements.txt"), "requirements.txt")
            plan.detected_files.append("requirements.txt")
            plan.install_files = ["requirements.txt"]
            plan.install = [f"python3 -m venv {VENV}", f"{pip} -r requirements.txt"]
            plan.explain("pip because requirements.txt is present")
        else:
            deps = self._project_deps(project)
            manifest = repo.first_file("pyproject.toml", "setup.py")
            assert manifest is not None
            plan.detected_files.append(manifest)
            plan.install = [f"python3 -m venv {VENV}"]
            plan.build = [f"{pip} ."]
            plan.explain(f"pip installs the project itself because {manifest} is present")
        plan.caches = [CacheMount(id="pip", target="/root/.cache/pip")]
        plan.artifacts = [VENV, "/app"]
        plan.env = {
            "PATH": f"{VENV}/bin:$PATH",
            "VIRTUAL_ENV": VENV,
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        plan.start = self._start(repo, deps, plan)
        return plan

    @staticmethod
    def _project_deps(project: dict[str, object]) -> set[str]:
        raw = project.get("dependencies", [])
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            raise ManifestError("pyproject.toml: [project] dependencies must be a list of strings")
        try:
            return {canonicalize_name(Requirement(d).name) for d in raw}
        except InvalidRequirement as exc:
            raise ManifestError(f"pyproject.toml: invalid dependency ({exc})") from exc

    @staticmethod
    def _version_request(repo: RepoView, project: dict[str, object]) -> VersionRequest | None:
        if repo.has_file(".python-version"):
            text = repo.read_text(".python-version").strip()
            if text:
                first = text.splitlines()[0].strip()
                return VersionRequest(first, ".python-version", pep440_range(first))
        if repo.has_file("runtime.txt"):
            text = repo.read_text("runtime.txt").strip().removeprefix("python-")
            if text:
                return VersionRequest(text, "runtime.txt", pep440_range(text))
        requires = project.get("requires-python")
        if isinstance(requires, str):
            return VersionRequest(
                requires, "pyproject.toml requires-python", pep440_range(requires)
            )
        return None

    def _start(self, repo: RepoView, deps: set[str], plan: BuildPlan) -> str | None:
        if repo.has_file("manage.py") and "django" in deps:
            plan.framework = "django"
            project = self._django_project(repo)
            if "gunicorn" in deps and project:
                plan.explain(
                    f"Django served by gunicorn ({project}.wsgi) because manage.py is present"
                )
                return f"gunicorn --bind 0.0.0.0:${{PORT}} {project}.wsgi"
            plan.explain(
                "Django because manage.py is present; add gunicorn for a production server"
            )
            return "python manage.py runserver 0.0.0.0:${PORT}"
        found = self._find_app(repo)
        if found:
            module, variable, kind = found
            target = f"{module}:{variable}"
            if kind in ("FastAPI", "Starlette"):
                plan.framework = "fastapi" if kind == "FastAPI" else "starlette"
                plan.explain(f"{kind} app `{target}` found in {module}.py")
                if "uvicorn" in deps:
                    return f"uvicorn {target} --host 0.0.0.0 --port ${{PORT}}"
            else:
                plan.framework = "flask"
                plan.explain(f"Flask app `{target}` found in {module}.py")
                if "gunicorn" in deps:
                    plan.explain("served by gunicorn because it is a requirement")
                    return f"gunicorn --bind 0.0.0.0:${{PORT}} {target}"
                return f"flask --app {target} run --host 0.0.0.0 --port ${{PORT}}"
        entry = repo.first_file(*APP_FILES)
        if entry:
            plan.explain(f"starts `python {entry}` because it exists")
            return f"python {entry}"
        plan.explain("no start command: add main.py, a Procfile, or set KILN_START_CMD")
        return None

    @staticmethod
    def _find_app(repo: RepoView) -> tuple[str, str, str] | None:
        for name in APP_FILES:
            if repo.has_file(name):
                match = _APP_ASSIGN.search(repo.read_text(name))
                if match:
                    return name.removesuffix(".py"), match.group(1), match.group(2)
        return None

    @staticmethod
    def _django_project(repo: RepoView) -> str | None:
        for entry in repo.list_dir("."):
            if repo.has_file(f"{entry}/wsgi.py"):
                return entry
        return None
