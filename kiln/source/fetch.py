"""Fetch a repository at a branch, tag or commit into a directory: shallow, token-safe, bounded.

`git init` + `git remote add` + `git fetch --depth 1 origin <ref>` + `git checkout --detach
FETCH_HEAD` works for branches, tags and (on servers that allow it) any commit SHA; when a server
refuses a shallow fetch of a commit, the whole history is fetched and the commit checked out.
Everything is validated before the first git process starts, and a failed or timed-out fetch
leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiln.errors import KilnError, NotFound, TransientError, UserError
from kiln.logs.reporter import LogFn
from kiln.source.git import (
    REF_MISSING,
    GitFailed,
    GitRunner,
    check_token,
    classify,
    config_args,
    git_environment,
    mask,
    secret_forms,
)
from kiln.source.spec import (
    SourceSpec,
    is_commit_sha,
    validate_ref,
    validate_repo_url,
    validate_subdirectory,
)

DEFAULT_TIMEOUT_SECONDS = 300.0
_LOG_FORMAT = "--format=%H%x00%an%x00%ae%x00%ct%x00%B"


@dataclass(frozen=True)
class FetchedSource:
    root: Path
    """The checkout, or its sub-directory when the spec names one."""
    commit_sha: str
    commit_message: str
    """The first line of the commit message."""
    author_name: str
    author_email: str
    committed_at: datetime
    """Committer date, in UTC."""
    ref: str
    """The ref that was asked for, or the name of the remote's default branch."""


@dataclass(frozen=True)
class _Plan:
    url: str
    ref: str | None
    subdirectory: str
    has_token: bool


async def fetch(
    spec: SourceSpec,
    dest: Path,
    *,
    token: str | None,
    log: LogFn,
    allow_local: bool = False,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,  # noqa: ASYNC109 (the whole fetch's deadline)
) -> FetchedSource:
    """Check out `spec` into `dest` (absent or empty) and describe the commit.

    Raises UserError (invalid spec, ref/sub-directory not found, no access) or TransientError
    (network, timeout); on any failure `dest` is removed (or emptied if it existed before).
    """
    token = token or None
    plan = _Plan(
        url=validate_repo_url(spec.repo_url, allow_local=allow_local),
        ref=validate_ref(spec.ref) if spec.ref is not None else None,
        subdirectory=validate_subdirectory(spec.subdirectory) if spec.subdirectory else "",
        has_token=token is not None,
    )
    if token is not None:
        check_token(token, plan.url)
    secrets = secret_forms(token)
    created = _prepare(dest)
    try:
        with tempfile.TemporaryDirectory(prefix="kiln-git-") as home:
            git = GitRunner(
                work_tree=dest,
                env=git_environment(Path(home), token),
                config=config_args(allow_local=allow_local),
                log=lambda line: log(mask(line, secrets)),
                secrets=secrets,
            )
            try:
                return await asyncio.wait_for(_fetch(git, plan, dest), timeout)
            except TimeoutError as exc:
                raise TransientError(f"fetching {plan.url} timed out after {timeout:g} s") from exc
    except BaseException:
        _discard(dest, created=created)
        raise


async def _fetch(git: GitRunner, plan: _Plan, dest: Path) -> FetchedSource:
    shown_ref = plan.ref or "the default branch"
    git.log(f"==> fetching {plan.url} ({shown_ref})")
    await git.run("init", "--quiet", "--template=")
    await git.run("remote", "add", "--", "origin", plan.url)
    if plan.ref is None:
        asked = await _default_branch(git, plan)
        refspec = f"refs/heads/{asked}"
    else:
        asked = refspec = plan.ref
    target = "FETCH_HEAD"
    try:
        await git.run(
            "fetch", "--depth", "1", "--no-tags", "--no-recurse-submodules",
            "--", "origin", refspec,
        )  # fmt: skip
    except GitFailed as failure:
        if not (is_commit_sha(asked) and failure.has(*REF_MISSING)):
            raise _translate(failure, plan, asked) from None
        git.log("==> the server refused a shallow fetch of a commit; fetching all history")
        await _fetch_everything(git, plan, asked)
        target = asked
    try:
        await git.run("checkout", "--quiet", "--detach", f"{target}^{{commit}}", "--")
        source = await _describe(git, dest, asked)
    except GitFailed as failure:
        raise _translate(failure, plan, asked) from None
    root = _root(dest, plan, source)
    git.log(f"==> checked out {source.commit_sha[:12]} {source.commit_message}")
    return FetchedSource(
        root=root,
        commit_sha=source.commit_sha,
        commit_message=source.commit_message,
        author_name=source.author_name,
        author_email=source.author_email,
        committed_at=source.committed_at,
        ref=asked,
    )


async def _default_branch(git: GitRunner, plan: _Plan) -> str:
    """The remote HEAD's branch name, from `git ls-remote --symref origin HEAD`."""
    try:
        lines = await git.run("ls-remote", "--symref", "--", "origin", "HEAD", capture=True)
    except GitFailed as failure:
        raise _translate(failure, plan, "HEAD") from None
    for line in lines:
        target, _, name = line.partition("\t")
        if name == "HEAD" and target.startswith("ref: refs/heads/"):
            return validate_ref(target.removeprefix("ref: refs/heads/"))
    raise UserError(f"repository {plan.url} has no default branch (is it empty?)")


async def _fetch_everything(git: GitRunner, plan: _Plan, sha: str) -> None:
    try:
        await git.run(
            "fetch", "--no-tags", "--no-recurse-submodules", "--", "origin",
            "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*",
        )  # fmt: skip
        await git.run("rev-parse", "--quiet", "--verify", f"{sha}^{{commit}}", capture=True)
    except GitFailed as failure:
        if failure.command == "rev-parse":
            raise NotFound(f"ref {sha!r} not found in {plan.url}") from None
        raise _translate(failure, plan, sha) from None


async def _describe(git: GitRunner, dest: Path, asked: str) -> FetchedSource:
    lines = await git.run(
        "log", "-1", "--no-show-signature", _LOG_FORMAT, "HEAD", "--", capture=True
    )
    fields = "\n".join(lines).split("\x00", 4)
    if len(fields) != 5 or not is_commit_sha(fields[0]):
        raise TransientError(f"could not read the commit checked out from {asked!r}")
    sha, name, email, timestamp, message = fields
    return FetchedSource(
        root=dest,
        commit_sha=sha,
        commit_message=next(iter(message.strip().splitlines()), ""),
        author_name=name,
        author_email=email,
        committed_at=datetime.fromtimestamp(int(timestamp), tz=UTC),
        ref=asked,
    )


def _root(dest: Path, plan: _Plan, source: FetchedSource) -> Path:
    """The checkout or the requested sub-directory, which must be a directory inside it."""
    if not plan.subdirectory:
        return dest
    root = dest / plan.subdirectory
    where = f"{plan.url} at {source.ref} ({source.commit_sha[:12]})"
    resolved = root.resolve()
    if not resolved.is_relative_to(dest.resolve()):
        raise UserError(f"subdirectory {plan.subdirectory!r} leads outside the repository {where}")
    if not resolved.is_dir():
        raise NotFound(f"subdirectory {plan.subdirectory!r} not found in {where}")
    return root


def _translate(failure: GitFailed, plan: _Plan, ref: str) -> KilnError:
    error = classify(failure, url=plan.url, ref=ref, has_token=plan.has_token)
    if isinstance(error, NotFound) and not is_commit_sha(ref) and _looks_like_short_sha(ref):
        error.hint = "commits must be given as a full 40-character SHA"
    return error


def _looks_like_short_sha(ref: str) -> bool:
    return 7 <= len(ref) < 40 and all(ch in "0123456789abcdefABCDEF" for ch in ref)


def _prepare(dest: Path) -> bool:
    """Make `dest` an empty directory; True if this call created it."""
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise KilnError(f"checkout directory {dest} already exists and is not empty")
        return False
    dest.mkdir(parents=True)
    return True


def _discard(dest: Path, *, created: bool) -> None:
    """Remove a partial checkout: the directory if this fetch made it, else its contents."""
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir() if dest.is_dir() else ():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
