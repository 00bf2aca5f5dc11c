"""Shared helpers for the Node.js provider tests."""

from __future__ import annotations

import json

from kiln.detect import detect
from kiln.plan.bases import Catalog
from kiln.plan.model import BuildPlan
from tests.unit.conftest import WriteFiles


def manifest(**fields: object) -> str:
    return json.dumps({"name": "app", **fields})


def plan_of(project: WriteFiles, catalog: Catalog, files: dict[str, str]) -> BuildPlan:
    return detect(project(files), catalog)


def explained(plan: BuildPlan, text: str) -> bool:
    return any(text in sentence for sentence in plan.explanations)
