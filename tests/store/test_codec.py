"""Domain values survive the trip through JSON columns unchanged."""

from __future__ import annotations

from datetime import date, datetime

from borderwatch.domain.hits import Evidence, Hit
from borderwatch.domain.travellers import (
    BookedTraveller,
    Booking,
    DocumentType,
    Gender,
    PaymentMethod,
    Segment,
    TravelDocument,
    Traveller,
)
from borderwatch.domain.watchlists import (
    DateExactness,
    EntityId,
    EntityKind,
    ListedBirthDate,
    ListedName,
    ListEntry,
    ListSource,
    NameQuality,
)
from borderwatch.store.codec import content_hash, from_json, to_json


def test_list_entry_round_trip() -> None:
    entry = ListEntry(
        EntityId("UN:QDi.190"),
        ListSource.UN,
        EntityKind.PERSON,
        (
            ListedName("ABDELKADER LAAGOUB", NameQuality.PRIMARY, "ABDELKADER", "LAAGOUB", "Latn"),
            ListedName("عبد القادر لاغوب", NameQuality.ORIGINAL_SCRIPT, script="Arab"),
        ),
        (ListedBirthDate(date(1966, 4, 23), date(1966, 4, 23), DateExactness.EXACT, "1966-04-23"),),
        ("MAR",),
        Gender.MALE,
    )
    assert from_json(ListEntry, to_json(entry)) == entry
    assert content_hash(entry) == content_hash(from_json(ListEntry, to_json(entry)))


def test_booking_round_trip() -> None:
    traveller = Traveller(
        "ALAOUI",
        "YOUSSEF",
        date(1990, 1, 2),
        Gender.MALE,
        "MAR",
        documents=(TravelDocument(DocumentType.PASSPORT, "AB1234567", "MAR", date(2030, 1, 1)),),
    )
    booking = Booking(
        "ABC123",
        (BookedTraveller(traveller, "1"),),
        (Segment("AT", "800", "CMN", "LHR", datetime(2026, 12, 1, 8, 5)),),
        created_at=datetime(2026, 11, 30, 22, 0),
        payments=(PaymentMethod("CA", "300.00", "MAD"),),
    )
    assert from_json(Booking, to_json(booking)) == booking


def test_hit_round_trip_and_hash_is_stable() -> None:
    hit = Hit(
        EntityId("UN:QDi.082"),
        0.93,
        "MOUNIR EL MOTASSADEQ",
        (Evidence("given name", "transliteration variant", 0.9, "MUNIR", "MOUNIR", "ou/u"),),
        0.9,
    )
    assert from_json(Hit, to_json(hit)) == hit
    assert content_hash(hit) == content_hash(hit)
