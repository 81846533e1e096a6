"""The audit repository: appends events to an agency's hash chain inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from borderwatch.domain.audit import GENESIS_HASH, Actor, AuditEvent, ChainBreak, event_hash, verify_chain
from borderwatch.store.tables import AuditEventRow, AuditHeadRow

_HEADS = cast(Table, AuditHeadRow.__table__)
_EVENTS = cast(Table, AuditEventRow.__table__)
_LOCK_HEAD = (
    select(_HEADS.c.last_seq, _HEADS.c.last_hash)
    .where(_HEADS.c.agency_id == bindparam("agency"))
    .with_for_update()
)
_NEW_HEAD = insert(_HEADS)
_APPEND = insert(_EVENTS)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.agency_id == bindparam("agency"))
    .values(last_seq=bindparam("seq"), last_hash=bindparam("digest"))
)


def record(
    session: Session | Connection,
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
    # Every audited request pays for this append, so it runs three prepared Core statements on the
    # session's connection (ORM objects and statements built per call cost three times the SQL).
    if isinstance(session, Session):
        session.flush()  # rows the caller added (a new agency and its head) reach the database first
        connection = session.connection()
    else:
        connection = session
    # Lock the agency's chain head so concurrent transactions append one after the other
    # (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers anyway).
    head = connection.execute(_LOCK_HEAD, {"agency": actor.agency_id}).one_or_none()
    if head is None:
        connection.execute(
            _NEW_HEAD, {"agency_id": actor.agency_id, "last_seq": 0, "last_hash": GENESIS_HASH}
        )
        last_seq, prev = 0, GENESIS_HASH
    else:
        last_seq, prev = head.last_seq, head.last_hash or GENESIS_HASH
    event = AuditEvent(
        seq=last_seq + 1,
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
    connection.execute(
        _APPEND,
        {
            "agency_id": actor.agency_id,
            "seq": event.seq,
            "at": moment,
            "actor": event.actor,
            "action": action,
            "subject_type": subject_type,
            "subject_id": event.subject_id,
            "channel": event.channel,
            "detail": dict(event.detail),
            "prev_hash": prev,
            "hash": digest,
        },
    )
    connection.execute(_MOVE_HEAD, {"agency": actor.agency_id, "seq": event.seq, "digest": digest})
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
