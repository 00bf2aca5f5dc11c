"""Friendly errors: the raw output of a failed build → a one-line summary and a suggestion.

`diagnose(lines)` scans the end of a build log (buildah, BuildKit, git, registry pushes, package
managers and compilers) with the ordered table `RULES` and returns a `Diagnosis`, e.g. for
`npm error 404  'left-padx@*' is not in this registry.` the code `npm_package_not_found`, the
summary "npm package left-padx@* was not found in the registry" and what to check.
"""

from __future__ import annotations

from kiln.diagnose.rules import RULES, Rule
from kiln.diagnose.summarize import Diagnosis, clean_line, diagnose, mask_credentials

__all__ = ["RULES", "Diagnosis", "Rule", "clean_line", "diagnose", "mask_credentials"]
