"""Risk rules over a stored flight: travellers with their bookings, judged as of departure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from borderwatch.domain.audit import Actor
from borderwatch.domain.risk_rules import RuleSet
from borderwatch.domain.travellers import Booking, Traveller
from borderwatch.services.rules import TravellerContext, TravellerFlags, flag_travellers
from borderwatch.store import flights as flight_store
from borderwatch.store.flights import StoredFlight
from borderwatch.store.session import Database


@dataclass(frozen=True, slots=True)
class FlightFlags:
    """What a rule set flags on one stored flight."""

    flight: StoredFlight
    rule_set: RuleSet
    judged_at: datetime
    travellers: int
    flagged: list[tuple[int, TravellerFlags]]


def booking_for(traveller: Traveller, bookings: list[Booking]) -> Booking | None:
    """Return the traveller's PNR: by record locator when the manifest gives one, else by name."""
    if traveller.record_locator:
        for booking in bookings:
            if booking.record_locator == traveller.record_locator:
                return booking
    family, given = traveller.family_name.upper(), traveller.given_names.upper()
    for booking in bookings:
        for booked in booking.travellers:
            other = booked.traveller
            if other.family_name.upper() == family and (
                not given
                or other.given_names.upper().startswith(given)
                or given.startswith(other.given_names.upper())
            ):
                return booking
    return None


def flag_flight(
    db: Database, actor: Actor, rule_set: RuleSet, flight_ref: str, *, now: datetime | None = None
) -> FlightFlags:
    """Return the travellers of a stored flight that the rule set flags (judged at departure by default)."""
    with db.transaction() as session:
        flight = flight_store.find_flight(session, actor, flight_ref)
        travellers = flight_store.travellers_of_flight(session, actor, flight.flight_id, purpose="risk rules")
        bookings = flight_store.bookings_of_flight(session, actor, flight.flight_id, purpose="risk rules")
    departure = flight.flight.departure_time
    judged_at = now or (departure.replace(tzinfo=UTC) if departure else datetime.now(UTC))
    contexts = [
        TravellerContext(t.traveller, flight.flight, booking_for(t.traveller, bookings)) for t in travellers
    ]
    flags = flag_travellers(rule_set, contexts, judged_at)
    by_traveller = {id(f.traveller): f for f in flags}
    flagged: list[tuple[int, TravellerFlags]] = [
        (t.traveller_id, by_traveller[id(c.traveller)])
        for t, c in zip(travellers, contexts, strict=True)
        if id(c.traveller) in by_traveller
    ]
    return FlightFlags(flight, rule_set, judged_at, len(travellers), flagged)
