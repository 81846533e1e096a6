"""Benchmark: lost/stolen document lookups over 10 million records, and the list importers.

    .venv/bin/python bench/bench_lists.py                 # 10 million records
    .venv/bin/python bench/bench_lists.py --records 1000000

Each structure is built in a fresh process, so its memory is measured alone: resident set size
(RSS) after building (and a garbage collection) minus RSS before, and the peak RSS during the build
minus the same start. tracemalloc is not used: it slows the building of 10 million objects several
times over. The baseline is what one would write
first: a plain dict keyed by (issuing state, normalised number) tuples. Records are generated
(3-letter states, 9-character numbers as in the MRZ) from a fixed seed; lookups are half hits,
half misses.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from borderwatch.domain.lost_stolen import LostStolenIndex
from borderwatch.domain.watchlists import normalise_document_number
from borderwatch.formats.lists.common import ParsedList

ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
STATES = [
    "AFG",
    "DZA",
    "ARG",
    "AUS",
    "AUT",
    "BEL",
    "BRA",
    "CAN",
    "CHN",
    "COL",
    "COD",
    "EGY",
    "ESP",
    "FRA",
    "GBR",
    "DEU",
    "D",
    "GRC",
    "IND",
    "IDN",
    "IRN",
    "IRQ",
    "ITA",
    "JPN",
    "JOR",
    "KEN",
    "LBN",
    "LBY",
    "MAR",
    "MEX",
    "NGA",
    "NLD",
    "PAK",
    "POL",
    "PRT",
    "QAT",
    "ROU",
    "RUS",
    "SAU",
    "SEN",
    "SYR",
    "TUN",
    "TUR",
    "UKR",
    "USA",
]
LOOKUPS = 1_000_000
CHUNK = 1_000_000


def rss_bytes() -> int:
    """Return this process's resident set size (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def generate(records: int, seed: int) -> Iterator[tuple[str, str]]:
    """Yield fresh (state, number) pairs, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    for start in range(0, records, CHUNK):
        count = min(CHUNK, records - start)
        states = rng.integers(0, len(STATES), size=count)
        numbers = ALPHABET[rng.integers(0, len(ALPHABET), size=(count, 9))].tobytes().decode("ascii")
        for i in range(count):
            yield STATES[states[i]], numbers[i * 9 : i * 9 + 9]


def probe_keys(records: int) -> list[tuple[str, str]]:
    """Return LOOKUPS keys: every other one from the records (hits), the rest new (misses)."""
    hits: list[tuple[str, str]] = []
    step = max(1, records // (LOOKUPS // 2))
    for position, key in enumerate(generate(records, seed=1)):
        if position % step == 0 and len(hits) < LOOKUPS // 2:
            hits.append(key)
    misses = list(generate(LOOKUPS - len(hits), seed=2))  # a random 9-char clash is ~1e-8 likely
    keys = [k for pair in zip(hits, misses, strict=False) for k in pair]
    return keys + hits[len(misses) :] + misses[len(hits) :]


def measure(part: str, records: int) -> dict[str, float]:
    """Build one structure, look keys up, and return the figures."""
    probes = probe_keys(records)
    start_rss = rss_bytes()
    started = time.perf_counter()
    if part == "index":
        index = LostStolenIndex.from_keys(generate(records, seed=1))
        size = len(index)

        def lookup(state: str, number: str) -> bool:
            return index.contains(state, number)

    else:
        table: dict[tuple[str, str], bool] = {}
        for state, number in generate(records, seed=1):
            canonical = "DEU" if state == "D" else state
            table[(canonical, normalise_document_number(number))] = True
        size = len(table)

        def lookup(state: str, number: str) -> bool:
            canonical = "DEU" if state == "D" else state
            return (canonical, normalise_document_number(number)) in table

    build = time.perf_counter() - started
    gc.collect()
    memory = rss_bytes() - start_rss
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - start_rss  # Linux: kilobytes
    started = time.perf_counter()
    found = sum(lookup(state, number) for state, number in probes)
    elapsed = time.perf_counter() - started
    samples = []
    for state, number in probes[:20_000]:
        t0 = time.perf_counter_ns()
        lookup(state, number)
        samples.append(time.perf_counter_ns() - t0)
    samples.sort()
    return {
        "records": size,
        "build_s": build,
        "memory_mb": memory / 1e6,
        "peak_mb": peak / 1e6,
        "bytes_per_record": memory / max(size, 1),
        "lookups_per_s": len(probes) / elapsed,
        "mean_us": elapsed / len(probes) * 1e6,
        "p50_us": samples[len(samples) // 2] / 1000,
        "p99_us": samples[int(len(samples) * 0.99)] / 1000,
        "hits": found,
    }


def bench_importers() -> list[tuple[str, int, float]]:
    """Return (list, entries, seconds) for the real UN and OFAC files, best of three."""
    from borderwatch.formats.lists.ofac import parse_ofac
    from borderwatch.formats.lists.un import parse_un_list
    from borderwatch.services.reference import country_table

    root = Path(__file__).resolve().parents[1]
    countries = country_table()
    un = (root / "src/borderwatch/data/lists/UN_consolidated.xml").read_bytes()
    ofac = [
        (root / "tests/data/lists/ofac" / name).read_bytes() for name in ("sdn.csv", "alt.csv", "add.csv")
    ]
    results = []
    runs: tuple[tuple[str, Callable[[], ParsedList]], ...] = (
        ("UN consolidated XML (2.0 MB)", lambda: parse_un_list(un, countries=countries)),
        ("OFAC sdn+alt+add CSV (3.5 MB)", lambda: parse_ofac(*ofac, countries=countries)),
    )
    for name, run in runs:
        best, count = float("inf"), 0
        for _ in range(3):
            started = time.perf_counter()
            count = len(run().entries)
            best = min(best, time.perf_counter() - started)
        results.append((name, count, best))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--part", choices=["index", "dict"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        print(json.dumps(measure(args.part, args.records)))
        return
    console = Console(width=170)
    rows = {}
    for part in ("index", "dict"):
        console.print(f"building {part} of {args.records:,} records in a fresh process...")
        output = subprocess.run(
            [sys.executable, __file__, "--records", str(args.records), "--part", part],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows[part] = json.loads(output.strip().splitlines()[-1])
    table = Table(
        title=f"Lost/stolen lookup, {args.records:,} generated records, {LOOKUPS:,} lookups (half hits)"
    )
    for column in (
        "structure",
        "distinct",
        "build s",
        "memory MB",
        "build peak MB",
        "bytes/record",
        "lookups/s",
        "mean µs",
        "p50 µs",
        "p99 µs",
        "hits",
    ):
        table.add_column(column, justify="right")
    names = {"index": "LostStolenIndex (packed 64-bit keys)", "dict": "baseline: dict of tuples"}
    for part, row in rows.items():
        table.add_row(
            names[part],
            f"{row['records']:,.0f}",
            f"{row['build_s']:.1f}",
            f"{row['memory_mb']:,.0f}",
            f"{row['peak_mb']:,.0f}",
            f"{row['bytes_per_record']:.1f}",
            f"{row['lookups_per_s']:,.0f}",
            f"{row['mean_us']:.2f}",
            f"{row['p50_us']:.2f}",
            f"{row['p99_us']:.2f}",
            f"{row['hits']:,.0f}",
        )
    console.print(table)
    importers = Table(title="List importers on the real files (best of 3)")
    for column in ("file", "entries", "seconds", "entries/s"):
        importers.add_column(column, justify="right")
    for name, count, seconds in bench_importers():
        importers.add_row(name, f"{count:,}", f"{seconds:.2f}", f"{count / seconds:,.0f}")
    console.print(importers)


if __name__ == "__main__":
    main()
