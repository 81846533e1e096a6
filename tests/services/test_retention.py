"""Retention as of a given `today`: depersonalise after 6 months, delete after 5 years, alerts excepted."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import factories
from borderwatch.cli.retention import register
from borderwatch.domain.retention import MASK, depersonalise_booking
from borderwatch.services.retention import run_retention
from borderwatch.settings import Settings
from borderwatch.store import audit as audit_store
from borderwatch.store import flights as flight_store
from borderwatch.store.codec import to_json
from borderwatch.store.tables import BookingRow, TravelDocumentRow, TravellerRow
from partners import Partner, confirm, make_partner, raise_alert

TODAY = datetime.now(UTC).date()


@pytest.fixture
def dgsn(settings: Settings, tmp_path: Path) -> Partner:
    partner = make_partner("DGSN", tmp_path / "dgsn", settings.database_url)
    yield partner  # type: ignore[misc]
    partner.instance.close()


def traveller_rows(partner: Partner) -> dict[int, tuple[str, str, datetime | None]]:
    with partner.instance.db.transaction() as session:
        rows = session.query(TravellerRow).all()
        return {r.id: (r.family_name, r.given_names, r.depersonalised_at) for r in rows}


def test_booking_masking_keeps_what_statistics_need() -> None:
    data = to_json(factories.gtas_booking_7c789a())
    masked = depersonalise_booking(data)
    assert masked["contacts"] == [MASK] * 5
    assert masked["travellers"][0]["traveller"]["family_name"] == MASK
    assert masked["travellers"][0]["traveller"]["documents"][0]["number"] == MASK
    assert masked["payments"][0]["payer_name"] == MASK
    assert masked["payments"][3]["payer_name"] == ""
    assert masked["itinerary"] == data["itinerary"]
    assert masked["bag_count"] == data["bag_count"]
    assert (
        masked["travellers"][0]["traveller"]["birth_date"] == data["travellers"][0]["traveller"]["birth_date"]
    )


def test_depersonalise_then_delete_with_alerts_kept_as_documented(dgsn: Partner) -> None:
    under_review = raise_alert(dgsn, "BENNANI", "KARIM", document="QK2201189")
    confirmed = raise_alert(dgsn, "ALAOUI", "YOUSSEF", document="YB4410573", entity="UN:QDi.201")
    confirm(dgsn, confirmed)
    system = dgsn.actor()
    with dgsn.instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, factories.flight())
        [plain], _ = flight_store.add_travellers(
            session, system, flight_id, [factories.traveller()], message_id=None
        )
        flight_store.add_bookings(session, system, flight_id, [factories.booking()], message_id=None)
    ids = {name: tid for tid, (name, _, _) in traveller_rows(dgsn).items()}

    run_retention(dgsn.instance, today=TODAY + timedelta(days=100))
    assert all(state is None for _, _, state in traveller_rows(dgsn).values())

    report = run_retention(dgsn.instance, today=TODAY + timedelta(days=200))
    assert report.agencies["DGSN"]["depersonalised"]["travellers"] == 1
    rows = traveller_rows(dgsn)
    assert rows[plain][:2] == (MASK, MASK)
    assert rows[plain][2] is not None
    assert rows[ids["BENNANI"]][0] == "BENNANI"
    assert rows[ids["ALAOUI"]][0] == "ALAOUI"
    with dgsn.instance.db.transaction() as session:
        numbers = {d.traveller_id: d.number for d in session.query(TravelDocumentRow).all()}
        booking = session.query(BookingRow).one()
    assert numbers[plain] == MASK
    assert numbers[ids["BENNANI"]] == "QK2201189"
    assert booking.depersonalised_at is not None
    assert booking.data["contacts"] == [MASK]

    report = run_retention(dgsn.instance, today=TODAY + timedelta(days=1827))
    assert report.agencies["DGSN"]["deleted"]["travellers"] == 2
    assert list(traveller_rows(dgsn)) == [ids["BENNANI"]]  # still under review: kept until closed
    assert under_review
    assert report.agencies["DGSN"]["deleted"]["bookings"] == 1
    with dgsn.instance.db.transaction() as session:
        actions = {e.action for e in audit_store.list_events(session, system.agency_id, limit=500)}
    assert {"retention.depersonalise", "retention.delete"} <= actions


def test_cli_retention_run_with_a_given_today(dgsn: Partner, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = dgsn.instance.settings
    monkeypatch.setenv("BORDERWATCH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BORDERWATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BORDERWATCH_AGENCY", "DGSN")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["retention", "run", "--today", "2031-01-02", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["today"] == "2031-01-02"
    assert "DGSN" in data["agencies"]
    bad = CliRunner().invoke(app, ["retention", "run", "--today", "2031-13-02"])
    assert bad.exit_code != 0
    assert date.fromisoformat(data["today"]) > TODAY
