"""The audit chain on both engines: appended in the caller's transaction, tampering detected."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from borderwatch.domain.audit import Actor, Role
from borderwatch.services.instance import Instance
from borderwatch.store import audit
from borderwatch.store.tables import AuditEventRow


def _write_events(instance: Instance, count: int) -> Actor:
    actor = instance.actor(username="officer1", role=Role.OFFICER, channel="test")
    for n in range(count):
        with instance.db.transaction() as session:
            audit.record(
                session,
                actor,
                "traveller.read",
                subject_type="traveller",
                subject_id=n,
                detail={"purpose": "test", "n": n},
                at=datetime(2026, 11, 29, 8, 0, n, tzinfo=UTC),
            )
    return actor


def _verify(instance: Instance, actor: Actor) -> audit.ChainReport:
    with instance.db.transaction() as session:
        return audit.verify(session, actor.agency_id)


def test_intact_chain_verifies(instance: Instance) -> None:
    actor = _write_events(instance, 5)
    report = _verify(instance, actor)
    assert report.intact
    assert report.events == 5
    with instance.db.transaction() as session:
        newest = audit.list_events(session, actor.agency_id, limit=2)
    assert [e.seq for e in newest] == [5, 4]
    assert newest[0].actor == "officer1@DGSN"


def test_edited_row_is_detected(instance: Instance) -> None:
    actor = _write_events(instance, 5)
    with instance.db.transaction() as session:
        session.execute(sa.update(AuditEventRow).where(AuditEventRow.seq == 3).values(actor="someone@DGSN"))
    report = _verify(instance, actor)
    assert not report.intact
    assert any(b.seq == 3 and "edited" in b.reason for b in report.breaks)


def test_deleted_row_is_detected(instance: Instance) -> None:
    actor = _write_events(instance, 5)
    with instance.db.transaction() as session:
        session.execute(sa.delete(AuditEventRow).where(AuditEventRow.seq == 2))
    report = _verify(instance, actor)
    assert any("deleted or inserted" in b.reason for b in report.breaks)


def test_deleted_tail_is_detected(instance: Instance) -> None:
    actor = _write_events(instance, 5)
    with instance.db.transaction() as session:
        session.execute(sa.delete(AuditEventRow).where(AuditEventRow.seq == 5))
    report = _verify(instance, actor)
    assert any("at the end were deleted" in b.reason for b in report.breaks)


def test_inserted_row_is_detected(instance: Instance) -> None:
    actor = _write_events(instance, 3)
    with instance.db.transaction() as session:
        row = session.execute(sa.select(AuditEventRow).where(AuditEventRow.seq == 3)).scalar_one()
        session.execute(sa.update(AuditEventRow).where(AuditEventRow.seq == 3).values(seq=4))
        session.add(
            AuditEventRow(
                agency_id=row.agency_id,
                seq=3,
                at=row.at,
                actor="intruder@DGSN",
                action="traveller.read",
                subject_type="traveller",
                subject_id="x",
                channel="sql",
                detail={},
                prev_hash=row.prev_hash,
                hash=row.hash,
            )
        )
    report = _verify(instance, actor)
    assert not report.intact


def test_event_is_rolled_back_with_its_transaction(instance: Instance) -> None:
    actor = instance.actor()
    try:
        with instance.db.transaction() as session:
            audit.record(session, actor, "list.import")
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass
    report = _verify(instance, actor)
    assert report.events == 0
    assert report.intact
