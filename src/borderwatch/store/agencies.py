"""Agencies and users: the tenants and the people who act for them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from borderwatch.domain.agencies import Agency, AgencyCode, AgencyKind
from borderwatch.domain.audit import GENESIS_HASH
from borderwatch.errors import NotFoundError
from borderwatch.store.tables import AgencyRow, AuditHeadRow


def _to_agency(row: AgencyRow) -> Agency:
    return Agency(AgencyCode(row.code), row.name, AgencyKind(row.kind), row.country)


def ensure_agency(session: Session, agency: Agency) -> int:
    """Return the id of the agency with this code, creating it when new."""
    row = session.execute(select(AgencyRow).where(AgencyRow.code == agency.code)).scalar_one_or_none()
    if row is None:
        row = AgencyRow(
            code=agency.code,
            name=agency.name,
            kind=agency.kind.value,
            country=agency.country,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        # The head of the agency's audit chain exists from the start, so appending always locks an
        # existing row (SELECT ... FOR UPDATE) and two first events cannot both create it.
        session.add(AuditHeadRow(agency_id=row.id, last_seq=0, last_hash=GENESIS_HASH))
        session.flush()
    return row.id


def agency_id(session: Session, code: str) -> int:
    """Return the id of the agency with this code, or raise NotFoundError."""
    found = session.execute(select(AgencyRow.id).where(AgencyRow.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"agency {code!r} does not exist on this instance (run `borderwatch init`)")
    return found


def list_agencies(session: Session) -> list[tuple[int, Agency]]:
    """Return every agency with its id."""
    rows = session.execute(select(AgencyRow).order_by(AgencyRow.id)).scalars()
    return [(row.id, _to_agency(row)) for row in rows]
