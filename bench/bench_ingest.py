"""Benchmark: our full PAXLST parse of 400 passengers against pydifact's segment split of the same bytes.

Run: `.venv/bin/python bench/bench_ingest.py` (part of `make bench`). Prints a table; exits 1 when a target is
missed: our full parse at least 5x faster than pydifact's split, and at least 50,000 passengers/s on one core.
The manifest is generated with `write_paxlst` from a fixed seed, so every run parses the same bytes.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date, datetime, timedelta

from borderwatch._compiled import describe
from borderwatch.domain.travellers import (
    DocumentType,
    Flight,
    Gender,
    Manifest,
    MessageKind,
    TravelDocument,
    Traveller,
)
from borderwatch.formats.paxlst import parse_paxlst, write_paxlst

PASSENGERS = 400
RUNS = 25
TODAY = date(2026, 11, 1)
TARGET_RATIO = 5.0
TARGET_RATE = 50_000

_FAMILY = [
    "ALAOUI",
    "BENNANI",
    "O'BRIEN",
    "SMITH",
    "GARCIA LOPEZ",
    "MULLER",
    "DUPONT",
    "EL AMRANI",
    "NGUYEN",
    "KOWALSKI",
    "ROSSI",
    "HASSAN",
    "TAZI",
    "BERRADA",
    "DIALLO",
    "IBRAHIM",
    "JOHNSON",
    "SILVA",
]
_GIVEN = [
    "YOUSSEF",
    "FATIMA ZAHRA",
    "MOHAMED",
    "JOHN PAUL",
    "MARIA",
    "AHMED",
    "SARA",
    "OMAR",
    "LEA",
    "NOUR",
    "KARIM",
    "AMINA",
    "PIERRE",
    "ANNA",
    "ALI",
    "IMANE",
]
_COUNTRIES = ["MAR", "FRA", "ESP", "GBR", "USA", "DEU", "ITA", "DZA", "TUN", "SEN", "NLD", "BEL", "CAN"]
_PORTS = ["CMN", "RAK", "TNG", "FEZ", "AGA"]


def build_manifest(seed: int = 20261101, passengers: int = PASSENGERS) -> Manifest:
    """Return a realistic passenger list: names, birth dates, passports (some with visas), seats, bags."""
    rng = random.Random(seed)
    departure = datetime(2026, 11, 29, 7, 45)
    flight = Flight("AT", "800", "CDG", "CMN", departure, departure + timedelta(hours=3, minutes=5))
    people = []
    for i in range(passengers):
        nationality = rng.choice(_COUNTRIES)
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
        expiry = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 3650))
        docs = [
            TravelDocument(
                DocumentType.PASSPORT,
                f"{rng.choice('ABCDEFGHJK')}{rng.randrange(10**7, 10**8)}",
                nationality,
                expiry,
                expiry - timedelta(days=3652),
                code="P",
            )
        ]
        if rng.random() < 0.15:
            docs.append(
                TravelDocument(
                    DocumentType.VISA,
                    str(rng.randrange(10**7, 10**8)),
                    "MAR",
                    expiry - timedelta(days=3000),
                    code="V",
                )
            )
        people.append(
            Traveller(
                family_name=rng.choice(_FAMILY),
                given_names=rng.choice(_GIVEN),
                birth_date=birth,
                gender=rng.choice((Gender.MALE, Gender.FEMALE)),
                nationality=nationality,
                documents=tuple(docs),
                residence_country=nationality,
                embarkation="CDG",
                debarkation=rng.choice(_PORTS),
                seat=f"{rng.randrange(1, 40)}{rng.choice('ABCDEF')}",
                record_locator="".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)),
                passenger_ref=f"P{i:05d}",
                bags=rng.randrange(0, 3),
            )
        )
    return Manifest(
        kind=MessageKind.PASSENGER_LIST,
        flight=flight,
        travellers=tuple(people),
        sender="RAM",
        recipient="DGSNAPI",
        message_ref="AT800",
        interchange_ref="000000001",
        reference="AT800/261129/0745",
        declared_passengers=passengers,
        version="D05B",
        reporting_party="ROYAL AIR MAROC OPS",
    )


def median_seconds(
    run: Callable[[], object], runs: int = RUNS, clock: Callable[[], float] = time.process_time
) -> float:
    """Return the median time of `runs` calls (after one warm-up call); CPU time of this process by default.

    CPU time is what "passengers/s on one core" means, and it does not count the time other processes on a
    shared machine take the core away from us (wall time is printed too).
    """
    run()
    times = []
    for _ in range(runs):
        start = clock()
        run()
        times.append(clock() - start)
    return statistics.median(times)


def main() -> int:
    print(f"hot modules: {describe()}")
    data = write_paxlst(build_manifest())
    result = parse_paxlst(data, source="bench", today=TODAY)
    assert len(result.records[0].travellers) == PASSENGERS, result.problems
    try:
        from pydifact.parser import Parser
    except ImportError:
        print("pydifact is not installed: `pip install -e '.[dev]'`", file=sys.stderr)
        return 1
    text = data.decode("ascii")

    def ours() -> object:
        return parse_paxlst(data, source="bench", today=TODAY)

    def theirs() -> list[object]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydifact warns once per segment tag it has no directory for
            return list(Parser().parse(text))

    segments = len(theirs())  # pydifact yields UNA as a segment too
    rows = []
    for label, run, runs in (
        ("borderwatch parse_paxlst (full parse)", ours, RUNS),
        ("pydifact Parser().parse (segment split)", theirs, 5),
    ):
        rows.append((label, median_seconds(run, runs), median_seconds(run, runs, time.perf_counter)))
    print(
        f"PAXLST ingest: {PASSENGERS} passengers, {segments} segments, {len(data):,} bytes; medians of runs"
    )
    print(f"{'what':<42} {'CPU ms':>8} {'wall ms':>8} {'passengers/s (CPU)':>19}")
    for label, cpu, wall in rows:
        print(f"{label:<42} {cpu * 1000:>8.2f} {wall * 1000:>8.2f} {PASSENGERS / cpu:>19,.0f}")
    (_, our_cpu, our_wall), (_, their_cpu, their_wall) = rows
    ratio = their_cpu / our_cpu
    rate = PASSENGERS / our_cpu
    print(f"{'ratio pydifact split / our full parse':<42} {ratio:>7.1f}x {their_wall / our_wall:>7.1f}x")
    ok = ratio >= TARGET_RATIO and rate >= TARGET_RATE
    verdict = "met" if ok else "MISSED"
    targets = f">= {TARGET_RATIO:.0f}x pydifact, >= {TARGET_RATE:,} passengers/s (CPU, one core)"
    print(f"targets: {targets}: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
