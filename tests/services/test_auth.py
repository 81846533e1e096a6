"""Users, passwords, logins and tokens on both engines: argon2 hashes, rate limits, expiry, revocation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from borderwatch.domain.audit import Role
from borderwatch.errors import (
    AccessDeniedError,
    AuthenticationError,
    ConflictError,
    InputError,
    LoginRateLimitError,
)
from borderwatch.services import auth
from borderwatch.services.instance import Instance
from borderwatch.store import audit
from borderwatch.store.tables import UserRow
from borderwatch.store.users import User

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
PASSWORD = "Tamanrasset-1987-dunes"


def _officer(instance: Instance, username: str = "nadia.benali", role: Role = Role.OFFICER) -> User:
    return auth.create_user(
        instance.db,
        instance.actor(channel="test"),
        username=username,
        role=role,
        password=PASSWORD,
        full_name="Nadia Benali",
        now=NOW,
    )


def _login(
    instance: Instance,
    *,
    username: str = "nadia.benali",
    password: str = PASSWORD,
    address: str = "10.0.0.7",
    now: datetime = NOW,
    limit: int = 5,
) -> User:
    return auth.authenticate(
        instance.db,
        agency="DGSN",
        username=username,
        password=password,
        address=address,
        now=now,
        attempts_per_minute=limit,
        channel="test",
    )


def test_password_is_stored_as_an_argon2id_hash(instance: Instance) -> None:
    user = _officer(instance)
    with instance.db.transaction() as session:
        stored = session.execute(
            sa.select(UserRow.password_hash).where(UserRow.id == user.user_id)
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert _login(instance).user_id == user.user_id


def test_username_is_case_insensitive_and_duplicates_are_refused(instance: Instance) -> None:
    _officer(instance, "Nadia.Benali")
    assert _login(instance, username="NADIA.BENALI").username == "nadia.benali"
    with pytest.raises(ConflictError):
        _officer(instance, "nadia.benali")


def test_wrong_password_and_unknown_user_get_the_same_answer(instance: Instance) -> None:
    _officer(instance)
    with pytest.raises(AuthenticationError) as wrong:
        _login(instance, password="Tamanrasset-1987-dune")
    with pytest.raises(AuthenticationError) as unknown:
        _login(instance, username="nobody")
    assert wrong.value.message == unknown.value.message == auth.WRONG_LOGIN
    with pytest.raises(AuthenticationError):
        auth.authenticate(
            instance.db,
            agency="UKBF",
            username="nadia.benali",
            password=PASSWORD,
            address="10.0.0.7",
            now=NOW,
            attempts_per_minute=5,
        )


def test_weak_password_and_system_role_are_refused(instance: Instance) -> None:
    with pytest.raises(InputError, match="at least 12"):
        auth.create_user(
            instance.db, instance.actor(), username="short", role=Role.OFFICER, password="12345678", now=NOW
        )
    with pytest.raises(InputError, match="system"):
        auth.create_user(
            instance.db, instance.actor(), username="robot", role=Role.SYSTEM, password=PASSWORD, now=NOW
        )
    with pytest.raises(InputError, match="not allowed"):
        auth.create_user(
            instance.db, instance.actor(), username="x y", role=Role.OFFICER, password=PASSWORD, now=NOW
        )


def test_only_an_admin_manages_users(instance: Instance) -> None:
    officer = _officer(instance)
    as_officer = officer.actor("test")
    with pytest.raises(AccessDeniedError):
        auth.create_user(
            instance.db, as_officer, username="friend", role=Role.ADMIN, password=PASSWORD, now=NOW
        )
    with pytest.raises(AccessDeniedError):
        auth.list_users(instance.db, as_officer)
    admin = _officer(instance, "admin", Role.ADMIN)
    with pytest.raises(ConflictError, match="your own account"):
        auth.deactivate_user(instance.db, admin.actor("test"), "admin", now=NOW)
    assert [u.username for u in auth.list_users(instance.db, admin.actor("test"))] == [
        "admin",
        "nadia.benali",
    ]


def test_deactivated_user_cannot_log_in_and_their_tokens_stop(instance: Instance) -> None:
    user = _officer(instance)
    secret = instance.secret()
    issued = auth.issue_token(secret, user, now=NOW, minutes=60)
    assert auth.user_for_token(instance.db, secret, issued.token, now=NOW).username == "nadia.benali"
    auth.deactivate_user(instance.db, instance.actor(), "nadia.benali", now=NOW)
    with pytest.raises(AuthenticationError):
        _login(instance)
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.user_for_token(instance.db, secret, issued.token, now=NOW)


def test_failed_logins_per_user_are_limited_then_allowed_after_a_minute(instance: Instance) -> None:
    _officer(instance)
    for n in range(3):
        with pytest.raises(AuthenticationError):
            _login(
                instance, password="guess", now=NOW + timedelta(seconds=n), limit=3, address=f"192.0.2.{n}"
            )
    # The right password is refused too while the limit holds: a guesser learns nothing.
    with pytest.raises(LoginRateLimitError) as refused:
        _login(instance, now=NOW + timedelta(seconds=10), limit=3, address="192.0.2.99")
    assert refused.value.retry_after == 60
    assert _login(instance, now=NOW + timedelta(seconds=62), limit=3).username == "nadia.benali"


def test_failed_logins_per_address_are_limited_across_usernames(instance: Instance) -> None:
    _officer(instance)
    for n in range(3):
        with pytest.raises(AuthenticationError):
            _login(instance, username=f"user{n}", password="guess", now=NOW + timedelta(seconds=n), limit=3)
    with pytest.raises(LoginRateLimitError):
        _login(instance, now=NOW + timedelta(seconds=5), limit=3)
    assert _login(instance, now=NOW + timedelta(seconds=5), limit=3, address="10.9.9.9").username


def test_the_limit_holds_across_workers_sharing_the_database(instance: Instance) -> None:
    _officer(instance)
    other_worker = Instance(instance.settings)
    try:
        for n in range(2):
            with pytest.raises(AuthenticationError):
                _login(instance, password="guess", now=NOW + timedelta(seconds=n), limit=2)
        with pytest.raises(LoginRateLimitError):
            auth.authenticate(
                other_worker.db,
                agency="DGSN",
                username="nadia.benali",
                password=PASSWORD,
                address="10.0.0.7",
                now=NOW + timedelta(seconds=3),
                attempts_per_minute=2,
            )
    finally:
        other_worker.close()


def test_logins_are_audited(instance: Instance) -> None:
    user = _officer(instance)
    with pytest.raises(AuthenticationError):
        _login(instance, password="guess")
    _login(instance, now=NOW + timedelta(seconds=1))
    with instance.db.transaction() as session:
        events = audit.list_events(session, user.agency_id, limit=3)
    assert [(e.action, e.actor, e.detail.get("address")) for e in events[:2]] == [
        ("auth.login", "nadia.benali@DGSN", "10.0.0.7"),
        ("auth.failed", "nadia.benali@DGSN", "10.0.0.7"),
    ]


def test_token_expires(instance: Instance) -> None:
    user = _officer(instance)
    secret = instance.secret()
    issued = auth.issue_token(secret, user, now=NOW, minutes=30)
    assert issued.expires_at == NOW + timedelta(minutes=30)
    auth.user_for_token(instance.db, secret, issued.token, now=NOW + timedelta(minutes=29))
    with pytest.raises(AuthenticationError, match="expired"):
        auth.user_for_token(instance.db, secret, issued.token, now=NOW + timedelta(minutes=30))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_tampered_token_is_refused(instance: Instance) -> None:
    user = _officer(instance)
    secret = instance.secret()
    token = auth.issue_token(secret, user, now=NOW, minutes=30).token
    prefix, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["role"] = "admin"
    promoted = f"{prefix}.{_b64(json.dumps(claims).encode())}.{signature}"
    flipped = f"{prefix}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for bad in (promoted, flipped, "bw1.e30", "not a token", token + "x"):
        with pytest.raises(AuthenticationError):
            auth.user_for_token(instance.db, secret, bad, now=NOW)
    with pytest.raises(AuthenticationError, match="signature"):
        auth.user_for_token(instance.db, b"another instance's secret, 32+ chars", token, now=NOW)


def test_logout_and_password_change_revoke_tokens(instance: Instance) -> None:
    user = _officer(instance)
    secret = instance.secret()
    first = auth.issue_token(secret, user, now=NOW, minutes=30).token
    auth.logout(instance.db, user.actor("test"), now=NOW)
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.user_for_token(instance.db, secret, first, now=NOW)
    second = auth.login(
        instance.db,
        secret,
        agency="DGSN",
        username="nadia.benali",
        password=PASSWORD,
        address="10.0.0.7",
        now=NOW,
        token_minutes=30,
        attempts_per_minute=5,
    ).token
    auth.user_for_token(instance.db, secret, second, now=NOW)
    with pytest.raises(AuthenticationError, match="current password"):
        auth.change_password(
            instance.db,
            user.actor("test"),
            "nadia.benali",
            new_password="Another-long-one-42",
            old_password="wrong",
            now=NOW,
        )
    auth.change_password(
        instance.db,
        user.actor("test"),
        "nadia.benali",
        new_password="Another-long-one-42",
        old_password=PASSWORD,
        now=NOW,
    )
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.user_for_token(instance.db, secret, second, now=NOW)
    assert _login(instance, password="Another-long-one-42").username == "nadia.benali"
