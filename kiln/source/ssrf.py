"""Refuse repository and registry hosts that resolve to link-local or cloud-metadata addresses
(169.254.169.254 and friends): a build service must not be a proxy into its own network."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from urllib.parse import urlsplit

from kiln.source.spec import InvalidSource

BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "169.254.0.0/16",  # IPv4 link-local, including the AWS/GCP/Azure metadata endpoint
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "0.0.0.0/8",
    )
)
_SCP = re.compile(r"^[\w.+-]+@(?P<host>[^:/]+):")


def host_of(url: str) -> str | None:
    """The host a repository URL points at; None for local paths."""
    scp = _SCP.match(url)
    if scp:
        return scp.group("host")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ssh", "git"):
        return parts.hostname
    return None


def blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in BLOCKED)


async def check_host(host: str | None, *, allow: bool) -> None:
    """Raise InvalidSource if `host` resolves to a link-local or metadata address."""
    if host is None or allow:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return  # unresolvable: git / the registry client report that with a clearer message
    for info in infos:
        if blocked(str(info[4][0])):
            raise InvalidSource(
                f"{host} resolves to {info[4][0]}, a link-local or metadata address: refused",
                hint="set KILN_ALLOW_LINK_LOCAL=true if this is intended",
            )
