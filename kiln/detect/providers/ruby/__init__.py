"""Ruby with Bundler: Rails (assets precompiled), Sinatra, Rack, or a plain Ruby program."""

from __future__ import annotations

from kiln.detect.provider import DetectContext, VersionRequest
from kiln.detect.providers.ruby.gemfile import Gemfile, GemfileLock, parse_gemfile, parse_lock
from kiln.detect.repo import RepoView
from kiln.detect.tool_versions import pinned_tool
from kiln.detect.version_ranges import gem_requirement, release_line
from kiln.errors import CatalogError
from kiln.plan.model import BaseImages, BuildPlan

PORT = 3000
DEFAULT_VERSION = "3.3"
GEMFILES = ("Gemfile", "gems.rb")
ENTRY_FILES = ("app.rb", "main.rb", "server.rb", "index.rb")
BUNDLE = "/app/vendor/bundle"
_ASSET_DIRS = ("app/assets", "app/javascript")


class RubyProvider:
    name = "ruby"

    def detect(self, repo: RepoView) -> bool:
        return repo.first_file(*GEMFILES) is not None

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        gemfile_name = repo.first_file(*GEMFILES) or "Gemfile"
        gemfile = parse_gemfile(repo.read_text(gemfile_name))
        lock_name = "Gemfile.lock" if gemfile_name == "Gemfile" else "gems.locked"
        lock = (
            parse_lock(repo.read_text(lock_name), lock_name) if repo.has_file(lock_name) else None
        )

        plan = BuildPlan(provider=self.name, language="ruby", package_manager="bundler", port=PORT)
        plan.detected_files.append(gemfile_name)
        request = ctx.override_request(release_line) or _version_request(repo, gemfile, lock)
        version = ctx.choose_version(plan, "ruby", request, DEFAULT_VERSION)
        plan.language_version = version
        _use_bases(ctx, plan, version)

        plan.install_files = [gemfile_name]
        install = [
            f"bundle config set --local path {BUNDLE}",
            "bundle config set --local without 'development test'",
        ]
        if lock is not None:
            plan.install_files.append(lock_name)
            plan.detected_files.append(lock_name)
            install.append("bundle config set --local frozen true")
            plan.explain(f"bundler installs exactly {lock_name}, without development and test")
        else:
            plan.explain(
                f"bundler resolves {gemfile_name} (no lock file: commit {lock_name} "
                "for reproducible installs), without development and test"
            )
        plan.install = [*install, "bundle install --jobs 4"]
        plan.env = {"BUNDLE_PATH": BUNDLE, "BUNDLE_WITHOUT": "development:test"}

        direct = gemfile.runtime_gems() | (lock.dependencies if lock else set())
        plan.start = _framework(repo, plan, direct)
        return plan


def _version_request(
    repo: RepoView, gemfile: Gemfile, lock: GemfileLock | None
) -> VersionRequest | None:
    pin_file = ".ruby-version" if repo.has_file(".ruby-version") else None
    if pin_file is None and gemfile.ruby_file and repo.has_file(gemfile.ruby_file):
        pin_file = gemfile.ruby_file
    if pin_file is not None:
        lines = repo.read_text(pin_file).split()
        if lines:
            return VersionRequest(lines[0], pin_file, release_line(lines[0]))
    pinned = pinned_tool(repo, "ruby")
    if pinned is not None:
        return VersionRequest(pinned.version, pinned.source, release_line(pinned.version))
    if gemfile.ruby is not None:
        return VersionRequest(
            gemfile.ruby, "the Gemfile's ruby line", gem_requirement(gemfile.ruby)
        )
    if lock is not None and lock.ruby is not None:
        return VersionRequest(lock.ruby, "Gemfile.lock RUBY VERSION", release_line(lock.ruby))
    return None


def _use_bases(ctx: DetectContext, plan: BuildPlan, version: str) -> None:
    """Ruby images carry Bundler, so one image serves both stages when there is no build one."""
    runtime = ctx.catalog.find("ruby", version, "runtime")
    if runtime is None:
        raise CatalogError(f"the catalog has no ruby {version} runtime image")
    build = ctx.catalog.find("ruby", version, "build") or runtime
    plan.bases = BaseImages(build=build.pinned, runtime=runtime.pinned)


def _framework(repo: RepoView, plan: BuildPlan, gems: set[str]) -> str | None:
    if "rails" in gems or "railties" in gems:
        plan.framework = "rails"
        plan.explain("framework rails because the Gemfile asks for the rails gem")
        plan.runtime_env = {
            "RAILS_ENV": "production",
            "RAILS_LOG_TO_STDOUT": "1",
            "RAILS_SERVE_STATIC_FILES": "1",
        }
        assets = [d for d in _ASSET_DIRS if repo.has_dir(d)]
        if assets:
            plan.build = [
                "RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile"
            ]
            plan.explain(f"precompiles assets because {' and '.join(assets)} exist")
        plan.explain("starts the Rails server; set SECRET_KEY_BASE at run time")
        return "bundle exec rails server -b 0.0.0.0 -p ${PORT}"
    rack = repo.has_file("config.ru")
    if "sinatra" in gems:
        plan.framework = "sinatra"
        plan.explain("framework sinatra because the Gemfile asks for the sinatra gem")
        entry = repo.first_file(*ENTRY_FILES)
        if entry and not rack:
            plan.explain(f"starts the classic Sinatra app {entry} on $PORT")
            return f"bundle exec ruby {entry} -o 0.0.0.0 -p ${{PORT}}"
    if rack:
        plan.framework = plan.framework or "rack"
        plan.detected_files.append("config.ru")
        if "puma" in gems:
            plan.explain("serves config.ru with puma, which the Gemfile asks for")
            return "bundle exec puma -b tcp://0.0.0.0:${PORT} config.ru"
        if not gems & {"rackup", "rack"} and plan.framework == "rack":
            plan.explain("config.ru found but no rack server gem (puma, rackup) in the Gemfile")
        plan.explain("serves config.ru with rackup")
        return "bundle exec rackup -o 0.0.0.0 -p ${PORT} config.ru"
    entry = repo.first_file(*ENTRY_FILES)
    if entry:
        plan.explain(f"starts `ruby {entry}` because {entry} exists and there is no framework")
        return f"bundle exec ruby {entry}"
    plan.explain(
        "no start command: add config.ru or one of "
        + ", ".join(ENTRY_FILES)
        + ", or set KILN_START_CMD"
    )
    return None
