"""Retention policies beyond the quota, evaluated like ECR lifecycle rules.

Rules are ordered. Each image is *selected* by the first rule whose app and tag patterns match
it, and only that rule can expire it (so an image is expired by at most one rule). A rule
expires the images it selects beyond the `keep_newest` newest of each app, or those older than
`older_than_days`. The protections of the quota cleanup always hold: the only image of an app,
protected tags (`latest` by default) and pinned images are never expired.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiln.quota.policy import (
    CleanupPlan,
    Kept,
    Policy,
    Removal,
    StoredImage,
    Usage,
    newest_first_by_app,
)

_PATTERN = re.compile(r"^[A-Za-z0-9_.*?\[\]!-]{1,128}$")


def _check_patterns(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        if not _PATTERN.match(pattern):
            raise ValueError(f"invalid pattern {pattern!r}: use letters, digits, . _ - and * ? [ ]")
        try:
            re.compile(fnmatch.translate(pattern))
        except re.error as exc:
            raise ValueError(f"invalid pattern {pattern!r}: {exc}") from exc
    return patterns


class RetentionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    apps: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=50)
    tags: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=50)
    keep_newest: int | None = Field(default=None, ge=1, le=10_000)
    older_than_days: int | None = Field(default=None, ge=1, le=36_500)

    _apps = field_validator("apps")(_check_patterns)
    _tags = field_validator("tags")(_check_patterns)

    @model_validator(mode="after")
    def _one_condition(self) -> RetentionRule:
        if (self.keep_newest is None) == (self.older_than_days is None):
            raise ValueError("a rule needs exactly one of keep_newest or older_than_days")
        return self

    def selects(self, image: StoredImage) -> bool:
        app_ok = any(fnmatch.fnmatchcase(image.app, p) for p in self.apps)
        tags = image.tags or ("",)
        return app_ok and any(fnmatch.fnmatchcase(t, p) for t in tags for p in self.tags)


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[RetentionRule] = Field(default_factory=list, max_length=50)
    protected_tags: list[str] = Field(default_factory=lambda: ["latest"], max_length=50)

    _protected = field_validator("protected_tags")(_check_patterns)

    def quota_policy(self) -> Policy:
        return Policy(protected_tags=tuple(self.protected_tags))


def plan_retention(
    images: Sequence[StoredImage], quota_bytes: int, policy: RetentionPolicy, now: datetime
) -> CleanupPlan:
    guard = policy.quota_policy()
    selected: dict[int, list[StoredImage]] = defaultdict(list)
    for image in images:
        for index, rule in enumerate(policy.rules):
            if rule.selects(image):
                selected[index].append(image)
                break
    expired: list[tuple[StoredImage, str]] = []
    for index, chosen in sorted(selected.items()):
        rule = policy.rules[index]
        if rule.keep_newest is not None:
            reason = f"rule {index + 1}: beyond the {rule.keep_newest} newest"
            for app_images in newest_first_by_app(chosen).values():
                expired += [(image, reason) for image in app_images[rule.keep_newest :]]
        elif rule.older_than_days is not None:
            cutoff = now - timedelta(days=rule.older_than_days)
            reason = f"rule {index + 1}: older than {rule.older_than_days} days"
            expired += [(image, reason) for image in chosen if image.pushed_at < cutoff]

    usage = Usage(images)
    before = usage.bytes
    remaining = Counter(image.app for image in images)
    removed: list[Removal] = []
    kept: list[Kept] = []
    for image, reason in sorted(expired, key=lambda item: item[0].pushed_at):
        protected = [t for t in image.tags if guard.is_protected_tag(t)]
        if remaining[image.app] <= 1:
            kept.append(Kept(image, "the only image of its app"))
        elif protected:
            kept.append(Kept(image, f"protected tag {protected[0]!r}"))
        elif image.pinned:
            kept.append(Kept(image, "pinned as the app's current image"))
        else:
            remaining[image.app] -= 1
            removed.append(Removal(image, usage.remove(image), reason))
    return CleanupPlan(
        quota_bytes, before, usage.bytes, triggered=bool(expired), removed=removed,
        kept_protected=kept,
    )  # fmt: skip
