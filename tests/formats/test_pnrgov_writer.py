"""write_pnrgov: parse_pnrgov reads what it writes back as the same bookings (GTAS samples, built ones)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from borderwatch.domain.travellers import (
    BookedTraveller,
    Booking,
    DocumentType,
    Flight,
    Gender,
    PaymentMethod,
    PnrMessage,
    Segment,
    TravelDocument,
    Traveller,
)
from borderwatch.formats.edifact import ServiceChars
from borderwatch.formats.pnrgov import parse_pnrgov, write_pnrgov

DATA = Path(__file__).resolve().parents[1] / "data" / "pnrgov"
TODAY = date(2026, 11, 29)
SAMPLES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".edi", ".txt"))


def _read(data: bytes) -> PnrMessage:
    result = parse_pnrgov(data, source="round trip", today=TODAY)
    assert len(result.records) == 1
    return result.records[0]


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples_read_back_as_the_same_bookings(name: str) -> None:
    for message in parse_pnrgov((DATA / name).read_bytes(), source=name, today=TODAY).records:
        again = _read(write_pnrgov(message))
        assert again.bookings == message.bookings
        assert again.flight == message.flight


def _booking() -> Booking:
    leg_out = Segment(
        "AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5), datetime(2026, 12, 1, 11, 50), "Y"
    )
    leg_back = Segment(
        "AT", "801", "LHR", "CMN", datetime(2026, 12, 9, 13, 0), datetime(2026, 12, 9, 16, 45), "Y"
    )
    passport = TravelDocument(
        DocumentType.PASSPORT, "UZ5519283", "MAR", date(2031, 3, 14), date(2021, 3, 15), "MAR", "P"
    )
    adult = Traveller(
        "EL AMRANI",
        "YOUSSEF",
        date(1984, 2, 29),
        Gender.MALE,
        "MAR",
        documents=(passport,),
        residence_country="MAR",
        birth_place="FES",
        seat="12A",
        record_locator="K7T2QX",
        passenger_ref="P001",
        bags=2,
    )
    child = Traveller(
        "EL AMRANI",
        "SALMA",
        date(2015, 7, 1),
        Gender.FEMALE,
        "MAR",
        seat="12B",
        record_locator="K7T2QX",
        passenger_ref="P002",
        bags=0,
    )
    return Booking(
        record_locator="K7T2QX",
        travellers=(
            BookedTraveller(
                adult,
                ref="1",
                ticket_number="1472120234533",
                frequent_flyer="AT 400539",
                contacts=("y.el_amrani@example.ma",),
                title="MR",
            ),
            BookedTraveller(child, ref="2", title="MISS"),
        ),
        itinerary=(leg_out, leg_back),
        created_at=datetime(2026, 10, 2, 14, 31),
        ticketed_at=datetime(2026, 10, 2, 14, 40),
        payments=(PaymentMethod("CC", "6120.00", "MAD", "VI", "XXXXXXXXXXXX1186", "", "", "", "0328"),),
        booking_agency="35201234",
        booking_country="MA",
        originator="AT CMN",
        seats=(("1", "12A"), ("2", "12B")),
        bag_count=2,
        bag_weight_kg=41.5,
        contacts=("+212612345678",),
        other_locators=("1A ZX81PQ",),
        last_modified_at=datetime(2026, 11, 28, 9, 12),
        addresses=("12 RUE IBN BATOUTA, CASABLANCA",),
    )


def test_a_built_booking_reads_back_field_for_field() -> None:
    flight = Flight("AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5), datetime(2026, 12, 1, 11, 50))
    message = PnrMessage(flight, (_booking(),), sender="ATREF", message_ref="AT800P")
    again = _read(write_pnrgov(message))
    assert again.bookings == message.bookings
    assert again.flight == flight
    assert again.declared_bookings == 1


def test_same_message_gives_the_same_bytes_and_cash_reads_as_cash() -> None:
    flight = Flight("AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5))
    booking = Booking(
        "Q2W3E4",
        (BookedTraveller(Traveller("O'NEILL", "SEÁN", record_locator="Q2W3E4"), ref="1"),),
        itinerary=(Segment("AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5)),),
        payments=(PaymentMethod("CA", "4100.00", "MAD"),),
    )
    message = PnrMessage(flight, (booking,))
    data = write_pnrgov(message)
    assert data == write_pnrgov(message)
    assert "SEÁN".encode() in data  # not ASCII: written as UTF-8 (UNOW)
    again = _read(data)
    assert again.bookings == (booking,)
    assert again.bookings[0].is_one_way


def test_other_service_characters_are_announced_and_used() -> None:
    chars = ServiceChars(component=":", element="*", decimal=".", release="?", reserved=" ", terminator="$")
    message = PnrMessage(Flight("AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5)), (_booking(),))
    data = write_pnrgov(message, chars=chars)
    assert data.startswith(b"UNA:*.? $")
    assert _read(data).bookings == message.bookings
