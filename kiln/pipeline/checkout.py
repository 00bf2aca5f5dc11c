"""The source step: a checkout of the build's commit in the worker's work directory.

A later step of the same build on the same worker reuses the checkout; on another worker (after
a retry or a failover) it fetches the same pinned commit again.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

from kiln.config import Settings
from kiln.logs.reporter import LogFn
from kiln.source.fetch import FetchedSource, fetch
from kiln.source.spec import source_spec
from kiln.source.ssrf import check_host, host_of
from kiln.store.context import BuildContext

RECORD = "source.json"


def _load(workdir: Path, ref: str | None) -> FetchedSource | None:
    record = workdir / RECORD
    if ref is None or not record.is_file():
        return None
    data = json.loads(record.read_text())
    if data["commit_sha"] != ref or not Path(data["root"]).is_dir():
        return None
    return FetchedSource(
        root=Path(data["root"]), commit_sha=data["commit_sha"],
        commit_message=data["commit_message"], author_name=data["author_name"],
        author_email=data["author_email"],
        committed_at=datetime.fromisoformat(data["committed_at"]), ref=data["ref"],
    )  # fmt: skip


def _save(workdir: Path, source: FetchedSource) -> None:
    record = {
        "root": str(source.root),
        "commit_sha": source.commit_sha,
        "commit_message": source.commit_message,
        "author_name": source.author_name,
        "author_email": source.author_email,
        "committed_at": source.committed_at.isoformat(),
        "ref": source.ref,
    }
    (workdir / RECORD).write_text(json.dumps(record))


async def checkout(
    ctx: BuildContext, workdir: Path, ref: str | None, log: LogFn, settings: Settings
) -> FetchedSource:
    existing = _load(workdir, ref)
    if existing is not None:
        log(f"reusing the checkout of {existing.commit_sha[:12]}")
        return existing
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    spec = source_spec(ctx.repo_url, ref, ctx.subdirectory, allow_local=settings.allow_local_repos)
    await check_host(host_of(spec.repo_url), allow=settings.allow_link_local)
    log(f"fetching {ctx.repo_url} at {ref or 'the default branch'}")
    source = await fetch(
        spec, workdir / "src", token=ctx.git_token, log=log, allow_local=settings.allow_local_repos
    )
    log(f"commit {source.commit_sha[:12]}: {source.commit_message}")
    _save(workdir, source)
    return source
