"""Flights and their travellers: personal data, every read and write audited, agency-isolated."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from borderwatch.domain.audit import Actor
from borderwatch.domain.travellers import (
    Booking,
    DocumentType,
    Flight,
    FlightId,
    Gender,
    TravelDocument,
    Traveller,
    TravellerId,
    TravellerRole,
)
from borderwatch.domain.watchlists import normalise_document_number
from borderwatch.errors import NotFoundError
from borderwatch.store import audit
from borderwatch.store.codec import from_json, to_json
from borderwatch.store.tables import BookingRow, FlightRow, TravelDocumentRow, TravellerRow


@dataclass(frozen=True, slots=True)
class StoredFlight:
    """A flight as stored, with its id and traveller count."""

    flight_id: FlightId
    flight: Flight
    travellers: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredTraveller:
    """A traveller as stored, with ids."""

    traveller_id: TravellerId
    flight_id: FlightId
    traveller: Traveller
    created_at: datetime


def identity_key(traveller: Traveller) -> str:
    """Return a stable key of who a traveller is on a flight (so a resent message adds no duplicate)."""
    doc = traveller.main_document
    text = "|".join(
        [
            traveller.family_name.upper(),
            traveller.given_names.upper(),
            traveller.birth_date.isoformat() if traveller.birth_date else "",
            normalise_document_number(doc.number) if doc else "",
            traveller.role.value,
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _to_flight(row: FlightRow) -> Flight:
    return Flight(
        row.carrier, row.number, row.departure_port, row.arrival_port, row.departure_time, row.arrival_time
    )


def upsert_flight(session: Session, actor: Actor, flight: Flight) -> tuple[FlightId, bool]:
    """Return the id of the agency's flight with this key (creating it) and whether it was new."""
    row = session.execute(
        select(FlightRow).where(FlightRow.agency_id == actor.agency_id, FlightRow.key == flight.key)
    ).scalar_one_or_none()
    if row is not None:
        return FlightId(row.id), False
    row = FlightRow(
        agency_id=actor.agency_id,
        key=flight.key,
        carrier=flight.carrier,
        number=flight.number,
        departure_port=flight.departure_port,
        arrival_port=flight.arrival_port,
        departure_time=flight.departure_time,
        arrival_time=flight.arrival_time,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "flight.create",
        subject_type="flight",
        subject_id=row.id,
        detail={"flight": flight.key},
    )
    return FlightId(row.id), True


def add_travellers(
    session: Session,
    actor: Actor,
    flight_id: FlightId,
    travellers: Sequence[Traveller],
    *,
    message_id: int | None,
) -> tuple[list[TravellerId], int]:
    """Store travellers not yet on the flight; return the new ids and how many were already there."""
    existing = set(
        session.execute(
            select(TravellerRow.identity_key).where(TravellerRow.flight_id == flight_id)
        ).scalars()
    )
    now = datetime.now(UTC)
    added: list[TravellerId] = []
    duplicates = 0
    for traveller in travellers:
        key = identity_key(traveller)
        if key in existing:
            duplicates += 1
            continue
        existing.add(key)
        row = TravellerRow(
            agency_id=actor.agency_id,
            flight_id=flight_id,
            message_id=message_id,
            identity_key=key,
            role=traveller.role.value,
            family_name=traveller.family_name,
            given_names=traveller.given_names,
            birth_date=traveller.birth_date,
            gender=traveller.gender.value,
            nationality=traveller.nationality,
            residence_country=traveller.residence_country,
            birth_place=traveller.birth_place,
            embarkation=traveller.embarkation,
            debarkation=traveller.debarkation,
            seat=traveller.seat,
            record_locator=traveller.record_locator,
            passenger_ref=traveller.passenger_ref,
            created_at=now,
        )
        session.add(row)
        session.flush()
        session.add_all(
            TravelDocumentRow(
                traveller_id=row.id,
                doc_type=doc.doc_type.value,
                code=doc.code,
                number=doc.number,
                number_normalised=normalise_document_number(doc.number),
                issuing_state=doc.issuing_state,
                nationality=doc.nationality,
                expiry_date=doc.expiry_date,
                issue_date=doc.issue_date,
            )
            for doc in traveller.documents
        )
        added.append(TravellerId(row.id))
    if added:
        audit.record(
            session,
            actor,
            "travellers.write",
            subject_type="flight",
            subject_id=flight_id,
            detail={"added": len(added), "already_stored": duplicates, "message": message_id},
        )
    return added, duplicates


def _documents(session: Session, traveller_ids: Sequence[int]) -> dict[int, list[TravelDocument]]:
    docs: dict[int, list[TravelDocument]] = {}
    if not traveller_ids:
        return docs
    rows = session.execute(
        select(TravelDocumentRow)
        .where(TravelDocumentRow.traveller_id.in_(traveller_ids))
        .order_by(TravelDocumentRow.id)
    ).scalars()
    for row in rows:
        docs.setdefault(row.traveller_id, []).append(
            TravelDocument(
                DocumentType(row.doc_type),
                row.number,
                row.issuing_state,
                row.expiry_date,
                row.issue_date,
                row.nationality,
                row.code,
            )
        )
    return docs


def _to_traveller(row: TravellerRow, docs: list[TravelDocument]) -> Traveller:
    return Traveller(
        family_name=row.family_name,
        given_names=row.given_names,
        birth_date=row.birth_date,
        gender=Gender(row.gender),
        nationality=row.nationality,
        role=TravellerRole(row.role),
        documents=tuple(docs),
        residence_country=row.residence_country,
        birth_place=row.birth_place,
        embarkation=row.embarkation,
        debarkation=row.debarkation,
        seat=row.seat,
        record_locator=row.record_locator,
        passenger_ref=row.passenger_ref,
    )


def _read_travellers(session: Session, rows: Sequence[TravellerRow]) -> list[StoredTraveller]:
    docs = _documents(session, [row.id for row in rows])
    return [
        StoredTraveller(
            TravellerId(row.id),
            FlightId(row.flight_id),
            _to_traveller(row, docs.get(row.id, [])),
            row.created_at,
        )
        for row in rows
    ]


def get_flight(session: Session, actor: Actor, flight_id: int) -> StoredFlight:
    """Return one of the agency's flights, or raise NotFoundError (also for other agencies' ids)."""
    row = session.execute(
        select(FlightRow).where(FlightRow.id == flight_id, FlightRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"flight {flight_id} not found")
    count = session.execute(
        select(func.count()).select_from(TravellerRow).where(TravellerRow.flight_id == row.id)
    ).scalar_one()
    return StoredFlight(FlightId(row.id), _to_flight(row), count, row.created_at)


def find_flight(session: Session, actor: Actor, reference: str) -> StoredFlight:
    """Return a flight by id or by key / designator (`AT800`, `AT800/2026-11-29/CMN-LHR`), newest first."""
    if reference.isdigit():
        return get_flight(session, actor, int(reference))
    query = select(FlightRow.id).where(FlightRow.agency_id == actor.agency_id)
    if "/" in reference:
        query = query.where(FlightRow.key == reference)
    else:
        designator = reference.upper()
        query = query.where((FlightRow.carrier + FlightRow.number) == designator)
    found = session.execute(query.order_by(FlightRow.id.desc()).limit(1)).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"flight {reference!r} not found")
    return get_flight(session, actor, found)


def list_flights(
    session: Session, actor: Actor, *, limit: int = 50, on: date | None = None
) -> list[StoredFlight]:
    """Return the agency's flights, newest first."""
    counts = (
        select(TravellerRow.flight_id, func.count().label("n")).group_by(TravellerRow.flight_id).subquery()
    )
    query = (
        select(FlightRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.flight_id == FlightRow.id)
        .where(FlightRow.agency_id == actor.agency_id)
    )
    if on is not None:
        start = datetime(on.year, on.month, on.day)
        query = query.where(
            FlightRow.departure_time >= start,
            FlightRow.departure_time < datetime.fromordinal(start.toordinal() + 1),
        )
    rows = session.execute(query.order_by(FlightRow.id.desc()).limit(limit)).all()
    return [StoredFlight(FlightId(row.id), _to_flight(row), int(n), row.created_at) for row, n in rows]


def travellers_of_flight(
    session: Session, actor: Actor, flight_id: int, *, purpose: str
) -> list[StoredTraveller]:
    """Return the travellers of one of the agency's flights; the read is audited with its purpose."""
    get_flight(session, actor, flight_id)
    rows = (
        session.execute(
            select(TravellerRow)
            .where(TravellerRow.flight_id == flight_id, TravellerRow.agency_id == actor.agency_id)
            .order_by(TravellerRow.id)
        )
        .scalars()
        .all()
    )
    audit.record(
        session,
        actor,
        "travellers.read",
        subject_type="flight",
        subject_id=flight_id,
        detail={"count": len(rows), "purpose": purpose},
    )
    return _read_travellers(session, rows)


def get_traveller(session: Session, actor: Actor, traveller_id: int, *, purpose: str) -> StoredTraveller:
    """Return one of the agency's travellers (audited), or raise NotFoundError."""
    row = session.execute(
        select(TravellerRow).where(TravellerRow.id == traveller_id, TravellerRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"traveller {traveller_id} not found")
    audit.record(
        session,
        actor,
        "traveller.read",
        subject_type="traveller",
        subject_id=traveller_id,
        detail={"purpose": purpose},
    )
    return _read_travellers(session, [row])[0]


def travellers_since(
    session: Session, actor: Actor, since: datetime, *, purpose: str
) -> list[StoredTraveller]:
    """Return the agency's travellers stored since a moment (for re-screening), audited."""
    rows = (
        session.execute(
            select(TravellerRow)
            .where(
                TravellerRow.agency_id == actor.agency_id,
                TravellerRow.created_at >= since,
                TravellerRow.depersonalised_at.is_(None),
            )
            .order_by(TravellerRow.id)
        )
        .scalars()
        .all()
    )
    audit.record(
        session,
        actor,
        "travellers.read",
        subject_type="agency",
        subject_id=actor.agency_code,
        detail={"count": len(rows), "purpose": purpose, "since": since.isoformat()},
    )
    return _read_travellers(session, rows)


def add_bookings(
    session: Session,
    actor: Actor,
    flight_id: FlightId,
    bookings: Sequence[Booking],
    *,
    message_id: int | None,
) -> tuple[int, int]:
    """Store PNRs not yet stored for the flight (by record locator); return (added, already stored)."""
    known = set(
        session.execute(select(BookingRow.record_locator).where(BookingRow.flight_id == flight_id)).scalars()
    )
    now = datetime.now(UTC)
    added = 0
    for booking in bookings:
        if booking.record_locator in known:
            continue
        known.add(booking.record_locator)
        session.add(
            BookingRow(
                agency_id=actor.agency_id,
                flight_id=flight_id,
                message_id=message_id,
                record_locator=booking.record_locator,
                travellers=len(booking.travellers),
                data=to_json(booking),
                created_at=now,
            )
        )
        added += 1
    if added:
        audit.record(
            session,
            actor,
            "bookings.write",
            subject_type="flight",
            subject_id=flight_id,
            detail={"added": added, "message": message_id},
        )
    return added, len(bookings) - added


def bookings_of_flight(session: Session, actor: Actor, flight_id: int, *, purpose: str) -> list[Booking]:
    """Return the PNRs of one of the agency's flights (audited)."""
    get_flight(session, actor, flight_id)
    rows = (
        session.execute(
            select(BookingRow.data)
            .where(BookingRow.flight_id == flight_id, BookingRow.agency_id == actor.agency_id)
            .order_by(BookingRow.id)
        )
        .scalars()
        .all()
    )
    audit.record(
        session,
        actor,
        "bookings.read",
        subject_type="flight",
        subject_id=flight_id,
        detail={"count": len(rows), "purpose": purpose},
    )
    return [from_json(Booking, data) for data in rows]
