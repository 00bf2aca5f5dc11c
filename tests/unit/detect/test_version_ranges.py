import pytest

from kiln.detect.version_ranges import (
    composer_constraint,
    gem_requirement,
    mix_requirement,
    release_line,
)
from kiln.detect.versions import Predicate, VersionTuple


def accepts(predicate: Predicate | None, *versions: VersionTuple) -> list[bool]:
    assert predicate is not None
    return [predicate(v) for v in versions]


def test_gem_pessimistic() -> None:
    assert accepts(gem_requirement("~> 3.1"), (3, 1, 0), (3, 4, 1), (4, 0, 0)) == [
        True,
        True,
        False,
    ]
    assert accepts(gem_requirement("~> 3.1.2"), (3, 1, 1), (3, 1, 9), (3, 2, 0)) == [
        False,
        True,
        False,
    ]
    assert accepts(gem_requirement(">= 2.7, < 3.3, != 3.0.1"), (3, 2, 0), (3, 3, 0)) == [
        True,
        False,
    ]


def test_mix_and_or() -> None:
    predicate = mix_requirement(">= 1.14.0 and < 1.16.0 or ~> 1.18")
    assert accepts(predicate, (1, 15, 2), (1, 16, 0), (1, 18, 3), (2, 0, 0)) == [
        True,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        ("~8.2", (8, 4, 0), (9, 0, 0)),
        ("~8.2.0", (8, 2, 9), (8, 3, 0)),
        ("^7.4 | ^8.0", (7, 4, 1), (9, 0, 0)),
        (">=8.1,<8.3", (8, 2, 0), (8, 3, 0)),
        ("8.3.*", (8, 3, 4), (8, 4, 0)),
    ],
)
def test_composer(spec: str, inside: VersionTuple, outside: VersionTuple) -> None:
    assert accepts(composer_constraint(spec), inside, outside) == [True, False]


def test_release_line_and_unreadable() -> None:
    assert accepts(release_line("ruby-3.3.5"), (3, 3, 0), (3, 4, 0)) == [True, False]
    assert release_line("latest") is None
    assert gem_requirement("~> banana") is None
