"""PNRGOV: every GTAS sample gives the outcome its SOURCES.md row states; mutations never crash."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borderwatch.domain.travellers import Booking, DocumentType, Flight, Gender, PnrMessage
from borderwatch.errors import FormatError, InputError
from borderwatch.formats.pnrgov import parse_pnrgov
from borderwatch.formats.problems import ParseResult, Severity

DATA = Path(__file__).parent.parent / "data" / "pnrgov"
TODAY = date(2026, 11, 29)
SAMPLES = sorted(p for p in DATA.iterdir() if p.name != "SOURCES.md")

# Fuzzing budget, explicit: 5,000 mutated PNRGOV inputs here + 5,000 PAXLST in test_paxlst.py = 10,000.
settings.register_profile(
    "pnrgov-fuzz",
    max_examples=5_000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def read(name: str) -> ParseResult[PnrMessage]:
    return parse_pnrgov((DATA / name).read_bytes(), source=name, today=TODAY)


def only_booking(name: str) -> Booking:
    (message,) = read(name).records
    (booking,) = message.bookings
    return booking


def test_pnr_example_travellers_contacts_payments_bags() -> None:
    result = read("gtas_parsers_pnrMessageExample.txt")
    (message,) = result.records
    assert message.flight == Flight(
        "UA", "988", "FRA", "IAD", datetime(2018, 9, 28, 12, 20), datetime(2018, 9, 28, 15, 5)
    )
    assert message.version == "13.1"
    (booking,) = message.bookings
    assert booking.record_locator == "7C789A"
    assert booking.created_at == datetime(2018, 8, 23, 12, 20)
    assert (booking.booking_agency, booking.booking_country, booking.originator) == (
        "70379193",
        "GB",
        "DL IAD",
    )
    assert [t.traveller.display_name for t in booking.travellers] == [
        "LOBB/MOLLY",
        "PHILIPPS/MATTHIAS",
        "BOLOGNA/BRANDON",
        "EULENBERGER/LUCA",
        "HABTE/LIYA",
    ]
    lobb = booking.travellers[0]
    assert (lobb.title, lobb.ref, lobb.ticket_number, lobb.frequent_flyer) == (
        "MRS",
        "1",
        "10862010862010",
        "ET 400539",
    )
    assert lobb.contacts == ("MOLLY_LOBB@GMAIL.COM",)  # CTCE: // = @, .. = _
    assert lobb.traveller.passenger_ref == "938990513"
    assert (lobb.traveller.birth_date, lobb.traveller.gender) == (date(1954, 8, 13), Gender.FEMALE)
    (passport,) = lobb.traveller.documents
    assert (passport.doc_type, passport.number, passport.issuing_state, passport.expiry_date) == (
        DocumentType.PASSPORT,
        "796428965",
        "GBR",
        date(2025, 4, 26),
    )
    assert lobb.traveller.seat == "22C"  # SSR SEAT of the reported flight FRA-IAD
    cash = [p for p in booking.payments if p.kind == "CA"]
    assert [(p.amount, p.currency) for p in cash] == [("100.00", "GBP")]
    card = booking.payments[0]
    assert (card.kind, card.amount, card.card_type, card.card_number_masked, card.card_expiry) == (
        "CC",
        "800.00",
        "AX",
        "372395XXXXX9581",
        "0318",
    )
    assert (card.payer_name, card.payer_phone) == ("MOLLY LOBB", "678171055264")  # IFT+4:43
    assert booking.bag_count == 18  # GTAS pnrExampleTest: every TBD of every leg
    assert [t.traveller.bags for t in booking.travellers] == [1, 1, 1, 2, 4]
    assert [(s.departure_port, s.arrival_port) for s in booking.itinerary] == [
        ("WDH", "ADD"),
        ("ADD", "FRA"),
        ("FRA", "IAD"),
    ]
    assert booking.itinerary[0].departure_port == "WDH"  # GTAS PnrOriginTest: origin WDH


def test_pnr_with_doco_visa() -> None:
    booking = only_booking("gtas_parsers_pnrWithDoco.txt")
    (ackary,) = booking.travellers
    passport, visa = ackary.traveller.documents
    assert passport.number == "602120901"
    assert (visa.number, visa.doc_type, visa.issue_place, visa.issue_date, visa.expiry_date) == (
        "8675309",
        DocumentType.VISA,
        "OTHER PLACE",
        date(2006, 12, 22),
        None,
    )
    assert ackary.traveller.birth_place == "HERE VA"


def test_pnr_page_77_dates_and_wrapped_lines() -> None:
    result = read("gtas_parsers_pnrMessagePg77.txt")
    (message,) = result.records
    assert message.flight.key == "TZ0006/2013-05-28/SIN-OOL"
    (booking,) = message.bookings
    assert booking.record_locator == "W9TEND"
    assert booking.created_at == datetime(2013, 5, 23, 18, 13, 48)  # RCI creation: GTAS reservation date
    # First DAT+710 of the PNR (230513:2124). SOURCES.md quotes 2013-02-14, from GTAS pnrMessagePg76.
    assert booking.ticketed_at == datetime(2013, 5, 23, 21, 24)
    assert booking.last_modified_at == datetime(2013, 5, 23, 21, 25)
    (kevin,) = booking.travellers
    assert (kevin.traveller.family_name, kevin.traveller.given_names, kevin.ref) == (
        "VANDENBERG",
        "KEVINMICHAEL",
        "43576",
    )
    (passport,) = kevin.traveller.documents
    assert (passport.number, passport.expiry_date) == ("548721687", date(2019, 1, 12))
    assert kevin.traveller.birth_date == date(1980, 7, 4)
    assert [(s.departure_port, s.arrival_port) for s in booking.itinerary] == [("SIN", "OOL"), ("OOL", "SIN")]
    assert booking.payments[0].kind == "CA"
    assert booking.payments[0].currency == "SGD"
    assert booking.addresses == ("123 ANY STREET, LAKE TOWN, MN, 55123, US",)


def test_pnr_seat_formats_zero_padded_seat() -> None:
    booking = only_booking("gtas_parsers_pnrSeatFormats.txt")
    assert booking.seats == (("1", "36K"), ("1", "74E"))  # SSR SEAT and SSR NSST 074E -> 74E
    (lobb,) = booking.travellers
    assert lobb.contacts == ("MOLLY_RUUUNT+50BB@GMAIL.COM",)  # released + inside the e-mail


def test_pnr_bag_count_with_prefixes() -> None:
    booking = only_booking("gtas_parsers_pnrWithPrefixesAndBookingDetailBags.txt")
    assert booking.bag_count == 4
    assert booking.itinerary[1].carrier == "UA"
    assert booking.itinerary[1].arrival_port == "KWI"
    assert [t.traveller.seat for t in booking.travellers] == ["8A", "6C"]


def test_pnr_phone_ctcm() -> None:
    booking = only_booking("gtas_parsers_pnrPhoneCTCM.txt")
    assert booking.contacts == ("8675309",)  # ADD phone: GTAS's first phone number
    (lobb,) = booking.travellers
    assert lobb.contacts == ("MOLLY_LOUUNT+50BB@GMAIL.COM", "123456789")  # GTAS: second phone 123456789


def test_big_message_bags_and_cash() -> None:
    booking = only_booking("gtas_parsers_bigMessagePnr.txt")
    assert len(booking.travellers) == 7
    assert booking.bag_count == 22
    assert booking.bag_weight_kg is not None
    assert booking.bag_weight_kg > 0
    assert [p.kind for p in booking.payments].count("CA") == 1


def test_two_pnrs_in_one_message_history_and_non_air_left_out() -> None:
    (message,) = read("gtas_loader_2_pnrs_basic.edi").records
    first, second = message.bookings
    assert (first.record_locator, second.record_locator) == ("MFN4TI", "23456")
    assert [t.traveller.display_name for t in first.travellers] == ["SMITHJR/JOHN", "JONES/WILLIAM"]
    assert [t.traveller.display_name for t in second.travellers] == ["WAYNE/JOHN", "COOPER/GARY"]
    # Only the two booked flights: the hotel (MSG+8) and the ABI/SAC history TVLs are not itinerary legs.
    assert [(s.carrier, s.number) for s in first.itinerary] == [("DL", "324"), ("DL", "330")]
    assert first.payments[0].payer_name == "TIMOTHY SIMS"
    assert first.payments[0].payer_phone == "7705632891"  # phone wrapped over two lines
    assert first.contacts == ("00115555555555", "00441753637285")
    smith = first.travellers[0].traveller
    assert (smith.documents[0].number, smith.birth_date) == ("123456789", date(1964, 7, 12))
    jones = first.travellers[1].traveller
    assert (jones.documents, jones.nationality, jones.birth_date) == (
        (),
        "GBR",
        date(1964, 7, 12),
    )  # DOCS without number


def test_adult_with_infant() -> None:
    booking = only_booking("gtas_loader_adult_and_infant.edi")
    adult, infant = booking.travellers
    assert (adult.traveller.family_name, adult.traveller.given_names, adult.title) == (
        "TESTSURNAMEONE",
        "TESTNAMEONE",
        "MRS",
    )
    assert adult.with_infant
    assert not adult.is_infant
    assert [d.number for d in adult.traveller.documents] == ["52263000"]
    assert (infant.traveller.family_name, infant.is_infant, infant.infant_of, infant.ref) == (
        "TESTSURNAMETWO",
        True,
        "1.1",
        "2.1",
    )
    assert infant.traveller.birth_date == date(2011, 8, 10)
    assert [d.number for d in infant.traveller.documents] == [
        "AO234000"
    ]  # DOCS gender FI: the infant's passport
    assert len(booking.itinerary) == 3


def test_older_version_10_1() -> None:
    result = read("gtas_loader_pnr1.txt")
    (message,) = result.records
    assert message.version == "10.1"
    assert message.declared_bookings == 2
    assert [p.reason for p in result.problems if p.field == "EQN"] == [
        "EQN declares 2 PNRs, the message holds 1"
    ]


def test_page_75_backslash_release_and_lost_terminator() -> None:
    result = read("gtas_parsers_pnrMessagePg75.txt")
    (message,) = result.records
    first, second = message.bookings
    assert first.record_locator == "2LS6KP"
    assert first.other_locators == ("KE EDP2RW",)
    (park,) = first.travellers
    assert (park.traveller.family_name, park.traveller.given_names, park.traveller.seat) == (
        "PARK",
        "SEJOON",
        "39G",
    )
    assert park.traveller.documents[0].number == "JR3364288"
    assert first.bag_count == 2
    assert first.bag_weight_kg == 34.0
    # In the sample the ORG segment of the second PNR runs into its TIF (terminator missing): reported.
    assert second.travellers == ()
    assert any(p.reason == "PNR X49V9U names no traveller" for p in result.problems)


def test_traveller_without_name_is_quarantined() -> None:
    data = (DATA / "gtas_parsers_pnrPhoneCTCM.txt").read_bytes().replace(b"TIF+LOBB+", b"TIF++")
    result = parse_pnrgov(data, source="x", today=TODAY)
    (error,) = result.errors
    assert error.severity is Severity.ERROR
    assert error.subject == "passenger /MOLLY (no name)"
    assert error.position.line == 12


def test_card_number_in_clear_is_masked() -> None:
    data = (
        (DATA / "gtas_parsers_pnrMessageExample.txt")
        .read_bytes()
        .replace(b"372395XXXXX9581", b"372395123459581")
    )
    result = parse_pnrgov(data, source="x", today=TODAY)
    assert result.records[0].bookings[0].payments[0].card_number_masked == "XXXXXXXXXXX9581"
    (warning,) = [p for p in result.problems if p.field == "FOP"]
    assert "372395123459581" not in warning.raw + warning.reason


def test_paxlst_is_not_a_pnrgov() -> None:
    data = (DATA.parent / "paxlst" / "gtas_parsers_apisMessage.txt").read_bytes()
    with pytest.raises(FormatError, match="no PNRGOV message"):
        parse_pnrgov(data, source="x", today=TODAY)


_SEEDS = [p.read_bytes() for p in SAMPLES]
_INSERTS = [
    b"'",
    b"+",
    b":",
    b"?",
    b"\\",
    b"\r\n",
    b" ",
    b"SRC'",
    b"TIF+",
    b"TVL+",
    b"SSR+DOCS:HK::DL:::::/P/",
    b"TBD++",
    b"FOP+CC::",
    b"\xe2\x80\x99\n",
    b"\xff",
    b"//",
    b"UNH+",
    b"'UNT+",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(_INSERTS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[end:end] = data[at:end]
    return bytes(data)


@pytest.mark.slow
@settings(settings.get_profile("pnrgov-fuzz"))
@given(mutated())
def test_no_mutation_of_a_real_sample_crashes_the_parser(data: bytes) -> None:
    try:
        outcome: ParseResult[PnrMessage] | InputError = parse_pnrgov(data, source="fuzz", today=TODAY)
    except InputError as error:
        outcome = error
    if isinstance(outcome, InputError):
        assert outcome.position is not None
        return
    result = outcome
    assert isinstance(result, ParseResult)
    for problem in result.problems:
        assert problem.position is not None
        assert str(problem)
