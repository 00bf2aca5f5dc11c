import os
from pathlib import Path

import pytest

from kiln.detect import detect
from kiln.detect.overrides import Overrides
from kiln.detect.providers.ruby.gemfile import parse_gemfile, parse_lock
from kiln.errors import DetectionError, ManifestError
from kiln.plan.bases import Catalog
from tests.unit.conftest import WriteFiles

LOCK = """\
GEM
  remote: https://rubygems.org/
  specs:
    mustermann (3.0.0)
      ruby2_keywords (~> 0.0.1)
    sinatra (4.0.0)
      mustermann (~> 3.0)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  sinatra (~> 4.0)

RUBY VERSION
   ruby 3.2.2p53

BUNDLED WITH
   2.5.3
"""


def test_plain_ruby_app_with_default_version(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": 'source "https://rubygems.org"\n', "app.rb": ""}), catalog)
    assert (plan.provider, plan.language_version, plan.framework) == ("ruby", "3.3", None)
    assert plan.start == "bundle exec ruby app.rb"
    assert plan.install[-1] == "bundle install --jobs 4"
    assert plan.install_files == ["Gemfile"]
    assert plan.env["BUNDLE_WITHOUT"] == "development:test"
    assert plan.bases is not None and plan.bases.build == plan.bases.runtime
    assert "ruby 3.3: no version requested, the default" in plan.explanations


def test_lock_file_is_installed_frozen(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"Gemfile": 'gem "sinatra"\n', "Gemfile.lock": LOCK, "app.rb": ""})
    plan = detect(root, catalog)
    assert plan.install_files == ["Gemfile", "Gemfile.lock"]
    assert "bundle config set --local frozen true" in plan.install


@pytest.mark.parametrize(
    ("files", "version", "source"),
    [
        ({".ruby-version": "ruby-3.1.4\n"}, "3.1", ".ruby-version"),
        ({".tool-versions": "ruby 3.2.3\nnodejs 20\n"}, "3.2", ".tool-versions"),
        ({"mise.toml": '[tools]\nruby = "3.2"\n'}, "3.2", "mise.toml"),
        ({"Gemfile.lock": LOCK}, "3.2", "Gemfile.lock RUBY VERSION"),
    ],
)
def test_version_sources(
    project: WriteFiles, catalog: Catalog, files: dict[str, str], version: str, source: str
) -> None:
    plan = detect(project({"Gemfile": "", "app.rb": "", **files}), catalog)
    assert plan.language_version == version
    assert any(source in e for e in plan.explanations), plan.explanations


def test_precedence_override_then_pin_file_then_tool_versions_then_gemfile(
    project: WriteFiles, catalog: Catalog
) -> None:
    files = {
        "Gemfile": 'ruby "~> 3.2.0"\n',
        ".tool-versions": "ruby 3.3.1\n",
        ".ruby-version": "3.1.2\n",
        "app.rb": "",
    }
    root = project(files)
    assert detect(root, catalog, overrides=Overrides(language_version="3.4")).language_version == (
        "3.4"
    )
    assert detect(root, catalog).language_version == "3.1"
    (root / ".ruby-version").unlink()
    assert detect(root, catalog).language_version == "3.3"
    (root / ".tool-versions").unlink()
    assert detect(root, catalog).language_version == "3.2"


@pytest.mark.parametrize(
    ("requirement", "version"),
    [("~> 3.1", "3.4"), ("~> 3.1.0", "3.1"), (">= 3.0, < 3.3", "3.2"), ("3.2.2", "3.2")],
)
def test_gemfile_ruby_requirement_ranges(
    project: WriteFiles, catalog: Catalog, requirement: str, version: str
) -> None:
    plan = detect(project({"Gemfile": f"ruby '{requirement}'\n", "main.rb": ""}), catalog)
    assert plan.language_version == version


def test_gemfile_ruby_file_directive(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"Gemfile": 'ruby file: ".rubyv"\n', ".rubyv": "3.2.1\n", "main.rb": ""})
    assert detect(root, catalog).language_version == "3.2"


def test_rails_with_assets(project: WriteFiles, catalog: Catalog) -> None:
    gemfile = 'source "https://rubygems.org"\ngem "rails", "~> 7.1"\ngem "puma"\n'
    root = project({"Gemfile": gemfile, "config.ru": "", "app/assets/app.css": ""})
    plan = detect(root, catalog)
    assert plan.framework == "rails"
    assert plan.build == [
        "RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1 bundle exec rails assets:precompile"
    ]
    assert plan.start == "bundle exec rails server -b 0.0.0.0 -p ${PORT}"
    assert plan.runtime_env["RAILS_ENV"] == "production"


def test_rails_without_assets_has_no_build(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": "gem 'railties'\n"}), catalog)
    assert (plan.framework, plan.build) == ("rails", [])


def test_sinatra_classic_app(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": "gem 'sinatra' # the web layer\n", "app.rb": ""}), catalog)
    assert plan.framework == "sinatra"
    assert plan.start == "bundle exec ruby app.rb -o 0.0.0.0 -p ${PORT}"


def test_sinatra_contrib_alone_is_not_sinatra(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": "gem 'sinatra-contrib'\n", "app.rb": ""}), catalog)
    assert plan.framework is None
    assert plan.start == "bundle exec ruby app.rb"


def test_commented_and_development_gems_do_not_count(project: WriteFiles, catalog: Catalog) -> None:
    gemfile = "# gem 'rails'\ngroup :development, :test do\n  gem 'sinatra'\nend\n"
    plan = detect(project({"Gemfile": gemfile, "main.rb": ""}), catalog)
    assert plan.framework is None


def test_sinatra_from_the_lock_dependencies(project: WriteFiles, catalog: Catalog) -> None:
    root = project({"Gemfile": "gemspec\n", "Gemfile.lock": LOCK, "app.rb": ""})
    assert detect(root, catalog).framework == "sinatra"


def test_rack_with_puma(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": "gem 'rack'\ngem 'puma'\n", "config.ru": "run App"}), catalog)
    assert plan.framework == "rack"
    assert plan.start == "bundle exec puma -b tcp://0.0.0.0:${PORT} config.ru"


def test_rack_without_server_gem_says_so(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": "", "config.ru": "run App"}), catalog)
    assert plan.start == "bundle exec rackup -o 0.0.0.0 -p ${PORT} config.ru"
    assert any("no rack server gem" in e for e in plan.explanations)


def test_no_entry_point_is_explained(project: WriteFiles, catalog: Catalog) -> None:
    plan = detect(project({"Gemfile": ""}), catalog)
    assert plan.start is None
    assert any("no start command" in e for e in plan.explanations)


def test_malformed_lock_names_the_line(project: WriteFiles, catalog: Catalog) -> None:
    lock = "GEM\n  specs:\n    rack 3.0\n"
    with pytest.raises(ManifestError, match=r"Gemfile.lock line 3: 'rack 3.0'"):
        detect(project({"Gemfile": "", "Gemfile.lock": lock}), catalog)
    with pytest.raises(ManifestError, match="not a section header"):
        parse_lock("<<<<<<< HEAD\n")


def test_binary_gemfile_is_a_clear_error(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "Gemfile").write_bytes(b"\x7fELF\x00\x01")
    with pytest.raises(ManifestError, match="binary file"):
        detect(tmp_path, catalog)


def test_gemfile_symlink_loop_is_not_a_project(tmp_path: Path, catalog: Catalog) -> None:
    os.symlink("Gemfile", tmp_path / "Gemfile")
    with pytest.raises(DetectionError, match="could not detect"):
        detect(tmp_path, catalog)


def test_gemfile_parser_reads_groups_and_inline_groups() -> None:
    gemfile = parse_gemfile(
        'gem "pg"\ngem "rspec", group: :test\nplatforms :jruby do\n  gem "jdbc"\nend\n'
        'group :development do\n  gem "pry"\nend\nruby "3.3.0"\n'
    )
    assert gemfile.runtime_gems() == {"pg", "jdbc"}
    assert gemfile.ruby == "3.3.0"
