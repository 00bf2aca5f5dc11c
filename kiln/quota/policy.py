"""The cleanup decision (seed 004, done properly), pure: which images to delete, and why.

Usage is the size of the UNIQUE blobs of the retained images: a base layer shared by twenty
images counts once (as Harbor and GitLab count), and deleting an image frees only the blobs no
retained image still uses. Above `trigger_percent` of the quota, the oldest images are deleted
until usage is at most `target_percent`, keeping the 3 newest per app, then (if still above) the
2 newest. Never deleted: the only image of an app, an image with a protected tag, a pinned image.
Tags are grouped by digest first: deleting a digest deletes every tag on it.
"""

from __future__ import annotations

import fnmatch
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class StoredImage:
    """One manifest (digest) in one repository, with every tag that points at it."""

    app: str
    repository: str
    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    blobs: tuple[tuple[str, int], ...]
    """(blob digest, size) of the config and layers (of every child, for an index)."""
    pinned: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.repository, self.digest)


@dataclass(frozen=True)
class Policy:
    trigger_percent: int = 80
    target_percent: int = 70
    keep_per_app: tuple[int, ...] = (3, 2)
    protected_tags: tuple[str, ...] = ("latest",)

    def is_protected_tag(self, tag: str) -> bool:
        return any(fnmatch.fnmatchcase(tag, pattern) for pattern in self.protected_tags)


@dataclass(frozen=True)
class Removal:
    image: StoredImage
    freed_bytes: int
    reason: str


@dataclass(frozen=True)
class Kept:
    image: StoredImage
    reason: str


@dataclass(frozen=True)
class CleanupPlan:
    quota_bytes: int
    before_bytes: int
    after_bytes: int
    triggered: bool
    removed: list[Removal] = field(default_factory=list)
    kept_protected: list[Kept] = field(default_factory=list)


class Usage:
    """Unique-blob usage of a set of images, updated as images are removed."""

    def __init__(self, images: Iterable[StoredImage]) -> None:
        self._refs: Counter[str] = Counter()
        self._sizes: dict[str, int] = {}
        for image in images:
            for digest, size in set(image.blobs):
                self._refs[digest] += 1
                self._sizes[digest] = size
        self.bytes = sum(self._sizes.values())

    def remove(self, image: StoredImage) -> int:
        """Forget one image; return the bytes freed (blobs no other image uses)."""
        freed = 0
        for digest, _ in set(image.blobs):
            self._refs[digest] -= 1
            if self._refs[digest] == 0:
                freed += self._sizes.pop(digest)
                del self._refs[digest]
        self.bytes -= freed
        return freed


def newest_first_by_app(images: Iterable[StoredImage]) -> dict[str, list[StoredImage]]:
    """Images grouped by app, each group newest first."""
    by_app: dict[str, list[StoredImage]] = defaultdict(list)
    for image in images:
        by_app[image.app].append(image)
    for app_images in by_app.values():
        app_images.sort(key=lambda i: i.pushed_at, reverse=True)
    return by_app


def unique_bytes(images: Iterable[StoredImage]) -> int:
    return Usage(images).bytes


def _protection(image: StoredImage, remaining_in_app: int, policy: Policy) -> str | None:
    if remaining_in_app <= 1:
        return "the only image of its app"
    protected = [tag for tag in image.tags if policy.is_protected_tag(tag)]
    if protected:
        return f"protected tag {protected[0]!r}"
    if image.pinned:
        return "pinned as the app's current image"
    return None


def plan_cleanup(
    images: Sequence[StoredImage], quota_bytes: int, policy: Policy = Policy()
) -> CleanupPlan:
    if quota_bytes <= 0:
        raise ValueError("the quota must be positive")
    usage = Usage(images)
    before = usage.bytes
    trigger = quota_bytes * policy.trigger_percent / 100
    target = quota_bytes * policy.target_percent / 100
    if before <= trigger:
        return CleanupPlan(quota_bytes, before, before, triggered=False)

    by_app = newest_first_by_app(images)
    remaining = {app: len(app_images) for app, app_images in by_app.items()}
    removed: list[Removal] = []
    kept: dict[tuple[str, str], Kept] = {}
    gone: set[tuple[str, str]] = set()

    for keep in policy.keep_per_app:
        candidates = sorted(
            (image for app_images in by_app.values() for image in app_images[keep:]),
            key=lambda i: i.pushed_at,
        )
        for image in candidates:
            if usage.bytes <= target:
                break
            if image.key in gone:
                continue
            reason = _protection(image, remaining[image.app], policy)
            if reason is not None:
                kept.setdefault(image.key, Kept(image, reason))
                continue
            freed = usage.remove(image)
            gone.add(image.key)
            remaining[image.app] -= 1
            kept.pop(image.key, None)
            removed.append(Removal(image, freed, f"older than the {keep} newest of {image.app}"))
        if usage.bytes <= target:
            break
    return CleanupPlan(
        quota_bytes, before, usage.bytes, triggered=True, removed=removed,
        kept_protected=list(kept.values()),
    )  # fmt: skip
