"""PHP: Composer (Laravel, or any app with a public/ front controller) or vanilla `php -S`."""

from __future__ import annotations

from typing import Any

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.repo import RepoView
from kiln.detect.tool_versions import pinned_tool
from kiln.detect.version_ranges import composer_constraint, release_line
from kiln.errors import CatalogError, ManifestError
from kiln.plan.model import BaseImages, BuildPlan, CacheMount

PORT = 8080
DEFAULT_VERSION = "8.4"
# Compiled into Debian's php-cli / php-common: nothing to install for these.
_BUILTIN = """
core ctype date exif ffi fileinfo filter ftp gettext hash iconv json libxml openssl pcntl pcre
pdo phar posix random readline reflection session shmop sockets sodium spl standard sysvmsg
sysvsem sysvshm tokenizer zlib calendar opcache
"""
BUILTIN_EXTENSIONS = frozenset(_BUILTIN.split())
# Extensions whose Debian package has another name.
EXTENSION_PACKAGES = {
    "dom": "php-xml", "simplexml": "php-xml", "xmlreader": "php-xml", "xmlwriter": "php-xml",
    "xsl": "php-xml", "pdo_mysql": "php-mysql", "mysqli": "php-mysql", "mysqlnd": "php-mysql",
    "pdo_pgsql": "php-pgsql", "pdo_sqlite": "php-sqlite3", "sqlite3": "php-sqlite3",
}  # fmt: skip
INSTALL = (
    "composer install --no-dev --no-interaction --no-progress --prefer-dist"
    " --no-scripts --no-autoloader '--ignore-platform-req=ext-*'"
)


def _object(manifest: dict[str, Any], key: str) -> dict[str, Any]:
    value = manifest.get(key, {})
    if isinstance(value, list) and not value:
        return {}  # PHP's json_encode writes an empty object as []
    if not isinstance(value, dict):
        raise ManifestError(f"composer.json: {key!r} must be an object")
    if not all(isinstance(v, str) for v in value.values()) and key.startswith("require"):
        raise ManifestError(f"composer.json: every constraint in {key!r} must be a string")
    return value


class PhpProvider:
    name = "php"

    def detect(self, repo: RepoView) -> bool:
        return repo.first_file("composer.json", "index.php", "public/index.php") is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        manifest = repo.read_json("composer.json") if repo.has_file("composer.json") else None
        require = _object(manifest, "require") if manifest is not None else {}
        plan = BuildPlan(provider=self.name, language="php", port=PORT)
        request = ctx.override_request(release_line) or _version_request(repo, require)
        version = ctx.choose_version(plan, "php", request, DEFAULT_VERSION)
        plan.language_version = version
        if manifest is None:
            runtime = ctx.catalog.find("php", version, "runtime")
            if runtime is None:
                raise CatalogError(f"the catalog has no php {version} runtime image")
            plan.bases = BaseImages(build=None, runtime=runtime.pinned)
            plan.explain("no composer.json: the sources are served as they are")
        else:
            ctx.use_bases(plan, "php", version, slim=False)
            self._composer(repo, plan)
        plan.apt_packages = _extension_packages(require, plan)
        plan.start = self._start(repo, plan, require)
        return plan

    @staticmethod
    def _composer(repo: RepoView, plan: BuildPlan) -> None:
        plan.package_manager = "composer"
        plan.detected_files.append("composer.json")
        plan.install_files = ["composer.json"]
        if repo.has_file("composer.lock"):
            repo.read_json("composer.lock")  # a malformed lock fails here, with its reason
            plan.install_files.append("composer.lock")
            plan.detected_files.append("composer.lock")
            plan.explain("composer installs exactly composer.lock, without require-dev")
        else:
            plan.explain("composer resolves composer.json (commit composer.lock to pin it)")
        plan.install = [INSTALL]
        plan.build = ["composer dump-autoload --optimize --no-dev --no-interaction"]
        plan.caches = [CacheMount(id="composer", target="/root/.cache/composer")]
        plan.env = {"COMPOSER_ALLOW_SUPERUSER": "1"}

    @staticmethod
    def _start(repo: RepoView, plan: BuildPlan, require: dict[str, Any]) -> str | None:
        if "laravel/framework" in require and repo.has_file("artisan"):
            plan.framework = "laravel"
            plan.detected_files.append("artisan")
            plan.runtime_env = {"APP_ENV": "production", "LOG_CHANNEL": "stderr"}
            plan.explain(
                "framework laravel: composer.json requires laravel/framework, artisan exists"
            )
            plan.explain("serves with `php artisan serve`; set APP_KEY at run time")
            return "php artisan serve --host=0.0.0.0 --port=${PORT}"
        if repo.has_file("public/index.php"):
            plan.detected_files.append("public/index.php")
            plan.explain(
                "serves public/ with PHP's built-in server (`php -S`), index.php as router"
            )
            return "php -S 0.0.0.0:${PORT} -t public public/index.php"
        if repo.has_file("index.php"):
            plan.detected_files.append("index.php")
            plan.explain("serves the repository root with PHP's built-in server (`php -S`)")
            return "php -S 0.0.0.0:${PORT} -t ."
        plan.explain("no start command: add index.php or public/index.php, or set KILN_START_CMD")
        return None


def _version_request(repo: RepoView, require: dict[str, Any]) -> VersionRequest | None:
    if repo.has_file(".php-version"):
        words = repo.read_text(".php-version").split()
        if words:
            return VersionRequest(words[0], ".php-version", release_line(words[0]))
    pinned = pinned_tool(repo, "php")
    if pinned is not None:
        return VersionRequest(pinned.version, pinned.source, release_line(pinned.version))
    constraint = require.get("php")
    if isinstance(constraint, str):
        return VersionRequest(
            constraint, "composer.json require.php", composer_constraint(constraint)
        )
    return None


def _extension_packages(require: dict[str, Any], plan: BuildPlan) -> list[str]:
    packages: set[str] = set()
    for name in require:
        if not name.startswith("ext-"):
            continue
        extension = name.removeprefix("ext-").lower()
        if extension not in BUILTIN_EXTENSIONS:
            packages.add(EXTENSION_PACKAGES.get(extension, f"php-{extension}"))
    if packages:
        plan.explain("installs " + ", ".join(sorted(packages)) + " for composer.json's ext-* needs")
    return sorted(packages)
