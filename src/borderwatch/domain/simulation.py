"""Simulated travellers for demo flights and training scenarios: realistic, reproducible, innocent.

Pure: the name pools are passed in (loaded by a service from `data/people/pools.csv`), the
randomness comes from a seed, and `today` is given. The same inputs give the same travellers.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from borderwatch.domain.travellers import DocumentType, Gender, TravelDocument, Traveller, TravellerRole


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
