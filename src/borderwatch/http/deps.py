"""Request dependencies: the instance and the authenticated actor, passed to every service explicitly.

A request is authenticated by a bearer token (`Authorization: Bearer <token>`) or, for the
console, by the same token in the session cookie. `require(*roles)` turns the token's user into
an `Actor` of the user's agency, with the endpoint as channel (`http:POST /api/alerts/{alert_id}/
decision`), and refuses other roles with 403. Agency isolation itself lives in the store queries.

The dependencies are coroutines: FastAPI runs a plain function dependency in a worker thread, and
three thread hops per request cost more than their work (a signature check and one indexed read of
the user, well under a millisecond, which runs on the event loop).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request

from borderwatch.domain.audit import Actor, Role
from borderwatch.errors import AccessDeniedError, AuthenticationError
from borderwatch.services import auth
from borderwatch.services.instance import Instance
from borderwatch.store.users import User

SESSION_COOKIE = "borderwatch_session"

# Database row ids in paths: positive and within a signed 64-bit integer (SQLite's and PostgreSQL's
# BIGINT); anything else is a 422, never a database error.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Row id")]

REVIEWERS = (Role.OFFICER, Role.SUPERVISOR)  # read alerts and act on them
AUDIT_READERS = (Role.AUDITOR, Role.SUPERVISOR)  # read and verify the audit trail
ADMINS = (Role.ADMIN,)  # manage the agency's users
ANY_USER = auth.USER_ROLES

# Which roles each guard lets through: tests walk the routes and check every one has a guard.
ROLE_GUARDS: dict[Callable[..., object], frozenset[Role]] = {}


async def get_instance(request: Request) -> Instance:
    """Return the instance the app was created for."""
    instance: Instance = request.app.state.instance
    return instance


InstanceDep = Annotated[Instance, Depends(get_instance)]


def token_secret(request: Request, instance: Instance) -> bytes:
    """Return the secret that signs tokens (read once per application)."""
    secret: bytes | None = getattr(request.app.state, "token_secret", None)
    if secret is None:
        secret = instance.secret()
        request.app.state.token_secret = secret
    return secret


def client_address(request: Request) -> str:
    """Return the client's address as the server saw it (proxies' headers are not trusted)."""
    return request.client.host if request.client else "unknown"


def channel(request: Request) -> str:
    """Return `http:METHOD /route/path` for the audit trail (the route's template, not the ids)."""
    route = request.scope.get("route")
    return f"http:{request.method} {getattr(route, 'path', request.url.path)}"


def request_token(request: Request) -> str | None:
    """Return the bearer token of a request (header first, then the session cookie), or None."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("the Authorization header must be `Bearer <token>`")
        return token.strip()
    return request.cookies.get(SESSION_COOKIE) or None


async def current_user(request: Request, instance: InstanceDep) -> User:
    """Return the user of the request's token, or raise AuthenticationError (401)."""
    cached: User | None = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    token = request_token(request)
    if token is None:
        raise AuthenticationError(
            "log in first: send `Authorization: Bearer <token>` (from POST /api/auth/login)"
        )
    user = auth.user_for_token(instance.db, token_secret(request, instance), token, now=datetime.now(UTC))
    request.state.user = user
    return user


ROLE_GUARDS[current_user] = frozenset(ANY_USER)
CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[Request, User], Coroutine[Any, Any, Actor]]:
    """Return a dependency giving the actor of an authenticated user holding one of `roles` (else 403)."""
    allowed = frozenset(roles)

    async def guard(request: Request, user: CurrentUser) -> Actor:
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise AccessDeniedError(f"role {user.role.value!r} may not use this endpoint (allowed: {names})")
        return user.actor(channel(request))

    ROLE_GUARDS[guard] = allowed
    return guard


ActorDep = Annotated[Actor, Depends(require(*ANY_USER))]  # any authenticated user
ReviewerDep = Annotated[Actor, Depends(require(*REVIEWERS))]
AuditReaderDep = Annotated[Actor, Depends(require(*AUDIT_READERS))]
AdminDep = Annotated[Actor, Depends(require(*ADMINS))]
# Submit airline messages and ask boarding checks: border staff and the agency's system accounts (admins).
SubmitterDep = Annotated[Actor, Depends(require(Role.OFFICER, Role.SUPERVISOR, Role.ADMIN))]
ListManagerDep = Annotated[Actor, Depends(require(Role.SUPERVISOR, Role.ADMIN))]  # import watch lists
