"""The git binary, with fixed argv: what a checkout says about itself, and a safe runner.

The runner gives git a private environment (no system or user config, no prompts, only
allowed transports), keeps the token out of argv and masks it in every line it passes on.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kiln.engines.process import run_streaming
from kiln.errors import KilnError, NotFound, TransientError, UserError
from kiln.logs.reporter import LogFn
from kiln.source.spec import InvalidSource


def head_commit(directory: Path) -> str | None:
    """The commit checked out in `directory`, or None if it is not a git work tree."""
    if not (directory / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "--verify", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    sha = result.stdout.strip()
    return sha if result.returncode == 0 and len(sha) == 40 else None


# --- running git for a fetch: a private environment, masked output, classified failures ---

TOKEN_USERNAME = "x-access-token"  # noqa: S105 (the user name GitHub expects, not a secret)
MASK = "***"
_INHERITED = (
    "PATH", "TMPDIR", "SSH_AUTH_SOCK", "GIT_SSL_CAINFO", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "http_proxy", "https_proxy", "no_proxy", "all_proxy",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
)  # fmt: skip
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def check_token(token: str, url: str) -> None:
    """A token is sent only over https (or http to loopback) and must look like a token."""
    if any(not 33 <= ord(ch) < 127 for ch in token):
        raise InvalidSource("the token contains whitespace or non-printable characters")
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if not rest or scheme not in ("https", "http"):
        raise InvalidSource("a token can only be used with an https:// repository URL")
    host = (urlsplit(url).hostname or "").lower()
    if scheme == "http" and host not in _LOOPBACK:
        raise InvalidSource(f"refusing to send the token to {host} over plain http; use https")


def _basic_credentials(token: str) -> str:
    return base64.b64encode(f"{TOKEN_USERNAME}:{token}".encode()).decode("ascii")


def secret_forms(token: str | None) -> tuple[str, ...]:
    """Every spelling of the token that could show up in output, longest first."""
    if not token:
        return ()
    forms = {token, f"{TOKEN_USERNAME}:{token}", _basic_credentials(token)}
    return tuple(sorted(forms, key=len, reverse=True))


def mask(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def git_environment(home: Path, token: str | None) -> dict[str, str]:
    """A clean environment: no system/global config, no prompts, English messages.

    The token travels only here, as an `http.extraHeader` set through GIT_CONFIG_* variables:
    never in argv (visible in `ps`), the URL, or `.git/config`.
    """
    env = {name: os.environ[name] for name in _INHERITED if name in os.environ}
    env.setdefault("PATH", os.defpath)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        GIT_PROTOCOL_FROM_USER="0",
        GIT_SSH_COMMAND="ssh -o BatchMode=yes",
        LC_ALL="C",
        LANG="C",
    )
    if token:
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.extraHeader",
            GIT_CONFIG_VALUE_0=f"Authorization: Basic {_basic_credentials(token)}",
        )
    return env


def config_args(*, allow_local: bool) -> list[str]:
    """`-c` options for every git call: only https/http/ssh (and file when allowed) transports."""
    file_policy = "always" if allow_local else "never"
    settings = [
        "protocol.allow=never",
        "protocol.https.allow=always",
        "protocol.http.allow=always",
        "protocol.ssh.allow=always",
        f"protocol.file.allow={file_policy}",
        "protocol.ext.allow=never",
        "submodule.recurse=false",
        "fetch.recurseSubmodules=false",
        "core.hooksPath=" + os.devnull,
        "core.fsmonitor=false",
        "advice.detachedHead=false",
        "init.defaultBranch=kiln",
    ]
    return [arg for setting in settings for arg in ("-c", setting)]


class GitFailed(Exception):
    """A git command exited non-zero; `lines` is its (masked) output."""

    def __init__(self, command: str, lines: list[str]) -> None:
        super().__init__(command)
        self.command = command
        self.lines = lines

    def has(self, *needles: str) -> bool:
        text = "\n".join(self.lines).lower()
        return any(needle in text for needle in needles)

    def summary(self) -> str:
        useful = [line.strip() for line in self.lines if line.strip()]
        return " / ".join(useful[-2:]) or f"exit status of git {self.command}"


@dataclass(frozen=True)
class GitRunner:
    """git in one work tree with a fixed environment; output masked, then logged or captured."""

    work_tree: Path
    env: Mapping[str, str]
    config: Sequence[str]
    log: LogFn
    secrets: Sequence[str] = ()

    async def run(self, *args: str, capture: bool = False) -> list[str]:
        argv = ["git", "-C", str(self.work_tree), *self.config, *args]
        lines: list[str] = []

        def sink(line: str) -> None:
            masked = mask(line, self.secrets)
            lines.append(masked)
            if not capture:
                self.log(masked)

        result = await run_streaming(argv, sink, env=self.env)
        if result.returncode != 0:
            raise GitFailed(args[0], lines)
        return lines


REF_MISSING = ("couldn't find remote ref", "not our ref", "unadvertised object", "no such ref")
_AUTH = (
    "authentication failed", "could not read username", "could not read password",
    "terminal prompts disabled", "error: 401", "error: 403", "error: 404", "permission denied",
    "repository not found", "not found", "does not appear to be a git repository",
    "host key verification failed", "could not read from remote repository",
)  # fmt: skip
_NETWORK = (
    "could not resolve", "failed to connect", "connection refused", "timed out",
    "connection reset", "early eof", "rpc failed", "unexpected disconnect", "error: 5",
    "ssl", "tls", "gnutls", "broken pipe", "the remote end hung up",
)  # fmt: skip


def classify(failure: GitFailed, *, url: str, ref: str, has_token: bool) -> KilnError:
    """Turn git's output into the kiln error a person can act on."""
    if failure.has("transport '") and failure.has("not allowed"):
        return InvalidSource(f"git refused the transport of {url}")
    if failure.has(*REF_MISSING):
        return NotFound(f"ref {ref!r} not found in {url}")
    if failure.has(*_AUTH):
        if has_token:
            return UserError(
                f"could not read {url} with the given token: the repository does not exist "
                "or the token has no read access to it"
            )
        return UserError(
            f"could not read {url}: the repository does not exist or is private "
            "(pass a token for private repositories)"
        )
    if failure.has(*_NETWORK):
        return TransientError(f"network error while fetching {url}: {failure.summary()}")
    return TransientError(f"git {failure.command} failed for {url}: {failure.summary()}")
