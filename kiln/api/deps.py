"""Request dependencies: the services and the bearer-token check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from kiln.service.context import Services


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


ServicesDep = Annotated[Services, Depends(services)]


def require_token(request: Request) -> None:
    """Until users and tokens exist, KILN_BOOTSTRAP_TOKEN is the one owner token."""
    expected = services(request).settings.bootstrap_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not expected:
        raise HTTPException(401, "no API token is configured: set KILN_BOOTSTRAP_TOKEN")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(
            401, "missing or invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
