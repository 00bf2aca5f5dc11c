import pytest

from kiln.detect import detect
from kiln.errors import UserError
from kiln.plan.bases import Catalog
from kiln.plan.dockerfile import CA_TARGET, CA_VARIABLES, render, start_command
from tests.unit.conftest import WriteFiles

NODE_FILES = {
    "package.json": '{"scripts": {"start": "node server.js", "build": "tsc"},'
    ' "devDependencies": {"typescript": "5"}}',
    "package-lock.json": "{}",
    "server.js": "",
}


def test_dependencies_install_before_the_sources_are_copied(
    project: WriteFiles, catalog: Catalog
) -> None:
    text = render(detect(project(NODE_FILES), catalog), with_ca=False)
    lines = text.splitlines()
    install = next(i for i, line in enumerate(lines) if "npm ci" in line)
    copy_lock = lines.index("COPY package.json package-lock.json ./")
    copy_all = lines.index("COPY . .")
    assert copy_lock < install < copy_all
    assert "--mount=type=cache,id=kiln-npm,target=/root/.npm" in text


def test_runtime_stage_is_slim_and_non_root(project: WriteFiles, catalog: Catalog) -> None:
    text = render(detect(project(NODE_FILES), catalog), with_ca=False)
    runtime = text.split("\nFROM ")[-1]
    assert runtime.startswith("docker.io/library/node:20-bookworm-slim\n")
    assert "COPY --from=build --chown=10001:10001 /app /app" in runtime
    assert "USER 10001:10001" in runtime
    assert "EXPOSE 3000" in runtime and "ENV PORT=3000" in runtime
    assert "ENV NODE_ENV=production" in runtime
    assert "NODE_ENV" not in text.split("\nFROM ")[1]  # not in the build stage: devDeps needed
    assert runtime.rstrip().endswith('CMD ["/bin/sh", "-c", "exec node server.js"]')


def test_extra_ca_is_mounted_into_every_run_step(project: WriteFiles, catalog: Catalog) -> None:
    text = render(detect(project(NODE_FILES), catalog), with_ca=True)
    runs = [line for line in text.split("\nRUN ")[1:]]
    assert len(runs) == 3  # install, build, prune
    for run in runs:
        assert f"--mount=type=secret,id=kiln-ca,target={CA_TARGET}" in run
        for variable in CA_VARIABLES:
            assert f"{variable}={CA_TARGET}" in run
    assert "COPY" not in "".join(line for line in text.splitlines() if CA_TARGET in line)


def test_without_ca_nothing_is_mounted(project: WriteFiles, catalog: Catalog) -> None:
    assert "kiln-ca" not in render(detect(project(NODE_FILES), catalog), with_ca=False)


def test_go_ships_only_the_binary(project: WriteFiles, catalog: Catalog) -> None:
    files = {"go.mod": "module x\n", "main.go": "package main\n\nfunc main() {}\n"}
    text = render(detect(project(files), catalog), with_ca=False)
    runtime = text.split("\nFROM ")[-1]
    assert runtime.startswith("docker.io/library/debian:bookworm-slim")
    assert "COPY --from=build --chown=10001:10001 /out/app /out/app" in runtime
    assert "COPY . ." not in runtime


def test_static_site_has_one_stage(project: WriteFiles, catalog: Catalog) -> None:
    text = render(detect(project({"index.html": ""}), catalog), with_ca=True)
    assert text.count("\nFROM ") == 1 and " AS build" not in text
    assert "COPY --chown=10001:10001 . /app" in text


def test_plan_without_start_command_is_refused(project: WriteFiles, catalog: Catalog) -> None:
    with pytest.raises(UserError, match="no start command"):
        render(detect(project({"package.json": "{}"}), catalog), with_ca=False)


@pytest.mark.parametrize(
    ("start", "shell"),
    [
        ("node server.js", "exec node server.js"),
        ("npm run migrate && node server.js", "npm run migrate && node server.js"),
    ],
)
def test_start_command_execs_single_programs(start: str, shell: str) -> None:
    assert start_command(start) == f'CMD ["/bin/sh", "-c", "{shell}"]'
