"""Templates and the filters they use (ages, sizes, durations), and the page response."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kiln.service.sessions import CSRF_COOKIE

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
UNITS = ("B", "KB", "MB", "GB", "TB")


def size(value: int | None) -> str:
    if value is None:
        return "—"
    amount = float(value)
    for unit in UNITS:
        if amount < 1000 or unit == UNITS[-1]:
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1000
    raise AssertionError("unreachable")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """ "3 minutes ago", "just now", "2 days ago"."""
    if moment is None:
        return "—"
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    for span, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= span:
            count = seconds // span
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def short(digest: str | None, length: int = 19) -> str:
    return (digest or "")[:length]


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(size=size, duration=duration, age=age, short=short)
    return env


def page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page; every page gets the request and the CSRF token for its forms."""
    body = (
        environment()
        .get_template(template)
        .render(request=request, csrf=request.cookies.get(CSRF_COOKIE, ""), **context)
    )
    return HTMLResponse(body, status_code=status_code, headers={"Cache-Control": "no-store"})
