"""Builders of domain objects for tests: realistic travellers, documents, flights and bookings.

Each builder returns a value with sensible defaults; pass only what a test is about. Defaults come
from the PNRGOV push in the GTAS test fixtures (`../shared/data/samples/pnrgov/
gtas_parsers_pnrMessageExample.txt`, US-CBP/GTAS, BSD-style licence): booking 7C789A of five
travellers flying Windhoek - Addis Ababa - Frankfurt - Washington Dulles, the last leg UA988 on
2018-09-28. `gtas_booking_7c789a()` rebuilds that booking as a parser would.

Keep builders small and keyword-only; add new ones in the same style (one per domain type).
"""

from __future__ import annotations

from datetime import date, datetime

from borderwatch.domain.travellers import (
    BookedTraveller,
    Booking,
    DocumentType,
    Flight,
    Gender,
    PaymentMethod,
    Segment,
    TravelDocument,
    Traveller,
    TravellerRole,
)

# When the sample was pushed (UNB 180928:1120), an hour before UA988 left Frankfurt: tests use it as `now`.
PUSH_TIME = datetime(2018, 9, 28, 11, 20)


def travel_document(
    *,
    number: str = "796428965",
    doc_type: DocumentType = DocumentType.PASSPORT,
    issuing_state: str = "GBR",
    expiry_date: date | None = date(2025, 4, 26),
    issue_date: date | None = None,
    nationality: str = "GBR",
    code: str = "P",
) -> TravelDocument:
    """Return a travel document; by default Molly Lobb's GBR passport from SSR DOCS."""
    return TravelDocument(
        doc_type=doc_type,
        number=number,
        issuing_state=issuing_state,
        expiry_date=expiry_date,
        issue_date=issue_date,
        nationality=nationality,
        code=code,
    )


def traveller(
    *,
    family_name: str = "LOBB",
    given_names: str = "MOLLY",
    birth_date: date | None = date(1954, 8, 13),
    gender: Gender = Gender.FEMALE,
    nationality: str = "GBR",
    role: TravellerRole = TravellerRole.PASSENGER,
    documents: tuple[TravelDocument, ...] | None = None,
    residence_country: str = "",
    embarkation: str = "FRA",
    debarkation: str = "IAD",
    record_locator: str = "7C789A",
    passenger_ref: str = "938990513",
    bags: int | None = None,
) -> Traveller:
    """Return a traveller; by default Molly Lobb with her passport (`documents=()` for none)."""
    return Traveller(
        family_name=family_name,
        given_names=given_names,
        birth_date=birth_date,
        gender=gender,
        nationality=nationality,
        role=role,
        documents=(travel_document(),) if documents is None else documents,
        residence_country=residence_country,
        embarkation=embarkation,
        debarkation=debarkation,
        record_locator=record_locator,
        passenger_ref=passenger_ref,
        bags=bags,
    )


def flight(
    *,
    carrier: str = "UA",
    number: str = "988",
    departure_port: str = "FRA",
    arrival_port: str = "IAD",
    departure_time: datetime | None = datetime(2018, 9, 28, 12, 20),
    arrival_time: datetime | None = datetime(2018, 9, 28, 15, 5),
) -> Flight:
    """Return a flight; by default UA988 Frankfurt - Washington Dulles of 2018-09-28."""
    return Flight(carrier, number, departure_port, arrival_port, departure_time, arrival_time)


def segment(
    departure_port: str,
    arrival_port: str,
    departure_time: datetime | None = None,
    arrival_time: datetime | None = None,
    *,
    carrier: str = "ET",
    number: str = "834",
    booking_class: str = "B",
) -> Segment:
    """Return one itinerary segment (PNRGOV TVL) between two ports."""
    return Segment(carrier, number, departure_port, arrival_port, departure_time, arrival_time, booking_class)


def payment(
    kind: str = "CC",
    *,
    amount: str = "800.00",
    currency: str = "GBP",
    card_type: str = "AX",
    card_number_masked: str = "372395XXXXX9581",
    payer_name: str = "MOLLY LOBB",
) -> PaymentMethod:
    """Return a form of payment (PNRGOV FOP); `payment("CA")` is cash, without card details."""
    if kind == "CA":
        card_type = card_number_masked = ""
    return PaymentMethod(kind, amount, currency, card_type, card_number_masked, payer_name)


def booked(
    person: Traveller, *, ref: str = "1", is_infant: bool = False, ticket: str = ""
) -> BookedTraveller:
    """Return a traveller as a PNR names them (TIF)."""
    return BookedTraveller(person, ref=ref, is_infant=is_infant, ticket_number=ticket)


def gtas_itinerary() -> tuple[Segment, ...]:
    """Return the sample's itinerary WDH-ADD (ET834), ADD-FRA (ET706), FRA-IAD (UA988)."""
    return (
        segment("WDH", "ADD", datetime(2018, 9, 27, 14, 20), datetime(2018, 9, 27, 21, 20)),
        segment("ADD", "FRA", datetime(2018, 9, 27, 23, 20), datetime(2018, 9, 28, 5, 31), number="706"),
        segment(
            "FRA",
            "IAD",
            datetime(2018, 9, 28, 12, 20),
            datetime(2018, 9, 28, 15, 5),
            carrier="UA",
            number="988",
        ),
    )


def booking(
    *,
    record_locator: str = "7C789A",
    travellers: tuple[BookedTraveller, ...] | None = None,
    itinerary: tuple[Segment, ...] | None = None,
    created_at: datetime | None = datetime(2018, 8, 23, 12, 20),
    ticketed_at: datetime | None = datetime(2018, 9, 27, 0, 0),
    payments: tuple[PaymentMethod, ...] | None = None,
    booking_agency: str = "70379193",
    booking_country: str = "GB",
    bag_count: int | None = None,
    bag_weight_kg: float | None = None,
    contacts: tuple[str, ...] = ("MOLLY_LOBB@GMAIL.COM",),
) -> Booking:
    """Return a booking; by default PNR 7C789A for Molly Lobb alone, paid by card, WDH-ADD-FRA-IAD."""
    return Booking(
        record_locator=record_locator,
        travellers=(booked(traveller()),) if travellers is None else travellers,
        itinerary=gtas_itinerary() if itinerary is None else itinerary,
        created_at=created_at,
        ticketed_at=ticketed_at,
        payments=(payment(),) if payments is None else payments,
        booking_agency=booking_agency,
        booking_country=booking_country,
        bag_count=bag_count,
        bag_weight_kg=bag_weight_kg,
        contacts=contacts,
    )


def gtas_travellers() -> tuple[Traveller, ...]:
    """Return the five travellers of booking 7C789A with their SSR DOCS data (bags from TBD)."""
    return (
        traveller(bags=1),
        traveller(
            family_name="PHILIPPS",
            given_names="MATTHIAS",
            birth_date=date(1942, 10, 21),
            gender=Gender.MALE,
            nationality="",
            documents=(
                travel_document(
                    number="330102546", issuing_state="", nationality="", expiry_date=date(2024, 1, 8)
                ),
            ),
            passenger_ref="678999541",
            bags=1,
        ),
        traveller(
            family_name="BOLOGNA",
            given_names="BRANDON",
            birth_date=date(1960, 6, 16),
            gender=Gender.MALE,
            nationality="USA",
            documents=(
                travel_document(
                    number="445488562", issuing_state="USA", nationality="USA", expiry_date=date(2019, 1, 7)
                ),
            ),
            passenger_ref="449879552",
            bags=1,
        ),
        traveller(
            family_name="EULENBERGER",
            given_names="LUCA",
            birth_date=date(1941, 10, 23),
            gender=Gender.MALE,
            nationality="ERI",
            documents=(
                travel_document(
                    number="761852513", issuing_state="ERI", nationality="ERI", expiry_date=date(2020, 12, 6)
                ),
            ),
            passenger_ref="556845335",
            bags=2,
        ),
        traveller(
            family_name="HABTE",
            given_names="LIYA",
            birth_date=date(1960, 3, 29),
            nationality="DEU",
            documents=(
                travel_document(
                    number="254881089", issuing_state="DEU", nationality="DEU", expiry_date=date(2021, 5, 4)
                ),
            ),
            passenger_ref="925082780",
            bags=4,
        ),
    )


def gtas_booking_7c789a() -> Booking:
    """Return booking 7C789A as in the sample: five travellers, four cards and one cash (FOP+CA), 9 bags."""
    people = gtas_travellers()
    return booking(
        travellers=tuple(booked(p, ref=str(i)) for i, p in enumerate(people, start=1)),
        payments=(
            payment(),
            payment(
                amount="100.00",
                card_type="VI",
                card_number_masked="XXXXXXXXXXXX2826",
                payer_name="MATTHIAS PHILIPPS",
            ),
            payment(
                amount="800.00",
                card_type="VI",
                card_number_masked="XXXXXXXXXXXX4649",
                payer_name="BRANDON BOLOGNA",
            ),
            payment("CA", amount="100.00", payer_name=""),
            payment(
                amount="800.00",
                card_type="VI",
                card_number_masked="XXXXXXXXXXXX8193",
                payer_name="LIYA HABTE",
            ),
        ),
        bag_count=9,
        contacts=(
            "MOLLY_LOBB@GMAIL.COM",
            "MATTHIAS_PHILIPPS@GMAIL.COM",
            "BRANDON_BOLOGNA@GMAIL.COM",
            "LUCA.EULENBERGER@YAHOO.COM",
            "LIYA.HABTE@YAHOO.COM",
        ),
    )
