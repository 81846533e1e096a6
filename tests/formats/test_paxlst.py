"""PAXLST: real GTAS samples, multi-part merging, quarantine of unreadable travellers, round trip, fuzzing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borderwatch.domain.travellers import (
    DocumentType,
    Flight,
    Gender,
    Manifest,
    MessageKind,
    TravelDocument,
    Traveller,
    TravellerRole,
)
from borderwatch.errors import FormatError, InputError
from borderwatch.formats.edifact import ServiceChars
from borderwatch.formats.paxlst import merge_paxlst_parts, parse_paxlst, write_paxlst
from borderwatch.formats.problems import ParseResult, Severity

DATA = Path(__file__).parent.parent / "data" / "paxlst"
TODAY = date(2026, 11, 29)
SAMPLES = sorted(p for p in DATA.iterdir() if p.suffix == ".txt")

# Fuzzing budget, explicit: 5,000 mutated PAXLST inputs here + 5,000 PNRGOV in test_pnrgov.py = 10,000.
settings.register_profile(
    "edifact-fuzz",
    max_examples=5_000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("edifact-fuzz")


def read(name: str) -> ParseResult[Manifest]:
    return parse_paxlst((DATA / name).read_bytes(), source=name, today=TODAY)


def test_gtas_apis_message_two_legs_and_references() -> None:
    result = read("gtas_parsers_apisMessage.txt")
    (manifest,) = result.records
    assert result.problems == ()
    assert manifest.kind is MessageKind.PASSENGER_LIST
    assert manifest.version == "D05B"
    assert manifest.flight == Flight(
        "AA", "123", "ATL", "ORD", datetime(2007, 2, 19, 15, 40), datetime(2007, 2, 19, 17, 40)
    )
    assert manifest.legs == (
        Flight("AA", "124", "ORD", "JFK", datetime(2007, 2, 19, 18, 40), datetime(2007, 2, 19, 19, 55)),
    )
    assert manifest.declared_passengers == 2
    assert manifest.reporting_party == "JOHN SMITH"
    assert (manifest.sender, manifest.recipient, manifest.interchange_ref) == ("AIR1", "DHS", "000006640")
    michael, cheryl = manifest.travellers
    assert (michael.family_name, michael.given_names, michael.gender) == ("CLARK", "MICHAEL", Gender.MALE)
    assert michael.birth_date == date(1972, 9, 7)
    assert (michael.embarkation, michael.debarkation) == ("ATL", "JFK")
    assert (michael.record_locator, michael.passenger_ref) == ("TYR123", "ABC123")
    assert michael.documents == ()
    assert (cheryl.display_name, cheryl.birth_date, cheryl.passenger_ref) == (
        "CLARK/CHERYL",
        date(1973, 4, 7),
        "TYL009",
    )


def test_gtas_test3_first_part_of_a_large_list() -> None:
    result = read("gtas_loader_Test3.txt")
    (manifest,) = result.records
    assert len(manifest.travellers) == 260
    assert (manifest.reference, manifest.part_number, manifest.is_final_part) == ("ABC01", 1, False)
    assert manifest.message_function == "C"
    assert manifest.flight.designator == "UA0989"
    assert manifest.flight.key == "UA0989/2017-01-27/FRA-IAD"
    assert manifest.declared_crew == 206  # CNT+41 on a passenger list: only checked once all parts are merged
    first = manifest.travellers[0]
    assert (first.family_name, first.given_names) == ("Kuchel", "Rachel Pat")
    assert first.birth_date == date(1977, 10, 19)
    assert (first.nationality, first.residence_country, first.birth_place) == ("USA", "USA", "Hartford USA")
    (passport,) = first.documents
    assert passport == TravelDocument(DocumentType.PASSPORT, "12345678", "USA", date(2019, 12, 18), code="P")
    last = manifest.travellers[-1]
    assert (last.family_name, last.documents[0].expiry_date) == ("Pfaffelhuber", date(2020, 9, 2))
    assert [p.field for p in result.problems] == ["UNT"]


def test_gtas_tamr_flight1_visas_bags_seats_and_missing_document_type() -> None:
    result = read("gtas_tamr_flight1.txt")
    (manifest,) = result.records
    assert manifest.flight == Flight(
        "LA", "532", "SCL", "JFK", datetime(2020, 1, 19, 23, 0), datetime(2020, 1, 20, 7, 40)
    )
    assert manifest.declared_passengers == len(manifest.travellers) == 10
    jiang = manifest.travellers[0]
    assert jiang.display_name == "JIANG/HSIUYUAN"
    assert (jiang.seat, jiang.bags, jiang.record_locator) == ("56F", 1, "7F5F21")
    no_type, visa = jiang.documents
    assert (no_type.doc_type, no_type.code, no_type.number, no_type.issuing_state) == (
        DocumentType.OTHER,
        "",
        "433419360",
        "CHN",
    )
    assert (visa.doc_type, visa.number, visa.expiry_date, visa.issuing_state) == (
        DocumentType.VISA,
        "57131424",
        date(2021, 7, 29),
        "USA",
    )
    cannon = manifest.travellers[2]
    assert (cannon.family_name, cannon.bags, cannon.documents[0].issuing_state) == (
        "CANNON",
        4,
        "",
    )  # LOC+91+ empty
    o_grady = manifest.travellers[-1]
    assert (o_grady.family_name, o_grady.birth_date) == ("O GRADY", date(2000, 5, 20))
    crouch = next(t for t in manifest.travellers if t.family_name == "CROUCH")
    assert crouch.birth_date == date(1997, 11, 2)  # 971102: a birth date is never in the future
    assert [p.field for p in result.problems] == ["UNT"]


@pytest.mark.parametrize(
    ("name", "flight", "first"),
    [
        ("gtas_tamr_flight2.txt", "FI615/2020-02-26/KEF-JFK", "WATERFIELD/RHYS THOMAS"),
        ("gtas_tamr_flight3.txt", "YY123/2020-04-24/IAD-BRU", "MCLOUGHLIN/BEN HARRY"),
    ],
)
def test_gtas_tamr_flights_2_and_3(name: str, flight: str, first: str) -> None:
    (manifest,) = read(name).records
    assert manifest.flight.key == flight
    assert len(manifest.travellers) == 10
    assert manifest.travellers[0].display_name == first


CREW = (
    "UNA:+.? 'UNB+UNOA:4+RAM+DGSN+261129:0600+9'UNH+1+PAXLST:D:05B:UN:IATA+AT800/261129/0745+01:F'BGM+250'"
    "TDT+20+AT800+++AT'LOC+125+CDG'DTM+189:2611290745:201'LOC+87+CMN'DTM+232:2611291050:201'"
    "NAD+FM+++TAZI:OMAR'ATT+2++M'DTM+329:800101'DOC+AC+C12345'DTM+36:300101'LOC+91+MAR'"
    "NAD+DDT+++BERRADA:SARA'ATT+2++F'DTM+329:850202'"
    "NAD+FM+++:NOUR'ATT+2++F'DTM+329:900303'DOC+P+X1'"
    "CNT+41:4'UNT+19+1'UNZ+1+9'"
)


def test_crew_list_roles_counts_and_unreadable_traveller() -> None:
    result = parse_paxlst(CREW.encode(), source="crew.edi", today=TODAY)
    (manifest,) = result.records
    assert manifest.kind is MessageKind.CREW_LIST
    tazi, berrada = manifest.travellers
    assert (tazi.role, tazi.documents[0].doc_type, tazi.documents[0].expiry_date) == (
        TravellerRole.CREW,
        DocumentType.CREW_CARD,
        date(2030, 1, 1),
    )
    assert berrada.role is TravellerRole.IN_TRANSIT_CREW
    errors = result.errors
    assert len(errors) == 1
    (quarantined,) = errors
    assert quarantined.subject == "crew member /NOUR"
    assert quarantined.field == "NAD"
    assert quarantined.position.segment == 18
    assert quarantined.raw == "NAD+FM+++:NOUR'ATT+2++F'DTM+329:900303'DOC+P+X1'"
    assert "crew member /NOUR quarantined" in str(quarantined)
    counts = [p for p in result.problems if p.field == "CNT 41"]
    assert [p.reason for p in counts] == ["CNT+41 declares 4 crew members, the message has 3"]
    assert counts[0].severity is Severity.WARNING


def test_traveller_without_any_name_is_quarantined_others_kept() -> None:
    data = (DATA / "gtas_parsers_apisMessage.txt").read_bytes().replace(b"NAD+FL+++CLARK:CHERYL", b"NAD+FL")
    result = parse_paxlst(data, source="apis", today=TODAY)
    assert [t.given_names for t in result.records[0].travellers] == ["MICHAEL"]
    (error,) = result.errors
    assert error.subject == "passenger (no name)"
    assert error.position.line == 23
    assert "RFF+ABO:TYL009'" in error.raw
    # CNT+42:2 still matches: the quarantined group was read, it is not lost.
    assert [p for p in result.problems if p.severity is Severity.WARNING] == []


def test_bad_dates_and_empty_document_number_are_warnings_about_the_passenger() -> None:
    data = (DATA / "gtas_parsers_apisMessage.txt").read_bytes().replace(b"DTM+329:720907", b"DTM+329:721399")
    data = data.replace(b"RFF+AVF:TYR123'", b"RFF+AVF:TYR123'DOC+P+'")
    result = parse_paxlst(data, source="apis", today=TODAY)
    michael = result.records[0].travellers[0]
    assert michael.birth_date is None
    by_field = {p.field: p for p in result.problems}
    assert by_field["DTM 329"].subject == "passenger CLARK/MICHAEL"
    assert by_field["DTM 329"].reason == "birth date '721399' is not a date YYMMDD"
    assert by_field["DOC"].reason == "document number is empty; document not kept"
    assert not result.errors


def test_legacy_cedipax_is_rejected() -> None:
    data = b"UNB+UNOA:1+AIR+USCS+070218:1545+1'UNH+1+PAXLST:001:000:NZ'PDT+P+X1'UNT+3+1'UNZ+1+1'"
    with pytest.raises(FormatError) as caught:
        parse_paxlst(data, source="cedipax", today=TODAY)
    assert "CEDIPAX" in caught.value.message
    assert caught.value.position is not None
    assert caught.value.position.segment == 2


def test_pnrgov_is_not_a_paxlst() -> None:
    data = (DATA.parent / "pnrgov" / "gtas_parsers_pnrPhoneCTCM.txt").read_bytes()
    with pytest.raises(FormatError, match="no PAXLST message"):
        parse_paxlst(data, source="pnr", today=TODAY)


def test_several_messages_in_one_interchange() -> None:
    one = (DATA / "gtas_tamr_flight1.txt").read_bytes()
    two = (DATA / "gtas_tamr_flight2.txt").read_bytes()

    def body(data: bytes) -> bytes:
        return data[data.index(b"UNH") : data.index(b"UNZ")]

    data = one[: one.index(b"UNH")] + body(one) + body(two) + b"UNZ+2+123456789'"
    result = parse_paxlst(data, source="two", today=TODAY)
    assert [m.flight.designator for m in result.records] == ["LA532", "FI615"]


# ------------------------------------------------------------------------------------------ multi-part


def _manifest(travellers: int, *, declared: int | None = None) -> Manifest:
    people = tuple(
        Traveller(f"FAMILY{i}", "GIVEN", date(1980, 1, 1) + timedelta(days=i), Gender.FEMALE, "MAR")
        for i in range(travellers)
    )
    departure = datetime(2026, 11, 29, 7, 45)
    return Manifest(
        kind=MessageKind.PASSENGER_LIST,
        flight=Flight("AT", "800", "CDG", "CMN", departure, departure + timedelta(hours=3)),
        travellers=people,
        sender="RAM",
        recipient="DGSN",
        message_ref="M1",
        interchange_ref="I1",
        reference="AT800/261129/0745",
        declared_passengers=travellers if declared is None else declared,
        version="D05B",
    )


def _parts(whole: Manifest, sizes: list[int], final_marker: bool = True) -> list[Manifest]:
    parts = []
    start = 0
    for number, size in enumerate(sizes, start=1):
        part = replace(
            whole,
            travellers=whole.travellers[start : start + size],
            part_number=number,
            is_final_part=number == len(sizes) and final_marker,
        )
        data = write_paxlst(part)
        (read_back,) = parse_paxlst(data, source=f"part{number}", today=TODAY).records
        parts.append(read_back)
        start += size
    return parts


def test_merge_parts_out_of_order_with_duplicate() -> None:
    whole = _manifest(5)
    p1, p2, p3 = _parts(whole, [2, 2, 1])
    assert (p1.part_number, p1.is_final_part, p3.is_final_part) == (1, False, True)
    result = merge_paxlst_parts([p3, p1, p2, p1], source="feed")
    (merged,) = result.records
    assert merged.travellers == whole.travellers
    assert merged.is_final_part
    assert result.problems == ()


def test_merge_reports_missing_parts_and_missing_final() -> None:
    p1, _p2, p3 = _parts(_manifest(5), [2, 2, 1])
    result = merge_paxlst_parts([p1, p3], source="feed")
    (merged,) = result.records
    assert len(merged.travellers) == 3
    assert not merged.is_final_part
    assert [p.reason.split(": ", 1)[1] for p in result.problems] == ["part(s) [2] missing"]
    result = merge_paxlst_parts([p1], source="feed")
    assert "final part (nn:F) not received" in result.problems[0].reason


def test_part_without_indicator_counts_as_continuing() -> None:
    data = write_paxlst(replace(_manifest(2), part_number=2, is_final_part=False)).replace(b"+02:C'", b"+02'")
    (manifest,) = parse_paxlst(data, source="astra-test7", today=TODAY).records
    assert (manifest.part_number, manifest.is_final_part) == (2, False)


def test_merged_totals_are_checked() -> None:
    parts = _parts(_manifest(4, declared=5), [2, 2])
    result = merge_paxlst_parts(parts)
    assert [p.field for p in result.problems] == ["CNT 42"]


# ------------------------------------------------------------------------------------------ round trip

_NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyzÉÇÑ' +:?-."
_names = st.text(_NAME_CHARS, min_size=1, max_size=16).map(str.strip).filter(bool)
_texts = st.text(_NAME_CHARS + "0123456789/", max_size=12).map(str.strip)
_codes = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
_minutes = st.datetimes(datetime(2000, 1, 1), datetime(2049, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
_births = st.dates(TODAY - timedelta(days=365 * 99), TODAY)
_expiries = st.dates(date(TODAY.year - 40, 1, 1), date(TODAY.year + 40, 12, 31))


@st.composite
def _documents(draw: st.DrawFn) -> TravelDocument:
    code = draw(st.sampled_from(["P", "PO", "V", "I", "ID", "AC", "C", ""]))
    return TravelDocument(
        doc_type=DocumentType.from_code(code),
        number=draw(st.text(_NAME_CHARS + "0123456789", min_size=1, max_size=12).map(str.strip).filter(bool)),
        issuing_state=draw(st.one_of(st.just(""), _codes)),
        expiry_date=draw(st.none() | _expiries),
        issue_date=draw(st.none() | _births),
        code=code,
    )


@st.composite
def _travellers(draw: st.DrawFn) -> Traveller:
    return Traveller(
        family_name=draw(_names),
        given_names=draw(st.one_of(st.just(""), _names)),
        birth_date=draw(st.none() | _births),
        gender=draw(st.sampled_from(Gender)),
        nationality=draw(st.one_of(st.just(""), _codes)),
        role=draw(st.sampled_from(TravellerRole)),
        documents=tuple(draw(st.lists(_documents(), max_size=2))),
        residence_country=draw(st.one_of(st.just(""), _codes)),
        birth_place=draw(_texts),
        embarkation=draw(st.one_of(st.just(""), _codes)),
        debarkation=draw(st.one_of(st.just(""), _codes)),
        seat=draw(
            st.one_of(
                st.just(""), st.builds(lambda n, c: f"{n}{c}", st.integers(1, 99), st.sampled_from("ABCDEFK"))
            )
        ),
        record_locator=draw(_texts),
        passenger_ref=draw(_texts),
        bags=draw(st.none() | st.integers(0, 30)),
    )


@st.composite
def _flights(draw: st.DrawFn) -> Flight:
    return Flight(
        carrier=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=2)),
        number=str(draw(st.integers(1, 9999))),
        departure_port=draw(_codes),
        arrival_port=draw(_codes),
        departure_time=draw(st.none() | _minutes),
        arrival_time=draw(st.none() | _minutes),
    )


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    kind = draw(
        st.sampled_from(
            [
                k
                for k in MessageKind
                if k.name in {"PASSENGER_LIST", "CREW_LIST", "FLIGHT_CLOSE_OUT", "MASTER_CREW_LIST"}
            ]
        )
    )
    people = tuple(draw(st.lists(_travellers(), max_size=5)))
    crew = sum(1 for t in people if t.role in (TravellerRole.CREW, TravellerRole.IN_TRANSIT_CREW))
    passengers = len(people) - crew
    crew_list = kind in (MessageKind.CREW_LIST, MessageKind.MASTER_CREW_LIST)
    # A correct message declares its totals (write_paxlst writes CNT+42 / CNT+41 by the same rule).
    declared_pax = passengers if (passengers or not crew_list) else None
    declared_crew = crew if (crew or crew_list) else None
    return Manifest(
        kind=kind,
        flight=draw(_flights()),
        travellers=people,
        sender=draw(_names),
        recipient=draw(_names),
        message_ref=draw(_names),
        interchange_ref=draw(_names),
        reference=draw(_texts),
        part_number=draw(st.integers(1, 99)),
        is_final_part=draw(st.booleans()),
        declared_passengers=declared_pax,
        declared_crew=declared_crew,
        legs=tuple(draw(st.lists(_flights(), max_size=2))),
        version=draw(st.sampled_from(["D02B", "D05B"])),
        reporting_party=draw(_texts),
        message_function=draw(st.sampled_from(["", "C", "CL", "CLOB", "CLNB"])),
    )


@settings(max_examples=300, deadline=None)
@given(manifests())
def test_parse_of_write_gives_the_manifest_back(manifest: Manifest) -> None:
    data = write_paxlst(manifest, version=manifest.version)
    result = parse_paxlst(data, source="roundtrip", today=TODAY)
    assert result.records == (manifest,)
    assert not result.errors


def test_writer_escapes_separators_and_counts_segments() -> None:
    person = Traveller("O'NEIL+SONS", "ANN:MARIE?", date(1990, 2, 3), Gender.FEMALE, "IRL")
    data = write_paxlst(replace(_manifest(0), travellers=(person,), declared_passengers=1))
    assert b"NAD+FL+++O?'NEIL?+SONS:ANN?:MARIE??'" in data
    result = parse_paxlst(data, source="w", today=TODAY)
    assert result.problems == ()
    assert result.records[0].travellers == (person,)


# ------------------------------------------------------------------------------------------ fuzzing

_SEEDS = [p.read_bytes() for p in SAMPLES]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"'",
                        b"+",
                        b":",
                        b"?",
                        b"\\",
                        b"\r\n",
                        b" ",
                        b"UNA",
                        b"UNH+",
                        b"'UNT+",
                        b"NAD+FL+++",
                        b"DTM+329:",
                        b"\xe2\x80\x99\n",
                        b"\xff",
                        b"??",
                        b"'UNZ+1+",
                    ]
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[end:end] = data[at:end]
    return bytes(data)


@pytest.mark.slow
@FUZZ
@given(mutated(_SEEDS))
def test_no_mutation_of_a_real_sample_crashes_the_parser(data: bytes) -> None:
    try:
        outcome: ParseResult[Manifest] | InputError = parse_paxlst(data, source="fuzz", today=TODAY)
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


def test_writer_uses_declared_service_characters() -> None:
    chars = ServiceChars(":", "*", ".", "?", " ", "$")
    person = Traveller("O*NEIL$", "ANN", date(1990, 2, 3), Gender.FEMALE, "IRL")
    manifest = replace(_manifest(0), travellers=(person,), declared_passengers=1)
    data = write_paxlst(manifest, chars=chars)
    assert data.startswith(b"UNA:*.? $UNB*UNOA:4*")
    result = parse_paxlst(data, source="w", today=TODAY)
    assert result.records == (manifest,)
    assert result.problems == ()


def test_place_of_birth_segment_without_its_location_is_read_not_crashed() -> None:
    # Found by the mutation test: `LOC+180` with no place element raised IndexError.
    data = (
        b"UNA:+.? 'UNB+UNOA:4+AT+GB+261201:0805+1'UNH+1+PAXLST:D:05B:UN:IATA+AT800/261201/0805+01:F'"
        b"BGM+745'TDT+20+AT800'LOC+125+CMN'DTM+189:2612010805:201'LOC+87+LHR'DTM+232:2612011150:201'"
        b"NAD+FL+++ALAOUI:YOUSSEF'LOC+180'CNT+42:1'UNT+10+1'UNZ+1+1'"
    )
    result = parse_paxlst(data, source="loc180.edi", today=date(2026, 11, 29))
    [manifest] = result.records
    [traveller] = manifest.travellers
    assert (traveller.family_name, traveller.given_names, traveller.birth_place) == ("ALAOUI", "YOUSSEF", "")
