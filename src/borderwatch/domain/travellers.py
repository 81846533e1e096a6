"""Travellers, their travel documents, flights, manifests and bookings: the domain model of what
airlines and document readers tell us.

Field names follow the officers' words: `family_name` and `given_names` everywhere (the MRZ's
primary/secondary identifiers and PAXLST's NAD parts are mapped to them inside the parsers).
Country codes are ICAO Doc 9303 three-letter codes (ISO 3166-1 alpha-3 plus `D`, `GBD`, `XXA`...),
upper case, exactly as a document carries them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import NewType

FlightId = NewType("FlightId", int)
TravellerId = NewType("TravellerId", int)


class Gender(Enum):
    """Sex as written on a travel document (ICAO 9303: M, F, X or unspecified)."""

    MALE = "M"
    FEMALE = "F"
    UNSPECIFIED = "X"
    UNKNOWN = "U"

    @classmethod
    def from_code(cls, code: str | None) -> Gender:
        """Return the gender for a document or message code; anything unreadable is UNKNOWN."""
        return _GENDER_CODES.get((code or "").strip().upper()[:1], cls.UNKNOWN)


class DocumentType(Enum):
    """Kind of travel document (first letter of the ICAO document code / PAXLST DOC type)."""

    PASSPORT = "P"
    ID_CARD = "I"
    VISA = "V"
    RESIDENCE_PERMIT = "R"
    CREW_CARD = "C"
    OTHER = "O"

    @classmethod
    def from_code(cls, code: str | None) -> DocumentType:
        """Return the type for a document code such as `P`, `PO`, `I<`, `ID`, `V`, `AC`."""
        text = (code or "").strip().upper()
        if text.startswith("AC"):
            return cls.CREW_CARD
        first = text[:1]
        found = _DOCUMENT_LETTERS.get(first)
        if found is not None:
            return found
        if first in {"A"}:
            return cls.ID_CARD  # ICAO 9303: A, C and I are the official travel-document letters of TD1 cards
        return cls.OTHER


# Code letters to members, made once: every traveller of every manifest is read through these.
_GENDER_CODES = {"M": Gender.MALE, "F": Gender.FEMALE, "X": Gender.UNSPECIFIED}
_DOCUMENT_LETTERS = {member.value: member for member in DocumentType}


class TravellerRole(Enum):
    """Why a person is on board."""

    PASSENGER = "passenger"
    CREW = "crew"
    IN_TRANSIT = "in_transit"
    IN_TRANSIT_CREW = "in_transit_crew"  # PAXLST NAD+DDT: crew member in transit


class MessageKind(Enum):
    """What an airline message reports (PAXLST BGM code; PNRGOV push)."""

    PASSENGER_LIST = "passenger list"
    CREW_LIST = "crew list"
    FLIGHT_CLOSE_OUT = "flight close-out"
    MASTER_CREW_LIST = "master crew list"
    PNR_PUSH = "PNR push"
    CSV_MANIFEST = "CSV manifest"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class TravelDocument:
    """A travel document as presented or reported: number, issuing state, dates."""

    doc_type: DocumentType
    number: str
    issuing_state: str = ""
    expiry_date: date | None = None
    issue_date: date | None = None
    nationality: str = ""
    code: str = ""  # the document code as written (P, PO, ID, VB...)
    issue_place: str = ""  # place of issue as written (PNRGOV SSR DOCO), not a country code


@dataclass(frozen=True, slots=True)
class Traveller:
    """One person on a flight, as reported by the airline or read from a document."""

    family_name: str
    given_names: str
    birth_date: date | None = None
    gender: Gender = Gender.UNKNOWN
    nationality: str = ""
    role: TravellerRole = TravellerRole.PASSENGER
    documents: tuple[TravelDocument, ...] = ()
    residence_country: str = ""
    birth_place: str = ""
    embarkation: str = ""
    debarkation: str = ""
    seat: str = ""
    record_locator: str = ""  # PNR locator (PAXLST RFF+AVF, PNRGOV RCI)
    passenger_ref: str = ""  # airline's unique passenger reference (RFF+ABO / PNRGOV REF)
    bags: int | None = None

    @property
    def full_name(self) -> str:
        """Return given names then family name, as a person would say them."""
        return " ".join(p for p in (self.given_names, self.family_name) if p)

    @property
    def display_name(self) -> str:
        """Return `FAMILY/GIVEN`, the way manifests and officers write a traveller."""
        return f"{self.family_name}/{self.given_names}" if self.given_names else self.family_name

    @property
    def main_document(self) -> TravelDocument | None:
        """Return the passport or identity card the person travels on, if any was reported."""
        for doc in self.documents:
            if doc.doc_type in (DocumentType.PASSPORT, DocumentType.ID_CARD):
                return doc
        return self.documents[0] if self.documents else None


@dataclass(frozen=True, slots=True)
class Flight:
    """A flight leg as the receiving state sees it: carrier, number, ports and local times."""

    carrier: str
    number: str
    departure_port: str
    arrival_port: str
    departure_time: datetime | None = None
    arrival_time: datetime | None = None

    @property
    def designator(self) -> str:
        """Return the flight designator such as `AT800`."""
        return f"{self.carrier}{self.number}"

    @property
    def key(self) -> str:
        """Return a stable key: designator, departure date and route (`AT800/2026-11-29/CMN-LHR`)."""
        day = self.departure_time.date().isoformat() if self.departure_time else "undated"
        return f"{self.designator}/{day}/{self.departure_port}-{self.arrival_port}"

    def as_segment(self, booking_class: str = "") -> Segment:
        """Return this flight as one segment of a booking's itinerary."""
        return Segment(
            self.carrier,
            self.number,
            self.departure_port,
            self.arrival_port,
            self.departure_time,
            self.arrival_time,
            booking_class,
        )


@dataclass(frozen=True, slots=True)
class Manifest:
    """One message's worth of travellers for a flight (a PAXLST, or a CSV manifest)."""

    kind: MessageKind
    flight: Flight
    travellers: tuple[Traveller, ...]
    sender: str = ""
    recipient: str = ""
    message_ref: str = ""
    interchange_ref: str = ""
    reference: str = ""  # UNH common access reference, used to join the parts of a multi-part message
    part_number: int = 1
    is_final_part: bool = True
    declared_passengers: int | None = None  # CNT+42
    declared_crew: int | None = None  # CNT+41
    legs: tuple[Flight, ...] = ()  # further route legs (D05B LOC+92, several TDT groups)
    version: str = ""  # D02B, D05B
    reporting_party: str = ""
    message_function: str = ""  # BGM element 2: C change, CL close-out, CLOB on board, CLNB not boarded...


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """How a booking was paid (PNRGOV FOP)."""

    kind: str  # CA cash, CC card, MS miscellaneous, IN invoice...
    amount: str = ""
    currency: str = ""
    card_type: str = ""
    card_number_masked: str = ""
    payer_name: str = ""
    payer_address: str = ""  # PNRGOV IFT+4:43 after FOP
    payer_phone: str = ""
    card_expiry: str = ""  # MMYY as sent


@dataclass(frozen=True, slots=True)
class Segment:
    """One flight of a booking's itinerary (PNRGOV TVL)."""

    carrier: str
    number: str
    departure_port: str
    arrival_port: str
    departure_time: datetime | None = None
    arrival_time: datetime | None = None
    booking_class: str = ""


@dataclass(frozen=True, slots=True)
class BookedTraveller:
    """A traveller as a PNR names them, with what the PNR adds (documents from SSR DOCS/DOCO)."""

    traveller: Traveller
    ref: str = ""  # traveller reference inside the PNR (TIF)
    is_infant: bool = False
    ticket_number: str = ""
    frequent_flyer: str = ""
    contacts: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    title: str = ""  # MR, MRS... taken off the end of the given names as booked
    with_infant: bool = False  # PNRGOV TIF infant indicator: this adult travels with a lap infant
    infant_of: str = ""  # for an infant (SSR INFT): the ref of the adult carrying them


@dataclass(frozen=True, slots=True)
class Booking:
    """A passenger name record: who booked what, when, how paid, who travels together."""

    record_locator: str
    travellers: tuple[BookedTraveller, ...]
    itinerary: tuple[Segment, ...] = ()
    created_at: datetime | None = None
    ticketed_at: datetime | None = None
    payments: tuple[PaymentMethod, ...] = ()
    booking_agency: str = ""  # IATA agency number / office id
    booking_country: str = ""
    originator: str = ""
    seats: tuple[tuple[str, str], ...] = ()  # (traveller ref, seat)
    bag_count: int | None = None
    bag_weight_kg: float | None = None
    contacts: tuple[str, ...] = ()
    other_locators: tuple[str, ...] = field(default_factory=tuple)
    last_modified_at: datetime | None = None  # PNRGOV DAT+700, last PNR transaction
    addresses: tuple[str, ...] = ()  # PNRGOV ADD at booking level

    @property
    def is_one_way(self) -> bool:
        """True when the itinerary never returns to where it started."""
        if not self.itinerary:
            return False
        return self.itinerary[0].departure_port != self.itinerary[-1].arrival_port


@dataclass(frozen=True, slots=True)
class PnrMessage:
    """A PNRGOV push: the reported flight and the bookings on it."""

    flight: Flight
    bookings: tuple[Booking, ...]
    sender: str = ""
    message_ref: str = ""
    version: str = ""
    declared_bookings: int | None = None  # PNRGOV EQN: number of PNRs the sender says it sent
