"""Re-screening the archive: the Dask path (local cluster, two workers) gives the single-process results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from borderwatch.domain.hits import MatchConfig
from borderwatch.errors import InputError
from borderwatch.services.ingest import Received, ingest
from borderwatch.services.instance import Instance
from borderwatch.services.lists import import_list
from borderwatch.services.rescreen import parse_period, rescreen_archive

PACKAGE = resources.files("borderwatch").joinpath("data")


def _archive(instance: Instance) -> None:
    actor = instance.actor()
    flight = PACKAGE.joinpath("demo", "AT800-CMN-LHR.paxlst").read_bytes()
    ingest(instance.db, actor, [Received("AT800.paxlst", flight)], today=datetime.now(UTC).date())
    with resources.as_file(PACKAGE.joinpath("lists", "UN_consolidated.xml")) as un_file:
        import_list(instance.db, actor, "un", un_file)


def _found(report: object) -> list[tuple[int, str, float]]:
    hits = getattr(report, "hits")  # noqa: B009 - RescreenReport
    return sorted((h.traveller_id, h.hit.entity_id, round(h.hit.score, 6)) for h in hits)


def test_dask_cluster_of_two_workers_equals_single_process(sqlite_instance: Instance, tmp_path: Path) -> None:
    _archive(sqlite_instance)
    now = datetime.now(UTC)
    common = {"since": timedelta(days=365), "config": MatchConfig(), "now": now}
    single = rescreen_archive(
        sqlite_instance.db, sqlite_instance.actor(), work_dir=tmp_path / "one", use_dask=False, **common
    )  # type: ignore[arg-type]
    cluster = rescreen_archive(
        sqlite_instance.db,
        sqlite_instance.actor(),
        work_dir=tmp_path / "two",
        use_dask=True,
        workers=2,
        **common,
    )  # type: ignore[arg-type]
    assert single.travellers == cluster.travellers == 156
    assert cluster.workers == 2
    assert _found(cluster) == _found(single)
    assert {entity for _, entity, _ in _found(single)} == {
        "UN:QDi.190",
        "UN:QDi.082",
        "UN:QDi.060",
        "UN:QDi.232",
        "UN:QDi.136",
    }
    # The first run raised the alerts; the second found the same hits and raised nothing new.
    assert len(single.new_alerts) == 5
    assert cluster.new_alerts == []


def test_partitions_are_written_and_read_back(sqlite_instance: Instance, tmp_path: Path) -> None:
    _archive(sqlite_instance)
    report = rescreen_archive(
        sqlite_instance.db,
        sqlite_instance.actor(),
        since=timedelta(days=1),
        config=MatchConfig(),
        now=datetime.now(UTC),
        work_dir=tmp_path,
        use_dask=False,
    )
    assert report.partitions == 1
    assert sorted(p.name for p in tmp_path.glob("part-*.parquet")) == ["part-00000.parquet"]


@pytest.mark.parametrize(("text", "days"), [("365d", 365), ("12w", 84), ("48h", 2)])
def test_periods(text: str, days: int) -> None:
    assert parse_period(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "d", "-5d", "10y", "1.5d", "0d"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="period"):
        parse_period(text)
