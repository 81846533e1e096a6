"""Response shapes shared by several API areas (pydantic at the edge; the domain stays dataclasses)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from borderwatch.domain.travellers import TravelDocument, Traveller
from borderwatch.store.flights import StoredFlight, StoredTraveller


class DocumentOut(BaseModel):
    type: str = Field(description="P passport, I identity card, V visa...")
    number: str
    issuing_state: str
    expiry_date: date | None
    nationality: str = ""


class TravellerOut(BaseModel):
    id: int
    flight_id: int
    family_name: str
    given_names: str
    birth_date: date | None
    gender: str
    nationality: str
    role: str
    seat: str = ""
    record_locator: str = ""
    documents: list[DocumentOut]


class FlightOut(BaseModel):
    id: int
    key: str = Field(description="Designator, departure date and route, e.g. AT800/2026-12-01/CMN-LHR")
    carrier: str
    number: str
    departure_port: str
    arrival_port: str
    departure_time: datetime | None
    arrival_time: datetime | None
    travellers: int


def document_out(doc: TravelDocument) -> DocumentOut:
    """Return the API shape of a travel document."""
    return DocumentOut(
        type=doc.doc_type.value,
        number=doc.number,
        issuing_state=doc.issuing_state,
        expiry_date=doc.expiry_date,
        nationality=doc.nationality,
    )


def traveller_out(stored: StoredTraveller) -> TravellerOut:
    """Return the API shape of a stored traveller."""
    t: Traveller = stored.traveller
    return TravellerOut(
        id=stored.traveller_id,
        flight_id=stored.flight_id,
        family_name=t.family_name,
        given_names=t.given_names,
        birth_date=t.birth_date,
        gender=t.gender.value,
        nationality=t.nationality,
        role=t.role.value,
        seat=t.seat,
        record_locator=t.record_locator,
        documents=[document_out(d) for d in t.documents],
    )


def flight_out(stored: StoredFlight) -> FlightOut:
    """Return the API shape of a stored flight."""
    f = stored.flight
    return FlightOut(
        id=stored.flight_id,
        key=f.key,
        carrier=f.carrier,
        number=f.number,
        departure_port=f.departure_port,
        arrival_port=f.arrival_port,
        departure_time=f.departure_time,
        arrival_time=f.arrival_time,
        travellers=stored.travellers,
    )
