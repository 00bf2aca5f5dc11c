"""Resolve a branch or tag to the commit it points at, without cloning (`git ls-remote`)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from kiln.errors import NotFound, TransientError
from kiln.source.git import (
    GitFailed,
    GitRunner,
    check_token,
    classify,
    config_args,
    git_environment,
    secret_forms,
)
from kiln.source.spec import is_commit_sha, validate_ref, validate_repo_url

TIMEOUT_SECONDS = 60.0


async def resolve_commit(
    repo_url: str, ref: str | None, *, token: str | None, allow_local: bool
) -> tuple[str, str]:
    """(commit SHA, ref name): a full SHA is returned as is; no ref means the default branch."""
    url = validate_repo_url(repo_url, allow_local=allow_local)
    if ref is not None:
        ref = validate_ref(ref)
        if is_commit_sha(ref):
            return ref, ref
    if token:
        check_token(token, url)
    with tempfile.TemporaryDirectory(prefix="kiln-git-") as home:
        git = GitRunner(
            work_tree=Path(home),
            env=git_environment(Path(home), token or None),
            config=config_args(allow_local=allow_local),
            log=lambda _line: None,
            secrets=secret_forms(token or None),
        )
        wanted = ref or "HEAD"
        try:
            lines = await asyncio.wait_for(
                git.run("ls-remote", "--symref", "--", url, wanted, capture=True), TIMEOUT_SECONDS
            )
        except GitFailed as failure:
            raise classify(failure, url=url, ref=wanted, has_token=bool(token)) from None
        except TimeoutError as exc:
            raise TransientError(f"resolving {wanted} in {url} timed out") from exc
    return _pick(lines, ref, url)


def _pick(lines: list[str], ref: str | None, url: str) -> tuple[str, str]:
    symref = ""
    by_name: dict[str, str] = {}
    for line in lines:
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            symref = line[5:].split("\t", 1)[0]
            continue
        sha, _, name = line.partition("\t")
        if is_commit_sha(sha):
            by_name[name] = sha
    if ref is None:
        if "HEAD" not in by_name:
            raise NotFound(f"{url} has no default branch")
        return by_name["HEAD"], symref.removeprefix("refs/heads/") or "HEAD"
    for name in (ref, f"refs/heads/{ref}", f"refs/tags/{ref}^{{}}", f"refs/tags/{ref}"):
        if name in by_name:
            return by_name[name], ref
    raise NotFound(f"ref {ref!r} not found in {url}")
