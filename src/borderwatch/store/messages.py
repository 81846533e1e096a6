"""Ingested messages and the quarantine: raw bytes are always kept, whatever became of them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from borderwatch.domain.audit import Actor
from borderwatch.errors import NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import MessageRow, QuarantineRow


@dataclass(frozen=True, slots=True)
class QuarantinedItem:
    """Something that could not be processed, with its reasons and its raw bytes."""

    item_id: int
    source: str
    received_at: datetime
    reason: str
    problems: list[Any]
    status: str
    raw: bytes
    message_id: int | None


def sha256(data: bytes) -> str:
    """Return the hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def find_accepted(session: Session, actor: Actor, digest: str) -> int | None:
    """Return the id of an already accepted message with these exact bytes, or None."""
    return session.execute(
        select(MessageRow.id)
        .where(
            MessageRow.agency_id == actor.agency_id,
            MessageRow.sha256 == digest,
            MessageRow.status != "quarantined",
        )
        .limit(1)
    ).scalar_one_or_none()


def add_message(
    session: Session, actor: Actor, *, kind: str, source: str, raw: bytes, status: str, report: dict[str, Any]
) -> int:
    """Store a received message with its raw bytes and what was made of it; return its id."""
    row = MessageRow(
        agency_id=actor.agency_id,
        kind=kind,
        source=source,
        received_at=datetime.now(UTC),
        sha256=sha256(raw),
        raw=raw,
        status=status,
        report=report,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "message.receive",
        subject_type="message",
        subject_id=row.id,
        detail={"kind": kind, "source": source, "status": status, "sha256": row.sha256},
    )
    return row.id


def quarantine(
    session: Session,
    actor: Actor,
    *,
    source: str,
    raw: bytes,
    reason: str,
    problems: list[Any],
    message_id: int | None = None,
) -> int:
    """Put raw bytes in quarantine with the reasons; return the quarantine id."""
    row = QuarantineRow(
        agency_id=actor.agency_id,
        message_id=message_id,
        source=source,
        received_at=datetime.now(UTC),
        raw=raw,
        reason=reason,
        problems=problems,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "quarantine.add",
        subject_type="quarantine",
        subject_id=row.id,
        detail={"source": source, "reason": reason[:300], "problems": len(problems)},
    )
    return row.id


def _to_item(row: QuarantineRow) -> QuarantinedItem:
    return QuarantinedItem(
        row.id,
        row.source,
        row.received_at,
        row.reason,
        list(row.problems or []),
        row.status,
        row.raw,
        row.message_id,
    )


def list_quarantine(session: Session, actor: Actor, *, status: str | None = "open") -> list[QuarantinedItem]:
    """Return the agency's quarantined items (open ones by default), newest first."""
    query = select(QuarantineRow).where(QuarantineRow.agency_id == actor.agency_id)
    if status:
        query = query.where(QuarantineRow.status == status)
    return [_to_item(row) for row in session.execute(query.order_by(QuarantineRow.id.desc())).scalars()]


def get_quarantined(session: Session, actor: Actor, item_id: int) -> QuarantinedItem:
    """Return one quarantined item of the agency (audited: it holds personal data), or raise NotFoundError."""
    row = session.execute(
        select(QuarantineRow).where(QuarantineRow.id == item_id, QuarantineRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"quarantined item {item_id} not found")
    audit.record(session, actor, "quarantine.read", subject_type="quarantine", subject_id=item_id)
    return _to_item(row)


def set_quarantine_status(session: Session, actor: Actor, item_id: int, status: str) -> None:
    """Mark a quarantined item retried or dismissed (audited)."""
    row = session.execute(
        select(QuarantineRow).where(QuarantineRow.id == item_id, QuarantineRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"quarantined item {item_id} not found")
    row.status = status
    audit.record(session, actor, f"quarantine.{status}", subject_type="quarantine", subject_id=item_id)
