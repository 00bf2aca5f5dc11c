"""Request guards: the trigger rate limit and the link-local / metadata host check."""

from __future__ import annotations

import pytest

from kiln.errors import RateLimited
from kiln.service.ratelimit import RateLimiter
from kiln.source.spec import InvalidSource
from kiln.source.ssrf import blocked, check_host, host_of


def test_rate_limit_per_key_with_a_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.hit("acme", "triggers")
    limiter.hit("acme", "triggers")
    limiter.hit("other", "triggers")  # another workspace has its own budget
    with pytest.raises(RateLimited, match="2 per minute; try again in 61 s"):
        limiter.hit("acme", "triggers")
    now[0] = 60.5
    limiter.hit("acme", "triggers")


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://github.com/acme/app.git", "github.com"),
        ("git@github.com:acme/app.git", "github.com"),
        ("ssh://git@host.example:2222/x", "host.example"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("/srv/repos/app", None),
    ],
)
def test_host_of(url: str, host: str | None) -> None:
    assert host_of(url) == host


def test_metadata_and_link_local_addresses_are_blocked() -> None:
    assert blocked("169.254.169.254") and blocked("fe80::1") and blocked("fd00:ec2::254")
    assert not blocked("140.82.112.3") and not blocked("127.0.0.1")


async def test_check_host() -> None:
    with pytest.raises(InvalidSource, match="link-local or metadata address"):
        await check_host("169.254.169.254", allow=False)
    await check_host("169.254.169.254", allow=True)
    await check_host("localhost", allow=False)
