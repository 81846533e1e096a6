"""Authentication: users with argon2 password hashes, rate-limited logins and signed, expiring tokens.

A token is `bw1.<claims>.<signature>`: the claims (user id, agency, role, expiry and the user's
token version) in base64url JSON, signed with HMAC-SHA256 under a key derived from the instance
secret. A token is accepted only while it has not expired, its signature holds, and the user is
still active with the same role and token version: bumping the version (logout, password change,
deactivation) revokes every token issued before. The same token is the console's session cookie.

Failed logins are counted in the `login_attempts` table, so the limit holds across worker
processes: per (agency, username) and per client address, over a sliding minute.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from borderwatch.domain.audit import Actor, Role
from borderwatch.errors import (
    AccessDeniedError,
    AuthenticationError,
    ConflictError,
    InputError,
    LoginRateLimitError,
    NotFoundError,
)
from borderwatch.store import agencies as agency_store
from borderwatch.store import audit
from borderwatch.store import users as user_store
from borderwatch.store.session import Database
from borderwatch.store.users import User

# NIST SP 800-63B section 5.1.1.2 asks for at least 8 characters; officials' accounts get more.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes any length; the cap stops a request from costing megabytes
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
USER_ROLES = tuple(role for role in Role if role is not Role.SYSTEM)  # SYSTEM is the instance, never a person
RATE_WINDOW = timedelta(minutes=1)
ATTEMPTS_KEPT = timedelta(days=1)
TOKEN_PREFIX = "bw1"  # noqa: S105 - a format marker, not a secret
WRONG_LOGIN = "username, password or agency is wrong, or the account is deactivated"

_HASHER = PasswordHasher()  # argon2id with the library's defaults (RFC 9106 second recommended option)
_DUMMY: list[str] = []


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password that meets the length rule, or raise InputError."""
    check_password(password)
    return _HASHER.hash(password)


def check_password(password: str) -> None:
    """Raise InputError when a new password is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
            reason="too short",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(
            f"the password must have at most {MAX_PASSWORD_LENGTH} characters",
            field="password",
            reason="too long",
        )


def verify_password(password_hash: str, password: str) -> bool:
    """Return True when `password` matches the argon2 hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("no such user, but take as long as for one"))
    return _DUMMY[0]


def normalise_username(username: str) -> str:
    """Return a username as stored (trimmed, lower case), or raise InputError when not allowed."""
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise InputError(
            f"username {username!r} is not allowed: use 1-80 of a-z, 0-9, '.', '_', '-', "
            "starting with a letter or digit",
            field="username",
            reason="invalid username",
        )
    return name


def _require_admin(actor: Actor, what: str) -> None:
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise AccessDeniedError(f"only an admin may {what}")


# Users ------------------------------------------------------------------------------------------


def create_user(
    db: Database,
    actor: Actor,
    *,
    username: str,
    role: Role,
    password: str,
    full_name: str = "",
    now: datetime,
) -> User:
    """Create a user in the actor's agency and return it; only an admin (or the instance) may."""
    _require_admin(actor, "create users")
    if role is Role.SYSTEM:
        raise InputError("role 'system' is the instance itself and cannot be given to a user", field="role")
    name = normalise_username(username)
    digest = hash_password(password)
    with db.transaction() as session:
        return user_store.add_user(
            session,
            actor,
            username=name,
            full_name=full_name.strip()[:200],
            role=role,
            password_hash=digest,
            at=now,
        )


def list_users(db: Database, actor: Actor) -> list[User]:
    """Return the users of the actor's agency; only an admin (or the instance) may list them."""
    _require_admin(actor, "list users")
    with db.transaction() as session:
        return user_store.list_users(session, actor.agency_id)


def deactivate_user(db: Database, actor: Actor, user: int | str, *, now: datetime) -> User:
    """Deactivate a user of the actor's agency (by id or name), revoking their tokens; return it."""
    _require_admin(actor, "deactivate users")
    with db.transaction() as session:
        found = (
            user_store.get_user(session, actor.agency_id, user)
            if isinstance(user, int)
            else user_store.find_user(session, actor.agency_id, normalise_username(user))
        )
        if found.username == actor.username and actor.role is not Role.SYSTEM:
            raise ConflictError("you cannot deactivate your own account; ask another admin")
        return user_store.deactivate(session, actor, found.user_id, at=now)


def change_password(
    db: Database,
    actor: Actor,
    username: str,
    *,
    new_password: str,
    old_password: str | None = None,
    now: datetime,
) -> None:
    """Change a password: one's own with the old one, anyone's in the agency as admin; revokes tokens."""
    name = normalise_username(username)
    own = name == actor.username and actor.role is not Role.SYSTEM
    if not own:
        _require_admin(actor, "change another user's password")
    digest = hash_password(new_password)
    with db.transaction() as session:
        found = user_store.find_user(session, actor.agency_id, name)
        if own:
            stored = user_store.credentials(session, actor.agency_code, name)
            if old_password is None or stored is None or not verify_password(stored[1], old_password):
                raise AuthenticationError("the current password is wrong")
        user_store.set_password_hash(session, actor, found.user_id, digest, at=now)


def actor_for_user(db: Database, agency_code: str, username: str, *, channel: str) -> Actor:
    """Return the actor of an active user of an agency (the CLI acting as a named officer)."""
    with db.transaction() as session:
        agency_id = agency_store.agency_id(session, agency_code)
        user = user_store.find_user(session, agency_id, normalise_username(username))
    if not user.active:
        raise AccessDeniedError(f"user {user.username!r} is deactivated")
    return user.actor(channel)


# Logins -----------------------------------------------------------------------------------------


def authenticate(
    db: Database,
    *,
    agency: str,
    username: str,
    password: str,
    address: str,
    now: datetime,
    attempts_per_minute: int,
    channel: str = "",
) -> User:
    """Return the user when the password is right, or raise AuthenticationError / LoginRateLimitError.

    Every attempt is recorded (and audited when the agency exists) before the outcome is known to
    the caller, so a refused login still counts against the limit.
    """
    agency = agency.strip()
    name = username.strip().lower()
    since = now - RATE_WINDOW
    user: User | None = None
    refused = False
    with db.transaction() as session:
        by_user, by_address = user_store.failed_attempts(
            session, agency_code=agency, username=name, address=address, since=since
        )
        found = user_store.credentials(session, agency, name)
        if by_user >= attempts_per_minute or by_address >= attempts_per_minute:
            refused = True
        elif found is None:
            # The same work as for a real user, so timing does not tell which names exist.
            verify_password(_dummy_hash(), password)
        else:
            candidate, digest = found
            if verify_password(digest, password) and candidate.active:
                user = candidate
                if _HASHER.check_needs_rehash(digest):
                    user_store.set_password_hash(
                        session,
                        candidate.actor(channel),
                        candidate.user_id,
                        _HASHER.hash(password),
                        at=now,
                        revoke_tokens=False,
                    )
        if not refused:
            user_store.record_login_attempt(
                session,
                agency_code=agency,
                username=name,
                address=address,
                succeeded=user is not None,
                at=now,
            )
        if found is not None:
            who = found[0].actor(channel)
            action = "auth.login" if user is not None else "auth.refused" if refused else "auth.failed"
            audit.record(
                session,
                who,
                action,
                subject_type="user",
                subject_id=found[0].user_id,
                detail={"address": address},
                at=now,
            )
        if user is not None:
            user_store.prune_login_attempts(session, now - ATTEMPTS_KEPT)
    if refused:
        raise LoginRateLimitError(
            f"too many failed logins in the last minute for {name!r} or from "
            f"{address}: wait a minute and try again",
            retry_after=int(RATE_WINDOW.total_seconds()),
        )
    if user is None:
        raise AuthenticationError(WRONG_LOGIN)
    return user


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A bearer token, when it expires, and for whom."""

    token: str
    expires_at: datetime
    user: User


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a token says, once its signature and expiry have been checked."""

    user_id: int
    agency_id: int
    agency_code: str
    role: Role
    version: int
    expires_at: datetime


def login(
    db: Database,
    secret: bytes,
    *,
    agency: str,
    username: str,
    password: str,
    address: str,
    now: datetime,
    token_minutes: int,
    attempts_per_minute: int,
    channel: str = "",
) -> IssuedToken:
    """Authenticate and return a signed token valid for `token_minutes`."""
    user = authenticate(
        db,
        agency=agency,
        username=username,
        password=password,
        address=address,
        now=now,
        attempts_per_minute=attempts_per_minute,
        channel=channel,
    )
    return issue_token(secret, user, now=now, minutes=token_minutes)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _token_key(secret: bytes) -> bytes:
    # A key of its own for tokens, so the instance secret is never used directly for two purposes.
    return hmac.new(secret, b"borderwatch/api-token/v1", hashlib.sha256).digest()


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(_token_key(secret), body.encode("ascii"), hashlib.sha256).digest())


def issue_token(secret: bytes, user: User, *, now: datetime, minutes: int) -> IssuedToken:
    """Return a token for the user, expiring `minutes` after `now`."""
    expires = (now + timedelta(minutes=minutes)).replace(microsecond=0)
    claims = {
        "uid": user.user_id,
        "aid": user.agency_id,
        "agency": user.agency_code,
        "role": user.role.value,
        "ver": user.token_version,
        "exp": int(expires.timestamp()),
    }
    body = f"{TOKEN_PREFIX}.{_b64(json.dumps(claims, separators=(',', ':'), sort_keys=True).encode('utf-8'))}"
    return IssuedToken(f"{body}.{_sign(secret, body)}", expires, user)


def read_token(secret: bytes, token: str, *, now: datetime) -> TokenClaims:
    """Return the claims of a genuine, unexpired token, or raise AuthenticationError."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(token) > 4096:
        raise AuthenticationError("the token is not a borderwatch token")
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(secret, body), parts[2]):
        raise AuthenticationError("the token's signature is not valid")
    try:
        data = json.loads(_unb64(parts[1]))
        claims = TokenClaims(
            int(data["uid"]),
            int(data["aid"]),
            str(data["agency"]),
            Role(data["role"]),
            int(data["ver"]),
            datetime.fromtimestamp(int(data["exp"]), UTC),
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise AuthenticationError("the token's content is not readable") from exc
    if claims.expires_at <= now:
        raise AuthenticationError("the token has expired; log in again")
    return claims


def user_for_token(db: Database, secret: bytes, token: str, *, now: datetime) -> User:
    """Return the user a token was issued to, if it is genuine, unexpired and not revoked."""
    claims = read_token(secret, token, now=now)
    with db.read_connection() as connection:  # a read: no write lock, never waits for a writer
        try:
            user = user_store.get_user(connection, claims.agency_id, claims.user_id)
        except NotFoundError as exc:
            raise AuthenticationError("the token's user no longer exists") from exc
    if (
        not user.active
        or user.token_version != claims.version
        or user.role is not claims.role
        or user.agency_code != claims.agency_code
    ):
        raise AuthenticationError("the token has been revoked; log in again")
    return user


def logout(db: Database, actor: Actor, *, now: datetime) -> None:
    """Revoke every token of the acting user (each of their devices logs in again)."""
    with db.transaction() as session:
        user = user_store.find_user(session, actor.agency_id, actor.username)
        user_store.revoke_tokens(session, actor, user.user_id, at=now)
