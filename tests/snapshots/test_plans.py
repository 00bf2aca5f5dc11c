import pytest

from tests.snapshots.plans_of import SNAPSHOTS, example_names, plan_json


def test_every_example_has_a_snapshot() -> None:
    names = example_names()
    assert len(names) >= 5
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.json")) == names


@pytest.mark.parametrize("name", example_names())
def test_plan_matches_snapshot(name: str) -> None:
    expected = (SNAPSHOTS / f"{name}.json").read_text()
    assert plan_json(name) == expected, f"plan of examples/{name} changed: run `make snapshots`"
