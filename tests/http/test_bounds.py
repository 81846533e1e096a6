"""Numbers from the outside are bounded at the edge: an id or offset too large for the database is a
client error, never a server error (found by schemathesis: SQLite's INTEGER overflowed)."""

from __future__ import annotations

import pytest
from agency_world import AgencyWorld
from fastapi.testclient import TestClient

from borderwatch.domain.audit import Role

HUGE = str(2**63)

URLS = [
    f"/api/alerts/{HUGE}",
    f"/api/alerts?offset={HUGE}",
    f"/api/alerts?flight_id={HUGE}",
    f"/api/flights/{HUGE}",
    f"/api/flights/{HUGE}/travellers",
    f"/api/travellers/{HUGE}",
    f"/api/audit/events?offset={HUGE}",
    f"/alerts/{HUGE}",
    f"/flights/{HUGE}",
]


@pytest.mark.parametrize("url", URLS)
def test_huge_numbers_are_refused_as_client_errors(
    client: TestClient, agency_b: AgencyWorld, url: str
) -> None:
    role = Role.AUDITOR if "/audit/" in url else Role.OFFICER
    response = client.get(url, headers=agency_b.auth(role))
    assert 400 <= response.status_code < 500, f"{url}: {response.status_code}"
