"""House rules no linter checks: module size, import layers (DESIGN.md §2), pure detection."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "kiln"
MAX_LINES = 400
# Higher layers may import lower ones and their own; never upward.
LAYERS = {
    "api": 4, "web": 4, "grpc": 4, "cli": 4, "__main__": 4,
    "service": 3,
    "workflow": 2,
    "pipeline": 1,
}  # fmt: skip
DOMAIN = 0
# detect/ reads repositories only through RepoView (detect/repo.py).
PURE_PACKAGE = "detect"
IMPURE_MODULES = {"os", "pathlib", "subprocess", "shutil", "io", "glob"}


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], DOMAIN) if len(parts) > 1 else DOMAIN


def imports(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def main() -> int:
    problems: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        text = path.read_text()
        lines = text.count("\n")
        if lines > MAX_LINES and "generated" not in relative.parts:
            problems.append(f"{relative}: {lines} lines (limit {MAX_LINES}); split it by concept")
        tree = ast.parse(text)
        if ast.get_docstring(tree) is None and not path.name.startswith("_"):
            problems.append(f"{relative}: public module without a docstring")
        own = layer_of(module)
        for name in imports(tree):
            if name.startswith("kiln.") and layer_of(name) > own:
                problems.append(f"{relative}: imports {name} from a higher layer")
            in_detect = module.startswith(f"kiln.{PURE_PACKAGE}.") and module != "kiln.detect.repo"
            if in_detect and name.split(".")[0] in IMPURE_MODULES:
                problems.append(f"{relative}: detect/ must read files through RepoView, not {name}")
        if module.startswith("kiln.detect.") and module != "kiln.detect.repo":
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                    problems.append(f"{relative}:{node.lineno}: open() in detect/")
    for problem in problems:
        print(problem)
    print(f"structure: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
