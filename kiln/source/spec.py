"""What to fetch: a repository URL, a ref and a sub-directory, validated before git ever runs.

Everything here is pure. Each rule exists because the value ends up in a git argv or a path:
option injection (`--upload-pack=…`), remote helpers that run commands (`ext::`), local files
(`file://`, `/etc`), credentials pasted into URLs, ref syntax git would reinterpret (`@{1}`,
`..`), and sub-directories that climb out of the checkout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from kiln.errors import UserError

MAX_URL_LENGTH = 2048
MAX_REF_LENGTH = 255
MAX_SUBDIRECTORY_LENGTH = 4096

NETWORK_SCHEMES = ("https", "http", "ssh")
_SHA_RE = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_HELPER_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*::")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_SCP_RE = re.compile(r"(?:(?P<user>[A-Za-z0-9._~-]+)@)?(?P<host>[^/:@]+|\[[^]/@]+\]):(?P<path>.*)")
_REF_FORBIDDEN = frozenset(" ~^:?*[\\")


class InvalidSource(UserError):
    """A repository URL, ref or sub-directory that kiln refuses to hand to git."""

    code = "invalid_source"


@dataclass(frozen=True)
class SourceSpec:
    repo_url: str
    ref: str | None
    """A branch, tag (`refs/heads/x`, `refs/tags/x` also accepted) or full commit SHA; None is
    the remote's default branch."""
    subdirectory: str | None
    """Relative path of the project inside a monorepo; None is the repository root."""


def source_spec(
    repo_url: str,
    ref: str | None = None,
    subdirectory: str | None = None,
    *,
    allow_local: bool = False,
) -> SourceSpec:
    """A validated, normalised SourceSpec (empty ref / sub-directory mean "none")."""
    url = validate_repo_url(repo_url, allow_local=allow_local)
    checked_ref = validate_ref(ref) if ref else None
    subdir = validate_subdirectory(subdirectory) if subdirectory else None
    return SourceSpec(url, checked_ref, subdir or None)


def _shown(value: str) -> str:
    """A hostile value quoted for a one-line message: escaped, and cut when long."""
    text = value if len(value) <= 80 else value[:77] + "..."
    return repr(text)


def _has_control_or_space(value: str) -> bool:
    return any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value)


def validate_repo_url(url: str, *, allow_local: bool) -> str:
    """Return `url` if git may fetch it; raise InvalidSource with the reason otherwise.

    Accepted: https://, http://, ssh:// and scp-like `git@host:org/repo.git`; file:// and
    absolute local paths only with `allow_local` (tests, `kiln build .`).
    """
    bad = _shown(url)
    if not url:
        raise InvalidSource("repository URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidSource(f"repository URL is longer than {MAX_URL_LENGTH} characters")
    if _has_control_or_space(url):
        raise InvalidSource(f"repository URL {bad} contains whitespace or control characters")
    if url.startswith("-"):
        raise InvalidSource(f"repository URL {bad} must not start with '-'")
    scheme_match = _SCHEME_RE.match(url)
    if scheme_match is None and _HELPER_RE.match(url):
        helper = url.split("::", 1)[0]
        raise InvalidSource(f"repository URL {bad} uses the git remote helper '{helper}::'")
    if scheme_match is not None:
        scheme = scheme_match.group(1).lower()
        if scheme == "file":
            return _local(url, url[len("file://") :], allow_local)
        if scheme not in NETWORK_SCHEMES:
            raise InvalidSource(
                f"repository URL {bad} uses unsupported scheme '{scheme}' (use https, http or ssh)"
            )
        return _network_url(url, bad)
    if url.startswith(("/", "./", "../", "~")) or url in (".", ".."):
        return _local(url, url, allow_local)
    userinfo = url.split("@", 1)[0] if "@" in url else ""
    if ":" in userinfo and "/" not in userinfo:
        raise InvalidSource(
            f"repository URL {_shown(_without_userinfo(url))} embeds credentials; "
            "remove them and pass the token separately"
        )
    scp = _SCP_RE.fullmatch(url)
    if scp is None or "/" in url.split(":", 1)[0]:
        return _local(url, url, allow_local)
    return _scp_url(url, bad, scp)


def _local(url: str, path: str, allow_local: bool) -> str:
    bad = _shown(url)
    if not allow_local:
        raise InvalidSource(
            f"repository URL {bad} is a local path; use an https://, http:// or ssh URL"
        )
    if not path.startswith("/"):
        raise InvalidSource(f"local repository path {bad} must be absolute")
    return url


def _network_url(url: str, bad: str) -> str:
    parts = urlsplit(url)
    if parts.password is not None or (parts.username is not None and parts.scheme != "ssh"):
        raise InvalidSource(
            f"repository URL {_shown(_without_userinfo(url))} embeds credentials; "
            "remove them and pass the token separately"
        )
    try:
        _ = parts.port
    except ValueError as exc:
        raise InvalidSource(f"repository URL {bad} has an invalid port") from exc
    if not _HOST_RE.fullmatch(_netloc_host(parts.netloc)):
        raise InvalidSource(f"repository URL {bad} has no valid host name")
    if parts.username is not None and parts.username.startswith("-"):
        raise InvalidSource(f"repository URL {bad} has a user name starting with '-'")
    if parts.fragment or url.endswith("#"):
        raise InvalidSource(f"repository URL {bad} must not contain a '#' fragment")
    if parts.path.strip("/") == "":
        raise InvalidSource(f"repository URL {bad} names a host but no repository path")
    return url


def _netloc_host(netloc: str) -> str:
    """The host part of `user@host:port` ('[v6]' kept in brackets)."""
    host = netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.split(":", 1)[0]


def _scp_url(url: str, bad: str, match: re.Match[str]) -> str:
    user, host, path = match.group("user"), match.group("host"), match.group("path")
    if user is not None and user.startswith("-"):
        raise InvalidSource(f"repository URL {bad} has a user name starting with '-'")
    if not _HOST_RE.fullmatch(host):
        raise InvalidSource(f"repository URL {bad} has no valid host name")
    if not path or path.startswith("-") or path.strip("/") == "":
        raise InvalidSource(f"repository URL {bad} has no valid repository path")
    return url


def _without_userinfo(url: str) -> str:
    """The URL with anything before the host's '@' hidden, so a pasted token is not echoed."""
    head, sep, rest = url.partition("://")
    if not sep:
        return "***@" + url.rsplit("@", 1)[-1] if "@" in url else url
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[-1]
    return f"{head}://{authority}{slash}{path}"


def is_commit_sha(ref: str) -> bool:
    """A full SHA-1 (40) or SHA-256 (64) hex object name."""
    return _SHA_RE.fullmatch(ref) is not None


def validate_ref(ref: str) -> str:
    """Return the ref (a SHA lower-cased) if it is a full commit SHA or a legal branch/tag name.

    Names follow `git check-ref-format --allow-onelevel`, plus no leading '-' (argv safety).
    """
    bad = _shown(ref)
    if not ref:
        raise InvalidSource("ref is empty")
    if len(ref) > MAX_REF_LENGTH:
        raise InvalidSource(f"ref is longer than {MAX_REF_LENGTH} characters")
    if is_commit_sha(ref):
        return ref.lower()
    reason = _ref_problem(ref)
    if reason is not None:
        raise InvalidSource(f"invalid ref {bad}: {reason}")
    return ref


def _ref_problem(ref: str) -> str | None:
    if ref.startswith("-"):
        return "must not start with '-'"
    if _has_control_or_space(ref):
        return "must not contain whitespace or control characters"
    forbidden = sorted({ch for ch in ref if ch in _REF_FORBIDDEN})
    if forbidden:
        return "must not contain " + " ".join(repr(ch) for ch in forbidden)
    if ".." in ref:
        return "must not contain '..'"
    if "@{" in ref:
        return "must not contain '@{'"
    if ref == "@":
        return "must not be '@'"
    if ref.startswith("/") or ref.endswith("/") or "//" in ref:
        return "must not start or end with '/' or contain '//'"
    if ref.endswith("."):
        return "must not end with '.'"
    for component in ref.split("/"):
        if component.startswith("."):
            return "no path component may start with '.'"
        if component.endswith(".lock"):
            return "no path component may end with '.lock'"
    return None


def validate_subdirectory(path: str) -> str:
    """Return `path` normalised (no './', no trailing '/'; '' for the root) if it stays inside
    the checkout."""
    bad = _shown(path)
    if "\x00" in path:
        raise InvalidSource(f"subdirectory {bad} contains a NUL byte")
    if len(path) > MAX_SUBDIRECTORY_LENGTH:
        raise InvalidSource(f"subdirectory is longer than {MAX_SUBDIRECTORY_LENGTH} characters")
    if _has_control_or_space(path.replace(" ", "")):
        raise InvalidSource(f"subdirectory {bad} contains control characters")
    if "\\" in path:
        raise InvalidSource(f"subdirectory {bad} must use '/' as separator")
    if path.startswith(("/", "~")):
        raise InvalidSource(f"subdirectory {bad} must be relative to the repository root")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise InvalidSource(f"subdirectory {bad} must not contain '..'")
    if ".git" in parts:
        raise InvalidSource(f"subdirectory {bad} must not point into .git")
    return "/".join(parts)
