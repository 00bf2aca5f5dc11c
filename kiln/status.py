"""Build statuses and the legal transitions between them (seeds 001-003)."""

from __future__ import annotations

from enum import StrEnum

from kiln.errors import KilnError


class BuildStatus(StrEnum):
    PENDING = "pending"
    CLONING = "cloning"
    ANALYZING = "analyzing"
    BUILDING = "building"
    PUSHING = "pushing"
    BUILT = "built"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def step(self) -> str | None:
        """The step a running status stands for (clone, analyze, build, push)."""
        return STEP_OF.get(self)


TERMINAL = frozenset({BuildStatus.BUILT, BuildStatus.FAILED, BuildStatus.CANCELLED})
STEP_OF = {
    BuildStatus.CLONING: "clone",
    BuildStatus.ANALYZING: "analyze",
    BuildStatus.BUILDING: "build",
    BuildStatus.PUSHING: "push",
}
_ENDINGS = {BuildStatus.FAILED, BuildStatus.CANCELLED}
ALLOWED: dict[BuildStatus, frozenset[BuildStatus]] = {
    BuildStatus.PENDING: frozenset({BuildStatus.CLONING, *_ENDINGS}),
    BuildStatus.CLONING: frozenset({BuildStatus.ANALYZING, *_ENDINGS}),
    # analyzing → built: the image for this source and plan is already in the registry.
    BuildStatus.ANALYZING: frozenset({BuildStatus.BUILDING, BuildStatus.BUILT, *_ENDINGS}),
    BuildStatus.BUILDING: frozenset({BuildStatus.PUSHING, *_ENDINGS}),
    # pushing → building: the build step is retried (its worker died while pushing).
    BuildStatus.PUSHING: frozenset({BuildStatus.BUILDING, BuildStatus.BUILT, *_ENDINGS}),
    BuildStatus.BUILT: frozenset(),
    BuildStatus.FAILED: frozenset(),
    BuildStatus.CANCELLED: frozenset(),
}


class IllegalTransition(KilnError):
    code = "illegal_transition"


def check_transition(current: BuildStatus, new: BuildStatus) -> bool:
    """True if the status changes, False for a repeat (a retried step); raises if illegal."""
    if current == new and not current.terminal:
        return False
    if new not in ALLOWED[current]:
        raise IllegalTransition(f"a build cannot go from {current} to {new}")
    return True
