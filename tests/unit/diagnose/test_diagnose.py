"""diagnose() on log excerpts shaped as the tools print them: one case per row of the table."""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass

import pytest

from kiln.diagnose import RULES, Diagnosis, Rule, clean_line, diagnose, mask_credentials
from kiln.diagnose.summarize import SUMMARY_LIMIT


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    summary: str
    hint: str
    """A piece of the suggestion (usually a filled placeholder)."""
    log: str

    @property
    def lines(self) -> list[str]:
        return self.log.strip("\n").splitlines()


BUILDAH_RUN = 'Error: building at STEP "RUN {}": while running runtime: exit status 1'
NPM_CI = BUILDAH_RUN.format("npm ci")

# fmt: off
CASES = [
Case("kiln-start", "no_start_command",
     "kiln found no start command: the image would not know what to run", "KILN_START_CMD", """
provider node: package.json
node 20: from .nvmrc
error: no start command: the image would not know what to run (add a start script / Procfile, or set KILN_START_CMD)
"""),  # noqa: E501
Case("kiln-detect", "undetectable", "kiln could not detect the project type", "--provider", """
==> analyzing acme/site@main
error: could not detect the project type: add a Dockerfile or one of package.json, requirements.txt, go.mod (or pick a provider with --provider)
"""),  # noqa: E501
Case("disk", "out_of_disk", "the build machine ran out of disk space (no space left on device)",
     "buildah rmi --prune", f"""
STEP 4/7: RUN npm ci
npm ERR! code ENOSPC
npm ERR! syscall write
npm ERR! errno -28
npm ERR! nospc ENOSPC: no space left on device, write
npm ERR! nospc There appears to be insufficient space on your system to finish.
{NPM_CI}
"""),
Case("node-heap", "node_heap_oom", "Node.js ran out of heap memory (JavaScript heap out of memory)",
     "max-old-space-size", """
#14 [build 5/6] RUN npm run build
#14 0.512 > web@0.1.0 build
#14 0.512 > next build
#14 38.21 <--- Last few GCs --->
#14 38.21 FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
#14 38.30  1: 0xb7b3e0 node::Abort() [node]
#14 ERROR: process "/bin/sh -c npm run build" did not complete successfully: exit code: 134
"""),
Case("oom-killed", "out_of_memory",
     "the build ran out of memory: a process was killed (exit code 137)", "more memory", """
#9 [build 4/4] RUN pip install -r requirements.txt
#9 112.3   Building wheel for numpy (pyproject.toml): started
#9 187.9 Killed
#9 ERROR: process "/bin/sh -c pip install -r requirements.txt" did not complete successfully: exit code: 137
"""),  # noqa: E501
Case("oom-go", "out_of_memory", "the build ran out of memory: a process was killed (exit code 137)",
     "GOMAXPROCS", f"""
STEP 3/5: RUN go build -o /out/api ./cmd/api
go build example.com/api/internal/gen: /usr/local/go/pkg/tool/linux_amd64/compile: signal: killed
{BUILDAH_RUN.format("go build -o /out/api ./cmd/api")}
"""),
Case("tls-pip", "tls_untrusted",
     "TLS certificate verification failed: the build does not trust a server's certificate",
     "KILN_EXTRA_CA_CERTS", """
STEP 4/6: RUN pip install -r requirements.txt
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))': /simple/flask/
ERROR: Could not find a version that satisfies the requirement flask==3.0.3 (from versions: none)
ERROR: No matching distribution found for flask==3.0.3
"""),  # noqa: E501
Case("tls-go", "tls_untrusted",
     "TLS certificate verification failed: the build does not trust a server's certificate",
     "KILN_EXTRA_CA_CERTS", """
STEP 3/6: RUN go mod download
go: github.com/gin-gonic/gin@v1.10.0: Get "https://proxy.golang.org/github.com/gin-gonic/gin/@v/v1.10.0.mod": tls: failed to verify certificate: x509: certificate signed by unknown authority
"""),  # noqa: E501
Case("npm-no-lock", "lockfile_missing", "package-lock.json is missing: `npm ci` needs a lock file",
     "commit package-lock.json", f"""
STEP 4/7: RUN npm ci
npm ERR! code EUSAGE
npm ERR!
npm ERR! The `npm ci` command can only install with an existing package-lock.json or
npm ERR! npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or
npm ERR! later to generate a package-lock.json file, then try again.
npm ERR!
npm ERR! Clean install a project
{NPM_CI}
"""),
Case("npm-sync-detail", "lockfile_out_of_sync",
     "package-lock.json is out of sync with package.json (Invalid: lock file's typescript@5.3.3 "
     "does not satisfy typescript@5.4.5)", "npm install", """
#10 [build 4/8] RUN npm ci
#10 1.372 npm ERR! code EUSAGE
#10 1.378 npm ERR! `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.
#10 1.378 npm ERR!
#10 1.378 npm ERR! Invalid: lock file's typescript@5.3.3 does not satisfy typescript@5.4.5
#10 1.378 npm ERR!
"""),  # noqa: E501
Case("npm-sync", "lockfile_out_of_sync", "package-lock.json is out of sync with package.json",
     "package-lock.json", """
npm ERR! cipm can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.
npm ERR!
npm ERR! A complete log of this run can be found in:
"""),  # noqa: E501
Case("pnpm-no-lock", "lockfile_missing",
     "pnpm-lock.yaml is missing: a frozen-lockfile install needs it", "packageManager", """
STEP 5/8: RUN pnpm install --frozen-lockfile
 ERR_PNPM_NO_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is absent

Note that in CI environments this setting is true by default. If you still need to run install in such cases, use "pnpm install --no-frozen-lockfile"
"""),  # noqa: E501
Case("pnpm-outdated", "lockfile_out_of_sync", "pnpm-lock.yaml is not up to date with package.json",
     "pnpm install", """
STEP 5/8: RUN pnpm install --frozen-lockfile
 ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date with <ROOT>/package.json
"""),  # noqa: E501
Case("yarn-berry-created", "lockfile_missing",
     "yarn.lock is missing: an immutable install needs it", "yarn install", """
➤ YN0000: ┌ Resolution step
➤ YN0028: │ The lockfile would have been created by this install, which is explicitly forbidden.
➤ YN0000: └ Completed in 0s 234ms
➤ YN0000: Failed with errors in 0s 238ms
"""),
Case("yarn-frozen", "lockfile_out_of_sync", "yarn.lock is not up to date with package.json",
     "yarn.lock", """
yarn install v1.22.19
[1/4] Resolving packages...
error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.
info Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.
"""),
Case("bun-frozen", "lockfile_out_of_sync", "bun's lock file is not up to date with package.json",
     "bun install", """
bun install v1.1.8 (89d25807)
error: lockfile had changes, but lockfile is frozen
note: try re-running without --frozen-lockfile and commit the updated lockfile
"""),
Case("lock-generic", "lockfile_missing", "the lock file was not found", "commit it", """
==> installing dependencies
Error: Lockfile not found in /app
"""),
Case("npm-401", "npm_auth", "the npm registry refused access (authentication failed)", ".npmrc", """
npm ERR! code E401
npm ERR! 401 Unauthorized - GET https://npm.pkg.github.com/@acme%2fui - authentication token not provided
"""),  # noqa: E501
Case("npm-404", "npm_package_not_found",
     "npm package expresss@^4.19.2 was not found in the registry", "expresss@^4.19.2 in", f"""
STEP 4/7: RUN npm ci
npm ERR! code E404
npm ERR! 404 Not Found - GET https://registry.npmjs.org/expresss - Not found
npm ERR! 404
npm ERR! 404  'expresss@^4.19.2' is not in this registry.
npm ERR! 404
npm ERR! 404 Note that you can also install from a
npm ERR! 404 tarball, folder, http url, or git url.
{NPM_CI}
"""),
Case("npm-404-url", "npm_package_not_found", "npm package lodahs was not found in the registry",
     "lodahs", """
npm error code E404
npm error 404 Not Found - GET https://registry.npmjs.org/lodahs - Not found
"""),
Case("npm-eresolve", "npm_dependency_conflict",
     'npm could not resolve the dependency tree (ERESOLVE): react-beautiful-dnd@13.1.1 needs '
     'peer react@"^16.8.0 || ^17.0.0"', "legacy-peer-deps", """
npm ERR! code ERESOLVE
npm ERR! ERESOLVE unable to resolve dependency tree
npm ERR!
npm ERR! While resolving: web@0.1.0
npm ERR! Found: react@18.2.0
npm ERR! Could not resolve dependency:
npm ERR! peer react@"^16.8.0 || ^17.0.0" from react-beautiful-dnd@13.1.1
npm ERR! node_modules/react-beautiful-dnd
"""),
Case("npm-eresolve-short", "npm_dependency_conflict",
     "npm could not resolve the dependency tree (ERESOLVE)", "legacy-peer-deps", """
#11 2.013 npm ERR! code ERESOLVE
#11 2.015 npm ERR! ERESOLVE could not resolve
"""),
Case("pip-conflict", "pip_resolution_impossible",
     "pip cannot install -r requirements.txt (line 3) and urllib3==2.2.1: their dependencies "
     "conflict", "version pins", """
ERROR: Cannot install -r requirements.txt (line 3) and urllib3==2.2.1 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested urllib3==2.2.1
    botocore 1.29.165 depends on urllib3<1.27 and >=1.25.4
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
"""),  # noqa: E501
Case("pip-impossible", "pip_resolution_impossible",
     "pip found no set of versions that satisfies all requirements (ResolutionImpossible)",
     "version pins", """
    botocore 1.29.165 depends on urllib3<1.27 and >=1.25.4
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
"""),
Case("py-module", "python_module_missing",
     "Python module django is not installed (ModuleNotFoundError)", "provides django", """
STEP 6/6: RUN python manage.py collectstatic --noinput
Traceback (most recent call last):
  File "/app/manage.py", line 11, in main
    from django.core.management import execute_from_command_line
ModuleNotFoundError: No module named 'django'
"""),
Case("go-version", "go_version_too_new",
     "go.mod requires Go 1.23.0 but the build image has Go 1.22.5", "a Go 1.23.0 image", f"""
STEP 4/7: RUN go mod download
go: go.mod requires go >= 1.23.0 (running go 1.22.5; GOTOOLCHAIN=local)
{BUILDAH_RUN.format("go mod download")}
"""),
Case("go-sum", "go_sum_missing",
     "go.sum has no entry for the module providing github.com/pkg/errors", "go mod tidy", """
# example.com/api
main.go:3:8: missing go.sum entry for module providing package github.com/pkg/errors (imported by example.com/api); to add:
	go get example.com/api
"""),  # noqa: E501
Case("go-sum-modfile", "go_sum_missing", "go.sum is missing entries", "go mod tidy", """
go: github.com/gin-gonic/gin@v1.10.0: missing go.sum entry for go.mod file; to add it:
	go mod download github.com/gin-gonic/gin
"""),
Case("go-module", "go_module_missing",
     "no module in go.mod provides the package github.com/gorilla/mux", "go get github.com/gorilla/mux", """
main.go:8:2: no required module provides package github.com/gorilla/mux; to add it:
	go get github.com/gorilla/mux
"""),  # noqa: E501
Case("go-build", "go_build_error",
     "Go compile error at internal/handlers/users.go:57: declared and not used: err",
     "internal/handlers/users.go:57", f"""
STEP 5/7: RUN go build -o /out/app ./...
# example.com/api/internal/handlers
internal/handlers/users.go:42:9: undefined: UserStore
internal/handlers/users.go:57:2: declared and not used: err
{BUILDAH_RUN.format("go build -o /out/app ./...")}
"""),
Case("tsc", "typescript_error",
     "TypeScript error TS2322 at src/server.ts:14: Type 'string' is not assignable to type "
     "'number'.",
     "src/server.ts:14", """
> web@1.0.0 build
> tsc -p tsconfig.json

src/server.ts(14,7): error TS2322: Type 'string' is not assignable to type 'number'.
npm ERR! Lifecycle script `build` failed with error:
npm ERR! Error: command failed
"""),
Case("tsc-pretty", "typescript_error",
     "TypeScript error TS2304 at src/index.ts:3: Cannot find name 'foo'.", "src/index.ts:3", """
\x1b[96msrc/index.ts\x1b[0m:\x1b[93m3\x1b[0m:\x1b[93m5\x1b[0m - \x1b[91merror\x1b[0m\x1b[90m TS2304: \x1b[0mCannot find name 'foo'.

\x1b[7m3\x1b[0m     foo();
Found 1 error in src/index.ts\x1b[90m:3\x1b[0m
"""),  # noqa: E501
Case("rust-code", "rust_compile_error",
     "Rust compile error E0425 at src/main.rs:2: cannot find value `missing_value` in this scope",
     "rustc --explain E0425", """
   Compiling api v0.1.0 (/app)
error[E0425]: cannot find value `missing_value` in this scope
 --> src/main.rs:2:20
  |
2 |     println!("{}", missing_value);
  |                    ^^^^^^^^^^^^^ not found in this scope
error: could not compile `api` (bin "api") due to 1 previous error
"""),
Case("rust-nocode", "rust_compile_error",
     "Rust compile error at src/main.rs:2: cannot find macro `printn` in this scope", "src/main.rs:2", """
error: cannot find macro `printn` in this scope
 --> src/main.rs:2:5
  |
2 |     printn!("hello");
"""),  # noqa: E501
Case("git-ref", "git_ref_not_found",
     "the git ref refs/heads/feature/login does not exist in the repository", "not pushed", """
==> cloning https://github.com/acme/api.git @ feature/login
fatal: couldn't find remote ref refs/heads/feature/login
"""),
Case("git-branch", "git_ref_not_found", "the git ref v2.0.1 does not exist in the repository",
     "tag", """
Cloning into '/tmp/kiln-src'...
warning: Could not find remote branch v2.0.1 to clone.
fatal: Remote branch v2.0.1 not found in upstream origin
"""),
Case("git-sha", "git_ref_not_found",
     "the git ref 3f2a9c1d4e5b6a7f8091a2b3c4d5e6f708192a3b does not exist in the repository",
     "commit SHA", """
fatal: git upload-pack: not our ref 3f2a9c1d4e5b6a7f8091a2b3c4d5e6f708192a3b
fatal: remote error: upload-pack: not our ref 3f2a9c1d4e5b6a7f8091a2b3c4d5e6f708192a3b
"""),
Case("git-pathspec", "git_ref_not_found", "the git ref release-9 does not exist in the repository",
     "branch", """
HEAD is now at 1a2b3c4 initial commit
error: pathspec 'release-9' did not match any file(s) known to git
"""),
Case("git-username", "git_auth", "git could not authenticate to https://github.com",
     "GitHub App", """
Cloning into '/tmp/kiln-src'...
fatal: could not read Username for 'https://github.com': terminal prompts disabled
"""),
Case("git-auth-failed", "git_auth",
     "git could not authenticate to https://github.com/acme/private-api.git/", "access token", """
remote: Invalid username or password.
fatal: Authentication failed for 'https://github.com/acme/private-api.git/'
"""),
Case("git-403", "git_auth", "git could not authenticate to https://gitlab.example.com/acme/api.git/",
     "read access", """
Cloning into '/tmp/kiln-src'...
fatal: unable to access 'https://gitlab.example.com/acme/api.git/': The requested URL returned error: 403
"""),  # noqa: E501
Case("git-repo", "git_repo_not_found",
     "the git repository https://github.com/acme/privat-api.git/ was not found",
     "repository URL", """
remote: Repository not found.
fatal: repository 'https://github.com/acme/privat-api.git/' not found
"""),
Case("git-not-a-repo", "git_repo_not_found",
     "the git repository /srv/git/nothere was not found", "GitHub App", """
fatal: '/srv/git/nothere' does not appear to be a git repository
fatal: Could not read from remote repository.
"""),
Case("git-repo-bare", "git_repo_not_found", "the git repository was not found",
     "repository URL", """
Cloning into '/tmp/kiln-src'...
remote: Repository not found.
"""),
Case("copy-buildah", "copy_source_missing",
     "COPY missing.txt /app/: missing.txt is not in the build context", "missing.txt is committed", """
STEP 1/2: FROM scratch
STEP 2/2: COPY missing.txt /app/
Error: building at STEP "COPY missing.txt /app/": checking on sources under "/tmp/ctx": copier: stat: "/missing.txt": no such file or directory
"""),  # noqa: E501
Case("copy-buildkit", "copy_source_missing",
     "COPY source package-lock.json is not in the build context", ".dockerignore", """
#7 [build 3/6] COPY package.json package-lock.json ./
#7 ERROR: failed to calculate checksum of ref 6c1f1e9a-4b8e-4c58-9a7b-3d1c2f8e9a01::k3v5yq2n8w1x: "/package-lock.json": not found
------
 > [build 3/6] COPY package.json package-lock.json ./:
------
"""),  # noqa: E501
Case("copy-docker", "copy_source_missing", "COPY source app.py is not in the build context",
     "app.py is committed", """
Step 4/6 : COPY app.py .
COPY failed: stat /var/lib/docker/tmp/docker-builder123456789/app.py: no such file or directory
"""),
Case("add-buildah-old", "copy_source_missing",
     "ADD vendor.tar.gz /opt/: a source is not in the build context", "the source is committed", """
STEP 3/5: ADD vendor.tar.gz /opt/
error building at STEP "ADD vendor.tar.gz /opt/": error adding sources [/tmp/ctx/vendor.tar.gz]: lstat /tmp/ctx/vendor.tar.gz: no such file or directory
"""),  # noqa: E501
Case("copy-generic", "copy_source_missing",
     "COPY failed: forbidden path outside the build context: ../shared/config.yml ()",
     "build context", """
Step 5/9 : COPY ../shared/config.yml /etc/app/
COPY failed: forbidden path outside the build context: ../shared/config.yml ()
"""),
Case("push-401", "registry_auth",
     "the registry refused access: unauthorized: authentication required", "registry settings", """
Getting image source signatures
Error: pushing image "cd1adbc5825e" to "docker://ghcr.io/acme/api:1.2.0": trying to reuse blob sha256:d6b12650c212 at destination: checking whether a blob sha256:d6b12650c212 exists in ghcr.io/acme/api: unauthorized: authentication required
"""),  # noqa: E501
Case("push-403", "registry_auth",
     "the registry refused access: 403 Forbidden", "token", """
#15 exporting to image
#15 pushing layers 0.9s done
ERROR: failed to solve: failed to push ghcr.io/acme/api:1.2.0: unexpected status from POST request to https://ghcr.io/v2/acme/api/blobs/uploads/: 403 Forbidden
"""),  # noqa: E501
Case("docker-denied", "registry_auth",
     "the registry refused access: denied: requested access to the resource is denied",
     "registry settings", """
The push refers to repository [docker.io/acme/api]
5f70bf18a086: Preparing
denied: requested access to the resource is denied
"""),
Case("image-missing", "base_image_not_found",
     "the base image registry.internal:5000/kiln/node:99 was not found in the registry",
     "kiln bases bootstrap", """
STEP 1/2: FROM registry.internal:5000/kiln/node:99
Trying to pull registry.internal:5000/kiln/node:99...
Error: creating build container: initializing source docker://registry.internal:5000/kiln/node:99: reading manifest 99 in registry.internal:5000/kiln/node: manifest unknown: manifest unknown
"""),  # noqa: E501
Case("image-missing-buildkit", "base_image_not_found",
     "the base image docker.io/library/node:99-bookworm-slim was not found in the registry", "FROM", """
#2 [internal] load metadata for docker.io/library/node:99-bookworm-slim
#2 ERROR: docker.io/library/node:99-bookworm-slim: not found
ERROR: failed to solve: node:99-bookworm-slim: failed to resolve source metadata for docker.io/library/node:99-bookworm-slim: docker.io/library/node:99-bookworm-slim: not found
"""),  # noqa: E501
Case("image-missing-docker", "base_image_not_found",
     "the base image node:99 was not found in the registry", "FROM", """
Step 1/8 : FROM node:99
Error response from daemon: manifest for node:99 not found: manifest unknown: manifest unknown
"""),
Case("manifest-unknown", "base_image_not_found",
     "an image was not found in the registry (manifest unknown)", "FROM", """
Getting image source signatures
Error: reading manifest latest in registry.internal/base/python: manifest unknown
"""),
Case("timeout", "timeout", "a network operation timed out", "retry", """
STEP 1/6: FROM registry.internal/kiln/python:3.12
Error: creating build container: initializing source docker://registry.internal/kiln/python:3.12: pinging container registry registry.internal: Get "https://registry.internal/v2/": context deadline exceeded
"""),  # noqa: E501
Case("network", "network_unreachable",
     "a network connection failed: getaddrinfo ENOTFOUND registry.npmjs.org", "DNS", f"""
npm ERR! code ENOTFOUND
npm ERR! syscall getaddrinfo
npm ERR! network request to https://registry.npmjs.org/express failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org
{NPM_CI}
"""),  # noqa: E501
Case("pip-none", "pip_package_not_found",
     "pip found no version of flask==9.9 (versions available: none)", "flask==9.9", """
STEP 4/6: RUN pip install -r requirements.txt
ERROR: Could not find a version that satisfies the requirement flask==9.9 (from versions: none)
ERROR: No matching distribution found for flask==9.9
"""),
Case("pip-no-dist", "pip_package_not_found", "pip found no distribution of tensorflow==2.3.0",
     "PIP_INDEX_URL", """
Collecting tensorflow==2.3.0
ERROR: No matching distribution found for tensorflow==2.3.0
"""),
Case("pip-no-version", "pip_package_not_found", "pip found no distribution of internal-sdk>=2",
     "internal-sdk>=2", """
Looking in indexes: https://pypi.org/simple
ERROR: Could not find a version that satisfies the requirement internal-sdk>=2
"""),
Case("sh-not-found", "command_not_found", "the command next was not found in the build image",
     "install next", """
> web@0.1.0 build
> next build

sh: 1: next: not found
"""),
Case("npm-script", "npm_script_failed", "the npm script `node scripts/build.js` failed",
     "run the script locally", """
Error: Cannot find module './config.local.json'
npm ERR! code 1
npm ERR! path /app
npm ERR! command failed
npm ERR! command sh -c node scripts/build.js
"""),
Case("npm6-script", "npm_script_failed", "the npm script `webpack --mode production` failed",
     "locally", """
npm ERR! code ELIFECYCLE
npm ERR! errno 2
npm ERR! api@1.0.0 build: `webpack --mode production`
npm ERR! Exit status 2
"""),
Case("npm-code", "npm_error", "npm failed with error code E500", "code E500", """
npm ERR! code E500
npm ERR! 500 Internal Server Error - GET https://registry.npmjs.org/react
"""),
Case("run-buildah", "run_step_failed", "RUN step failed with exit code 3: ./scripts/check.sh",
     "locally", """
STEP 5/6: RUN ./scripts/check.sh
checking formatting... 2 files need changes
Error: building at STEP "RUN ./scripts/check.sh": while running runtime: exit status 3
"""),
Case("run-buildkit", "run_step_failed", "RUN step failed with exit code 2: make release",
     "locally", """
#12 [build 6/6] RUN make release
#12 4.201 make: *** [Makefile:12: release] Error 2
#12 ERROR: process "/bin/sh -c make release" did not complete successfully: exit code: 2
"""),
Case("run-docker", "run_step_failed",
     "RUN step failed with exit code 1: bundle exec rake assets:precompile", "locally", """
Step 7/9 : RUN bundle exec rake assets:precompile
The command '/bin/sh -c bundle exec rake assets:precompile' returned a non-zero code: 1
"""),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_case_gets_its_rule(case: Case) -> None:
    diagnosis = diagnose(case.lines)
    assert (diagnosis.code, diagnosis.summary) == (case.code, case.summary)
    assert case.hint in diagnosis.suggestion
    assert diagnosis.line is not None and diagnosis.line in [clean_line(x) for x in case.lines]
    assert "\n" not in diagnosis.summary and len(diagnosis.summary) <= SUMMARY_LIMIT


def _winner(case: Case) -> Rule:
    text = "\n".join(clean_line(line) for line in case.lines)
    return next(rule for rule in RULES if rule.pattern.search(text))


def test_every_rule_wins_some_case() -> None:
    won = {id(_winner(case)) for case in CASES}
    assert [rule.pattern.pattern for rule in RULES if id(rule) not in won] == []


def test_a_placeholder_without_its_group_is_refused() -> None:
    with pytest.raises(ValueError, match="no group 'file'"):
        Rule("x", re.compile(r"COPY (?P<src>\S+)"), "{file} is missing", "commit it")


def test_the_specific_npm_error_beats_the_failing_run_step() -> None:
    log = [
        "STEP 4/7: RUN npm ci",
        "npm error code E404",
        "npm error 404  'left-padx@^1.0.0' is not in this registry.",
        'Error: building at STEP "RUN npm ci": while running runtime: exit status 1',
    ]
    assert diagnose(log).code == "npm_package_not_found"
    assert diagnose([log[0], log[3]]).code == "run_step_failed"


def test_only_the_last_max_lines_are_scanned() -> None:
    log = ["ModuleNotFoundError: No module named 'yaml'", *["building..."] * 5, "exit status 1"]
    assert diagnose(log).code == "python_module_missing"
    assert diagnose(log, max_lines=6) == Diagnosis(
        "unknown", "exit status 1", "see the build log", None
    )
    with pytest.raises(ValueError):
        diagnose(log, max_lines=0)


def test_ansi_codes_and_stage_prefixes_are_stripped() -> None:
    line = '\x1b[1m\x1b[31mError:\x1b[0m building at STEP "RUN make": exit status 2\x1b[K'
    assert clean_line(line) == 'Error: building at STEP "RUN make": exit status 2'
    assert clean_line("[2/3] STEP 1/4: FROM golang") == "STEP 1/4: FROM golang"
    assert clean_line("#12 0.345 npm ERR! code E404") == "npm ERR! code E404"
    diagnosis = diagnose(["[1/2] STEP 2/2: RUN make", line])
    assert diagnosis.summary == "RUN step failed with exit code 2: make"
    assert diagnosis.line is not None and "\x1b" not in diagnosis.line


def test_credentials_in_urls_are_masked() -> None:
    token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
    log = [
        "Cloning into '/tmp/kiln-src'...",
        f"fatal: unable to access 'https://x-access-token:{token}@github.com/acme/api.git/': "
        "The requested URL returned error: 403",
    ]
    diagnosis = diagnose(log)
    assert diagnosis.code == "git_auth"
    assert diagnosis.summary == (
        "git could not authenticate to https://x-access-token:***@github.com/acme/api.git/"
    )
    assert token not in f"{diagnosis.summary} {diagnosis.suggestion} {diagnosis.line}"
    unknown = diagnose(["pushing to https://bob:p@ss:w0rd@registry.example.com/v2/ stalled"])
    assert unknown.summary == "pushing to https://bob:***@registry.example.com/v2/ stalled"
    assert mask_credentials("git@github.com:acme/api.git https://github.com/x") == (
        "git@github.com:acme/api.git https://github.com/x"
    )


def test_empty_output() -> None:
    expected = Diagnosis("unknown", "the build failed without output", "see the build log", None)
    assert diagnose([]) == expected
    assert diagnose(["", "   ", "\x1b[0m"]) == expected


def test_unknown_output_is_summarised_by_its_last_line() -> None:
    diagnosis = diagnose(["STEP 1/1: FROM scratch", "something odd happened", "", "  "])
    assert diagnosis == Diagnosis("unknown", "something odd happened", "see the build log", None)
    long = diagnose(["word " * 100])
    assert len(long.summary) == SUMMARY_LIMIT and long.summary.endswith("…")


def test_lines_holding_several_lines_are_split() -> None:
    chunk = "Traceback (most recent call last):\nModuleNotFoundError: No module named 'yaml'\n"
    diagnosis = diagnose([chunk])
    assert diagnosis.code == "python_module_missing"
    assert diagnosis.line == "ModuleNotFoundError: No module named 'yaml'"


def test_long_unbroken_lines_stay_fast() -> None:
    """No rule may backtrack quadratically over a long token (minified JS, base64 blobs)."""
    started = time.perf_counter()
    diagnosis = diagnose(["a" * 10_000] * 200)
    assert time.perf_counter() - started < 2
    assert diagnosis.code == "unknown" and len(diagnosis.summary) == SUMMARY_LIMIT


def test_any_sequence_of_lines_will_do() -> None:
    lines = ["STEP 2/2: RUN make", 'Error: building at STEP "RUN make": exit status 2']
    assert diagnose(deque(lines)) == diagnose(tuple(lines)) == diagnose(lines)
