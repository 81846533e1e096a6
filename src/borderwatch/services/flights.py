"""Flights, travellers and screening results as officers and the API read them (every read audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from borderwatch.domain.audit import Actor
from borderwatch.store import alerts as alert_store
from borderwatch.store import flights as flight_store
from borderwatch.store.flights import StoredFlight, StoredTraveller
from borderwatch.store.session import Database


def list_flights(
    db: Database, actor: Actor, *, limit: int = 50, on: date | None = None
) -> list[StoredFlight]:
    """Return the agency's flights, newest first (no personal data)."""
    with db.transaction() as session:
        return flight_store.list_flights(session, actor, limit=limit, on=on)


def get_flight(db: Database, actor: Actor, flight_id: int) -> StoredFlight:
    """Return one of the agency's flights, or raise NotFoundError."""
    with db.transaction() as session:
        return flight_store.get_flight(session, actor, flight_id)


def flight_travellers(db: Database, actor: Actor, flight_id: int, *, purpose: str) -> list[StoredTraveller]:
    """Return the travellers of one of the agency's flights (the read is audited with its purpose)."""
    with db.transaction() as session:
        return flight_store.travellers_of_flight(session, actor, flight_id, purpose=purpose)


def get_traveller(db: Database, actor: Actor, traveller_id: int, *, purpose: str) -> StoredTraveller:
    """Return one of the agency's travellers (audited), or raise NotFoundError."""
    with db.transaction() as session:
        return flight_store.get_traveller(session, actor, traveller_id, purpose=purpose)


def screening_results(db: Database, actor: Actor, flight_id: int) -> list[dict[str, Any]]:
    """Return each traveller's latest screening outcome on one of the agency's flights (audited)."""
    with db.transaction() as session:
        flight_store.get_flight(session, actor, flight_id)
        return alert_store.screening_results(session, actor, flight_id)
