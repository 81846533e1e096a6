"""Benchmark of re-screening an archive: one process, then Dask local clusters of 1 and 2 workers.

Builds an archive of generated flights (400 passengers each) in a SQLite instance with the UN and
OFAC lists, then times `rescreen_archive` three ways in the same run: in this process (the
baseline), on a local Dask cluster of one worker, and of two workers. Reports travellers/s and the
ratios. Cluster start-up and Parquet export are included: this is what `borderwatch rescreen`
costs end to end.

Run: .venv/bin/python bench/bench_rescreen.py [--travellers 12000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from borderwatch.domain.simulation import CASABLANCA_LONDON_MIX, simulate_travellers
from borderwatch.domain.travellers import Flight, Manifest, MessageKind
from borderwatch.formats.paxlst import write_paxlst
from borderwatch.services.ingest import Received, ingest
from borderwatch.services.instance import init_instance
from borderwatch.services.lists import import_list
from borderwatch.services.rescreen import rescreen_archive
from borderwatch.services.screen import load_lists, match_config
from borderwatch.services.simulation import load_name_pools
from borderwatch.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
UN = ROOT / "src" / "borderwatch" / "data" / "lists" / "UN_consolidated.xml"
OFAC = ROOT / "tests" / "data" / "lists" / "ofac" / "sdn.csv"
PER_FLIGHT = 400


def build_archive(data_dir: Path, travellers: int) -> Settings:
    settings = Settings(data_dir=data_dir, secure_cookies=False)
    instance, _ = init_instance(settings)
    actor = instance.actor(channel="bench")
    import_list(instance.db, actor, "un", UN)
    import_list(instance.db, actor, "ofac", OFAC)
    pools = load_name_pools()
    mix = CASABLANCA_LONDON_MIX
    today = date(2026, 11, 29)
    messages = []
    for n in range((travellers + PER_FLIGHT - 1) // PER_FLIGHT):
        departure = datetime(2026, 11, 1, 8, 5) + timedelta(days=n % 28, hours=n // 28)
        flight = Flight(
            "AT", str(800 + n), "CMN", "LHR", departure, departure + timedelta(hours=3, minutes=45)
        )
        people = simulate_travellers(
            pools, mix, min(PER_FLIGHT, travellers - n * PER_FLIGHT), seed=n, today=today
        )
        manifest = Manifest(
            MessageKind.PASSENGER_LIST,
            flight,
            tuple(replace(p, embarkation="CMN", debarkation="LHR") for p in people),
            sender="AT",
            recipient="GB",
            message_ref=f"M{n}",
            reference=f"AT{800 + n}",
            declared_passengers=len(people),
            version="D05B",
        )
        messages.append(Received(f"flight-{n}.paxlst", write_paxlst(manifest)))
    ingest(instance.db, actor, messages, today=today)
    instance.close()
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--travellers", type=int, default=12000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"building an archive of {args.travellers} travellers with UN + OFAC ...", flush=True)
        settings = build_archive(Path(folder) / "data", args.travellers)
        instance, _ = init_instance(settings)
        actor = instance.actor(channel="bench")
        load_lists(instance.db, actor)  # the driver's own index: built once, outside the timings
        rows = []
        for label, use_dask, workers in (
            ("this process", False, 1),
            ("Dask, 1 worker", True, 1),
            ("Dask, 2 workers", True, 2),
        ):
            started = time.perf_counter()
            report = rescreen_archive(
                instance.db,
                actor,
                since=timedelta(days=3650),
                config=match_config(settings),
                now=datetime.now(UTC),
                work_dir=Path(folder) / label.replace(" ", "-"),
                use_dask=use_dask,
                workers=workers,
                partition_size=2000,
            )
            seconds = time.perf_counter() - started
            rows.append((label, report.travellers, report.partitions, len(report.hits), seconds))
        instance.close()
    baseline = rows[0][1] / rows[0][4]
    print(
        f"\nmachine: {os.cpu_count()} cores; UN + OFAC; archive in SQLite; "
        "times include the Parquet export and the cluster start"
    )
    print(
        f"{'how':<18}{'travellers':>12}{'partitions':>12}{'hits':>7}{'seconds':>10}{'travellers/s':>14}{'ratio':>8}"
    )
    for label, travellers, partitions, hits, seconds in rows:
        rate = travellers / seconds
        print(
            f"{label:<18}{travellers:>12}{partitions:>12}{hits:>7}{seconds:>10.1f}{rate:>14,.0f}"
            f"{rate / baseline:>8.2f}"
        )


if __name__ == "__main__":
    main()
