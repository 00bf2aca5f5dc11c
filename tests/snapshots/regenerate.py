"""`make snapshots`: rewrite every example's expected plan; review the diff before committing.

`python -m tests.snapshots.regenerate NAME…` rewrites only the named examples.
"""

from __future__ import annotations

import sys

from tests.snapshots.plans_of import SNAPSHOTS, example_names, plan_json


def main(names: list[str]) -> None:
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for name in names or example_names():
        path = SNAPSHOTS / f"{name}.json"
        text = plan_json(name)
        changed = not path.exists() or path.read_text() != text
        path.write_text(text)
        print(f"{'updated' if changed else 'same   '} {path.relative_to(SNAPSHOTS.parent.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
