"""Scale benchmark: an index of ~1 million names derived from the real UN + OFAC lists.

    .venv/bin/python bench/bench_names_scale.py [--bench DIR] [--names 1000000] [--queries 2000]

Spelling variants of every listed person name are generated with the variant tables in reverse
(a family's other spellings), French/English letter swaps (ou/u, ch/sh, dj/j, e/a, doubled
letters) and particle joins/splits, until the target count is reached; each variant becomes a new
entry. Prints, as the median of `--runs` runs: build time (the index and the screening lookups for
the default config, i.e. all start-up work; without tracing), memory (growth of the process's peak
RSS over the build, and the bytes the index holds by tracemalloc in a second, traced build with
`--trace`) and travellers/s on one core for three passes over the dev queries:

- cold: the first `--queries` travellers, straight after start-up (every name part seen first);
- unseen: the same number of *other* dev travellers, after the cold pass (a stream under way: parts
  met before are memoised, new ones are not);
- repeat: the first travellers again (everything memoised);
- route cold / route: `--queries` innocent Casablanca -> London travellers drawn from the shipped
  name pools in the route's nationality mix (as bench/bench_route.py), first with nothing of theirs
  memoised, then the next as many (a service's stream under way).

The dev queries are half innocent travellers chosen to look like listed names, half listed persons'
aliases. The generated index holds about a hundred spellings of every listed person, each its own
entry, so an alias query has that many true candidates to align and explain (eight hits on average):
the worst case. The dev passes are therefore also timed apart for the innocent queries and for the
aliases. The route passes are what a border agency's traffic looks like.

The index is held as the server holds its indexes: out of the garbage collector's generations
(`services.screen.freeze_built_indexes`, called after each build, outside its time). Otherwise the
first full collection after a build, triggered by what the first pass allocates, walks the index's
~5 million objects in the middle of that pass, which no server pays (measured before this was done:
route cold 830-1,210/s in run 1, 2,100-2,200/s in runs 2 and 3; with it, 3,950-5,170/s in all three).

Every run starts as a fresh process would: the name engine's process-wide memos (forms of parts,
parts' listed spellings) are emptied before each build (`services.names.forget_name_memos`; until
stop 21 they were not, and runs 2 and 3 met the dev travellers' parts already made by run 1: their
"unseen" passes ran 25-35% faster). The cold passes are still reported from the first run only.

Targets (issue 4): build under 60 s, at least 2,000 travellers/s on one core. Both readings of the
rate are judged and printed: route traffic under way, and the dev queries after the cold pass; the
script exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import date
from pathlib import Path

from bench_route import ROUTE_MIX  # the Casablanca -> London mix, one definition for the benchmarks
from borderwatch._compiled import describe
from borderwatch.domain.hits import MatchConfig, ScreeningSubject
from borderwatch.domain.screening import screen_subject
from borderwatch.domain.simulation import simulate_travellers
from borderwatch.domain.watchlists import EntityId, EntityKind, ListedName, ListEntry
from borderwatch.services.evaluation import ListSpec, import_lists, subject_from_query
from borderwatch.services.names import build_name_index, forget_name_memos, load_name_tables
from borderwatch.services.screen import freeze_built_indexes
from borderwatch.services.simulation import load_name_pools

SWAPS = (
    ("OU", "U"),
    ("U", "OU"),
    ("SH", "CH"),
    ("CH", "SH"),
    ("J", "DJ"),
    ("E", "A"),
    ("A", "E"),
    ("SS", "S"),
    ("S", "SS"),
    ("Q", "K"),
    ("K", "Q"),
    ("I", "EE"),
    ("AL-", "EL "),
    ("BIN ", "BEN"),
    ("Y", "I"),
)


def variants(name: str, rng: random.Random, spellings: dict[str, list[str]]) -> str:
    words = name.upper().replace(",", " ").split()
    out = []
    for word in words:
        if word in spellings and rng.random() < 0.5:
            word = rng.choice(spellings[word])
        elif rng.random() < 0.6:
            a, b = rng.choice(SWAPS)
            word = word.replace(a, b, 1)
        out.append(word)
    if len(out) > 1 and rng.random() < 0.3:
        rng.shuffle(out)
    return " ".join(out)


TARGET_BUILD_S = 60.0
TARGET_RATE = 2_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", type=Path, default=Path("../shared/data/bench"))
    ap.add_argument("--names", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3, help="builds and query passes; medians are printed")
    ap.add_argument("--trace", action="store_true", help="also measure the index with tracemalloc (slow)")
    a = ap.parse_args()
    print(f"hot modules: {describe()}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    tables = load_name_tables()
    spellings: dict[str, list[str]] = {}
    for fam in tables.families:
        latin = [s for s in fam.spellings if s.isascii()]
        for s in latin:
            spellings[s] = [t for t in latin if t != s]
    lists = [
        ListSpec("un", a.bench / "watchlists/UN_consolidated.xml"),
        ListSpec("ofac", a.bench / "watchlists/sdn.csv"),
    ]
    base = [e for p in import_lists(lists) for e in p.entries if e.kind is EntityKind.PERSON]
    rng = random.Random(20260229)
    entries: list[ListEntry] = list(base)
    count = sum(len(e.names) for e in entries)
    n = 0
    while count < a.names:
        source = base[n % len(base)]
        n += 1
        name = variants(source.names[0].full_name, rng, spellings)
        entries.append(
            replace(source, entity_id=EntityId(f"{source.entity_id}~{n}"), names=(ListedName(name),))
        )
        count += 1
    print(f"{len(entries):,} entries, {count:,} names")
    queries = [json.loads(x) for x in (a.bench / "names-dev.jsonl").read_text(encoding="utf-8").splitlines()]
    # (innocent?, subject): the kind is the benchmark's label, used only to time the two groups apart.
    subjects = [
        (q["kind"] == "negative", subject)
        for q, (_, subject, _) in ((q, subject_from_query(q, "dev", 0)) for q in queries)
        if subject
    ]
    first, other = subjects[: a.queries], subjects[a.queries : 2 * a.queries]
    route = [
        (True, ScreeningSubject.from_traveller(t))
        for t in simulate_travellers(
            load_name_pools(), ROUTE_MIX, 2 * a.queries, seed=29, today=date(2026, 11, 29)
        )
    ]
    route_first, route_next = route[: a.queries], route[a.queries :]
    config = MatchConfig()
    builds: list[float] = []
    rates: dict[str, list[float]] = {"cold": [], "unseen": [], "repeat": [], "route cold": [], "route": []}
    by_group: dict[str, list[float]] = collections.defaultdict(list)  # "unseen innocent" -> rates
    rss_growth = 0
    types = 0
    for run in range(a.runs):
        forget_name_memos()  # each run as a fresh process: no part of the dev travellers made before
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        index = build_name_index(entries, tables, config)
        builds.append(time.perf_counter() - start)
        if run == 0:  # peak RSS only grows: the first build is the one to read
            rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024  # KiB
        freeze_built_indexes()  # held as the server holds it (not timed: start-up work of the server)
        types = len(index.types)
        passes = (
            ("route cold", route_first),
            ("route", route_next),
            ("cold", first),
            ("unseen", other),
            ("repeat", first),
        )
        for label, batch in passes:
            spent = {True: 0.0, False: 0.0}
            counted = {True: 0, False: 0}
            clock = time.perf_counter
            start = clock()
            for innocent, subject in batch:
                began = clock()
                screen_subject(subject, index, config)
                spent[innocent] += clock() - began
                counted[innocent] += 1
            rates[label].append(len(batch) / (clock() - start))
            if not label.startswith("route"):
                for innocent, group in ((True, "innocent"), (False, "aliases")):
                    if counted[innocent]:
                        by_group[f"{label} {group}"].append(counted[innocent] / spent[innocent])
        print(
            f"run {run + 1}: build {builds[-1]:.1f} s; travellers/s "
            + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()),
            flush=True,
        )
        del index
    traced = ""
    if a.trace:
        gc.collect()
        tracemalloc.start()
        index = build_name_index(entries, tables, config)
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del index
        traced = f", tracemalloc: index holds {held / 2**20:,.0f} MiB, peak {peak / 2**20:,.0f} MiB"
    print(
        f"median of {a.runs}: index build {statistics.median(builds):.1f} s "
        f"(peak RSS grew {rss_growth / 2**20:,.0f} MiB{traced}), {types:,} token types; travellers/s on "
        f"one core: {rates['cold'][0]:,.0f} cold (run 1), {statistics.median(rates['unseen']):,.0f} "
        f"unseen after those, {statistics.median(rates['repeat']):,.0f} repeat "
        f"({len(first)} + {len(other)} dev queries); route traffic: "
        f"{rates['route cold'][0]:,.0f} cold (run 1), "
        f"{statistics.median(rates['route']):,.0f} under way "
        f"({len(route_first)} + {len(route_next)} travellers)"
    )
    print(
        "dev queries apart, travellers/s: "
        + "; ".join(
            f"{p}: innocent {statistics.median(by_group[p + ' innocent']):,.0f}, "
            f"aliases {statistics.median(by_group[p + ' aliases']):,.0f}"
            for p in ("unseen", "repeat")
            if by_group[p + " innocent"] and by_group[p + " aliases"]
        )
    )
    build_ok = statistics.median(builds) < TARGET_BUILD_S
    route_rate, dev_rate = statistics.median(rates["route"]), statistics.median(rates["unseen"])
    verdicts = (
        (f"build < {TARGET_BUILD_S:.0f} s", build_ok),
        (
            f">= {TARGET_RATE:,} travellers/s, route traffic under way ({route_rate:,.0f})",
            route_rate >= TARGET_RATE,
        ),
        (
            f">= {TARGET_RATE:,} travellers/s, dev queries after the cold pass ({dev_rate:,.0f})",
            dev_rate >= TARGET_RATE,
        ),
    )
    for what, ok in verdicts:
        print(f"target {what}: {'met' if ok else 'MISSED'}")
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
