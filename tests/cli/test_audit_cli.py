"""`borderwatch audit verify|list` in-process on both engines: exit codes after tampering via SQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from borderwatch.cli.audit import register
from borderwatch.cli.output import CliState
from borderwatch.domain.agencies import Agency, AgencyCode
from borderwatch.services.instance import Instance
from borderwatch.store import agencies, audit
from borderwatch.store.tables import AuditEventRow


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _run(app: typer.Typer, instance: Instance, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), obj=CliState(settings=instance.settings))
    return result.exit_code, result.output


def _events(instance: Instance, agency: str, count: int) -> int:
    with instance.db.transaction() as session:
        agency_id = agencies.ensure_agency(session, Agency(AgencyCode(agency), f"{agency} border agency"))
    actor = instance.actor(username="officer1", channel="test", agency=agency)
    for n in range(count):
        with instance.db.transaction() as session:
            audit.record(
                session,
                actor,
                "traveller.read",
                subject_type="traveller",
                subject_id=n,
                detail={"purpose": "test"},
                at=datetime(2026, 11, 29, 8, 0, n, tzinfo=UTC),
            )
    return agency_id


def test_intact_chains_exit_0(app: typer.Typer, instance: Instance) -> None:
    _events(instance, "DGSN", 4)
    _events(instance, "UKBF", 2)
    code, output = _run(app, instance, "audit", "verify")
    assert code == 0, output
    assert "DGSN: 4 events, chain intact" in output
    assert "UKBF: 2 events, chain intact" in output


def test_edited_row_exits_1_and_names_the_event(app: typer.Typer, instance: Instance) -> None:
    agency_id = _events(instance, "DGSN", 5)
    with instance.db.transaction() as session:
        session.execute(
            sa.update(AuditEventRow)
            .where(AuditEventRow.agency_id == agency_id, AuditEventRow.seq == 3)
            .values(subject_id="999")
        )
    code, output = _run(app, instance, "audit", "verify")
    assert code == 1
    assert "seq 3: event content does not match its hash: the row was edited" in output
    code, output = _run(app, instance, "audit", "verify", "--json")
    assert code == 1
    data = json.loads(output)
    assert data["intact"] is False
    [dgsn] = [a for a in data["agencies"] if a["agency"] == "DGSN"]
    assert dgsn["breaks"] == [
        {"seq": 3, "reason": "event content does not match its hash: the row was edited"}
    ]


def test_deleted_row_in_another_agency_exits_1(app: typer.Typer, instance: Instance) -> None:
    _events(instance, "DGSN", 3)
    other = _events(instance, "UKBF", 4)
    with instance.db.transaction() as session:
        session.execute(
            sa.delete(AuditEventRow).where(AuditEventRow.agency_id == other, AuditEventRow.seq == 2)
        )
    code, output = _run(app, instance, "audit", "verify")
    assert code == 1
    assert "DGSN: 3 events, chain intact" in output
    assert "seq 3: sequence jumps from 1 to 3: events deleted or inserted" in output


def test_inserted_row_exits_1(app: typer.Typer, instance: Instance) -> None:
    agency_id = _events(instance, "DGSN", 3)
    with instance.db.transaction() as session:
        last = session.execute(
            sa.select(AuditEventRow).where(AuditEventRow.agency_id == agency_id, AuditEventRow.seq == 3)
        ).scalar_one()
        session.add(
            AuditEventRow(
                agency_id=agency_id,
                seq=4,
                at=last.at,
                actor="intruder@DGSN",
                action="traveller.read",
                subject_type="traveller",
                subject_id="7",
                channel="sql",
                detail={},
                prev_hash=last.hash,
                hash="f" * 64,
            )
        )
    code, output = _run(app, instance, "audit", "verify", "--json")
    assert code == 1
    breaks = next(a for a in json.loads(output)["agencies"] if a["agency"] == "DGSN")["breaks"]
    assert {b["seq"] for b in breaks} == {4}


def test_list_shows_newest_first_and_records_the_read(app: typer.Typer, instance: Instance) -> None:
    _events(instance, "DGSN", 3)
    code, output = _run(app, instance, "audit", "list", "--limit", "2", "--json")
    assert code == 0, output
    events = json.loads(output)["events"]
    assert [e["seq"] for e in events] == [3, 2]
    assert events[0]["actor"] == "officer1@DGSN"
    code, output = _run(app, instance, "audit", "list", "--json", "--action", "audit.read")
    assert [e["channel"] for e in json.loads(output)["events"]] == ["cli:audit list"]
    code, output = _run(app, instance, "audit", "verify")
    assert code == 0
