"""Authentication API: log in for a token (and the console's session cookie), log out, who am I."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from borderwatch.http.deps import (
    SESSION_COOKIE,
    ActorDep,
    CurrentUser,
    InstanceDep,
    channel,
    client_address,
    token_secret,
)
from borderwatch.services import auth
from borderwatch.store.users import User

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=auth.MAX_PASSWORD_LENGTH)
    agency: str | None = Field(
        default=None, max_length=40, description="Agency code; this instance's default agency when left out."
    )


class UserOut(BaseModel):
    id: int
    agency: str
    username: str
    full_name: str
    role: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.user_id,
            agency=user.agency_code,
            username=user.username,
            full_name=user.full_name,
            role=user.role.value,
            active=user.active,
            created_at=user.created_at,
        )


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type name, not a secret
    expires_at: datetime
    user: UserOut


class PasswordIn(BaseModel):
    old_password: str = Field(min_length=1, max_length=auth.MAX_PASSWORD_LENGTH)
    new_password: str = Field(min_length=1, max_length=auth.MAX_PASSWORD_LENGTH)


class Done(BaseModel):
    status: str


@router.post("/login", response_model=TokenOut, summary="Log in: a bearer token, and the console's cookie")
def login(body: LoginIn, request: Request, response: Response, instance: InstanceDep) -> TokenOut:
    settings = instance.settings
    issued = auth.login(
        instance.db,
        token_secret(request, instance),
        agency=body.agency or settings.agency,
        username=body.username,
        password=body.password,
        address=client_address(request),
        now=datetime.now(UTC),
        token_minutes=settings.token_minutes,
        attempts_per_minute=settings.login_attempts_per_minute,
        channel=channel(request),
    )
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=settings.token_minutes * 60,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at, user=UserOut.of(issued.user))


@router.post("/logout", response_model=Done, summary="Log out: revoke every token of this user")
def logout(response: Response, instance: InstanceDep, actor: ActorDep) -> Done:
    auth.logout(instance.db, actor, now=datetime.now(UTC))
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=instance.settings.secure_cookies
    )
    return Done(status="logged out")


@router.get("/me", response_model=UserOut, summary="The logged-in user")
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.post("/password", response_model=Done, summary="Change one's own password (logs out everywhere)")
def change_password(body: PasswordIn, response: Response, instance: InstanceDep, actor: ActorDep) -> Done:
    auth.change_password(
        instance.db,
        actor,
        actor.username,
        new_password=body.new_password,
        old_password=body.old_password,
        now=datetime.now(UTC),
    )
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=instance.settings.secure_cookies
    )
    return Done(status="password changed; log in again")
