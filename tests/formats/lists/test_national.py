"""National watch-list CSV importer: the shipped template and broken rows."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import DateExactness, ListSource, NameQuality
from borderwatch.errors import FormatError
from borderwatch.formats.lists.national import NationalCategory, parse_national_list
from borderwatch.formats.problems import Severity
from borderwatch.services.reference import country_table

TEMPLATE = (
    resources.files("borderwatch").joinpath("data", "templates", "national_list_template.csv").read_bytes()
)
HEADER = (
    b"id,family_name,given_names,aliases,birth_date,nationality,gender,document_numbers,category,remarks\n"
)


def test_template_reads_cleanly() -> None:
    parsed = parse_national_list(TEMPLATE, agency="dgsn", countries=country_table())
    assert parsed.problems == ()
    rows = TEMPLATE.decode().strip().splitlines()[1:]
    assert [e.entity_id for e in parsed.entries] == [f"NAT:DGSN:{row.split(',')[0]}" for row in rows]
    first = parsed.entries[0]
    assert first.source is ListSource.NATIONAL
    assert (first.names[0].family_name, first.names[0].given_names) == ("EXAMPLE", "Person One")
    assert [n.full_name for n in first.names if n.quality is NameQuality.STRONG_ALIAS] == [
        "Person Ekzampel",
        "P. One Example",
    ]
    assert first.birth_dates[0].earliest == date(1980, 5, 17)
    assert first.nationalities == ("MAR",)
    assert first.gender is Gender.MALE
    assert [(d.number, d.kind, d.issuing_country) for d in first.documents] == [
        ("XX0000001", "passport", "MAR"),
        ("X000001", "national id", "MAR"),
    ]
    assert [e.category for e in parsed.entries] == ["arrest", "refuse entry", "monitor"]
    assert parsed.entries[1].birth_dates[0].exactness is DateExactness.YEAR
    assert parsed.entries[1].nationalities == ("FRA", "ESP")


def test_bad_rows_are_problems_with_line_numbers() -> None:
    data = (
        HEADER
        + b"\n".join(
            [
                b"1,ALAOUI,Youssef,,1980-02-30,Atlantis,Q,,arrest,",
                b",NOID,Person,,,,,,monitor,",
                b"3,NOCAT,Person,,,,,,deport,",
                b"4,SHORT,Row",
                b"5,,,,,,,,monitor,",
                b"1,ALAOUI,Again,,,,,,monitor,",
                b'6,"QUOTED, NAME",Ok,,1970,ma,F,ZZZ:123,Refuse_Entry,"remark, with comma"',
            ]
        )
        + b"\n"
    )
    parsed = parse_national_list(data, agency="DGSN", countries=country_table())
    assert [e.entity_id for e in parsed.entries] == ["NAT:DGSN:1", "NAT:DGSN:6"]
    assert [(p.position.line, p.field) for p in parsed.errors] == [
        (3, "id"),
        (4, "category"),
        (5, "row"),
        (6, "family_name"),
        (7, "id"),
    ]
    warnings = [(p.position.line, p.field) for p in parsed.problems if p.severity is Severity.WARNING]
    assert warnings == [(2, "birth_date"), (2, "nationality"), (2, "gender"), (8, "document_numbers")]
    six = parsed.entries[1]
    assert six.category == NationalCategory.REFUSE_ENTRY.value
    assert six.nationalities == ("MAR",)
    assert six.remarks == "remark, with comma"


def test_semicolon_files_from_spreadsheets_and_bom() -> None:
    data = "\ufeffid;family_name;given_names;category\r\n7;DURAND;Jean;monitor\r\n".encode()
    parsed = parse_national_list(data, agency="DGSN", countries=country_table())
    assert [e.primary_name for e in parsed.entries] == ["Jean DURAND"]


def test_missing_columns_and_bad_encoding_raise() -> None:
    with pytest.raises(FormatError, match="category"):
        parse_national_list(b"id,family_name,given_names\n1,A,B\n", agency="DGSN", countries=country_table())
    with pytest.raises(FormatError, match="UTF-8"):
        parse_national_list(HEADER + b"1,\xe9,x,,,,,,monitor,\n", agency="DGSN", countries=country_table())
    with pytest.raises(FormatError, match="empty"):
        parse_national_list(b"", agency="DGSN", countries=country_table())
