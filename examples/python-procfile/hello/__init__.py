"""A bare WSGI application: no framework for kiln to find, so the Procfile says how to start."""

from collections.abc import Callable, Iterable


def application(environ: dict[str, object], start_response: Callable[..., object]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello from a Procfile\n"]
