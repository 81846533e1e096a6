"""CSV manifests: the shipped template, bad rows, whole-file failures, and the writer."""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderwatch.domain.travellers import DocumentType, Gender, MessageKind, TravellerRole
from borderwatch.errors import FormatError
from borderwatch.formats.csv_manifest import COLUMNS, parse_csv_manifest, write_csv_manifest
from borderwatch.formats.problems import Severity

TEMPLATE = resources.files("borderwatch").joinpath("data", "templates", "manifest_template.csv").read_bytes()
HEADER = TEMPLATE.splitlines()[0]
ROW = TEMPLATE.splitlines()[2]  # the passenger row


def _file(*rows: bytes, header: bytes = HEADER) -> bytes:
    return b"\r\n".join((header, *rows)) + b"\r\n"


def test_template_parses_without_problems() -> None:
    result = parse_csv_manifest(TEMPLATE, source="template.csv")
    assert result.is_clean
    [manifest] = result.records
    assert manifest.kind is MessageKind.CSV_MANIFEST
    assert manifest.flight.key == "AT800/2026-11-29/CMN-LHR"
    assert manifest.flight.departure_time == datetime(2026, 11, 29, 7, 45)
    crew, passenger = manifest.travellers
    assert crew.role is TravellerRole.CREW
    assert crew.gender is Gender.FEMALE
    assert (passenger.family_name, passenger.given_names) == ("EXAMPLE", "TRAVELLER TWO")
    assert passenger.birth_date == date(1990, 1, 2)
    assert (passenger.seat, passenger.record_locator) == ("12A", "ABC123")
    doc = passenger.documents[0]
    assert (doc.doc_type, doc.number, doc.issuing_state, doc.expiry_date) == (
        DocumentType.PASSPORT,
        "123456789",
        "GBR",
        date(2031, 12, 31),
    )


def test_writer_round_trips_the_template() -> None:
    manifest = parse_csv_manifest(TEMPLATE, source="t").records[0]
    assert write_csv_manifest(manifest) == TEMPLATE
    assert parse_csv_manifest(write_csv_manifest(manifest), source="again").records[0] == manifest


@pytest.mark.parametrize(
    ("old", "new", "column", "reason"),
    [
        (b"1990-01-02", b"02/01/1990", "birth_date", "is not a date written YYYY-MM-DD"),
        (b",M,GBR,", b",Q,GBR,", "gender", "must be M, F or X"),
        (b",GBR,P,", b",GB,P,", "nationality", "not a three-letter ICAO country code"),
        (b",P,123456789,", b",P,12-345,", "document_number", "must be 1-20 letters and digits"),
        (b",passenger,", b",pilot,", "role", "must be passenger or crew"),
        (b",12A,", b",A12,", "seat", "is not a seat"),
        (b"AT,800,CMN", b"AT,801,CMN", "flight_number", "one file holds one flight"),
        (b"EXAMPLE,TRAVELLER TWO", b",", "family_name", "both empty"),
    ],
)
def test_bad_row_is_a_problem_and_the_other_rows_are_kept(
    old: bytes, new: bytes, column: str, reason: str
) -> None:
    bad = ROW.replace(old, new, 1)
    assert bad != ROW
    data = _file(TEMPLATE.splitlines()[1], bad, ROW)
    result = parse_csv_manifest(data, source="flight.csv")
    assert len(result.records[0].travellers) == 2
    [problem] = result.errors
    assert problem.field == column
    assert reason in problem.reason
    assert problem.position.record == 2
    assert problem.position.line == 3
    assert problem.position.column == COLUMNS.index(column) + 1
    assert problem.raw == bad.decode()
    assert problem.reason.startswith(f"row 2, column {column}:")


def test_row_with_the_wrong_number_of_cells() -> None:
    result = parse_csv_manifest(_file(ROW, ROW + b",extra", ROW[:40]), source="f.csv")
    assert len(result.records[0].travellers) == 1
    assert [p.position.record for p in result.errors] == [2, 3]
    assert "the header has 20" in result.errors[0].reason


def test_semicolons_bom_blank_rows_unknown_columns_and_column_case() -> None:
    header = HEADER.replace(b"family_name", b"Family Name") + b",remarks"
    rows = (ROW + b",vip").replace(b",", b";")
    data = b"\xef\xbb\xbf" + header.replace(b",", b";") + b"\r\n\r\n" + rows + b"\r\n"
    result = parse_csv_manifest(data, source="f.csv")
    assert len(result.records[0].travellers) == 1
    [warning] = result.problems
    assert warning.severity is Severity.WARNING
    assert "remarks" in warning.reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (
            HEADER
            + b"\r\nAT,800,CMN,LHR,2026-11-29,,,,passenger,M\xfcLLER,ANNA,1990-01-02,F,DEU,P,1,D,,,\r\n",
            "not UTF-8",
        ),
        (b"name,age\r\nanna,3\r\n", "missing"),
        (_file(ROW.replace(b"CMN", b"CASABLANCA")), "no row names a readable flight"),
        (HEADER + b'\r\n"AT,800\r\n', "not readable as CSV"),
    ],
)
def test_whole_file_failures_raise_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_csv_manifest(data, source="f.csv")
    assert message in caught.value.message
    assert caught.value.position is not None


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=400), st.text(max_size=400).map(lambda t: HEADER + b"\r\n" + t.encode())
    )
)
def test_any_bytes_give_a_result_or_a_format_error(data: bytes) -> None:
    try:
        result = parse_csv_manifest(data, source="fuzz.csv")
    except FormatError:
        return
    assert len(result.records) == 1
