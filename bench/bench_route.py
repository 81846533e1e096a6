"""Name-engine benchmark on realistic Casablanca -> London traffic against the full UN + OFAC lists.

    .venv/bin/python bench/bench_route.py [--travellers 2000] [--runs 5] [--seed 11] [--profile]

Innocent travellers are drawn with `simulate_travellers` from the shipped name pools in the route's
mix (Maghrebi 55 %, British 20 %, British-Pakistani 7 %, French 12 %, Spanish 6 %), as
bench/bench_api.py sends them: common Maghrebi name parts (Mohamed, Ahmed, Alaoui, Benjelloun ...)
each have many listed candidates, which the dev benchmark mix of bench/bench_matching.py does not
stress. The index is the one screening uses (services.names.build_name_index over UN + OFAC).

Prints travellers/s on one core: the first pass (cold: caches of the index empty) apart, then the
median of `--runs` warm passes, with microseconds per traveller, and the alerts raised (the
travellers are innocent: every alert is a false one), and the time of each 400-passenger flight
of the warm passes (median, worst). The iAPI target (issue 6: a 400-passenger
flight under 50 ms p99) needs about 100 us per traveller.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from datetime import date
from pathlib import Path

from borderwatch._compiled import describe
from borderwatch.domain.countries import CountryTable
from borderwatch.domain.hits import MatchConfig, ScreeningSubject
from borderwatch.domain.screening import screen_subject
from borderwatch.domain.simulation import CASABLANCA_LONDON_MIX, simulate_travellers
from borderwatch.domain.watchlists import ListEntry
from borderwatch.formats.lists.ofac import parse_ofac
from borderwatch.formats.lists.un import parse_un_list
from borderwatch.services.names import build_name_index, load_name_tables
from borderwatch.services.reference import country_table
from borderwatch.services.screen import freeze_built_indexes
from borderwatch.services.simulation import load_name_pools

ROOT = Path(__file__).resolve().parents[1]
UN = ROOT / "src" / "borderwatch" / "data" / "lists" / "UN_consolidated.xml"
OFAC = ROOT / "tests" / "data" / "lists" / "ofac"
ROUTE_MIX = CASABLANCA_LONDON_MIX
TODAY = date(2026, 11, 29)
FLIGHT = 400  # passengers of one flight (the iAPI target is per flight)


def load_entries() -> list[ListEntry]:
    """Return the entries of the full UN list and the OFAC SDN (with its alt and add files)."""
    countries: CountryTable = country_table()
    un = parse_un_list(UN.read_bytes(), countries=countries)
    ofac = parse_ofac(
        (OFAC / "sdn.csv").read_bytes(),
        (OFAC / "alt.csv").read_bytes(),
        (OFAC / "add.csv").read_bytes(),
        countries=countries,
    )
    return [*un.entries, *ofac.entries]


def route_subjects(count: int, seed: int) -> list[ScreeningSubject]:
    """Return the screening subjects of `count` simulated travellers of the route."""
    travellers = simulate_travellers(load_name_pools(), ROUTE_MIX, count, seed=seed, today=TODAY)
    return [ScreeningSubject.from_traveller(t) for t in travellers]


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--travellers", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--profile", action="store_true", help="profile one warm pass with cProfile")
    a = ap.parse_args()
    print(f"hot modules: {describe()}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    entries = load_entries()
    load_name_tables()
    start = time.perf_counter()
    config = MatchConfig()
    index = build_name_index(entries, config=config)
    build = time.perf_counter() - start
    freeze_built_indexes()  # held as the server holds it: out of the garbage collector's generations
    subjects = route_subjects(a.travellers, a.seed)

    flights: list[float] = []  # seconds per 400-passenger flight of the warm passes

    def one_pass(warm: bool = True) -> tuple[float, int]:
        alerts = 0
        start = flight_start = time.perf_counter()
        for i, subject in enumerate(subjects, 1):
            alerts += len(screen_subject(subject, index, config))
            if warm and i % FLIGHT == 0:
                now = time.perf_counter()
                flights.append(now - flight_start)
                flight_start = now
        return time.perf_counter() - start, alerts

    cold, cold_alerts = one_pass(warm=False)
    warm = [one_pass() for _ in range(a.runs)]
    times = [t for t, _ in warm]
    alerts = {n for _, n in warm} | {cold_alerts}
    median = statistics.median(times)
    n = len(subjects)
    print(
        f"{len(entries)} entries, {len(index.names)} names indexed (build {build:.1f} s); "
        f"{n} route travellers, one core"
    )
    print(f"passes: {', '.join(f'{n / t:,.0f}' for t in times)} travellers/s")
    print(f"{'pass':12s} {'travellers/s':>14s} {'us/traveller':>14s} {'alerts':>8s}")
    print(f"{'cold (1st)':12s} {n / cold:>14,.0f} {1e6 * cold / n:>14.1f} {cold_alerts:>8d}")
    print(f"{f'warm (med {a.runs})':12s} {n / median:>14,.0f} {1e6 * median / n:>14.1f} {warm[0][1]:>8d}")
    if flights:
        flights.sort()
        print(
            f"{FLIGHT}-passenger flight, warm: median {1e3 * statistics.median(flights):.1f} ms, "
            f"worst of {len(flights)} {1e3 * flights[-1]:.1f} ms (iAPI target: p99 < 50 ms)"
        )
    if len(alerts) != 1:
        print(f"WARNING: alerts differ between passes: {sorted(alerts)}")
    if a.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        one_pass(warm=False)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
