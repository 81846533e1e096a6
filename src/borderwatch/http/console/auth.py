"""Console login and logout: the same signed token as the API, in the HttpOnly session cookie."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from borderwatch.errors import AuthenticationError, LoginRateLimitError
from borderwatch.http.console.render import page
from borderwatch.http.deps import SESSION_COOKIE, ActorDep, InstanceDep, channel, client_address, token_secret
from borderwatch.services import auth

router = APIRouter(tags=["console"], include_in_schema=False)


def safe_next(target: str) -> str:
    """Return `target` when it is a path of this site (never another host, never the login page), else `/`."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or target.startswith("/login"):
        return "/"
    return target


@router.get("/login", summary="The login page")
def login_page(request: Request, next: str = "/") -> Response:
    return page(request, "login.html", "Log in", next=safe_next(next))


@router.post("/login", summary="Log in from the console")
def login(
    request: Request,
    instance: InstanceDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=auth.MAX_PASSWORD_LENGTH)],
    agency: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    settings = instance.settings
    try:
        issued = auth.login(
            instance.db,
            token_secret(request, instance),
            agency=agency.strip() or settings.agency,
            username=username,
            password=password,
            address=client_address(request),
            now=datetime.now(UTC),
            token_minutes=settings.token_minutes,
            attempts_per_minute=settings.login_attempts_per_minute,
            channel=channel(request),
        )
    except LoginRateLimitError as exc:
        failed = page(request, "login.html", "Log in", status=429, error="too many", next=safe_next(next))
        failed.headers["Retry-After"] = str(exc.retry_after)
        return failed
    except AuthenticationError:
        return page(request, "login.html", "Log in", status=401, error="wrong", next=safe_next(next))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=settings.token_minutes * 60,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    return response


@router.post("/logout", summary="Log out from the console (every token of the user is revoked)")
def logout(instance: InstanceDep, actor: ActorDep) -> Response:
    auth.logout(instance.db, actor, now=datetime.now(UTC))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=instance.settings.secure_cookies
    )
    return response
