"""Which package manager installs the project, and its commands.

Order: the `packageManager` field (corepack), `devEngines.packageManager`, then the lock file
(pnpm-lock.yaml, bun.lock / bun.lockb, yarn.lock, package-lock.json / npm-shrinkwrap.json), else
npm. pnpm, yarn and bun are installed in the build stage from the npm registry (`npm install -g`),
never into the runtime image: start commands run the scripts' own commands, not the manager.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiln.detect.providers.node.manifest import PackageJson
from kiln.detect.repo import RepoView
from kiln.errors import ManifestError
from kiln.plan.model import CacheMount

LOCK_FILES = (
    ("pnpm-lock.yaml", "pnpm"),
    ("bun.lock", "bun"),
    ("bun.lockb", "bun"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
)
KNOWN = ("npm", "pnpm", "yarn", "bun")
DEFAULTS = {"pnpm": "9", "yarn": "1.22.22", "yarn-berry": "4", "bun": "1"}
BUN_PREFIX = "/opt/bun"
NPM_CACHE = CacheMount(id="npm", target="/root/.npm")
_SAFE_VERSION = re.compile(r"^\d+(\.\d+){0,2}([-.][0-9A-Za-z.]+)?$")
_NPM_FLAGS = "--no-audit --no-fund"


@dataclass
class PackageManager:
    """The chosen manager, its version and the commands the plan runs with it."""

    name: str
    """npm, pnpm, yarn (classic, 1.x), yarn-berry (2 and later) or bun."""
    version: str | None
    lock_file: str | None
    reasons: list[str] = field(default_factory=list)
    node_linker: str | None = None
    """yarn berry only: node-modules, pnpm or pnp."""

    @property
    def tool(self) -> str:
        return "yarn" if self.name == "yarn-berry" else self.name

    def setup(self) -> list[str]:
        """Install the manager itself (build stage only)."""
        version = self.version or DEFAULTS.get(self.name, "")
        package = {
            "pnpm": "pnpm",
            "yarn": "yarn",
            "yarn-berry": "@yarnpkg/cli-dist",
            "bun": "bun",
        }.get(self.name)
        if package is None:
            return []
        prefix = f" --prefix {BUN_PREFIX}" if self.name == "bun" else ""
        return [f"npm install -g{prefix} {_NPM_FLAGS} {package}@{version}"]

    def install(self) -> str:
        locked = self.lock_file is not None
        return {
            "npm": f"npm ci {_NPM_FLAGS}" if locked else f"npm install {_NPM_FLAGS}",
            "pnpm": "pnpm install --frozen-lockfile" if locked else "pnpm install",
            "yarn": "yarn install --non-interactive" + (" --frozen-lockfile" if locked else ""),
            "yarn-berry": "yarn install --immutable" if locked else "yarn install",
            "bun": "bun install --frozen-lockfile" if locked else "bun install",
        }[self.name]

    def run(self, script: str) -> str:
        return f"npm run {script}" if self.name == "npm" else f"{self.tool} run {script}"

    def prune(self) -> str | None:
        """Drop devDependencies after the build; None when the manager cannot."""
        if self.name == "yarn-berry":
            major = (self.version or DEFAULTS["yarn-berry"]).split(".")[0]
            supported = major.isdigit() and int(major) >= 4  # `focus` is built in from yarn 4
            return "yarn workspaces focus --all --production" if supported else None
        return {
            "npm": f"npm prune --omit=dev {_NPM_FLAGS}",
            "pnpm": "pnpm prune --prod",
            "yarn": "yarn install --production --non-interactive --ignore-scripts --prefer-offline"
            + (" --frozen-lockfile" if self.lock_file else ""),
            "bun": "rm -rf node_modules && bun install --production"
            + (" --frozen-lockfile" if self.lock_file else ""),
        }[self.name]

    def caches(self) -> list[CacheMount]:
        """Package caches, never under node_modules (npm ci deletes node_modules/.cache)."""
        own = {
            "pnpm": CacheMount(id="pnpm", target="/root/.local/share/pnpm/store"),
            "yarn": CacheMount(id="yarn", target="/usr/local/share/.cache/yarn"),
            "yarn-berry": CacheMount(id="yarn-berry", target="/root/.yarn/berry/cache"),
            "bun": CacheMount(id="bun", target="/root/.bun/install/cache"),
        }.get(self.name)
        return [NPM_CACHE] + ([own] if own else [])

    def config_files(self, repo: RepoView) -> list[str]:
        """Files (and directories) the install step reads besides manifests and the lock."""
        names = [".npmrc"]
        names += {
            "pnpm": ["pnpm-workspace.yaml", ".pnpmfile.cjs"],
            "yarn": [".yarnrc"],
            "yarn-berry": [".yarnrc.yml"],
            "bun": ["bunfig.toml"],
        }.get(self.name, [])
        found = [name for name in names if repo.has_file(name)]
        if self.name == "yarn-berry":
            found += [
                d for d in (".yarn/releases", ".yarn/plugins", ".yarn/patches") if repo.has_dir(d)
            ]
        return found


def _from_field(text: str, source: str) -> tuple[str, str | None, str] | None:
    name, _, version = text.partition("@")
    version = version.split("+", 1)[0]
    if name not in KNOWN:
        return None
    if name == "yarn":
        major = version.split(".", 1)[0]
        name = "yarn" if not major.isdigit() or int(major) < 2 else "yarn-berry"
    return name, version or None, f"{name} because {source} is {text!r}"


def _version_from_lock(repo: RepoView, lock: str, name: str) -> str | None:
    """The manager version a lock file was written by, from its format version."""
    if lock == "pnpm-lock.yaml":
        head = repo.read_text(lock)[:200]
        match = re.search(r"lockfileVersion:\s*['\"]?(\d+)", head)
        if match:
            return {"9": "9", "6": "8", "5": "7"}.get(match.group(1))
    if name == "yarn-berry":
        match = re.search(r"__metadata:\s*\n\s+version:\s*(\d+)", repo.read_text(lock)[:400])
        if match:
            return {"4": "2", "5": "3", "6": "3", "7": "4", "8": "4"}.get(match.group(1))
    return None


def _yarn_flavour(repo: RepoView, lock: str) -> str:
    if repo.has_file(".yarnrc.yml"):
        return "yarn-berry"
    return "yarn-berry" if "__metadata:" in repo.read_text(lock)[:400] else "yarn"


def _node_linker(repo: RepoView) -> str:
    if not repo.has_file(".yarnrc.yml"):
        return "pnp"
    match = re.search(r"^nodeLinker:\s*['\"]?([\w-]+)", repo.read_text(".yarnrc.yml"), re.MULTILINE)
    return match.group(1) if match else "pnp"


def detect_package_manager(repo: RepoView, manifest: PackageJson) -> PackageManager:
    locks = [(lock, name) for lock, name in LOCK_FILES if repo.has_file(lock)]
    chosen: tuple[str, str | None, str] | None = None
    if manifest.package_manager is not None:
        chosen = _from_field(manifest.package_manager, "packageManager")
    dev = manifest.dev_package_manager
    if chosen is None and dev is not None:
        chosen = _from_field(f"{dev.name}@{dev.version or ''}", "devEngines.packageManager")
    reasons: list[str] = []
    if chosen is not None:
        name, version, reason = chosen
        lock = next((lock for lock, tool in locks if tool == name.split("-")[0]), None)
        reasons.append(reason)
    elif locks:
        lock, name = locks[0]
        version = None
        try:
            name = _yarn_flavour(repo, lock) if name == "yarn" else name
            version = _version_from_lock(repo, lock, name)
        except ManifestError as exc:
            reasons.append(f"could not read {lock} ({exc}); the install will report it")
        reasons.append(f"{name} because {lock} is present")
    else:
        name, version, lock = "npm", None, None
        reasons.append(
            "npm because package.json has no lock file; commit package-lock.json (or another "
            "manager's lock file) for reproducible installs"
        )
    others = [other for other, _ in locks if other != lock]
    if others:
        reasons.append(f"ignores {', '.join(others)}: one package manager per project")
    if version is not None and not _SAFE_VERSION.match(version):
        reasons.append(f"ignores the {name} version {version!r}: not a version number")
        version = None
    manager = PackageManager(name, version, lock, reasons)
    if name == "yarn-berry":
        manager.node_linker = _node_linker(repo)
        reasons.append(f"yarn berry with the {manager.node_linker} linker (.yarnrc.yml nodeLinker)")
    return manager
