"""The plan of each example, as committed in tests/snapshots/plans/<name>.json."""

from __future__ import annotations

import json
from pathlib import Path

from kiln.detect import detect
from kiln.plan.bases import builtin_catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SNAPSHOTS = Path(__file__).resolve().parent / "plans"


def example_names() -> list[str]:
    return sorted(p.name for p in EXAMPLES.iterdir() if (p / "check.toml").is_file())


def plan_json(name: str) -> str:
    """Planned against the builtin catalog, so snapshots do not depend on a bootstrap."""
    plan = detect(EXAMPLES / name, builtin_catalog())
    return json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
