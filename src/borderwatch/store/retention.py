"""Retention of API and PNR data in the database: depersonalise, then delete, each step audited.

The rules (periods, what is masked, the exceptions for alerts) are in `domain/retention.py`; this
module finds the rows that are due and changes them, in the caller's transaction.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import and_, delete, exists, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from borderwatch.domain.alerts import AlertState
from borderwatch.domain.audit import Actor
from borderwatch.domain.retention import MASK, depersonalise_booking
from borderwatch.store import audit, sealed
from borderwatch.store.tables import (
    AlertRow,
    BookingRow,
    FalsePositiveRow,
    FlightRow,
    MessageRow,
    QuarantineRow,
    SealedDataRow,
    TravelDocumentRow,
    TravellerRow,
)

OPEN_STATES = [s.value for s in AlertState if not s.is_closed]
BATCH = 1000


def _held_by_alert(*, keep_confirmed: bool) -> ColumnElement[bool]:
    """True for a traveller whose alert keeps it as it is (under review; confirmed, if asked)."""
    states = [*OPEN_STATES, AlertState.CONFIRMED_MATCH.value] if keep_confirmed else OPEN_STATES
    return exists().where(AlertRow.traveller_id == TravellerRow.id, AlertRow.state.in_(states))


def depersonalise(
    session: Session, actor: Actor, *, before: datetime, at: datetime, key: bytes | None = None
) -> dict[str, int]:
    """Mask names, contacts and document numbers of the agency's API/PNR data stored before `before`.

    Travellers with an alert under review or a confirmed match, and the bookings they are on,
    are left as they are. Raw messages lose their bytes (the hash and report stay). With a sealing
    `key`, what is masked is first kept encrypted (`store/sealed.py`) so that a supervisor can approve
    re-personalising one record; without it masking cannot be undone. Returns counts.
    """
    ids = list(
        session.execute(
            select(TravellerRow.id).where(
                TravellerRow.agency_id == actor.agency_id,
                TravellerRow.created_at < before,
                TravellerRow.depersonalised_at.is_(None),
                ~_held_by_alert(keep_confirmed=True),
            )
        ).scalars()
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if key is not None:
            _seal_travellers(session, actor, chunk, key, at)
        for traveller_id in chunk:
            # The identity key is a hash of name, birth date and document: replaced, or it would
            # still single the person out. Unique per traveller so the flight's constraint holds.
            session.execute(
                update(TravellerRow)
                .where(TravellerRow.id == traveller_id)
                .values(
                    family_name=MASK,
                    given_names=MASK,
                    birth_place=MASK,
                    passenger_ref="",
                    identity_key=hashlib.sha256(f"depersonalised:{traveller_id}".encode()).hexdigest(),
                    depersonalised_at=at,
                )
            )
        session.execute(
            update(TravelDocumentRow)
            .where(TravelDocumentRow.traveller_id.in_(chunk))
            .values(number=MASK, number_normalised=MASK)
        )
    held_booking = exists().where(
        TravellerRow.flight_id == BookingRow.flight_id,
        TravellerRow.record_locator == BookingRow.record_locator,
        _held_by_alert(keep_confirmed=True),
    )
    bookings = (
        session.execute(
            select(BookingRow).where(
                BookingRow.agency_id == actor.agency_id,
                BookingRow.created_at < before,
                BookingRow.depersonalised_at.is_(None),
                ~held_booking,
            )
        )
        .scalars()
        .all()
    )
    for booking in bookings:
        if key is not None:
            sealed.seal(
                session,
                key,
                agency_id=actor.agency_id,
                subject_type="booking",
                subject_id=booking.id,
                data=booking.data,
                at=at,
            )
        booking.data = depersonalise_booking(booking.data)
        booking.depersonalised_at = at
    messages = session.execute(
        update(MessageRow)
        .where(
            MessageRow.agency_id == actor.agency_id, MessageRow.received_at < before, MessageRow.raw != b""
        )
        .values(raw=b"")
    )
    quarantined = session.execute(
        update(QuarantineRow)
        .where(
            QuarantineRow.agency_id == actor.agency_id,
            QuarantineRow.received_at < before,
            QuarantineRow.raw != b"",
        )
        .values(raw=b"")
    )
    counts = {
        "travellers": len(ids),
        "bookings": len(bookings),
        "messages": int(getattr(messages, "rowcount", 0) or 0),
        "quarantined": int(getattr(quarantined, "rowcount", 0) or 0),
    }
    audit.record(
        session,
        actor,
        "retention.depersonalise",
        subject_type="agency",
        subject_id=actor.agency_code,
        detail={**counts, "before": before.isoformat()},
        at=at,
    )
    return counts


def _seal_travellers(session: Session, actor: Actor, ids: list[int], key: bytes, at: datetime) -> None:
    documents: dict[int, list[dict[str, object]]] = {}
    for doc in session.execute(
        select(TravelDocumentRow).where(TravelDocumentRow.traveller_id.in_(ids))
    ).scalars():
        documents.setdefault(doc.traveller_id, []).append(
            {"id": doc.id, "number": doc.number, "number_normalised": doc.number_normalised}
        )
    for row in session.execute(select(TravellerRow).where(TravellerRow.id.in_(ids))).scalars():
        sealed.seal(
            session,
            key,
            agency_id=actor.agency_id,
            subject_type="traveller",
            subject_id=row.id,
            at=at,
            data={
                "family_name": row.family_name,
                "given_names": row.given_names,
                "birth_place": row.birth_place,
                "passenger_ref": row.passenger_ref,
                "identity_key": row.identity_key,
                "documents": documents.get(row.id, []),
            },
        )


def restore_traveller(session: Session, actor: Actor, traveller_id: int, key: bytes) -> None:
    """Put a depersonalised traveller's sealed data back (the caller has the supervisor's approval)."""
    data = sealed.unseal(
        session, key, agency_id=actor.agency_id, subject_type="traveller", subject_id=traveller_id
    )
    session.execute(
        update(TravellerRow)
        .where(TravellerRow.id == traveller_id, TravellerRow.agency_id == actor.agency_id)
        .values(
            family_name=data["family_name"],
            given_names=data["given_names"],
            birth_place=data["birth_place"],
            passenger_ref=data["passenger_ref"],
            identity_key=data["identity_key"],
            depersonalised_at=None,
        )
    )
    for doc in data["documents"]:
        session.execute(
            update(TravelDocumentRow)
            .where(TravelDocumentRow.id == doc["id"], TravelDocumentRow.traveller_id == traveller_id)
            .values(number=doc["number"], number_normalised=doc["number_normalised"])
        )
    sealed.discard(session, agency_id=actor.agency_id, subject_type="traveller", subject_id=traveller_id)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def delete_expired(session: Session, actor: Actor, *, before: datetime, at: datetime) -> dict[str, int]:
    """Delete the agency's API/PNR data stored before `before`; return counts (audited).

    A traveller with an alert under review stays until the alert is closed. Deleting a traveller
    deletes its documents, screenings and alerts (with their history) through the foreign keys;
    flights and raw messages go once nothing refers to them.
    """
    agency = actor.agency_id
    travellers = _count(
        session.execute(
            delete(TravellerRow)
            .where(
                TravellerRow.agency_id == agency,
                TravellerRow.created_at < before,
                ~_held_by_alert(keep_confirmed=False),
            )
            .execution_options(synchronize_session=False)
        )
    )
    bookings = _count(
        session.execute(
            delete(BookingRow)
            .where(BookingRow.agency_id == agency, BookingRow.created_at < before)
            .execution_options(synchronize_session=False)
        )
    )
    false_positives = _count(
        session.execute(
            delete(FalsePositiveRow).where(
                FalsePositiveRow.agency_id == agency, FalsePositiveRow.decided_at < before
            )
        )
    )
    quarantined = _count(
        session.execute(
            delete(QuarantineRow).where(QuarantineRow.agency_id == agency, QuarantineRow.received_at < before)
        )
    )
    flights = _count(
        session.execute(
            delete(FlightRow)
            .where(
                FlightRow.agency_id == agency,
                FlightRow.created_at < before,
                ~exists().where(TravellerRow.flight_id == FlightRow.id),
                ~exists().where(BookingRow.flight_id == FlightRow.id),
                ~exists().where(AlertRow.flight_id == FlightRow.id),
            )
            .execution_options(synchronize_session=False)
        )
    )
    messages = _count(
        session.execute(
            delete(MessageRow)
            .where(
                and_(
                    MessageRow.agency_id == agency,
                    MessageRow.received_at < before,
                    ~exists().where(TravellerRow.message_id == MessageRow.id),
                    ~exists().where(BookingRow.message_id == MessageRow.id),
                    ~exists().where(QuarantineRow.message_id == MessageRow.id),
                )
            )
            .execution_options(synchronize_session=False)
        )
    )
    sealed_rows = _count(
        session.execute(
            delete(SealedDataRow)
            .where(
                SealedDataRow.agency_id == agency,
                (
                    (SealedDataRow.subject_type == "traveller")
                    & ~exists().where(TravellerRow.id == SealedDataRow.subject_id)
                )
                | (
                    (SealedDataRow.subject_type == "booking")
                    & ~exists().where(BookingRow.id == SealedDataRow.subject_id)
                ),
            )
            .execution_options(synchronize_session=False)
        )
    )
    counts = {
        "travellers": travellers,
        "bookings": bookings,
        "sealed_records": sealed_rows,
        "flights": flights,
        "messages": messages,
        "quarantined": quarantined,
        "false_positives": false_positives,
    }
    audit.record(
        session,
        actor,
        "retention.delete",
        subject_type="agency",
        subject_id=actor.agency_code,
        detail={**counts, "before": before.isoformat()},
        at=at,
    )
    return counts
