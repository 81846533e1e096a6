"""Fixtures of the HTTP tests: a client on the instance, and two agencies A (DGSN) and B (UKBF)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from agency_world import AgencyWorld, build_agency
from fastapi.testclient import TestClient

from borderwatch.domain.audit import Role
from borderwatch.http.app import create_app
from borderwatch.services import auth
from borderwatch.services.instance import Instance


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    with TestClient(create_app(instance=instance)) as test_client:
        yield test_client


@pytest.fixture
def agency_a(instance: Instance) -> AgencyWorld:
    return build_agency(instance, "DGSN", (Role.OFFICER, Role.ADMIN), surname="BENALI")


@pytest.fixture
def agency_b(instance: Instance, agency_a: AgencyWorld) -> AgencyWorld:
    return build_agency(instance, "UKBF", auth.USER_ROLES, surname="SMITH")
