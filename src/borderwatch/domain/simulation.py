"""Simulated travellers for demo flights and training scenarios: realistic, reproducible, innocent.

Pure: the name pools are passed in (loaded by a service from `data/people/pools.csv`), the
randomness comes from a seed, and `today` is given. The same inputs give the same travellers.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from borderwatch.domain.travellers import (
    BookedTraveller,
    Booking,
    DocumentType,
    Flight,
    Gender,
    PaymentMethod,
    Segment,
    TravelDocument,
    Traveller,
    TravellerRole,
)


@dataclass(frozen=True, slots=True)
class NamePool:
    """Common names of one origin, and the nationality its travellers carry."""

    origin: str
    nationality: str
    given_male: tuple[str, ...]
    given_female: tuple[str, ...]
    family: tuple[str, ...]


# Passport-number shapes by issuing state, as commonly seen (letters L, digits D). Only the shape
# matters for simulation; none of these numbers is a real document.
DOCUMENT_SHAPES: Mapping[str, str] = {
    "MAR": "LLDDDDDDD",
    "GBR": "DDDDDDDDD",
    "FRA": "DDLLDDDDD",
    "ESP": "LLLDDDDDD",
}


def _document_number(rng: random.Random, state: str) -> str:
    shape = DOCUMENT_SHAPES.get(state, "LDDDDDDDD")
    return "".join(
        rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") if c == "L" else rng.choice("0123456789") for c in shape
    )


def _birth_date(rng: random.Random, today: date) -> date:
    # Adults mostly, some children: ages 1 to 85 with a bulge between 20 and 60.
    age = int(min(85, max(1, rng.gauss(38, 16))))
    return today - timedelta(days=age * 365 + rng.randint(0, 364))


def simulate_traveller(
    rng: random.Random, pool: NamePool, *, today: date, role: TravellerRole = TravellerRole.PASSENGER
) -> Traveller:
    """Return one innocent traveller drawn from a pool, with a valid passport."""
    gender = rng.choice((Gender.MALE, Gender.FEMALE))
    given_pool = pool.given_male if gender is Gender.MALE else pool.given_female
    given = rng.choice(given_pool)
    if rng.random() < 0.2:  # a second given name now and then
        second = rng.choice(given_pool)
        if second != given:
            given = f"{given} {second}"
    birth = _birth_date(rng, today)
    expiry = today + timedelta(days=rng.randint(60, 3600))
    passport = TravelDocument(
        DocumentType.PASSPORT,
        _document_number(rng, pool.nationality),
        pool.nationality,
        expiry,
        expiry - timedelta(days=3652),
        pool.nationality,
        "P",
    )
    return Traveller(
        family_name=rng.choice(pool.family),
        given_names=given,
        birth_date=birth,
        gender=gender,
        nationality=pool.nationality,
        role=role,
        documents=(passport,),
        residence_country=pool.nationality,
    )


# The AT800 Casablanca -> London mix of innocent passengers by origin pool (the demo flight, the
# route benchmarks and the tests that screen realistic traffic all draw from it).
CASABLANCA_LONDON_MIX: tuple[tuple[str, float], ...] = (
    ("maghreb", 0.55),
    ("british", 0.2),
    ("british-pakistani", 0.07),
    ("french", 0.12),
    ("spanish", 0.06),
)


def simulate_travellers(
    pools: Mapping[str, NamePool], mix: Sequence[tuple[str, float]], count: int, *, seed: int, today: date
) -> list[Traveller]:
    """Return `count` innocent travellers whose origins follow the weighted `mix` of pool names."""
    rng = random.Random(seed)
    origins = [origin for origin, _ in mix]
    weights = [weight for _, weight in mix]
    travellers: list[Traveller] = []
    seen: set[tuple[str, str, date | None]] = set()
    while len(travellers) < count:
        traveller = simulate_traveller(rng, pools[rng.choices(origins, weights)[0]], today=today)
        key = (traveller.family_name, traveller.given_names, traveller.birth_date)
        if key in seen:
            continue
        seen.add(key)
        travellers.append(traveller)
    return travellers


def assign_seats(travellers: Sequence[Traveller], *, seed: int, rows: int = 30) -> list[Traveller]:
    """Return the travellers with distinct seats (row + letter A-F), in a reproducible order."""
    rng = random.Random(seed)
    seats = [f"{row}{letter}" for row in range(1, rows + 1) for letter in "ABCDEF"]
    rng.shuffle(seats)
    if len(travellers) > len(seats):
        raise ValueError(f"{len(travellers)} travellers do not fit in {len(seats)} seats")
    return [replace(t, seat=seat) for t, seat in zip(travellers, seats, strict=False)]


# Bookings ------------------------------------------------------------------------------------------

_LOCATOR_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: airlines avoid look-alikes


def record_locator(rng: random.Random) -> str:
    """Return a six-character PNR record locator."""
    return "".join(rng.choice(_LOCATOR_LETTERS) for _ in range(6))


def group_travellers(travellers: Sequence[Traveller], *, seed: int, today: date) -> list[list[int]]:
    """Return the travellers' indexes grouped into parties of one to four who book together.

    Children under 16 always travel in a party with an adult (the airline's unaccompanied-minor
    service is not simulated); parties keep the order of their first member.
    """
    rng = random.Random(seed)
    # 16 * 366 days: a child a few days short of 16 by the calendar must not count as an adult.
    adults = [
        i for i, t in enumerate(travellers) if t.birth_date is None or (today - t.birth_date).days >= 16 * 366
    ]
    children = [i for i in range(len(travellers)) if i not in set(adults)]
    parties: list[list[int]] = []
    pending = list(adults)
    while pending:
        size = min(len(pending), rng.choices((1, 2, 3, 4), (55, 28, 10, 7))[0])
        parties.append(pending[:size])
        pending = pending[size:]
    for child in children:
        if parties:
            rng.choice(parties).append(child)
        else:
            parties.append([child])
    return sorted((sorted(p) for p in parties), key=lambda p: p[0])


def simulate_bookings(
    passengers: Sequence[Traveller],
    flight: Flight,
    *,
    rng: random.Random,
    today: date,
    risky_travellers: Collection[int] = (),
) -> tuple[list[Traveller], list[Booking]]:
    """Return the passengers with their record locators and bags, and the bookings (PNRs) they are on.

    Parties of one to four book together (children with an adult), return trips paid by card weeks
    ahead. Travellers at the `risky_travellers` indexes book alone: one-way, paid in cash, booked and ticketed
    a few hours before departure, no bags — the pattern risk rules look for.
    """
    passengers = list(passengers)
    parties = group_travellers(passengers, seed=rng.randint(0, 2**31), today=today)
    risky_indexes = set(risky_travellers)
    # A risky traveller books alone.
    parties = [[i for i in party if i not in risky_indexes] for party in parties]
    parties = [p for p in parties if p] + [[i] for i in sorted(risky_indexes)]
    parties.sort(key=lambda p: p[0])
    assert flight.departure_time is not None
    assert flight.arrival_time is not None
    back_carrier_number = str(int(flight.number) + 1)
    bookings: list[Booking] = []
    locators: set[str] = set()
    for party in parties:
        locator = record_locator(rng)
        while locator in locators:
            locator = record_locator(rng)
        locators.add(locator)
        risky = party[0] in risky_indexes
        out_leg = flight.as_segment(rng.choice("YYYYBMH"))
        legs: tuple[Segment, ...] = (out_leg,)
        if risky:
            created = flight.departure_time - timedelta(hours=rng.randint(3, 20), minutes=rng.randint(0, 59))
            ticketed = created + timedelta(minutes=rng.randint(5, 40))
            amount = f"{rng.randint(3800, 7900)}.00"
            payments: tuple[PaymentMethod, ...] = (PaymentMethod("CA", amount, "MAD"),)
        else:
            back_out = flight.departure_time + timedelta(days=rng.randint(3, 24), hours=rng.randint(-3, 6))
            back = Segment(
                flight.carrier,
                back_carrier_number,
                flight.arrival_port,
                flight.departure_port,
                back_out,
                back_out + (flight.arrival_time - flight.departure_time),
                out_leg.booking_class,
            )
            legs = (out_leg, back)
            created = flight.departure_time - timedelta(days=rng.randint(6, 120), hours=rng.randint(0, 23))
            ticketed = created + timedelta(hours=rng.randint(0, 48))
            card = rng.choice(("VI", "CA", "AX"))
            amount = f"{rng.randint(1800, 9500) * len(party)}.00"
            payments = (
                PaymentMethod(
                    "CC",
                    amount,
                    "MAD",
                    card,
                    "X" * 12 + f"{rng.randint(0, 9999):04d}",
                    card_expiry=f"{rng.randint(1, 12):02d}{(today.year + rng.randint(1, 4)) % 100:02d}",
                ),
            )
        booked: list[BookedTraveller] = []
        seats: list[tuple[str, str]] = []
        total_bags = 0
        for position, index in enumerate(party, start=1):
            person = passengers[index]
            bags = 0 if risky else rng.choice((0, 1, 1, 1, 2))
            total_bags += bags
            person = replace(person, record_locator=locator, bags=bags)
            passengers[index] = person
            ref = str(position)
            contacts = (f"+{rng.randint(212600000000, 212799999999)}",) if position == 1 else ()
            booked.append(
                BookedTraveller(
                    replace(person, embarkation="", debarkation=""),
                    ref=ref,
                    ticket_number=f"147{rng.randint(10**9, 10**10 - 1)}",
                    contacts=contacts,
                    title=_title(person),
                )
            )
            seats.append((ref, person.seat))
        bookings.append(
            Booking(
                record_locator=locator,
                travellers=tuple(booked),
                itinerary=legs,
                created_at=created,
                ticketed_at=ticketed,
                payments=payments,
                booking_agency=f"{rng.randint(10000000, 99999999)}",
                booking_country=rng.choice(("MA", "GB", "FR", "ES")),
                originator=f"{flight.carrier} {flight.departure_port}",
                seats=tuple(seats),
                bag_count=total_bags,
                last_modified_at=ticketed,
            )
        )
    # PNRGOV travellers are as booked: no embarkation, no seat-less copies; fix their seats' record.
    fixed_bookings = []
    for booking in bookings:
        fixed = tuple(
            replace(b, traveller=replace(b.traveller, record_locator=booking.record_locator))
            for b in booking.travellers
        )
        fixed_bookings.append(replace(booking, travellers=fixed))
    return passengers, fixed_bookings


def _title(person: Traveller) -> str:
    if person.birth_date is not None and person.gender is Gender.MALE and person.birth_date.year > 2012:
        return "MSTR"
    return {Gender.MALE: "MR", Gender.FEMALE: "MRS"}.get(person.gender, "")
