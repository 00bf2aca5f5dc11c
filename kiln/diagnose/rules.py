"""The table of friendly errors: what a piece of build output means and what the user should do.

Order matters: `diagnose()` evaluates the rules in this order and the first rule that matches
anywhere in the scanned output wins. So kiln's own messages and root causes (a full disk, memory,
an untrusted TLS certificate) come first, then tool-specific errors (lock files, npm, pip, Go,
Rust, git, COPY sources, registries), then the generic ones (timeouts, network failures, npm
error codes) and last the failing RUN step, which every failed build has.

Patterns are compiled with re.MULTILINE and run over the cleaned lines joined with "\\n", so a
rule may span lines (rustc prints the file:line under the message). `{name}` in a summary or
suggestion is filled from the pattern's named group `name` ("" when it took no part).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One row: when `pattern` matches, the build failed with `code` for the reason `summary`."""

    code: str
    pattern: re.Pattern[str]
    summary: str
    suggestion: str

    def __post_init__(self) -> None:
        for template in (self.summary, self.suggestion):
            for _, name, _, _ in string.Formatter().parse(template):
                if name is not None and name not in self.pattern.groupindex:
                    raise ValueError(f"rule {self.code}: no group {name!r} in its pattern")


def _rules(code: str, summary: str, suggestion: str, *patterns: str) -> tuple[Rule, ...]:
    """One rule per pattern, all with the same code, summary and suggestion."""
    return tuple(Rule(code, re.compile(p, re.MULTILINE), summary, suggestion) for p in patterns)


_NPM = r"npm (?:ERR!|error) "
_LOCK = "run `{tool} install` locally and commit the updated {file}"
_ERESOLVE = ("upgrade or replace the package whose peer dependency conflicts, or add "
             "legacy-peer-deps=true to .npmrc and regenerate package-lock.json")  # fmt: skip
_PIP_CONFLICT = "loosen the conflicting version pins (pip prints the conflict) and re-lock"
_PIP_MISSING = ("check the name and version pin of {requirement} and that it supports this "
                "Python; a private index needs PIP_INDEX_URL or PIP_EXTRA_INDEX_URL")  # fmt: skip
_GO_SUM = "run `go mod tidy` locally and commit go.mod and go.sum"
_PRIVATE = ("a private repository needs access: install kiln's GitHub App on it or give the app "
            "an access token with read access (and check that it has not expired)")  # fmt: skip
_CONTEXT = ("check that {file} is committed (not ignored by .gitignore or .dockerignore) and "
            "that the path is relative to the build context (the app's sub-directory)")  # fmt: skip
_BASE = ("check the image name and tag in FROM; for an image from kiln's base-image catalog, "
         "run `kiln bases bootstrap` to push it")  # fmt: skip

# fmt: off
RULES: tuple[Rule, ...] = (
    # kiln's own messages
    *_rules("no_start_command",
        "kiln found no start command: the image would not know what to run",
        "add a start script to package.json, a Procfile or a main file, or set KILN_START_CMD",
        r"\bno start command\b"),
    *_rules("undetectable", "kiln could not detect the project type",
        "add a Dockerfile or a manifest kiln knows (package.json, requirements.txt, "
        "pyproject.toml, go.mod, Cargo.toml, …), set the app's sub-directory for a monorepo, "
        "or pick a provider with --provider",
        r"could not detect the project type"),
    # root causes: disk, memory, trust
    *_rules("out_of_disk", "the build machine ran out of disk space (no space left on device)",
        "free space on the builder (remove unused images and containers: `buildah rmi --prune`, "
        "`buildah rm --all`) or give it a bigger disk, then retry",
        r"(?i:no space left on device)"),
    *_rules("node_heap_oom", "Node.js ran out of heap memory (JavaScript heap out of memory)",
        "raise Node's heap limit for the build (NODE_OPTIONS=--max-old-space-size=4096) "
        "or give the builder more memory",
        r"JavaScript heap out of memory"),
    *_rules("out_of_memory", "the build ran out of memory: a process was killed (exit code 137)",
        "give the builder more memory, or make the step use less: fewer parallel jobs "
        "(MAKEFLAGS=-j2, CARGO_BUILD_JOBS=2, GOMAXPROCS=2)",
        r"(?:^|\s)Killed[ \t]*$|\b\d+ Killed\b|Killed signal terminated program"
        r"|exit (?:status|code:?) 137\b|signal: killed|signal: 9, SIGKILL|OOMKilled"
        r"|(?i:\bout of memory\b)|Cannot allocate memory"),
    *_rules("tls_untrusted",
        "TLS certificate verification failed: the build does not trust a server's certificate",
        "if the network uses a TLS-intercepting proxy or an internal CA, set KILN_EXTRA_CA_CERTS "
        "to its CA bundle: kiln injects it into every RUN step",
        r"CERTIFICATE_VERIFY_FAILED|x509: certificate signed by unknown authority"
        r"|unable to get local issuer certificate|UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
        r"|SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed certificate in certificate chain"
        r"|SSL certificate problem|server certificate verification failed"),
    # lock files
    *_rules("lockfile_missing", "package-lock.json is missing: `npm ci` needs a lock file",
        "run `npm install` locally and commit package-lock.json (check that .gitignore and "
        ".dockerignore do not exclude it)",
        r"can only install (?:packages )?with an existing package-lock\.json"),
    *_rules("lockfile_out_of_sync", "package-lock.json is out of sync with package.json ({detail})",
        _LOCK.format(tool="npm", file="package-lock.json"),
        r"can only install packages when your package\.json and package-lock\.json[^\n]*in sync"
        r"[^\n]*(?:\n[^\n]*){0,4}?\n[^\n]*?" + _NPM + r"(?P<detail>(?:Missing|Invalid): [^\n]+)"),
    *_rules("lockfile_out_of_sync", "package-lock.json is out of sync with package.json",
        _LOCK.format(tool="npm", file="package-lock.json"),
        r"can only install packages when your package\.json and package-lock\.json[^\n]*in sync"),
    *_rules("lockfile_missing", "pnpm-lock.yaml is missing: a frozen-lockfile install needs it",
        "run `pnpm install` locally and commit pnpm-lock.yaml (a lock file from a much older "
        "pnpm is ignored: pin pnpm with the packageManager field)",
        r"ERR_PNPM_NO_LOCKFILE|pnpm-lock\.yaml is absent"),
    *_rules("lockfile_out_of_sync", "pnpm-lock.yaml is not up to date with package.json",
        _LOCK.format(tool="pnpm", file="pnpm-lock.yaml"),
        r"ERR_PNPM_OUTDATED_LOCKFILE|pnpm-lock\.yaml is not up[- ]to[- ]date with"),
    *_rules("lockfile_missing", "yarn.lock is missing: an immutable install needs it",
        "run `yarn install` locally and commit yarn.lock",
        r"The lockfile would have been created by this install"),
    *_rules("lockfile_out_of_sync", "yarn.lock is not up to date with package.json",
        _LOCK.format(tool="yarn", file="yarn.lock"),
        r"Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`"
        r"|The lockfile would have been modified by this install"),
    *_rules("lockfile_out_of_sync", "bun's lock file is not up to date with package.json",
        _LOCK.format(tool="bun", file="lock file"),
        r"lockfile had changes, but lockfile is frozen"),
    *_rules("lockfile_missing", "the lock file was not found",
        "generate it with your package manager (npm install, pnpm install, yarn install, …) "
        "and commit it",
        r"(?i:\block ?file not found\b)"),
    # npm
    *_rules("npm_auth", "the npm registry refused access (authentication failed)",
        "check the registry and token for private packages in .npmrc "
        "(//npm.pkg.github.com/:_authToken=…); the token may have expired",
        _NPM + r"code E40[13]\b"),
    *_rules("npm_package_not_found", "npm package {package} was not found in the registry",
        "check the name and version of {package} in package.json; a private package needs "
        "its registry and token in .npmrc",
        _NPM + r"404\s+'(?P<package>[^'\s]+)' is not in (?:this|the npm) registry",
        _NPM + r"404 Not Found - GET https?://\S+/(?P<package>[^/\s]+) - "),
    *_rules("npm_dependency_conflict",
        "npm could not resolve the dependency tree (ERESOLVE): {dependent} needs {wanted}",
        _ERESOLVE,
        r"(?:Could not resolve dependency|Conflicting peer dependency):[ \t]*\n[^\n]*?" + _NPM
        + r"(?P<wanted>[^\n]+?) from (?P<dependent>\S+)[ \t]*$"),
    *_rules("npm_dependency_conflict", "npm could not resolve the dependency tree (ERESOLVE)",
        _ERESOLVE,
        _NPM + r"(?:code )?ERESOLVE\b"),
    # Python
    *_rules("pip_resolution_impossible",
        "pip cannot install {packages}: their dependencies conflict",
        _PIP_CONFLICT,
        r"Cannot install (?P<packages>[^\n]+?) because these package versions have conflicting"),
    *_rules("pip_resolution_impossible",
        "pip found no set of versions that satisfies all requirements (ResolutionImpossible)",
        _PIP_CONFLICT,
        r"ResolutionImpossible"),
    *_rules("python_module_missing",
        "Python module {module} is not installed (ModuleNotFoundError)",
        "add the package that provides {module} to requirements.txt or pyproject.toml "
        "(the package name may differ from the module name)",
        r"ModuleNotFoundError: No module named '(?P<module>[^']+)'"),
    # Go
    *_rules("go_version_too_new",
        "go.mod requires Go {required} but the build image has Go {running}",
        "lower the go directive in go.mod, or add a Go {required} image to the base-image "
        "catalog (`kiln bases bootstrap`)",
        r"go\.mod requires go >= ?(?P<required>[^\s()]+) \(running go (?P<running>[^\s;)]+)"),
    *_rules("go_sum_missing", "go.sum has no entry for the module providing {package}", _GO_SUM,
        r"missing go\.sum entry for module providing package (?P<package>[^\s;]+)"),
    *_rules("go_sum_missing", "go.sum is missing entries", _GO_SUM,
        r"missing go\.sum entry"),
    *_rules("go_module_missing", "no module in go.mod provides the package {package}",
        "check the import path, then run `go get {package}` (or `go mod tidy`) locally and "
        "commit go.mod and go.sum",
        r"(?:no required module provides|cannot find module providing) package "
        r"(?P<package>[^\s:;]+)"),
    *_rules("go_build_error", "Go compile error at {file}:{line}: {message}",
        "fix the code at {file}:{line} (`go build ./...` shows the same error locally)",
        r"(?:^|[ \t])(?P<file>[^\s:]+\.go):(?P<line>\d+):\d+: (?!module |cannot find module)"
        r"(?P<message>[^\n]+)"),
    *_rules("typescript_error", "TypeScript error {tscode} at {file}:{line}: {message}",
        "fix the type error at {file}:{line} (`npx tsc --noEmit` shows it locally)",
        r"(?:^|[ \t])(?P<file>[^\s:()]+\.[cm]?tsx?)\((?P<line>\d+),\d+\): error (?P<tscode>TS\d+): "
        r"(?P<message>[^\n]+)",
        r"(?:^|[ \t])(?P<file>[^\s:()]+\.[cm]?tsx?):(?P<line>\d+):\d+ - error (?P<tscode>TS\d+): "
        r"(?P<message>[^\n]+)"),
    # Rust
    *_rules("rust_compile_error", "Rust compile error {ecode} at {file}:{line}: {message}",
        "fix the code at {file}:{line} (`cargo build` shows it locally, "
        "`rustc --explain {ecode}` explains it)",
        r"(?:^|[ \t])error\[(?P<ecode>E\d{4})\]: (?P<message>[^\n]+)\n[ \t]*--> "
        r"(?P<file>[^\s:]+):(?P<line>\d+):\d+"),
    *_rules("rust_compile_error", "Rust compile error at {file}:{line}: {message}",
        "fix the code at {file}:{line} (`cargo build` shows it locally)",
        r"(?:^|[ \t])error: (?P<message>[^\n]+)\n[ \t]*--> (?P<file>[^\s:]+):(?P<line>\d+):\d+"),
    # git
    *_rules("git_ref_not_found", "the git ref {ref} does not exist in the repository",
        "check the branch, tag or commit SHA: it may be misspelled, deleted or not pushed yet",
        r"couldn't find remote ref (?P<ref>\S+)",
        r"Remote branch (?P<ref>\S+) not found in upstream",
        r"not our ref (?P<ref>[0-9a-fA-F]{7,64})",
        r"pathspec '(?P<ref>[^']+)' did not match any file\(s\) known to git"),
    *_rules("git_auth", "git could not authenticate to {url}", _PRIVATE,
        r"could not read (?:Username|Password) for '(?P<url>[^']+)'",
        r"Authentication failed for '(?P<url>[^']+)'",
        r"unable to access '(?P<url>[^']+)': The requested URL returned error: 40[13]"),
    *_rules("git_repo_not_found", "the git repository {url} was not found",
        "check the repository URL; " + _PRIVATE,
        r"repository '(?P<url>[^']+)' (?:not found|does not exist)",
        r"'(?P<url>[^']+)' does not appear to be a git repository"),
    *_rules("git_repo_not_found", "the git repository was not found",
        "check the repository URL; " + _PRIVATE,
        r"remote: Repository not found"),
    # COPY / ADD sources
    *_rules("copy_source_missing", "{step}: {file} is not in the build context", _CONTEXT,
        r'building at STEP "(?P<step>(?:COPY|ADD) [^\n]*?)": [^\n]*?stat: "/?(?P<file>[^"]+)": '
        r"no such file or directory"),
    *_rules("copy_source_missing", "COPY source {file} is not in the build context", _CONTEXT,
        r'failed to calculate checksum of ref [^\n]*?: "/?(?P<file>[^"]+)": not found',
        r"COPY failed: [^\n]*?stat (?:/var/lib/docker/tmp/docker-builder\d+/)?(?P<file>[^\s:]+): "
        r"(?:file does not exist|no such file or directory)"),
    *_rules("copy_source_missing", "{step}: a source is not in the build context",
        _CONTEXT.format(file="the source"),
        r'building at STEP "(?P<step>(?:COPY|ADD) [^\n]*?)": [^\n]*no such file or directory'),
    *_rules("copy_source_missing", "COPY failed: {detail}", _CONTEXT.format(file="the source"),
        r"COPY failed: (?P<detail>[^\n]+)"),
    # registries
    *_rules("registry_auth", "the registry refused access: {detail}",
        "check the registry credentials in the workspace's registry settings (username and "
        "token, allowed to pull and push this repository); the token may have expired",
        r"(?P<detail>(?i:\bunauthorized\b|authentication required|(?<!permission )denied: "
        r"|requested access to the resource is denied|failed to authorize|\b403 forbidden)"
        r"[^\n]*)"),
    *_rules("base_image_not_found", "the base image {image} was not found in the registry", _BASE,
        r"initializing source docker://(?P<image>\S+?): [^\n]*?(?:manifest unknown|name unknown"
        r"|not found)",
        r"failed to resolve source metadata for (?P<image>\S+?): [^\n]*not found",
        r"manifest for (?P<image>\S+) not found"),
    *_rules("base_image_not_found", "an image was not found in the registry (manifest unknown)",
        _BASE,
        r"manifest unknown"),
    # generic network failures
    *_rules("timeout", "a network operation timed out",
        "retry the build; if it keeps timing out, check that the builder can reach the "
        "registry or package index (proxy, firewall, DNS)",
        r"context deadline exceeded|i/o timeout|(?i:\btimed out\b)|ETIMEDOUT|ESOCKETTIMEDOUT"
        r"|Timeout was reached"),
    *_rules("network_unreachable", "a network connection failed: {detail}",
        "check that the builder can reach that host (DNS, proxy, firewall; KILN_BUILD_NETWORK "
        "sets the network of RUN steps), then retry",
        r"(?P<detail>Could not resolve host: [^\s;,']+|Temporary failure (?:in name resolution"
        r"|resolving '[^']+')"
        r"|no such host|(?i:connection refused)|Network is unreachable"
        r"|getaddrinfo (?:ENOTFOUND|EAI_AGAIN) \S+|Failed to connect to \S+ port \d+"
        r"|Failed to establish a new connection)"),
    # generic tool failures
    *_rules("pip_package_not_found",
        "pip found no version of {requirement} (versions available: {versions})", _PIP_MISSING,
        r"Could not find a version that satisfies the requirement (?P<requirement>\S+) "
        r"\(from versions: (?P<versions>[^)]*)\)"),
    *_rules("pip_package_not_found", "pip found no distribution of {requirement}", _PIP_MISSING,
        r"No matching distribution found for (?P<requirement>\S+)",
        r"Could not find a version that satisfies the requirement (?P<requirement>\S+)"),
    *_rules("command_not_found", "the command {command} was not found in the build image",
        "install {command} as part of the build: add the package that provides it to your "
        "dependencies (devDependencies are installed for the build), or run it with npx",
        r"(?:^|\s)(?:/bin/|/usr/bin/)?(?:ba|da)?sh: (?:\d+: )?(?:line \d+: )?"
        r"(?P<command>[^\s:]+): (?:command )?not found"),
    *_rules("npm_script_failed", "the npm script `{command}` failed",
        "its own error is printed above npm's lines; run the script locally to reproduce it",
        _NPM + r"command sh -c (?P<command>[^\n]+)",
        r"npm ERR! \S+@\S+ [\w:.-]+: `(?P<command>[^`\n]+)`"),
    *_rules("npm_error", "npm failed with error code {npmcode}",
        "the npm error lines after `code {npmcode}` explain the cause",
        _NPM + r"code (?P<npmcode>[A-Z][A-Z0-9_]{2,})\b"),
    # the last resort: a RUN step failed
    *_rules("run_step_failed", "RUN step failed with exit code {status}: {command}",
        "the command's own error is printed above this line; run it locally to reproduce it",
        r'building at STEP "RUN (?P<command>[^\n]*)": [^\n]*?exit status (?P<status>\d+)',
        r'process "(?:/bin/sh -c )?(?P<command>[^\n]*)" did not complete successfully: '
        r"exit code: (?P<status>\d+)",
        r"The command '(?:/bin/sh -c )?(?P<command>[^\n]*)' returned a non-zero code: "
        r"(?P<status>\d+)"),
)
# fmt: on
