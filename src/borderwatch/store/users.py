"""Users and login attempts: the people who act for an agency, isolated by agency in every query.

Password hashes never leave this module except through `credentials()`, which the login service
alone calls. Every change to a user is audited in the agency's chain, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NewType, cast

from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from borderwatch.domain.audit import Actor, Role
from borderwatch.errors import ConflictError, NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import AgencyRow, LoginAttemptRow, UserRow

UserId = NewType("UserId", int)


@dataclass(frozen=True, slots=True)
class User:
    """A user as stored, without the password hash."""

    user_id: UserId
    agency_id: int
    agency_code: str
    username: str
    full_name: str
    role: Role
    active: bool
    created_at: datetime
    token_version: int

    def actor(self, channel: str) -> Actor:
        """Return the actor this user is when acting through `channel`."""
        return Actor(self.agency_id, self.agency_code, self.username, self.role, channel)

    def as_dict(self) -> dict[str, object]:
        """Return the user as JSON-ready data (no secrets)."""
        return {
            "id": self.user_id,
            "agency": self.agency_code,
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role.value,
            "active": self.active,
            "created_at": self.created_at.isoformat(),
        }


def _to_user(row: UserRow, agency_code: str) -> User:
    return User(
        UserId(row.id),
        row.agency_id,
        agency_code,
        row.username,
        row.full_name,
        Role(row.role),
        row.active,
        row.created_at,
        row.token_version,
    )


def add_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: Role,
    password_hash: str,
    at: datetime,
) -> User:
    """Create a user in the actor's agency (audited); raise ConflictError when the name is taken."""
    taken = session.execute(
        select(UserRow.id).where(UserRow.agency_id == actor.agency_id, UserRow.username == username)
    ).scalar_one_or_none()
    if taken is not None:
        raise ConflictError(f"user {username!r} already exists in agency {actor.agency_code}")
    row = UserRow(
        agency_id=actor.agency_id,
        username=username,
        full_name=full_name,
        password_hash=password_hash,
        role=role.value,
        active=True,
        created_at=at,
        token_version=0,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        subject_type="user",
        subject_id=row.id,
        detail={"username": username, "role": role.value},
        at=at,
    )
    return _to_user(row, actor.agency_code)


def credentials(session: Session, agency_code: str, username: str) -> tuple[User, str] | None:
    """Return a user of the agency with this code and their password hash, or None when unknown."""
    found = session.execute(
        select(UserRow, AgencyRow.code)
        .join(AgencyRow, AgencyRow.id == UserRow.agency_id)
        .where(AgencyRow.code == agency_code, UserRow.username == username)
    ).first()
    if found is None:
        return None
    row, code = found
    return _to_user(row, code), row.password_hash


_USERS = cast(Table, UserRow.__table__)
_AGENCIES = cast(Table, AgencyRow.__table__)
# Every authenticated request reads its user: one prepared statement over plain columns (an ORM
# entity query built per call costs several times the SQL).
_USER_BY_ID = (
    select(
        _USERS.c.id,
        _USERS.c.agency_id,
        _AGENCIES.c.code,
        _USERS.c.username,
        _USERS.c.full_name,
        _USERS.c.role,
        _USERS.c.active,
        _USERS.c.created_at,
        _USERS.c.token_version,
    )
    .join(_AGENCIES, _AGENCIES.c.id == _USERS.c.agency_id)
    .where(_USERS.c.id == bindparam("user_id"), _USERS.c.agency_id == bindparam("agency_id"))
)


def get_user(session: Session | Connection, agency_id: int, user_id: int) -> User:
    """Return one of the agency's users, or raise NotFoundError (also for other agencies' ids)."""
    connection = session.connection() if isinstance(session, Session) else session
    found = connection.execute(_USER_BY_ID, {"user_id": user_id, "agency_id": agency_id}).first()
    if found is None:
        raise NotFoundError(f"user {user_id} not found")
    uid, agency, code, username, full_name, role, active, created_at, token_version = found
    return User(UserId(uid), agency, code, username, full_name, Role(role), active, created_at, token_version)


def find_user(session: Session, agency_id: int, username: str) -> User:
    """Return the agency's user with this name, or raise NotFoundError."""
    found = session.execute(
        select(UserRow, AgencyRow.code)
        .join(AgencyRow, AgencyRow.id == UserRow.agency_id)
        .where(UserRow.username == username, UserRow.agency_id == agency_id)
    ).first()
    if found is None:
        raise NotFoundError(f"user {username!r} not found")
    return _to_user(found[0], found[1])


def list_users(session: Session, agency_id: int) -> list[User]:
    """Return the agency's users by name."""
    rows = session.execute(
        select(UserRow, AgencyRow.code)
        .join(AgencyRow, AgencyRow.id == UserRow.agency_id)
        .where(UserRow.agency_id == agency_id)
        .order_by(UserRow.username)
    ).all()
    return [_to_user(row, code) for row, code in rows]


def _row(session: Session, agency_id: int, user_id: int) -> UserRow:
    row = session.execute(
        select(UserRow).where(UserRow.id == user_id, UserRow.agency_id == agency_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"user {user_id} not found")
    return row


def set_password_hash(
    session: Session,
    actor: Actor,
    user_id: int,
    password_hash: str,
    *,
    at: datetime,
    revoke_tokens: bool = True,
) -> None:
    """Replace a user's password hash (audited); by default every token issued before is revoked."""
    row = _row(session, actor.agency_id, user_id)
    row.password_hash = password_hash
    if revoke_tokens:
        row.token_version += 1
    audit.record(
        session,
        actor,
        "user.password",
        subject_type="user",
        subject_id=user_id,
        detail={"username": row.username, "tokens_revoked": revoke_tokens},
        at=at,
    )


def deactivate(session: Session, actor: Actor, user_id: int, *, at: datetime) -> User:
    """Deactivate one of the agency's users and revoke their tokens (audited); return the user."""
    row = _row(session, actor.agency_id, user_id)
    row.active = False
    row.token_version += 1
    audit.record(
        session,
        actor,
        "user.deactivate",
        subject_type="user",
        subject_id=user_id,
        detail={"username": row.username},
        at=at,
    )
    return _to_user(row, actor.agency_code)


def revoke_tokens(session: Session, actor: Actor, user_id: int, *, at: datetime) -> None:
    """Invalidate every token issued to a user so far (logout), audited."""
    row = _row(session, actor.agency_id, user_id)
    row.token_version += 1
    audit.record(
        session,
        actor,
        "auth.logout",
        subject_type="user",
        subject_id=user_id,
        detail={"username": row.username},
        at=at,
    )


def record_login_attempt(
    session: Session, *, agency_code: str, username: str, address: str, succeeded: bool, at: datetime
) -> None:
    """Store one login attempt (the rate limit counts the failed ones)."""
    session.add(
        LoginAttemptRow(
            agency_code=agency_code[:40],
            username=username[:80],
            address=address[:64],
            at=at,
            succeeded=succeeded,
        )
    )


def failed_attempts(
    session: Session, *, agency_code: str, username: str, address: str, since: datetime
) -> tuple[int, int]:
    """Return how many logins failed since a moment: (for this agency and user, from this address)."""
    by_user = session.execute(
        select(func.count())
        .select_from(LoginAttemptRow)
        .where(
            LoginAttemptRow.agency_code == agency_code[:40],
            LoginAttemptRow.username == username[:80],
            LoginAttemptRow.at >= since,
            LoginAttemptRow.succeeded.is_(False),
        )
    ).scalar_one()
    by_address = session.execute(
        select(func.count())
        .select_from(LoginAttemptRow)
        .where(
            LoginAttemptRow.address == address[:64],
            LoginAttemptRow.at >= since,
            LoginAttemptRow.succeeded.is_(False),
        )
    ).scalar_one()
    return int(by_user), int(by_address)


def prune_login_attempts(session: Session, before: datetime) -> int:
    """Delete login attempts older than a moment; return how many."""
    result = session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
