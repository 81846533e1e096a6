"""The web console: server-rendered pages (Jinja2 + htmx) over the same services as the API.

`install_console(app, instance)` adds the routers (one per area), the static files, the security
middleware (headers and CSRF) and HTML rendering of errors on console pages; API errors keep their
JSON shape (http/errors.py), console errors get the same status in a page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from borderwatch.errors import AuthenticationError, BorderwatchError, LoginRateLimitError
from borderwatch.http.console import alerts, audit, auth, dashboard, exchange, flights, lists, training
from borderwatch.http.console.render import page
from borderwatch.http.errors import status_for
from borderwatch.http.security import NOT_CONSOLE, SecurityMiddleware
from borderwatch.services.instance import Instance

STATIC = Path(__file__).resolve().parent.parent / "static"
ROUTERS = (
    auth.router,
    dashboard.router,
    flights.router,
    alerts.router,
    lists.router,
    audit.router,
    exchange.router,
    training.router,
)

Handler = Callable[[Request, Exception], Awaitable[Response]]


def is_console(path: str) -> bool:
    """True for a path the console serves (errors there are rendered as pages)."""
    return not path.startswith(NOT_CONSOLE)


def error_page(request: Request, status: int, message: str, *, kind: str = "") -> Response:
    """Return the console's error page (401: the login form, with a way back to the page asked for)."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return page(request, "login.html", "Log in", status=401, error="expired", next=auth.safe_next(target))
    return page(request, "error.html", "Error", status=status, status_code=status, message=message, kind=kind)


def _rejection(scope: Scope) -> bytes:
    request = Request(scope)
    response = error_page(request, 403, "csrf", kind="csrf")
    return bytes(response.body)


def _wrap(app: FastAPI, key: type[Exception] | int, render: Callable[[Request, Exception], Response]) -> None:
    original = app.exception_handlers.get(key)

    async def handler(request: Request, exc: Exception) -> Response:
        if is_console(request.url.path) or original is None:
            return render(request, exc)
        result = original(request, exc)
        return await result if isinstance(result, Awaitable) else result

    app.exception_handlers[key] = handler


def _ours(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BorderwatchError)
    response = error_page(request, status_for(exc), exc.message, kind=type(exc).__name__)
    if isinstance(exc, LoginRateLimitError):
        response.headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, AuthenticationError):
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors())
    return error_page(request, 422, fields, kind="invalid")


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return error_page(request, exc.status_code, str(exc.detail), kind="http")


def _unexpected(request: Request, exc: Exception) -> Response:
    import logging

    logging.getLogger("borderwatch.http").exception(
        "unexpected error on %s %s", request.method, request.url.path
    )
    return error_page(request, 500, "", kind="unexpected")


def install_console(app: FastAPI, instance: Instance) -> None:
    """Add the console to an application whose API error handlers are already installed."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    _wrap(app, BorderwatchError, _ours)
    _wrap(app, RequestValidationError, _invalid)
    _wrap(app, StarletteHTTPException, _http)
    _wrap(app, Exception, _unexpected)
    app.add_middleware(
        SecurityMiddleware,
        secret=instance.secret,
        secure_cookies=instance.settings.secure_cookies,
        html_rejection=_rejection,
    )
