import pytest

from kiln.detect.versions import Candidate, minimum, npm_range, pep440_range, resolve, to_tuple

NODE = [Candidate("18", (18, 19, 0)), Candidate("20", (20, 19, 2)), Candidate("22", (22, 1, 0))]
PYTHON = [Candidate("3.11", (3, 11, 2)), Candidate("3.13", (3, 13, 5))]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=18 <21", "20"),
        ("^18.2.0", "18"),
        ("18 || 20", "20"),
        ("20.x", "20"),
        ("~20.19", "20"),
        ("18", "18"),
        ("v18.19.0", "18"),
        ("*", "22"),
        ("lts/*", "22"),
        ("16 - 18", "18"),
        (">= 18 < 20", "18"),
    ],
)
def test_npm_ranges_pick_the_highest_match(spec: str, expected: str) -> None:
    result = resolve("node", spec, "test", npm_range(spec.removeprefix("v")), NODE)
    assert result.satisfied
    assert result.version == expected
    assert spec in result.note


def test_unsatisfiable_request_takes_the_nearest_and_says_so() -> None:
    result = resolve("node", ">=23", "package.json engines.node", npm_range(">=23"), NODE)
    assert not result.satisfied
    assert result.version == "22"
    assert "no base image satisfies" in result.note and "18, 20, 22" in result.note


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=3.12", "3.13"),
        ("~=3.11.0", "3.11"),
        ("3.11", "3.11"),
        ("3.11.4", "3.11"),
        ("<3.12", "3.11"),
    ],
)
def test_python_requirements(spec: str, expected: str) -> None:
    result = resolve("python", spec, "test", pep440_range(spec), PYTHON)
    assert (result.version, result.satisfied) == (expected, True)


def test_go_line_is_a_minimum() -> None:
    go = [Candidate("1.22", (1, 22, 0)), Candidate("1.24", (1, 24, 4))]
    assert resolve("go", "1.22", "go.mod", minimum("1.22"), go).version == "1.24"
    assert resolve("go", "1.25", "go.mod", minimum("1.25"), go).satisfied is False


def test_unreadable_request_falls_back_to_the_newest() -> None:
    result = resolve("node", "banana", ".nvmrc", npm_range("banana"), NODE)
    assert result.version == "22" and not result.satisfied
    assert "could not read" in result.note


def test_to_tuple() -> None:
    assert to_tuple("20.19.2") == (20, 19, 2)
    assert to_tuple("v18") == (18, 0, 0)
    assert to_tuple("nope") is None
