"""Re-personalisation requests: an officer asks, a different supervisor approves or refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from borderwatch.domain.audit import Actor
from borderwatch.errors import ConflictError, NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import RepersonalisationRow, TravellerRow


@dataclass(frozen=True, slots=True)
class Request:
    """A request to re-personalise one traveller."""

    request_id: int
    traveller_id: int
    reason: str
    requested_by: str
    requested_at: datetime
    state: str
    decided_by: str
    decided_at: datetime | None


def _to_request(row: RepersonalisationRow) -> Request:
    return Request(
        row.id,
        row.traveller_id,
        row.reason,
        row.requested_by,
        row.requested_at,
        row.state,
        row.decided_by,
        row.decided_at,
    )


def add_request(session: Session, actor: Actor, traveller_id: int, reason: str, *, at: datetime) -> Request:
    """Record a request for a depersonalised traveller of the agency (audited)."""
    traveller = session.execute(
        select(TravellerRow).where(TravellerRow.id == traveller_id, TravellerRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if traveller is None:
        raise NotFoundError(f"traveller {traveller_id} not found")
    if traveller.depersonalised_at is None:
        raise ConflictError(f"traveller {traveller_id} is not depersonalised: nothing to re-personalise")
    row = RepersonalisationRow(
        agency_id=actor.agency_id,
        traveller_id=traveller_id,
        reason=reason,
        requested_by=actor.label,
        requested_at=at,
        state="pending",
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "repersonalisation.request",
        subject_type="traveller",
        subject_id=traveller_id,
        detail={"request": row.id, "reason": reason[:500]},
        at=at,
    )
    return _to_request(row)


def get_request(session: Session, actor: Actor, request_id: int) -> RepersonalisationRow:
    """Return one of the agency's requests as a row to update, or raise NotFoundError."""
    row = session.execute(
        select(RepersonalisationRow).where(
            RepersonalisationRow.id == request_id, RepersonalisationRow.agency_id == actor.agency_id
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"re-personalisation request {request_id} not found")
    return row


def decide(
    session: Session, actor: Actor, row: RepersonalisationRow, *, approve: bool, at: datetime
) -> Request:
    """Mark a pending request approved or refused (audited); the caller restores the data on approval."""
    if row.state != "pending":
        raise ConflictError(f"re-personalisation request {row.id} is already {row.state}")
    row.state = "approved" if approve else "refused"
    row.decided_by = actor.label
    row.decided_at = at
    audit.record(
        session,
        actor,
        f"repersonalisation.{row.state}",
        subject_type="traveller",
        subject_id=row.traveller_id,
        detail={"request": row.id, "requested_by": row.requested_by},
        at=at,
    )
    return _to_request(row)


def list_requests(session: Session, actor: Actor, *, state: str | None = None) -> list[Request]:
    """Return the agency's requests, newest first."""
    query = select(RepersonalisationRow).where(RepersonalisationRow.agency_id == actor.agency_id)
    if state:
        query = query.where(RepersonalisationRow.state == state)
    return [_to_request(r) for r in session.execute(query.order_by(RepersonalisationRow.id.desc())).scalars()]
