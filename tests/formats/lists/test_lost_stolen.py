"""Lost/stolen documents CSV importer."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from borderwatch.errors import FormatError
from borderwatch.formats.lists.lost_stolen import parse_lost_stolen
from borderwatch.formats.problems import Severity
from borderwatch.services.reference import country_table

TEMPLATE = (
    resources.files("borderwatch").joinpath("data", "templates", "lost_stolen_template.csv").read_bytes()
)


def test_template_reads_cleanly() -> None:
    parsed = parse_lost_stolen(TEMPLATE, countries=country_table())
    assert parsed.is_clean
    assert [(d.issuing_state, d.number, d.doc_type, d.reported_on, d.record_id) for d in parsed.records] == [
        ("FRA", "00XX00000", "P", date(2025, 1, 31), "EXAMPLE-0001"),
        ("DEU", "C01X00T47", "P", date(2025, 2, 14), "EXAMPLE-0002"),  # ICAO 9303: D is Germany
        ("MAR", "X000001", "ID", date(2025, 3, 1), "EXAMPLE-0003"),
    ]


def test_bad_rows() -> None:
    data = (
        b"issuing_state,document_number,document_type,date_reported,record_id,colour\n"
        b"FRA,,P,2025-01-01,R1,red\n"
        b",123,P,2025-01-01,R2,red\n"
        b"ma,AB 12-34,P,31/01/2025,R3,red\n"
        b"QQQ,999,P,,R4,red\n"
        b"FRA,1,2\n"
        b"MAR,ab1234,P,,R5,red\n"
    )
    parsed = parse_lost_stolen(data, countries=country_table())
    assert [(d.issuing_state, d.number) for d in parsed.records] == [
        ("MAR", "AB 12-34"),
        ("QQQ", "999"),
        ("MAR", "ab1234"),
    ]
    assert [(p.position.line, p.field) for p in parsed.errors] == [
        (2, "document_number"),
        (3, "issuing_state"),
        (6, "row"),
    ]
    warnings = [(p.position.line, p.field) for p in parsed.problems if p.severity is Severity.WARNING]
    assert warnings == [(1, "header"), (4, "date_reported"), (5, "issuing_state"), (7, "document_number")]


def test_missing_column_raises() -> None:
    with pytest.raises(FormatError, match="document_number"):
        parse_lost_stolen(b"issuing_state,number\nFRA,1\n", countries=country_table())
