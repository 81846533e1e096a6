"""Re-screening stored travellers after a list changes, on one process or on a Dask cluster.

Two paths share the same pure screening core (`domain/screening.py`):
- `rescreen_recent`: after a list import, the travellers of the last N days against only the
  added and changed entities, in this process (a small job).
- `rescreen_archive`: a long period (a year's archive) exported to Parquet partitions and screened
  by Dask workers (a local cluster by default, or a scheduler address). Workers build the name
  index once per list content and run the same `screen_subject` as the live path.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from borderwatch.domain.audit import Actor
from borderwatch.domain.hits import Hit, MatchConfig, ScreeningSubject
from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.screening import screen_subject
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import ListEntry
from borderwatch.errors import InputError
from borderwatch.services.names import build_name_index
from borderwatch.services.screen import LoadedLists, load_lists, raise_watch_list_alerts, watch_list_alerts
from borderwatch.store import flights as flight_store
from borderwatch.store.flights import StoredTraveller
from borderwatch.store.session import Database

ARCHIVE_SCHEMA = pa.schema(
    [
        ("traveller_id", pa.int64()),
        ("flight_id", pa.int64()),
        ("family_name", pa.string()),
        ("given_names", pa.string()),
        ("birth_date", pa.date32()),
        ("gender", pa.string()),
        ("nationality", pa.string()),
        ("documents", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True, slots=True)
class RescreenHit:
    """A hit found by re-screening one stored traveller."""

    traveller_id: int
    flight_id: int
    hit: Hit


@dataclass
class RescreenReport:
    """What a re-screening run did."""

    travellers: int
    entities: int
    hits: list[RescreenHit] = field(default_factory=list)
    new_alerts: list[int] = field(default_factory=list)
    workers: int = 1
    seconds: float = 0.0
    partitions: int = 1
    suppressed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "travellers": self.travellers,
            "entities": self.entities,
            "workers": self.workers,
            "partitions": self.partitions,
            "seconds": round(self.seconds, 3),
            "travellers_per_second": round(self.travellers / self.seconds, 1) if self.seconds else None,
            "hits": [
                {
                    "traveller_id": h.traveller_id,
                    "flight_id": h.flight_id,
                    "entity": h.hit.entity_id,
                    "score": round(h.hit.score, 4),
                }
                for h in self.hits
            ],
            "new_alerts": self.new_alerts,
            "suppressed": self.suppressed,
        }


def parse_period(text: str) -> timedelta:
    """Return the period of `365d`, `12w` or `48h`; raise InputError otherwise."""
    units = {"d": 1.0, "w": 7.0, "h": 1 / 24}
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in units or not value.isdigit() or int(value) <= 0:
        raise InputError(
            f"period {text!r} is not understood: write a number of days, weeks or hours such as "
            "365d, 12w or 48h",
            field="since",
        )
    return timedelta(days=int(value) * units[unit])


def _subject(row: dict[str, Any]) -> ScreeningSubject:
    given, family = row["given_names"] or "", row["family_name"] or ""
    return ScreeningSubject(
        names=(" ".join(p for p in (given, family) if p),),
        family_name=family,
        given_names=given,
        birth_date=row["birth_date"],
        nationality=row["nationality"] or "",
        gender=Gender(row["gender"] or "U"),
        document_numbers=tuple(row["documents"] or ()),
    )


_WORKER_INDEXES: dict[str, NameIndex] = {}


def _index_for(entries_blob: bytes) -> NameIndex:
    """Return the name index of pickled entries, built once per worker process per list content."""
    key = hashlib.sha256(entries_blob).hexdigest()
    index = _WORKER_INDEXES.get(key)
    if index is None:
        entries: list[ListEntry] = pickle.loads(entries_blob)  # noqa: S301 - our own bytes, built below
        index = build_name_index(entries)
        _WORKER_INDEXES.clear()
        _WORKER_INDEXES[key] = index
    return index


def screen_partition(path: str, entries_blob: bytes, config: MatchConfig) -> list[tuple[int, int, Hit]]:
    """Screen one Parquet partition of travellers; return (traveller id, flight id, hit) for each hit."""
    index = _index_for(entries_blob)
    table = pq.read_table(path, schema=ARCHIVE_SCHEMA)
    found = []
    for row in table.to_pylist():
        for hit in screen_subject(_subject(row), index, config):
            found.append((int(row["traveller_id"]), int(row["flight_id"]), hit))
    return found


def export_archive(
    travellers: Sequence[StoredTraveller], folder: Path, *, partition_size: int = 20000
) -> list[Path]:
    """Write travellers to Parquet partitions in `folder`; return the partition files."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    paths = []
    for number, start in enumerate(range(0, max(len(travellers), 1), partition_size)):
        chunk = travellers[start : start + partition_size]
        if not chunk:
            break
        table = pa.Table.from_pylist(
            [
                {
                    "traveller_id": t.traveller_id,
                    "flight_id": t.flight_id,
                    "family_name": t.traveller.family_name,
                    "given_names": t.traveller.given_names,
                    "birth_date": t.traveller.birth_date,
                    "gender": t.traveller.gender.value,
                    "nationality": t.traveller.nationality,
                    "documents": [d.number for d in t.traveller.documents if d.number],
                }
                for t in chunk
            ],
            schema=ARCHIVE_SCHEMA,
        )
        path = folder / f"part-{number:05d}.parquet"
        pq.write_table(table, path)
        paths.append(path)
    return paths


def run_partitions(
    paths: Sequence[Path],
    entries: Sequence[ListEntry],
    config: MatchConfig,
    *,
    scheduler: str | None = None,
    workers: int = 2,
) -> list[tuple[int, int, Hit]]:
    """Screen Parquet partitions on Dask: a local cluster of `workers` processes, or `scheduler`'s cluster."""
    from dask.distributed import Client, LocalCluster

    blob = pickle.dumps(list(entries), protocol=pickle.HIGHEST_PROTOCOL)
    cluster = (
        None
        if scheduler
        else LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    )
    try:
        with Client(scheduler or cluster) as client:  # type: ignore[no-untyped-call]
            shared = client.scatter(blob, broadcast=True)
            futures = client.map(
                screen_partition, [str(p) for p in paths], entries_blob=shared, config=config, pure=False
            )
            results: list[tuple[int, int, Hit]] = []
            for part in client.gather(futures):
                results.extend(part)
            return results
    finally:
        if cluster is not None:
            cluster.close()


def screen_locally(
    paths: Iterable[Path], entries: Sequence[ListEntry], config: MatchConfig
) -> list[tuple[int, int, Hit]]:
    """Screen Parquet partitions in this process (the single-process reference for the Dask path)."""
    blob = pickle.dumps(list(entries), protocol=pickle.HIGHEST_PROTOCOL)
    results: list[tuple[int, int, Hit]] = []
    for path in paths:
        results.extend(screen_partition(str(path), blob, config))
    return results


def _raise(
    db: Database, actor: Actor, found: Sequence[tuple[int, int, Hit]], lists: LoadedLists, now: datetime
) -> tuple[list[int], int]:
    with db.transaction() as session:
        new, suppressed = raise_watch_list_alerts(
            session, actor, watch_list_alerts(found, lists, reason_prefix="re-screening: "), now=now
        )
    return list(new), suppressed


def rescreen_archive(
    db: Database,
    actor: Actor,
    *,
    since: timedelta,
    config: MatchConfig,
    now: datetime,
    work_dir: Path,
    scheduler: str | None = None,
    workers: int = 2,
    use_dask: bool = True,
    partition_size: int = 20000,
) -> RescreenReport:
    """Re-screen every stored traveller of the period against the active lists and raise new alerts."""
    lists = load_lists(db, actor)
    with db.transaction() as session:
        travellers = flight_store.travellers_since(session, actor, now - since, purpose="re-screening")
    started = time.perf_counter()
    paths = export_archive(travellers, work_dir, partition_size=partition_size)
    entries = list(lists.entries.values())
    if use_dask and paths:
        found = run_partitions(paths, entries, config, scheduler=scheduler, workers=workers)
    else:
        found = screen_locally(paths, entries, config)
    elapsed = time.perf_counter() - started
    new, suppressed = _raise(db, actor, found, lists, now)
    return RescreenReport(
        len(travellers),
        len(entries),
        [RescreenHit(t, f, h) for t, f, h in found],
        new,
        workers if use_dask else 1,
        elapsed,
        len(paths),
        suppressed,
    )


def rescreen_recent(
    db: Database, actor: Actor, entity_ids: Iterable[str], *, days: int, config: MatchConfig, now: datetime
) -> RescreenReport:
    """Screen the travellers of the last `days` days against only the given (added or changed) entities."""
    wanted = set(entity_ids)
    lists = load_lists(db, actor)
    entries = [e for e in lists.entries.values() if e.entity_id in wanted]
    if not entries or days <= 0:
        return RescreenReport(0, len(entries))
    with db.transaction() as session:
        travellers = flight_store.travellers_since(
            session, actor, now - timedelta(days=days), purpose="re-screening after a list update"
        )
    started = time.perf_counter()
    index = build_name_index(entries)
    found = [
        (t.traveller_id, t.flight_id, hit)
        for t in travellers
        for hit in screen_subject(ScreeningSubject.from_traveller(t.traveller), index, config)
    ]
    elapsed = time.perf_counter() - started
    new, suppressed = _raise(db, actor, found, lists, now)
    return RescreenReport(
        len(travellers),
        len(entries),
        [RescreenHit(t, f, h) for t, f, h in found],
        new,
        1,
        elapsed,
        1,
        suppressed,
    )


def today_folder(base: Path, day: date) -> Path:
    """Return the working folder for a re-screening run's Parquet export."""
    return base / "rescreen" / day.isoformat()
