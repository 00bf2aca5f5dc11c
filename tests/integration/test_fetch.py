"""Fetching real repositories: a local path and `git http-backend` behind a tiny CGI server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiln.errors import KilnError, NotFound, TransientError, UserError
from kiln.source.fetch import FetchedSource, fetch
from kiln.source.spec import InvalidSource, SourceSpec
from tests.support.git_server import GitServer, StartServer, git_http_server
from tests.support.servers import require_binary

pytestmark = pytest.mark.integration

TOKEN = "ghs_kilnTestToken0123456789abcdefXYZ"
AUTHOR = ("Ada Lovelace", "ada@example.com")


@dataclass(frozen=True)
class Origin:
    root: Path
    """Holds public.git and private/repo.git (bare, default branch `trunk`)."""
    shas: dict[str, str]


def _git(cwd: Path, *args: str, day: int = 1) -> str:
    date = f"2024-03-0{day}T10:00:00+02:00"
    env = {
        "PATH": os.environ["PATH"], "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1], "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": "Bot", "GIT_COMMITTER_EMAIL": "bot@example.com",
        "GIT_COMMITTER_DATE": date,
    }  # fmt: skip
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _commit(work: Path, files: dict[str, str], message: str, day: int) -> str:
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", message, day=day)
    return _git(work, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Origin:
    require_binary("git")
    base = tmp_path_factory.mktemp("origin")
    work = base / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "trunk")
    shas = {"initial": _commit(work, {"README.md": "# demo\n"}, "Initial commit", 1)}
    api = {"services/api/main.py": "print('api')\n"}
    shas["tagged"] = _commit(work, api, "Add API service\n\nWith a longer body.", 2)
    _git(work, "tag", "-a", "v1.0", "-m", "release 1.0", day=2)
    (work / "escape").symlink_to("/etc")
    shas["tip"] = _commit(work, {"CHANGES": "3\n"}, "Third commit", 3)
    _git(work, "checkout", "-q", "-b", "feature/login")
    shas["feature"] = _commit(work, {"feature.txt": "login\n"}, "Login feature", 4)
    _git(work, "checkout", "-q", "trunk")
    root = base / "served"
    (root / "private").mkdir(parents=True)
    _git(base, "clone", "-q", "--bare", str(work), str(root / "public.git"))
    _git(base, "clone", "-q", "--bare", str(work), str(root / "private" / "repo.git"))
    return Origin(root, shas)


@pytest.fixture
def serve(origin: Origin) -> Iterator[StartServer]:
    """`serve(delay=…, v2=…)` starts a server on a free loopback port for this test."""
    with contextlib.ExitStack() as stack:

        def start(delay: float = 0.0, v2: bool = True) -> GitServer:
            return stack.enter_context(
                git_http_server(origin.root, token=TOKEN, delay=delay, v2=v2)
            )

        yield start


@pytest.fixture(params=["local", "http"])
def public_url(request: pytest.FixtureRequest, origin: Origin, serve: StartServer) -> str:
    if request.param == "local":
        return str(origin.root / "public.git")
    return f"{serve().url}/public.git"


async def _fetch(url: str, dest: Path, ref: str | None = None, subdirectory: str | None = None,
                 token: str | None = None, lines: list[str] | None = None,
                 seconds: float = 60) -> FetchedSource:  # fmt: skip
    log = lines.append if lines is not None else (lambda _: None)
    spec = SourceSpec(url, ref, subdirectory)
    return await fetch(spec, dest, token=token, log=log, allow_local=True, timeout=seconds)


@pytest.mark.parametrize(
    ("ref", "commit"),
    [
        (None, "tip"),
        ("trunk", "tip"),
        ("refs/heads/trunk", "tip"),
        ("feature/login", "feature"),
        ("v1.0", "tagged"),
        ("refs/tags/v1.0", "tagged"),
        ("initial", "initial"),  # a full SHA that is not the tip of anything
    ],
)
async def test_fetch_refs(
    public_url: str, origin: Origin, tmp_path: Path, ref: str | None, commit: str
) -> None:
    asked = origin.shas["initial"] if ref == "initial" else ref
    lines: list[str] = []
    source = await _fetch(public_url, tmp_path / "src", asked, lines=lines)
    assert source.commit_sha == origin.shas[commit]
    assert not any("all history" in line for line in lines)  # depth 1 worked, even for a SHA
    assert source.ref == (asked or "trunk")
    assert source.root == tmp_path / "src"
    assert (source.root / "README.md").read_text() == "# demo\n"
    assert (source.root / "feature.txt").exists() == (commit == "feature")
    head = subprocess.run(
        ["git", "-C", str(source.root), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert head.stdout.strip() == source.commit_sha
    count = subprocess.run(
        ["git", "-C", str(source.root), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
    )
    assert count.stdout.strip() == "1"


async def test_commit_metadata_and_subdirectory(
    public_url: str, origin: Origin, tmp_path: Path
) -> None:
    source = await _fetch(public_url, tmp_path / "src", "v1.0", "./services/api/")
    assert source.root == tmp_path / "src" / "services" / "api"
    assert (source.root / "main.py").read_text() == "print('api')\n"
    assert source.commit_message == "Add API service"
    assert (source.author_name, source.author_email) == AUTHOR
    assert source.committed_at == datetime(2024, 3, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ref", "subdirectory", "error", "message"),
    [
        ("nope", None, NotFound, "ref 'nope' not found in "),
        ("f" * 40, None, NotFound, f"ref '{'f' * 40}' not found in "),
        ("trunk", "services/web", NotFound, "subdirectory 'services/web' not found in "),
        ("trunk", "README.md", NotFound, "subdirectory 'README.md' not found in "),
        ("trunk", "escape", UserError, "subdirectory 'escape' leads outside the repository"),
    ],
)
async def test_missing_ref_or_subdirectory(public_url: str, tmp_path: Path, ref: str,
                                           subdirectory: str | None, error: type[KilnError],
                                           message: str) -> None:  # fmt: skip
    with pytest.raises(error, match=message):
        await _fetch(public_url, tmp_path / "src", ref, subdirectory)
    assert not (tmp_path / "src").exists()


async def test_failure_empties_an_existing_directory(origin: Origin, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(NotFound):
        await _fetch(str(origin.root / "public.git"), tmp_path / "src", "nope")
    assert list((tmp_path / "src").iterdir()) == []


async def test_non_empty_destination_is_refused(origin: Origin, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "keep").write_text("x")
    with pytest.raises(KilnError, match="not empty"):
        await _fetch(str(origin.root / "public.git"), tmp_path / "src")
    assert (tmp_path / "src" / "keep").read_text() == "x"


async def test_sha_falls_back_to_full_fetch_when_server_refuses(
    serve: StartServer, origin: Origin, tmp_path: Path
) -> None:
    lines: list[str] = []
    url = f"{serve(v2=False).url}/public.git"
    source = await _fetch(url, tmp_path / "src", origin.shas["initial"], lines=lines)
    assert source.commit_sha == origin.shas["initial"]
    assert any("fetching all history" in line for line in lines)
    with pytest.raises(NotFound, match="not found"):
        await _fetch(url, tmp_path / "other", "e" * 40)


async def test_private_repository_needs_the_token(
    serve: StartServer, origin: Origin, tmp_path: Path
) -> None:
    url = f"{serve().url}/private/repo.git"
    with pytest.raises(UserError, match="pass a token for private repositories"):
        await _fetch(url, tmp_path / "a")
    lines: list[str] = []
    with pytest.raises(UserError, match="with the given token") as info:
        await _fetch(url, tmp_path / "b", token="ghs_wrongWrongWrong", lines=lines)
    assert "ghs_wrong" not in str(info.value) + "".join(lines)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()

    lines = []
    source = await _fetch(url, tmp_path / "c", "feature/login", token=TOKEN, lines=lines)
    assert source.commit_sha == origin.shas["feature"]
    secrets = [TOKEN, base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()]
    assert lines and not any(secret in line for line in lines for secret in secrets)
    assert "extraHeader" not in (tmp_path / "c" / ".git" / "config").read_text()
    for path in (tmp_path / "c" / ".git").rglob("*"):
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes(), path


async def test_token_never_in_process_arguments(serve: StartServer, tmp_path: Path) -> None:
    url = f"{serve(delay=0.4).url}/private/repo.git"
    task = asyncio.create_task(_fetch(url, tmp_path / "src", token=TOKEN))
    seen: list[str] = []
    while not task.done():
        ps = await asyncio.to_thread(
            subprocess.run, ["ps", "-ww", "-eo", "args"], capture_output=True, text=True, check=True
        )
        seen.extend(line for line in ps.stdout.splitlines() if str(tmp_path) in line)
        assert TOKEN not in ps.stdout
        await asyncio.sleep(0.05)
    await task
    assert any("fetch" in line for line in seen), seen  # the poll did see git at work


async def test_timeout_kills_git_and_removes_the_checkout(
    serve: StartServer, tmp_path: Path
) -> None:
    url = f"{serve(delay=30).url}/public.git"
    with pytest.raises(TransientError, match="timed out after 1 s"):
        await _fetch(url, tmp_path / "src", seconds=1)
    assert not (tmp_path / "src").exists()
    ps = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True, check=True)
    assert str(tmp_path) not in ps.stdout


async def test_network_error_is_transient(tmp_path: Path) -> None:
    with pytest.raises(TransientError, match="network error"):
        await _fetch("http://127.0.0.1:9/repo.git", tmp_path / "src")


@pytest.mark.parametrize(
    "spec",
    [
        SourceSpec("--upload-pack=touch /tmp/x", None, None),
        SourceSpec("ext::sh -c touch% /tmp/pwned", None, None),
        SourceSpec("https://user:tok@github.com/a/b", None, None),
        SourceSpec("https://github.com/a/b", "-x", None),
        SourceSpec("https://github.com/a/b", "main\n--upload-pack=x", None),
        SourceSpec("https://github.com/a/b", "a@{1}", None),
        SourceSpec("https://github.com/a/b", None, "../../etc"),
    ],
)
async def test_hostile_input_never_runs_git(
    spec: SourceSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[tuple[object, ...]] = []

    async def spawn(*argv: object, **_: object) -> None:
        spawned.append(argv)
        raise AssertionError("a process was spawned")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    with pytest.raises(InvalidSource):
        await fetch(spec, tmp_path / "src", token=None, log=lambda _: None)
    assert spawned == []
    assert not (tmp_path / "src").exists()


async def test_local_paths_need_allow_local(origin: Origin, tmp_path: Path) -> None:
    spec = SourceSpec(str(origin.root / "public.git"), None, None)
    with pytest.raises(InvalidSource, match="local path"):
        await fetch(spec, tmp_path / "src", token=None, log=lambda _: None)
    with pytest.raises(InvalidSource, match="only be used with an https://"):
        await fetch(spec, tmp_path / "src", token=TOKEN, log=lambda _: None, allow_local=True)
    assert not (tmp_path / "src").exists()
