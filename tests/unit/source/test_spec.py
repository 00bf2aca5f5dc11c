"""Source validation: hostile URLs, refs and sub-directories are refused before git runs."""

from __future__ import annotations

import pytest

from kiln.errors import UserError
from kiln.source.git import check_token
from kiln.source.spec import (
    InvalidSource,
    SourceSpec,
    source_spec,
    validate_ref,
    validate_repo_url,
    validate_subdirectory,
)

SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32

# (hostile URL, part of the message) — refused even when local repositories are allowed.
HOSTILE_URLS = [
    ("--upload-pack=touch /tmp/x", "whitespace or control"),
    ("--upload-pack=touch", "must not start with '-'"),
    ("-oProxyCommand=sh", "must not start with '-'"),
    ("ext::sh -c touch% /tmp/pwned", "whitespace or control"),
    ("ext::sh", "remote helper 'ext::'"),
    ("fd::17", "remote helper 'fd::'"),
    ("https://user:tok@github.com/a/b", "embeds credentials"),
    ("https://ghp_secret@github.com/a/b", "embeds credentials"),
    ("ssh://git:hunter2@github.com/a/b", "embeds credentials"),
    ("git:hunter2@github.com:a/b", "embeds credentials"),
    ("https://github.com/a/b\n--upload-pack=x", "whitespace or control"),
    ("https://github.com/a/b\r", "whitespace or control"),
    (" https://github.com/a/b", "whitespace or control"),
    ("https://github.com/a\x00/b", "whitespace or control"),
    ("https://github.com/a\u202e/b", "whitespace or control"),
    ("https://github.com/" + "a" * 2048, "longer than 2048"),
    ("", "empty"),
    ("ftp://example.com/repo.git", "unsupported scheme 'ftp'"),
    ("git://github.com/a/b", "unsupported scheme 'git'"),
    ("gopher://x/y", "unsupported scheme 'gopher'"),
    ("https://-oProxyCommand=x/a/b", "no valid host"),
    ("ssh://-oProxyCommand=x/a/b", "no valid host"),
    ("ssh://-user@github.com/a/b", "user name starting with '-'"),
    ("https:///a/b", "no valid host"),
    ("https://github.com:99999/a/b", "invalid port"),
    ("https://github.com", "no repository path"),
    ("https://github.com/", "no repository path"),
    ("https://github.com/a/b#frag", "'#' fragment"),
    ("git@github.com:-x", "no valid repository path"),
    ("git@-host:a/b", "no valid host"),
]

# Valid only with allow_local (tests): refused for ordinary users.
LOCAL_URLS = ["file:///etc", "file:///srv/repo.git", "/etc/passwd", "/srv/repo.git", "./repo"]

VALID_URLS = [
    "https://github.com/org/repo",
    "https://github.com/org/repo.git",
    "http://127.0.0.1:8080/repo.git",
    "https://gitlab.example.com:8443/group/sub/repo.git?x=1",
    "https://[::1]:8080/repo.git",
    "ssh://git@github.com/org/repo.git",
    "ssh://github.com:2222/org/repo.git",
    "git@github.com:org/repo.git",
    "github.com:org/repo.git",
    "HTTPS://GitHub.com/Org/Repo",
]


@pytest.mark.parametrize(("url", "message"), HOSTILE_URLS)
@pytest.mark.parametrize("allow_local", [False, True])
def test_hostile_urls_are_refused(url: str, message: str, allow_local: bool) -> None:
    with pytest.raises(InvalidSource) as info:
        validate_repo_url(url, allow_local=allow_local)
    text = str(info.value)
    assert message in text
    assert "\n" not in text and "\r" not in text
    assert "hunter2" not in text and "tok@" not in text and "ghp_secret" not in text


@pytest.mark.parametrize("url", LOCAL_URLS)
def test_local_urls_need_allow_local(url: str) -> None:
    with pytest.raises(InvalidSource, match="is a local path; use an https://"):
        validate_repo_url(url, allow_local=False)


@pytest.mark.parametrize("url", ["file:///etc", "/srv/repo.git"])
def test_local_urls_with_allow_local(url: str) -> None:
    assert validate_repo_url(url, allow_local=True) == url


def test_relative_local_paths_are_refused_even_when_allowed() -> None:
    with pytest.raises(InvalidSource, match="must be absolute"):
        validate_repo_url("./repo", allow_local=True)


@pytest.mark.parametrize("url", VALID_URLS)
def test_valid_urls(url: str) -> None:
    assert validate_repo_url(url, allow_local=False) == url


HOSTILE_REFS = [
    ("-x", "must not start with '-'"),
    ("--upload-pack=touch", "must not start with '-'"),
    ("a..b", "must not contain '..'"),
    ("a@{1}", "must not contain '@{'"),
    ("@", "must not be '@'"),
    ("x.lock", "may end with '.lock'"),
    ("refs/heads/x.lock", "may end with '.lock'"),
    ("main\n--upload-pack=x", "whitespace or control"),
    ("main branch", "whitespace or control"),
    ("a\tb", "whitespace or control"),
    ("a\x7fb", "whitespace or control"),
    ("a~1", "'~'"),
    ("a^", "'^'"),
    ("a:b", "':'"),
    ("a?", "'?'"),
    ("a*", "'*'"),
    ("a[b", "'['"),
    ("a\\b", "'\\\\'"),
    ("feature/", "start or end with '/'"),
    ("/main", "start or end with '/'"),
    ("a//b", "contain '//'"),
    ("main.", "must not end with '.'"),
    (".hidden", "may start with '.'"),
    ("refs/heads/.x", "may start with '.'"),
    ("../../etc", "'..'"),
    ("", "ref is empty"),
    ("a" * 256, "longer than 255"),
]

VALID_REFS = [
    "main",
    "feature/login",
    "v1.2.3",
    "release-2024.01",
    "refs/heads/main",
    "refs/tags/v1.0",
    "HEAD",
    "deadbeef",
    "a" * 255,
    "用户/分支",
]


@pytest.mark.parametrize(("ref", "message"), HOSTILE_REFS)
def test_hostile_refs_are_refused(ref: str, message: str) -> None:
    with pytest.raises(InvalidSource) as info:
        validate_ref(ref)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.code == "invalid_source"


@pytest.mark.parametrize("ref", VALID_REFS)
def test_valid_refs(ref: str) -> None:
    assert validate_ref(ref) == ref


@pytest.mark.parametrize("sha", [SHA1, SHA256, SHA1.upper()])
def test_commit_shas_are_accepted_and_lower_cased(sha: str) -> None:
    assert validate_ref(sha) == sha.lower()


HOSTILE_SUBDIRECTORIES = [
    ("../../etc", "must not contain '..'"),
    ("apps/../../etc", "must not contain '..'"),
    ("..", "must not contain '..'"),
    ("/etc", "must be relative"),
    ("~/x", "must be relative"),
    ("apps\x00/web", "NUL byte"),
    ("apps\n/web", "control characters"),
    ("apps\\web", "'/' as separator"),
    (".git/hooks", "must not point into .git"),
    ("a" * 4097, "longer than 4096"),
]

SUBDIRECTORIES = [
    ("apps/web", "apps/web"),
    ("./apps/web/", "apps/web"),
    ("apps//web/.", "apps/web"),
    ("my app", "my app"),
    (".", ""),
    ("./", ""),
]


@pytest.mark.parametrize(("path", "message"), HOSTILE_SUBDIRECTORIES)
def test_hostile_subdirectories_are_refused(path: str, message: str) -> None:
    with pytest.raises(InvalidSource) as info:
        validate_subdirectory(path)
    assert message in str(info.value)


@pytest.mark.parametrize(("path", "normalised"), SUBDIRECTORIES)
def test_subdirectories_are_normalised(path: str, normalised: str) -> None:
    assert validate_subdirectory(path) == normalised


def test_source_spec_validates_and_normalises() -> None:
    spec = source_spec("https://github.com/a/b", "", "./apps/web/")
    assert spec == SourceSpec("https://github.com/a/b", None, "apps/web")
    assert source_spec("https://github.com/a/b", SHA1.upper(), ".").ref == SHA1
    assert source_spec("https://github.com/a/b", "main", ".").subdirectory is None
    with pytest.raises(InvalidSource):
        source_spec("/srv/repo.git")
    assert source_spec("/srv/repo.git", allow_local=True).repo_url == "/srv/repo.git"


def test_invalid_source_is_a_user_error() -> None:
    assert issubclass(InvalidSource, UserError)
    assert InvalidSource.code == "invalid_source"


@pytest.mark.parametrize(
    ("token", "url", "message"),
    [
        ("ghs_abc\nX-Evil: 1", "https://github.com/a/b", "whitespace or non-printable"),
        ("ghs abc", "https://github.com/a/b", "whitespace or non-printable"),
        ("ghs_abc", "git@github.com:a/b.git", "only be used with an https://"),
        ("ghs_abc", "ssh://git@github.com/a/b.git", "only be used with an https://"),
        ("ghs_abc", "/srv/repo.git", "only be used with an https://"),
        ("ghs_abc", "http://example.com/a/b", "over plain http"),
    ],
)
def test_tokens_are_checked(token: str, url: str, message: str) -> None:
    with pytest.raises(InvalidSource) as info:
        check_token(token, url)
    assert message in str(info.value)
    assert "ghs" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["https://github.com/a/b", "http://127.0.0.1:9/a.git", "http://localhost/a"]
)
def test_tokens_allowed_over_https_and_loopback_http(url: str) -> None:
    check_token("ghs_abc123", url)
