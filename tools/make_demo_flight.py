"""Writes the bundled demo flight: src/borderwatch/data/demo/AT800-CMN-LHR.paxlst (and .pnrgov).

Royal Air Maroc-style flight AT800 Casablanca (CMN) -> London Heathrow (LHR), 150 passengers and
6 crew, drawn reproducibly (seed 2026) from the name pools, plus five travellers who are persons
on the UN Security Council Consolidated List, written as a passport would write them rather than
as the list does (another romanisation, another name order, missing middle names). Their list ids
are in `planted.csv` next to the flight, which the tests use as the answer key. The PNRGOV push
books the passengers in parties; one innocent passenger (a British passenger) books alone, one-way,
in cash, hours before departure (the risk rules flag it; an officer clears it). The UK Border
Force's lost and stolen list (`ukbf_lost_stolen.csv`) holds, among invented numbers, the passport
of another passenger, reported stolen in London.

Run from the repository root: .venv/bin/python tools/make_demo_flight.py
"""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from borderwatch.domain.simulation import (
    CASABLANCA_LONDON_MIX,
    assign_seats,
    simulate_bookings,
    simulate_travellers,
)
from borderwatch.domain.travellers import (
    DocumentType,
    Flight,
    Gender,
    Manifest,
    MessageKind,
    PnrMessage,
    TravelDocument,
    Traveller,
    TravellerRole,
)
from borderwatch.formats.paxlst import write_paxlst
from borderwatch.formats.pnrgov import write_pnrgov
from borderwatch.services.simulation import load_name_pools

OUT = Path("src/borderwatch/data/demo")
GENERATED_ON = date(2026, 11, 29)
FLIGHT = Flight("AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5), datetime(2026, 12, 1, 11, 50))

# (list id, family name, given names, birth date, nationality, passport, how it differs from the list)
PLANTED = [
    (
        "UN:QDi.190",
        "LAGOUB",
        "ABDULKADIR",
        date(1966, 4, 23),
        "MAR",
        "UZ5519283",
        "list: ABDELKADER LAAGOUB; English-style Abdul-Kadir, single A in the family name",
    ),
    (
        "UN:QDi.082",
        "ELMOTASSADEQ",
        "MUNIR",
        date(1974, 4, 3),
        "MAR",
        "TK7410032",
        "list: MOUNIR EL MOTASSADEQ; English u for ou, particle joined",
    ),
    (
        "UN:QDi.060",
        "AL AOUADI",
        "MOHAMMED",
        date(1974, 12, 11),
        "TUN",
        "Z0381247",
        "list: MOHAMED BEN BELGACEM BEN ABDALLAH AL-AOUADI; nasab (ben ... ben ...) left out, Mohammed",
    ),
    (
        "UN:QDi.232",
        "ABDELMALEK",
        "DROUKDAL",
        date(1970, 4, 20),
        "DZA",
        "151093377",
        "list: ABDELMALEK DROUKDEL; family and given names swapped, e/a vowel",
    ),
    (
        "UN:QDi.136",
        "BELMOKHTAR",
        "MOKHTAR",
        date(1972, 6, 1),
        "DZA",
        "193421806",
        "list: MOKHTAR BELMOKHTAR; written family name first",
    ),
]


def main() -> None:
    pools = load_name_pools()
    mix = CASABLANCA_LONDON_MIX
    innocents = simulate_travellers(pools, mix, 145, seed=2026, today=GENERATED_ON)
    planted = [
        Traveller(
            family,
            given,
            born,
            Gender.MALE,
            nat,
            documents=(
                TravelDocument(
                    DocumentType.PASSPORT, number, nat, date(2029, 3, 14), date(2019, 3, 15), nat, "P"
                ),
            ),
            residence_country=nat,
        )
        for _, family, given, born, nat, number, _ in PLANTED
    ]
    passengers = innocents[:37] + planted[:2] + innocents[37:90] + planted[2:4] + innocents[90:] + planted[4:]
    passengers = [replace(t, embarkation="CMN", debarkation="LHR") for t in assign_seats(passengers, seed=7)]
    risky = next(
        i
        for i, t in enumerate(passengers)
        if t.nationality == "GBR" and t.birth_date and t.birth_date.year < 2000
    )
    stolen = next(
        i
        for i, t in enumerate(passengers)
        if t.nationality == "GBR" and i != risky and t.birth_date and t.birth_date.year < 2000
    )
    passengers, bookings = simulate_bookings(
        passengers, FLIGHT, rng=random.Random(2027), today=GENERATED_ON, risky_travellers={risky}
    )
    crew = [
        replace(t, role=TravellerRole.CREW, seat="", embarkation="CMN", debarkation="LHR")
        for t in simulate_travellers(pools, [("maghreb", 1.0)], 6, seed=99, today=GENERATED_ON)
    ]
    manifest = Manifest(
        MessageKind.PASSENGER_LIST,
        FLIGHT,
        tuple(passengers + crew),
        sender="ATREF",
        recipient="GBRBORDERFORCE",
        message_ref="AT800A",
        interchange_ref="2611290001",
        reference="AT800/261201/0805",
        declared_passengers=len(passengers),
        declared_crew=len(crew),
        version="D05B",
        reporting_party="ROYAL AIR MAROC APIS",
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "AT800-CMN-LHR.paxlst").write_bytes(write_paxlst(manifest))
    pnr = PnrMessage(FLIGHT, tuple(bookings), sender="ATPNR", message_ref="AT800P")
    (OUT / "AT800-CMN-LHR.pnrgov").write_bytes(write_pnrgov(pnr, prepared_at=datetime(2026, 11, 30, 8, 5)))
    passport = passengers[stolen].documents[0]
    lost_rows = [
        ("GBR", "548120733", "P", "2026-06-02", "UKBF-LSD-000411"),
        ("GBR", passport.number, "P", "2026-10-19", "UKBF-LSD-000587"),
        ("GBR", "312904776", "P", "2026-11-03", "UKBF-LSD-000602"),
        ("GBR", "PD4471093", "I", "2026-11-21", "UKBF-LSD-000630"),
    ]
    with (OUT / "ukbf_lost_stolen.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["issuing_state", "document_number", "document_type", "date_reported", "record_id"])
        writer.writerows(lost_rows)
    print(
        f"risky booking: {passengers[risky].display_name}; "
        f"stolen passport: {passengers[stolen].display_name} {passport.number}"
    )
    with (OUT / "planted.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["entity_id", "family_name", "given_names", "birth_date", "nationality", "passport", "note"]
        )
        for entity, family, given, born, nat, number, note in PLANTED:
            writer.writerow([entity, family, given, born.isoformat(), nat, number, note])
    print(f"wrote {OUT}/AT800-CMN-LHR.paxlst: {len(passengers)} passengers, {len(crew)} crew")


if __name__ == "__main__":
    main()
