"""The one table from error class to HTTP status, and the one error shape for every response."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from borderwatch.errors import (
    AccessDeniedError,
    AuthenticationError,
    BorderwatchError,
    ConfigError,
    ConflictError,
    InputError,
    LoginRateLimitError,
    NotFoundError,
    PartnerError,
    StorageError,
)

log = logging.getLogger("borderwatch.http")

STATUS: list[tuple[type[BorderwatchError], int]] = [
    (LoginRateLimitError, 429),
    (AuthenticationError, 401),
    (AccessDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (PartnerError, 502),
    (StorageError, 503),
    (ConfigError, 500),
]


def status_for(error: BorderwatchError) -> int:
    """Return the HTTP status for a borderwatch error."""
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 500


def error_body(kind: str, message: str, **extra: object) -> dict[str, object]:
    """Return the one error shape: {"error": ..., "message": ..., "detail": {...}}."""
    return {"error": kind, "message": message, "detail": extra}


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, ours or the framework's, in the same JSON shape."""

    @app.exception_handler(BorderwatchError)
    async def _ours(request: Request, exc: BorderwatchError) -> JSONResponse:
        data = exc.as_dict()
        body = error_body(str(data.pop("error")), str(data.pop("message")), **data)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
        if isinstance(exc, LoginRateLimitError):
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(body, status_code=status_for(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"location": ".".join(str(p) for p in err.get("loc", ())), "reason": err.get("msg", "")}
            for err in exc.errors()
        ]
        return JSONResponse(
            error_body("InputError", "the request is not valid", problems=problems), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body("HTTPError", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("InternalError", "unexpected error; it has been logged"), status_code=500
        )
