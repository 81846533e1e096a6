"""The demo flow end to end on SQLite and PostgreSQL: list, flight, screening, alerts, idempotence."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa

from borderwatch.services.demo import run_demo
from borderwatch.services.instance import Instance
from borderwatch.services.review import list_alerts
from borderwatch.settings import Settings

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _planted() -> dict[str, str]:
    text = resources.files("borderwatch").joinpath("data", "demo", "planted.csv").read_text(encoding="utf-8")
    return {
        f"{row['family_name']}/{row['given_names']}": row["entity_id"]
        for row in csv.DictReader(text.splitlines())
    }


def _counts(instance: Instance) -> dict[str, int]:
    tables = [
        "flights",
        "travellers",
        "travel_documents",
        "alerts",
        "messages",
        "list_versions",
        "list_entries",
        "screenings",
        "quarantine",
    ]
    with instance.db.engine.connect() as connection:
        return {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


def test_demo_alerts_exactly_the_planted_listed_persons(settings: Settings, instance: Instance) -> None:
    report = run_demo(settings, now=NOW)

    assert report.list_import.list_id == "UN"
    assert report.list_import.entries == 1003  # 730 individuals + 273 entities in the bundled list
    [message] = report.ingest.messages
    assert (message.passengers, message.crew, message.stored) == (150, 6, 156)
    assert message.flight == "AT800/2026-12-01/CMN-LHR"

    alerts = list_alerts(instance.db, instance.actor())
    found = {a.traveller_name: a.entity_id for a in alerts}
    assert found == _planted()  # every planted person, and not one innocent traveller
    for alert in alerts:
        assert alert.score >= settings.alert_threshold
        assert alert.reason.startswith("name ~ ")


def test_alert_pages_follow_each_other_by_the_last_id(settings: Settings, instance: Instance) -> None:
    run_demo(settings, now=NOW)
    actor = instance.actor()
    everything = [a.alert_id for a in list_alerts(instance.db, actor, limit=1000)]
    assert len(everything) >= 5
    assert everything == sorted(everything, reverse=True)  # newest first
    pages: list[list[int]] = []
    before: int | None = None
    while True:
        page = [a.alert_id for a in list_alerts(instance.db, actor, limit=2, before_id=before)]
        if not page:
            break
        pages.append(page)
        before = page[-1]
    assert [i for page in pages for i in page] == everything  # each alert once, in order
    assert all(len(page) == 2 for page in pages[:-1])
    by_offset = [a.alert_id for a in list_alerts(instance.db, actor, limit=2, offset=2)]
    assert by_offset == pages[1]


def test_demo_twice_adds_no_duplicate_rows(settings: Settings, instance: Instance) -> None:
    run_demo(settings, now=NOW)
    before = _counts(instance)
    second = run_demo(settings, now=NOW)
    assert _counts(instance) == before
    assert not second.list_import.changed
    assert second.ingest.messages[0].status == "duplicate"
    assert second.screening.new_alerts == []
    assert before["travellers"] == 156
    assert before["alerts"] == 5
