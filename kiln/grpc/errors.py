"""One place that maps kiln's exception tree to gRPC status codes (REST: kiln/api/errors.py).

Handlers raise; the `unary` and `streaming` wrappers turn what they raise into a status with a
one-line message. Anything unexpected is logged and answered INTERNAL without its details.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import grpc
from pydantic import ValidationError

from kiln.errors import (
    BadLogin,
    BadSignature,
    BuildCancelled,
    Conflict,
    Forbidden,
    KilnError,
    NotFound,
    RateLimited,
    TransientError,
    UserError,
)

Context = grpc.aio.ServicerContext[Any, Any]
S = TypeVar("S")
Req = TypeVar("Req")
Resp = TypeVar("Resp")

log = logging.getLogger(__name__)
_INTERNAL = grpc.StatusCode.INTERNAL

CODE_BY_TYPE: tuple[tuple[type[KilnError], grpc.StatusCode], ...] = (
    (BadSignature, grpc.StatusCode.UNAUTHENTICATED),
    (BadLogin, grpc.StatusCode.UNAUTHENTICATED),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (Forbidden, grpc.StatusCode.PERMISSION_DENIED),
    (Conflict, grpc.StatusCode.FAILED_PRECONDITION),
    (RateLimited, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (UserError, grpc.StatusCode.INVALID_ARGUMENT),
    (TransientError, grpc.StatusCode.UNAVAILABLE),
    (BuildCancelled, grpc.StatusCode.CANCELLED),
)


def code_for(exc: KilnError) -> grpc.StatusCode:
    return next((code for kind, code in CODE_BY_TYPE if isinstance(exc, kind)), _INTERNAL)


def validation_message(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return "; ".join(problems)


async def abort(context: Context, exc: Exception) -> NoReturn:
    if isinstance(exc, KilnError):
        await context.abort(code_for(exc), str(exc))
    if isinstance(exc, ValidationError):
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, validation_message(exc))
    log.error("gRPC call failed", exc_info=exc)
    await context.abort(_INTERNAL, "internal error (see the kiln server log)")


def unary(
    handler: Callable[[S, Req, Context], Awaitable[Resp]],
) -> Callable[[S, Req, Context], Awaitable[Resp]]:
    @functools.wraps(handler)
    async def call(self: S, request: Req, context: Context) -> Resp:
        try:
            return await handler(self, request, context)
        except Exception as exc:  # mapped to a status below (abort raises, so not in here)
            failure = exc
        await abort(context, failure)

    return call


def streaming(
    handler: Callable[[S, Req, Context], AsyncIterator[Resp]],
) -> Callable[[S, Req, Context], AsyncIterator[Resp]]:
    @functools.wraps(handler)
    async def call(self: S, request: Req, context: Context) -> AsyncIterator[Resp]:
        try:
            async for item in handler(self, request, context):
                yield item
            return
        except Exception as exc:
            failure = exc
        await abort(context, failure)

    return call
