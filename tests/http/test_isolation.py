"""Every endpoint is authorised by role and agency; agency B cannot read or change anything of A.

The route walk covers every endpoint the application serves: one without a role guard, or one
that answers without a token, fails here - so a new endpoint cannot ship unprotected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import fastapi.routing
import pytest
from agency_world import AgencyWorld, actor_of
from fastapi import FastAPI
from fastapi.testclient import TestClient

from borderwatch.domain.alerts import AlertState
from borderwatch.domain.audit import Role
from borderwatch.http.deps import ROLE_GUARDS
from borderwatch.services import review
from borderwatch.services.auth import USER_ROLES
from borderwatch.services.instance import Instance

OPEN = {
    ("GET", "/health"),
    ("GET", "/version"),
    ("POST", "/api/auth/login"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/api/exchange/inbox"),  # partners authenticate by envelope signature, not by user token
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}
# Calling these with an allowed role would end the session the walk goes on using.
NOT_CALLED_WHEN_ALLOWED = {("POST", "/api/auth/logout"), ("POST", "/logout")}
# Valid bodies, so a guessed id reaches the agency check instead of stopping at validation.
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/api/alerts/{alert_id}/assign"): {},
    ("POST", "/api/alerts/{alert_id}/notes"): {"note": "Checked the passport photo."},
    ("POST", "/api/alerts/{alert_id}/decision"): {"decision": "false positive", "note": "Other person."},
    ("POST", "/api/training/exercises/{exercise_id}/alerts/{alert_id}/decision"): {
        "decision": "false positive",
        "note": "Other person.",
    },
}


def _routes(app: FastAPI) -> Iterator[tuple[str, str, frozenset[Role] | None]]:
    """Yield (method, path, roles allowed by its guards or None when it has no guard) for every route."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in flatten(app.routes) if flatten else app.routes:
        dependant = getattr(route, "dependant", None)
        guards = list(_guards(dependant)) if dependant is not None else []
        allowed = frozenset.intersection(*guards) if guards else None
        methods: set[str] = getattr(route, "methods", None) or set()
        for method in sorted(methods - {"HEAD"}):
            yield method, str(getattr(route, "path", "")), allowed


def _guards(dependant: object) -> Iterator[frozenset[Role]]:
    for dependency in getattr(dependant, "dependencies", []):
        if dependency.call in ROLE_GUARDS:
            yield ROLE_GUARDS[dependency.call]
        yield from _guards(dependency)


def _fill(path: str, owner: AgencyWorld) -> str:
    """Return the path with every id taken from the other agency's rows (guessed ids)."""
    ids = {
        "alert_id": owner.alert_id,
        "user_id": owner.users[Role.OFFICER].user_id,
        "flight_id": owner.flight_id,
        "traveller_id": owner.traveller_id,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def _call(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: dict[str, object] | None = None,
) -> int:
    status: int = client.request(method, path, headers=headers or {}, json=body or {}).status_code
    return status


def test_every_endpoint_needs_a_token_and_a_role(
    client: TestClient, agency_a: AgencyWorld, agency_b: AgencyWorld
) -> None:
    routes = list(_routes(client.app))  # type: ignore[arg-type]
    assert len(routes) >= 14
    for method, path, allowed in routes:
        if (method, path) in OPEN:
            continue
        assert allowed is not None, f"{method} {path} has no role guard (use require(...) from http/deps.py)"
        url = _fill(path, agency_a)
        assert _call(client, method, url) == 401, f"{method} {path} answers without a token"
        assert _call(client, method, url, {"Authorization": "Bearer bw1.forged.token"}) == 401
        body = BODIES.get((method, path))
        for role in USER_ROLES:
            if role in allowed and (method, path) in NOT_CALLED_WHEN_ALLOWED:
                continue
            status = _call(client, method, url, agency_b.auth(role), body)
            where = f"{method} {path} as B's {role.value}"
            if role not in allowed:
                assert status == 403, f"{where}: let through ({status})"
                continue
            assert status not in (401, 403, 500), f"{where}: refused ({status})"
            if "{" in path:  # an id of agency A, guessed by agency B: as if it did not exist
                expected = {404} if body is not None or method == "GET" else {404, 422}
                assert status in expected, f"{where} with A's id: {status}"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR])
def test_b_cannot_read_or_change_a_alerts_by_guessing_ids(
    client: TestClient, instance: Instance, agency_a: AgencyWorld, agency_b: AgencyWorld, role: Role
) -> None:
    headers = agency_b.auth(role)
    highest = max(agency_a.alert_id, agency_b.alert_id) + 3
    for alert_id in range(1, highest + 1):
        reads = client.get(f"/api/alerts/{alert_id}", headers=headers)
        writes = [
            client.post(f"/api/alerts/{alert_id}/assign", headers=headers, json={}),
            client.post(f"/api/alerts/{alert_id}/notes", headers=headers, json={"note": "seen"}),
            client.post(
                f"/api/alerts/{alert_id}/decision",
                headers=headers,
                json={"decision": "false positive", "note": "not them"},
            ),
        ]
        if alert_id == agency_b.alert_id:
            assert reads.status_code == 200
            continue
        for response in [reads, *writes]:
            assert response.status_code == 404, response.text
            assert response.json()["error"] == "NotFoundError"
            assert "SMITH" not in response.text
            assert "BENALI" not in response.text
    # A's alert is untouched: still new, nobody assigned, no history but its raising.
    detail = review.get_alert(instance.db, actor_of(agency_a, Role.OFFICER), agency_a.alert_id)
    assert detail.summary.state is AlertState.NEW
    assert detail.assigned_to == ""
    assert [e["action"] for e in detail.history] == ["raise"]


def test_lists_show_only_the_callers_agency(
    client: TestClient, agency_a: AgencyWorld, agency_b: AgencyWorld
) -> None:
    alerts = client.get("/api/alerts", headers=agency_b.auth(Role.OFFICER)).json()["alerts"]
    assert [a["id"] for a in alerts] == [agency_b.alert_id]
    assert alerts[0]["traveller"].startswith("SMITH/")
    a_alerts = client.get("/api/alerts", headers=agency_a.auth(Role.OFFICER)).json()["alerts"]
    assert [a["id"] for a in a_alerts] == [agency_a.alert_id]
    # paging by id cannot reach across agencies either
    older = client.get(
        "/api/alerts",
        headers=agency_b.auth(Role.OFFICER),
        params={"before_id": max(agency_a.alert_id, agency_b.alert_id) + 1, "limit": 1},
    ).json()
    assert [a["id"] for a in older["alerts"]] == [agency_b.alert_id]
    assert older["next_before_id"] == agency_b.alert_id  # a full page: there may be more
    last = client.get(
        "/api/alerts", headers=agency_b.auth(Role.OFFICER), params={"before_id": agency_b.alert_id}
    ).json()
    assert last == {"alerts": [], "next_before_id": None}

    users = client.get("/api/users", headers=agency_b.auth(Role.ADMIN)).json()["users"]
    assert {u["agency"] for u in users} == {"UKBF"}
    assert not {u["id"] for u in users} & {u.user_id for u in agency_a.users.values()}

    events = client.get(
        "/api/audit/events", headers=agency_b.auth(Role.AUDITOR), params={"limit": 1000}
    ).json()["events"]
    assert events
    assert all(e["actor"].endswith("@UKBF") for e in events)
    verified = client.get("/api/audit/verify", headers=agency_b.auth(Role.AUDITOR)).json()
    assert (verified["agency"], verified["intact"]) == ("UKBF", True)


def test_b_admin_cannot_manage_a_users(
    client: TestClient, instance: Instance, agency_a: AgencyWorld, agency_b: AgencyWorld
) -> None:
    headers = agency_b.auth(Role.ADMIN)
    for user in agency_a.users.values():
        response = client.post(f"/api/users/{user.user_id}/deactivate", headers=headers)
        assert response.status_code == 404
    # A's officer still works; B's admin created a user in B only, even with A's name.
    assert client.get("/api/auth/me", headers=agency_a.auth(Role.OFFICER)).json()["active"] is True
    created = client.post(
        "/api/users",
        headers=headers,
        json={"username": "dgsn.officer", "role": "officer", "password": "Another-long-one-42"},
    )
    assert created.status_code == 201
    assert created.json()["agency"] == "UKBF"
    login = client.post(
        "/api/auth/login",
        json={"username": "dgsn.officer", "agency": "DGSN", "password": "Another-long-one-42"},
    )
    assert login.status_code == 401  # the name exists in B, not in A with that password
