"""Depersonalised data can be re-personalised only with a second person's (supervisor's) approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
import sqlalchemy as sa

from borderwatch.domain.audit import Role
from borderwatch.errors import AccessDeniedError, ConflictError
from borderwatch.services import auth, repersonalisation
from borderwatch.services.ingest import Received, ingest
from borderwatch.services.instance import Instance
from borderwatch.services.retention import run_retention
from borderwatch.store import audit

PASSWORD = "correct horse battery staple"


def _people(instance: Instance) -> dict[str, auth.User]:
    now = datetime.now(UTC)
    people = {}
    for name, role in (("officer", Role.OFFICER), ("chief", Role.SUPERVISOR), ("deputy", Role.SUPERVISOR)):
        people[name] = auth.create_user(
            instance.db, instance.actor(), username=name, role=role, password=PASSWORD, now=now
        )
    return people


def _traveller(instance: Instance, traveller_id: int | None = None) -> tuple[int, str, str]:
    """Return (id, family name, passport number) of LAGOUB (a planted passenger), or of the given id."""
    where = "t.id = :id" if traveller_id is not None else "t.family_name = 'LAGOUB'"
    with instance.db.engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT t.id, t.family_name, d.number FROM travellers t "
                f"JOIN travel_documents d ON d.traveller_id = t.id WHERE {where}"
            ),
            {"id": traveller_id},
        ).one()
    return int(row[0]), str(row[1]), str(row[2])


def test_depersonalise_request_approve_restore(instance: Instance) -> None:
    flight = resources.files("borderwatch").joinpath("data", "demo", "AT800-CMN-LHR.paxlst").read_bytes()
    ingest(instance.db, instance.actor(), [Received("AT800.paxlst", flight)], today=datetime.now(UTC).date())
    traveller_id, family, passport = _traveller(instance)
    later = datetime.now(UTC).date() + timedelta(days=instance.settings.depersonalise_after_days + 1)
    report = run_retention(instance, today=later)
    assert report.agencies["DGSN"]["depersonalised"]["travellers"] == 156
    _, masked_family, masked_number = _traveller(instance, traveller_id)
    assert masked_family != family
    assert masked_number != passport

    people = _people(instance)
    officer = people["officer"].actor("test")
    chief = people["chief"].actor("test")
    request = repersonalisation.request(
        instance, officer, traveller_id, "case 2026/118: matched a stolen passport", now=datetime.now(UTC)
    )
    assert request.state == "pending"
    with pytest.raises(AccessDeniedError):
        repersonalisation.decide(instance, officer, request.request_id, approve=True, now=datetime.now(UTC))
    decided = repersonalisation.decide(
        instance, chief, request.request_id, approve=True, now=datetime.now(UTC)
    )
    assert decided.state == "approved"
    with instance.db.engine.connect() as connection:
        restored = connection.execute(
            sa.text(
                "SELECT t.family_name, d.number, t.depersonalised_at FROM travellers t "
                "JOIN travel_documents d ON d.traveller_id = t.id WHERE t.id = :id"
            ),
            {"id": traveller_id},
        ).one()
    assert (restored[0], restored[1], restored[2]) == (family, passport, None)
    with pytest.raises(ConflictError):
        repersonalisation.decide(
            instance, people["deputy"].actor("test"), request.request_id, approve=True, now=datetime.now(UTC)
        )
    with instance.db.transaction() as session:
        actions = [e.action for e in audit.list_events(session, officer.agency_id, limit=500)]
    assert "repersonalisation.request" in actions
    assert "repersonalisation.approved" in actions


def test_a_supervisor_cannot_approve_their_own_request(instance: Instance) -> None:
    flight = resources.files("borderwatch").joinpath("data", "demo", "AT800-CMN-LHR.paxlst").read_bytes()
    ingest(instance.db, instance.actor(), [Received("AT800.paxlst", flight)], today=datetime.now(UTC).date())
    later = datetime.now(UTC).date() + timedelta(days=instance.settings.depersonalise_after_days + 1)
    traveller_id, _, _ = _traveller(instance)
    run_retention(instance, today=later)
    people = _people(instance)
    chief = people["chief"].actor("test")
    request = repersonalisation.request(instance, chief, traveller_id, "check", now=datetime.now(UTC))
    with pytest.raises(AccessDeniedError, match="four eyes"):
        repersonalisation.decide(instance, chief, request.request_id, approve=True, now=datetime.now(UTC))
    refused = repersonalisation.decide(
        instance, people["deputy"].actor("test"), request.request_id, approve=False, now=datetime.now(UTC)
    )
    assert refused.state == "refused"
    _, family, _ = _traveller(instance, traveller_id)
    assert family != "LAGOUB"  # still masked
