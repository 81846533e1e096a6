"""The HTTP API with user authentication: login, cookie, logout, rate limit, roles, audit of reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from agency_world import PASSWORD, AgencyWorld
from fastapi.testclient import TestClient

from borderwatch.domain.audit import Role
from borderwatch.http.app import create_app
from borderwatch.services import auth
from borderwatch.services.instance import Instance
from borderwatch.store import audit


def _login(
    client: TestClient, username: str = "dgsn.officer", password: str = PASSWORD, agency: str | None = None
) -> dict[str, object]:
    body: dict[str, object] = {"username": username, "password": password}
    if agency:
        body["agency"] = agency
    response = client.post("/api/auth/login", json=body)
    return {"status": response.status_code, "json": response.json(), "headers": response.headers}


@pytest.fixture
def secure_client(instance: Instance) -> Iterator[TestClient]:
    """A client of an app on the same database whose cookies are marked Secure, logging in at most twice."""
    settings = instance.settings.model_copy(update={"secure_cookies": True, "login_attempts_per_minute": 2})
    other = Instance(settings)
    with TestClient(create_app(instance=other), base_url="https://testserver") as client:
        yield client
    other.close()


def test_login_gives_a_token_and_a_strict_http_only_cookie(
    secure_client: TestClient, agency_a: AgencyWorld
) -> None:
    response = secure_client.post("/api/auth/login", json={"username": "DGSN.Officer", "password": PASSWORD})
    assert response.status_code == 200
    data = response.json()
    assert data["token"].startswith("bw1.")
    assert data["user"] == {**data["user"], "username": "dgsn.officer", "agency": "DGSN", "role": "officer"}
    expires = datetime.fromisoformat(data["expires_at"])
    assert timedelta(minutes=470) < expires - datetime.now(UTC) <= timedelta(minutes=480)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("borderwatch_session=")
    for attribute in ("HttpOnly", "SameSite=strict", "Secure", "Path=/"):
        assert attribute.lower() in cookie.lower()
    # The console sends only the cookie.
    me = secure_client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "dgsn.officer"
    secure_client.cookies.clear()
    assert secure_client.get("/api/auth/me").status_code == 401
    bearer = secure_client.get("/api/alerts", headers={"Authorization": f"Bearer {data['token']}"})
    assert bearer.status_code == 200


def test_cookie_is_not_secure_when_settings_say_so(client: TestClient, agency_a: AgencyWorld) -> None:
    response = client.post("/api/auth/login", json={"username": "dgsn.officer", "password": PASSWORD})
    assert "secure" not in response.headers["set-cookie"].lower()


def test_wrong_login_answers_401_in_the_one_error_shape(client: TestClient, agency_a: AgencyWorld) -> None:
    for body in (
        {"username": "dgsn.officer", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "dgsn.officer", "password": PASSWORD, "agency": "UKBF"},
    ):
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 401
        assert set(response.json()) == {"error", "message", "detail"}
        assert response.json()["message"] == auth.WRONG_LOGIN
        assert response.headers["www-authenticate"] == "Bearer"
        assert "set-cookie" not in response.headers
    invalid = client.post("/api/auth/login", json={"username": "dgsn.officer"})
    assert invalid.status_code == 422
    assert invalid.json()["error"] == "InputError"


def test_failed_logins_are_rate_limited_with_429(secure_client: TestClient, agency_a: AgencyWorld) -> None:
    for _ in range(2):
        assert (
            secure_client.post(
                "/api/auth/login", json={"username": "dgsn.officer", "password": "guess-guess"}
            ).status_code
            == 401
        )
    refused = secure_client.post("/api/auth/login", json={"username": "dgsn.officer", "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert refused.json()["error"] == "LoginRateLimitError"


def test_logout_revokes_the_token_and_clears_the_cookie(client: TestClient, agency_a: AgencyWorld) -> None:
    token = client.post("/api/auth/login", json={"username": "dgsn.officer", "password": PASSWORD}).json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    out = client.post("/api/auth/logout", headers=headers)
    assert out.status_code == 200
    assert 'borderwatch_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert client.get("/api/auth/me", headers=headers).status_code == 401
    assert client.get("/api/auth/me").status_code == 401  # the cookie went with it


def test_deactivation_and_expiry_end_a_token(
    client: TestClient, instance: Instance, agency_a: AgencyWorld
) -> None:
    officer = agency_a.users[Role.OFFICER]
    stale = auth.issue_token(
        instance.secret(), officer, now=datetime.now(UTC) - timedelta(hours=9), minutes=480
    )
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {stale.token}"}).status_code == 401
    assert client.get("/api/auth/me", headers=agency_a.auth(Role.OFFICER)).status_code == 200
    done = client.post(f"/api/users/{officer.user_id}/deactivate", headers=agency_a.auth(Role.ADMIN))
    assert done.json()["active"] is False
    response = client.get("/api/auth/me", headers=agency_a.auth(Role.OFFICER))
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]
    assert client.get("/api/alerts", headers={"Authorization": "Basic abc"}).status_code == 401


def test_admin_manages_users_of_the_agency(client: TestClient, agency_a: AgencyWorld) -> None:
    headers = agency_a.auth(Role.ADMIN)
    created = client.post(
        "/api/users",
        headers=headers,
        json={
            "username": "karim.haddad",
            "role": "supervisor",
            "password": "Oued-Draa-2026-long",
            "full_name": "K H",
        },
    )
    assert created.status_code == 201
    assert created.json()["role"] == "supervisor"
    again = client.post(
        "/api/users",
        headers=headers,
        json={"username": "karim.haddad", "role": "officer", "password": "Oued-Draa-2026-long"},
    )
    assert again.status_code == 409
    weak = client.post(
        "/api/users", headers=headers, json={"username": "x", "role": "officer", "password": "short"}
    )
    assert weak.status_code == 422
    assert weak.json()["detail"]["field"] == "password"
    names = [u["username"] for u in client.get("/api/users", headers=headers).json()["users"]]
    assert names == ["dgsn.admin", "dgsn.officer", "karim.haddad"]
    login = client.post(
        "/api/auth/login", json={"username": "karim.haddad", "password": "Oued-Draa-2026-long"}
    )
    assert login.json()["user"]["role"] == "supervisor"


def test_review_over_http_with_officer_and_time_and_audited_reads(
    client: TestClient, instance: Instance, agency_a: AgencyWorld
) -> None:
    headers = agency_a.auth(Role.OFFICER)
    alert = f"/api/alerts/{agency_a.alert_id}"
    assigned = client.post(f"{alert}/assign", headers=headers, json={}).json()
    assert (assigned["state"], assigned["assigned_to"]) == ("in review", "dgsn.officer")
    noted = client.post(f"{alert}/notes", headers=headers, json={"note": "Birth date differs by 12 years."})
    assert noted.json()["history"][-1]["actor"] == "dgsn.officer@DGSN"
    bad = client.post(f"{alert}/decision", headers=headers, json={"decision": "maybe", "note": "hmm"})
    assert bad.status_code == 422
    decided = client.post(
        f"{alert}/decision", headers=headers, json={"decision": "false positive", "note": "Different person."}
    )
    assert decided.json()["state"] == "false positive"
    last = decided.json()["history"][-1]
    assert (last["action"], last["actor"], last["decision"]) == (
        "decide",
        "dgsn.officer@DGSN",
        "false positive",
    )
    assert last["at"]
    again = client.post(
        f"{alert}/decision", headers=headers, json={"decision": "confirm match", "note": "no"}
    )
    assert again.status_code == 409
    assert again.json()["error"] == "ConflictError"

    client.get(alert, headers=headers)
    with instance.db.transaction() as session:
        events = audit.list_events(session, agency_a.users[Role.OFFICER].agency_id, limit=20)
    reads = [e for e in events if e.action == "alert.read"]
    assert reads[0].actor == "dgsn.officer@DGSN"
    assert reads[0].channel == "http:GET /api/alerts/{alert_id}"
    assert reads[0].subject_id == str(agency_a.alert_id)
    assert {e.channel for e in events if e.action == "alert.decide"} == {
        "http:POST /api/alerts/{alert_id}/decision"
    }


def test_auditor_reads_and_verifies_the_trail_but_not_alerts(
    client: TestClient, agency_b: AgencyWorld
) -> None:
    headers = agency_b.auth(Role.AUDITOR)
    assert client.get("/api/alerts", headers=headers).status_code == 403
    events = client.get("/api/audit/events", headers=headers, params={"action": "user.create"}).json()[
        "events"
    ]
    assert len(events) == len(auth.USER_ROLES)
    verified = client.get("/api/audit/verify", headers=headers).json()
    assert verified["intact"] is True
    assert verified["breaks"] == []
    assert client.get("/health").status_code == 200
    assert client.get("/version").status_code == 200
