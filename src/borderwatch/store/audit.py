"""The audit repository: appends events to an agency's hash chain inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from borderwatch.domain.audit import GENESIS_HASH, Actor, AuditEvent, ChainBreak, event_hash, verify_chain
from borderwatch.store.tables import AuditEventRow, AuditHeadRow


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject_type: str = "",
    subject_id: object = "",
    detail: Mapping[str, object] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the actor's agency chain, in the session's transaction, and return it."""
    moment = at or datetime.now(UTC)
    # Lock the agency's chain head so concurrent transactions append one after the other
    # (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers anyway).
    head = session.execute(
        select(AuditHeadRow).where(AuditHeadRow.agency_id == actor.agency_id).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHeadRow(agency_id=actor.agency_id, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    prev = head.last_hash or GENESIS_HASH
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=moment,
        actor=actor.label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        channel=actor.channel,
        detail=dict(detail or {}),
        prev_hash=prev,
    )
    digest = event_hash(event, prev)
    session.add(
        AuditEventRow(
            agency_id=actor.agency_id,
            seq=event.seq,
            at=moment,
            actor=event.actor,
            action=action,
            subject_type=subject_type,
            subject_id=event.subject_id,
            channel=event.channel,
            detail=dict(event.detail),
            prev_hash=prev,
            hash=digest,
        )
    )
    head.last_seq = event.seq
    head.last_hash = digest
    return replace(event, hash=digest)


def _to_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        channel=row.channel,
        detail=row.detail or {},
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def list_events(
    session: Session,
    agency_id: int,
    *,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    subject_type: str | None = None,
) -> list[AuditEvent]:
    """Return an agency's events, newest first."""
    query = select(AuditEventRow).where(AuditEventRow.agency_id == agency_id)
    if action:
        query = query.where(AuditEventRow.action == action)
    if subject_type:
        query = query.where(AuditEventRow.subject_type == subject_type)
    rows = session.execute(query.order_by(AuditEventRow.seq.desc()).limit(limit).offset(offset)).scalars()
    return [_to_event(row) for row in rows]


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of verifying one agency's chain."""

    agency_id: int
    events: int
    breaks: tuple[ChainBreak, ...]

    @property
    def intact(self) -> bool:
        """True when no break was found."""
        return not self.breaks


def verify(session: Session, agency_id: int) -> ChainReport:
    """Return the verification of an agency's whole chain."""
    head = session.get(AuditHeadRow, agency_id)
    rows = session.execute(
        select(AuditEventRow).where(AuditEventRow.agency_id == agency_id).order_by(AuditEventRow.seq)
    ).scalars()
    events = [_to_event(row) for row in rows]
    breaks = verify_chain(
        events, head_seq=head.last_seq if head else 0, head_hash=head.last_hash if head else None
    )
    return ChainReport(agency_id, len(events), tuple(breaks))
