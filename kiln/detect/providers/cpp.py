"""C and C++ (CMake, Meson): release executables alone on the plain runtime base.

The build image shares the runtime base's Debian suite, so the executables find the glibc and
libstdc++ they were linked against; the compilers stay in the build stage.
"""

from __future__ import annotations

import re

from kiln.detect.pins import requested_version, use_binary_bases
from kiln.detect.provider import DetectContext
from kiln.detect.repo import RepoView
from kiln.detect.version_ranges import release_line
from kiln.errors import ManifestError
from kiln.plan.model import BuildPlan

PORT = 8080
DEFAULT_VERSION = "12"
OUT = "/out/bin"
_CMAKE_COMMENT = re.compile(r"#[^\n]*")
_CMAKE_PROJECT = re.compile(r"\bproject\s*\(\s*([A-Za-z0-9_.+-]+)([^)]*)\)", re.IGNORECASE)
_CMAKE_EXECUTABLE = re.compile(r"\badd_executable\s*\(\s*([A-Za-z0-9_.+-]+)([^)]*)\)", re.I)
_MESON_COMMENT = re.compile(r"#[^\n]*")
_MESON_PROJECT = re.compile(r"\bproject\s*\(\s*'([^']+)'\s*((?:,\s*'[^']*'\s*)*)")
_MESON_EXECUTABLE = re.compile(r"\bexecutable\s*\(\s*'([^']+)'")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")


def cmake_targets(text: str) -> tuple[str | None, list[str], bool]:
    """(project name, executables, whether C++ is used) from a CMakeLists.txt."""
    code = _CMAKE_COMMENT.sub("", text)
    project = _CMAKE_PROJECT.search(code)
    executables = [
        name
        for name, rest in _CMAKE_EXECUTABLE.findall(code)
        if not re.search(r"\b(IMPORTED|ALIAS)\b", rest) and "${" not in name
    ]
    languages = project.group(2) if project else ""
    cxx = "CXX" in languages.upper() or not re.search(r"\bC\b", languages)
    return (project.group(1) if project else None), executables, cxx


def meson_targets(text: str) -> tuple[str | None, list[str], bool]:
    """(project name, executables, whether C++ is used) from a meson.build."""
    code = _MESON_COMMENT.sub("", text)
    project = _MESON_PROJECT.search(code)
    executables = _MESON_EXECUTABLE.findall(code)
    languages = project.group(2) if project else ""
    return (project.group(1) if project else None), executables, "'cpp'" in languages


class CppProvider:
    name = "cpp"

    def detect(self, repo: RepoView) -> bool:
        return repo.has_file("CMakeLists.txt") or repo.has_file("meson.build")

    def plan(self, ctx: DetectContext) -> BuildPlan:
        repo = ctx.repo
        plan = BuildPlan(provider=self.name, language="cpp", port=PORT)
        if repo.has_file("CMakeLists.txt"):
            manifest, system = "CMakeLists.txt", "cmake"
            project, executables, cxx = cmake_targets(repo.read_text(manifest))
        else:
            manifest, system = "meson.build", "meson"
            project, executables, cxx = meson_targets(repo.read_text(manifest))
        plan.detected_files.append(manifest)
        plan.package_manager = system
        plan.explain(f"a {'C++' if cxx else 'C'} project built with {system} ({manifest})")
        executables = [e for e in dict.fromkeys(executables) if _SAFE_NAME.match(e)]
        if not executables:
            raise ManifestError(
                f"{manifest} defines no executable (add_executable / executable()) kiln can run"
            )
        request = requested_version(
            ctx, pins=[], tools=("gcc",), pinned=release_line, manifest=None
        )
        version = ctx.choose_version(plan, "cpp", request, DEFAULT_VERSION)
        plan.language_version = version
        use_binary_bases(ctx, plan, "cpp", version)
        if system == "cmake":
            plan.build = [
                "cmake -S . -B /tmp/build -G Ninja -DCMAKE_BUILD_TYPE=Release"
                f" -DCMAKE_RUNTIME_OUTPUT_DIRECTORY={OUT}",
                "cmake --build /tmp/build",
            ]
        else:
            plan.build = [
                "meson setup /tmp/build --buildtype=release",
                "meson compile -C /tmp/build",
                *(f"install -D -m 0755 /tmp/build/{e} {OUT}/{e}" for e in executables),
            ]
        start = self._choose(plan, project, executables)
        plan.artifacts = [OUT]
        plan.start = f"{OUT}/{start}"
        plan.explain("release executables alone on the plain runtime base (no compiler)")
        return plan

    @staticmethod
    def _choose(plan: BuildPlan, project: str | None, executables: list[str]) -> str:
        if len(executables) == 1:
            plan.explain(f"starts {executables[0]}, the only executable")
            return executables[0]
        if project in executables:
            plan.explain(f"starts {project}, the executable named like the project")
            return str(project)
        plan.explain(
            f"several executables ({', '.join(executables)}): starts {executables[0]}, the "
            "first; set the start command to run another"
        )
        return executables[0]
