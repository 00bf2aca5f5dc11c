"""Retention rules: ordered, an image expired by at most one rule, protections always hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from kiln.quota.policy import StoredImage
from kiln.quota.retention import RetentionPolicy, RetentionRule, plan_retention

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def image(app: str, days_old: int, *tags: str) -> StoredImage:
    return StoredImage(
        app=app, repository=f"ws/{app}", digest=f"sha256:{app}-{days_old}",
        tags=tags or (f"d{days_old}",), pushed_at=NOW - timedelta(days=days_old),
        blobs=((f"sha256:own-{app}-{days_old}", 100),),
    )  # fmt: skip


def test_first_matching_rule_owns_an_image() -> None:
    images = [image("web", d) for d in (1, 2, 3, 4)] + [image("web", 50, "rel-1")]
    policy = RetentionPolicy(
        rules=[
            RetentionRule(tags=["rel-*"], older_than_days=365),  # releases: kept a year
            RetentionRule(keep_newest=2),  # everything else: the 2 newest
        ]
    )
    plan = plan_retention(images, 10**9, policy, NOW)
    removed = {r.image.digest for r in plan.removed}
    assert removed == {"sha256:web-3", "sha256:web-4"}  # rel-1 belongs to rule 1 only
    assert all(r.reason == "rule 2: beyond the 2 newest" for r in plan.removed)
    assert plan.after_bytes == plan.before_bytes - 200


def test_age_rule_and_protections() -> None:
    images = [image("web", 100, "latest"), image("web", 90), image("api", 200)]
    plan = plan_retention(
        images, 10**9, RetentionPolicy(rules=[RetentionRule(older_than_days=30)]), NOW
    )
    assert [r.image.digest for r in plan.removed] == ["sha256:web-90"]
    reasons = {k.image.digest: k.reason for k in plan.kept_protected}
    assert reasons == {
        "sha256:web-100": "protected tag 'latest'",
        "sha256:api-200": "the only image of its app",
    }


@pytest.mark.parametrize(
    "rule",
    [
        {"keep_newest": 2, "older_than_days": 3},
        {},
        {"keep_newest": 0},
        {"keep_newest": 2, "tags": ["bad pattern"]},
        {"keep_newest": 2, "apps": []},
        {"keep_newest": 2, "unknown": 1},
    ],
)
def test_invalid_rules_are_refused(rule: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetentionPolicy.model_validate({"rules": [rule]})
