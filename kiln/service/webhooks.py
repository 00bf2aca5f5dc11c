"""GitHub webhooks: `push` builds every app whose repository and branch match, with the pushed
commit; `ping` answers; other events are accepted and ignored. The signature
(X-Hub-Signature-256, HMAC-SHA256 of the raw body) is checked in constant time against each
matching app's secret, and each delivery id is handled once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kiln.errors import BadSignature, KilnError, UserError
from kiln.service.builds import trigger_build
from kiln.service.context import Services
from kiln.service.models import BuildTrigger, WebhookResult
from kiln.store.builds import now
from kiln.store.tables import App, WebhookDelivery, Workspace

ZERO_SHA = "0" * 40


def signature_of(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def repo_key(url: str) -> str:
    """`https://github.com/Org/Repo.git`, `git@github.com:org/repo` → `github.com/org/repo`."""
    text = url.strip().lower()
    text = re.sub(r"^(https?|ssh|git)://", "", text)
    text = re.sub(r"^[^@/]+@", "", text)
    text = text.replace(":", "/", 1) if "/" in text and ":" in text.split("/", 1)[0] else text
    return text.removesuffix("/").removesuffix(".git")


def _repositories(payload: dict[str, Any]) -> set[str]:
    repository = payload.get("repository")
    if not isinstance(repository, dict):
        raise UserError("the payload has no repository")
    urls = [repository.get(k) for k in ("clone_url", "html_url", "ssh_url", "git_url", "url")]
    return {repo_key(u) for u in urls if isinstance(u, str) and u}


async def handle_github(
    svc: Services, *, event: str, delivery: str, signature: str, body: bytes
) -> WebhookResult:
    if not delivery or len(delivery) > 100:
        raise UserError("missing or invalid X-GitHub-Delivery header")
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise UserError(f"the payload is not JSON: {exc.msg}") from exc
    if not isinstance(payload, dict):
        raise UserError("the payload must be a JSON object")
    repositories = _repositories(payload)
    async with svc.db.session() as session:
        rows = (await session.execute(select(App, Workspace.slug).join(Workspace))).all()
    candidates = [(app, ws) for app, ws in rows if repo_key(app.repo_url) in repositories]
    verified = [
        (app, ws)
        for app, ws in candidates
        if app.webhook_secret_encrypted is not None
        and hmac.compare_digest(
            signature_of(svc.box.decrypt(app.webhook_secret_encrypted), body), signature
        )
    ]
    if not verified:
        raise BadSignature("the signature matches no app of this repository")
    result = WebhookResult(event=event, delivery=delivery)
    try:
        async with svc.db.session() as session, session.begin():
            session.add(
                WebhookDelivery(delivery_id=delivery, event=event, received_at=now(), builds=[])
            )
    except IntegrityError:
        result.duplicate = True
        return result
    if event == "push":
        await _push(svc, payload, verified, result)
        async with svc.db.session() as session, session.begin():
            row = await session.get(WebhookDelivery, delivery)
            assert row is not None
            row.builds = list(result.builds)
    return result


async def _push(
    svc: Services, payload: dict[str, Any], apps: list[tuple[App, str]], result: WebhookResult
) -> None:
    ref, after = payload.get("ref"), payload.get("after")
    if not isinstance(ref, str) or not isinstance(after, str) or not ref.startswith("refs/heads/"):
        result.skipped.append("not a branch push")
        return
    if after == ZERO_SHA:
        result.skipped.append("branch deleted")
        return
    branch = ref.removeprefix("refs/heads/")
    for app, workspace in apps:
        if (app.branch or branch) != branch:
            result.skipped.append(f"{workspace}/{app.slug}: builds {app.branch}, not {branch}")
            continue
        try:
            build, _ = await trigger_build(
                svc, workspace, app.slug, BuildTrigger(ref=after), trigger="webhook"
            )
        except KilnError as exc:
            result.skipped.append(f"{workspace}/{app.slug}: {exc}")
            continue
        result.builds.append(build.id)
