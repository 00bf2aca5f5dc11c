import itertools

import pytest

from kiln.status import ALLOWED, BuildStatus, IllegalTransition, check_transition


def test_the_happy_path_is_legal() -> None:
    path = ["pending", "cloning", "analyzing", "building", "pushing", "built"]
    for current, new in itertools.pairwise(path):
        assert check_transition(BuildStatus(current), BuildStatus(new)) is True


def test_a_retried_step_repeats_its_status_without_a_change() -> None:
    assert check_transition(BuildStatus.BUILDING, BuildStatus.BUILDING) is False


@pytest.mark.parametrize(
    ("current", "new"),
    [("built", "building"), ("failed", "failed"), ("pending", "built"), ("pushing", "cloning")],
)
def test_illegal_transitions_are_refused(current: str, new: str) -> None:
    with pytest.raises(IllegalTransition, match=f"from {current} to {new}"):
        check_transition(BuildStatus(current), BuildStatus(new))


def test_every_running_status_can_fail_or_be_cancelled() -> None:
    for status, allowed in ALLOWED.items():
        if not status.terminal:
            assert {BuildStatus.FAILED, BuildStatus.CANCELLED} <= allowed
        else:
            assert allowed == frozenset()
