"""OFAC SDN legacy-CSV importer, checked against real OFAC files (tests/data/lists/ofac)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import DateExactness, EntityKind, ListEntry, ListSource, NameQuality
from borderwatch.errors import FormatError
from borderwatch.formats.lists.common import ParsedList
from borderwatch.formats.lists.ofac import parse_ofac, parse_ofac_date
from borderwatch.formats.problems import Severity
from borderwatch.services.reference import country_table

DATA = Path(__file__).parents[2] / "data" / "lists" / "ofac"
SDN, ALT, ADD = ((DATA / name).read_bytes() for name in ("sdn.csv", "alt.csv", "add.csv"))


def _rows(data: bytes) -> list[list[str]]:
    """Independent reading: the standard csv module, Ctrl-Z line dropped."""
    return [row for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) if row != ["\x1a"]]


@pytest.fixture(scope="module")
def ofac() -> ParsedList:
    return parse_ofac(SDN, ALT, ADD, countries=country_table())


def _entry(parsed: ParsedList, entity_id: str) -> ListEntry:
    return next(e for e in parsed.entries if e.entity_id == entity_id)


def test_counts_match_the_files(ofac: ParsedList) -> None:
    rows = _rows(SDN)
    assert len(rows) == 8976
    types = Counter(row[2].strip() for row in rows)
    assert types == {"individual": 4620, "-0-": 3673, "vessel": 406, "aircraft": 277}
    kinds = Counter(e.kind for e in ofac.entries)
    assert kinds == {
        EntityKind.PERSON: 4620,
        EntityKind.ORGANIZATION: 3673,
        EntityKind.VESSEL: 406,
        EntityKind.AIRCRAFT: 277,
    }
    assert {e.entity_id for e in ofac.entries} == {f"OFAC:{row[0]}" for row in rows}
    assert not ofac.errors
    assert all(e.source is ListSource.OFAC for e in ofac.entries)


def test_every_alt_row_is_a_name(ofac: ParsedList) -> None:
    alt_rows = _rows(ALT)
    assert len(alt_rows) == 11910
    alt_types = Counter(row[2] for row in alt_rows)
    assert alt_types == {"aka": 11523, "fka": 369, "nka": 18}
    names = Counter(n.quality for e in ofac.entries for n in e.names)
    weak_in_remarks = sum(row[11].count("a.k.a. '") for row in _rows(SDN))
    assert names[NameQuality.PRIMARY] == 8976
    assert names[NameQuality.STRONG_ALIAS] == 11523 + 18
    assert names[NameQuality.FORMER] == 369
    # one weak alias is cut off by the 1,000-character limit of the legacy remarks (a warning says so)
    assert names[NameQuality.WEAK_ALIAS] == weak_in_remarks - 1
    by_id: dict[str, ListEntry] = {e.entity_id: e for e in ofac.entries}
    for row in alt_rows[:500]:
        assert row[3] in {n.full_name for n in by_id[f"OFAC:{row[0]}"].names}


def test_individual_with_dob_range_passport_and_nationality(ofac: ParsedList) -> None:
    entry = _entry(ofac, "OFAC:15962")
    primary = entry.names[0]
    assert (primary.full_name, primary.family_name, primary.given_names) == (
        "NIKOUSOKHAN, Mahmoud",
        "NIKOUSOKHAN",
        "Mahmoud",
    )
    assert [(b.earliest, b.latest, b.exactness) for b in entry.birth_dates] == [
        (date(1961, 1, 1), date(1962, 12, 31), DateExactness.RANGE)
    ]
    assert [(d.number, d.kind, d.issuing_country) for d in entry.documents] == [
        ("U14624657", "passport", "IRN")
    ]
    assert entry.nationalities == ("IRN",)


def test_several_dobs_aliases_and_programs(ofac: ParsedList) -> None:
    entry = _entry(ofac, "OFAC:12057")
    assert [b.text for b in entry.birth_dates] == ["1951 to 1953", "1960 to 1962", "Apr 1961", "1953"]
    assert entry.birth_dates[2].exactness is DateExactness.MONTH
    assert entry.gender is Gender.MALE
    assert entry.birth_places == ("Najaf, Iraq", "Tehran, Iran")
    assert entry.programs == ("SDGT", "NPWMD", "IRGC", "IFSR", "IRAN-HR", "IRAN-EO13876")
    assert ("NAGHDI, Mohammad Reza", NameQuality.STRONG_ALIAS) in {
        (n.full_name, n.quality) for n in entry.names
    }


def test_passports_with_country_and_expiry(ofac: ParsedList) -> None:
    nasrallah = _entry(ofac, "OFAC:2686")
    assert [(d.number, d.issuing_country) for d in nasrallah.documents] == [("042833", "LBN")]
    assert [b.earliest for b in nasrallah.birth_dates] == [
        date(1960, 8, 31),
        date(1953, 8, 31),
        date(1955, 8, 31),
        date(1958, 8, 31),
    ]
    documents = [d for e in ofac.entries for d in e.documents]
    south_africa = next(d for d in documents if d.number == "446333407")
    assert (south_africa.issuing_country, south_africa.note) == ("ZAF", "expires 26 May 2014")
    congo = [d for d in documents if d.number == "DB0004470"]
    assert congo
    assert congo[0].issuing_country == "COD"


def test_weak_alias_from_remarks(ofac: ParsedList) -> None:
    bank = _entry(ofac, "OFAC:306")
    assert ("BNC", NameQuality.WEAK_ALIAS) in {(n.full_name, n.quality) for n in bank.names}
    assert bank.addresses[0] == "Zweierstrasse 35, Zurich CH-8022, Switzerland"


def test_vessel_and_aircraft(ofac: ParsedList) -> None:
    vessel = _entry(ofac, "OFAC:4234")
    assert vessel.kind is EntityKind.VESSEL
    assert "Call sign: CL2685" in vessel.remarks
    assert _entry(ofac, "OFAC:15431").kind is EntityKind.AIRCRAFT


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "exactness"),
    [
        ("01 Jan 1970", date(1970, 1, 1), date(1970, 1, 1), DateExactness.EXACT),
        ("Jan 1970", date(1970, 1, 1), date(1970, 1, 31), DateExactness.MONTH),
        ("1970", date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),
        ("circa 1970", date(1969, 1, 1), date(1971, 12, 31), DateExactness.APPROXIMATE),
        ("1965 to 1967", date(1965, 1, 1), date(1967, 12, 31), DateExactness.RANGE),
        ("circa 1979-1982", date(1979, 1, 1), date(1982, 12, 31), DateExactness.APPROXIMATE),
        ("Mar 1962 to Feb 1963", date(1962, 3, 1), date(1963, 2, 28), DateExactness.RANGE),
        ("circa 29 Feb 1960", date(1959, 2, 28), date(1961, 2, 28), DateExactness.APPROXIMATE),
    ],
)
def test_dob_forms(text: str, earliest: date, latest: date, exactness: DateExactness) -> None:
    span = parse_ofac_date(text)
    assert span is not None
    assert (span.earliest, span.latest, span.exactness) == (earliest, latest, exactness)


def test_unreadable_dob() -> None:
    assert parse_ofac_date("sometime in spring") is None
    assert parse_ofac_date("31 Feb 1970") is None


def test_hash_covers_all_three_files(ofac: ParsedList) -> None:
    assert ofac.content_hash == hashlib.sha256(SDN + ALT + ADD).hexdigest()
    assert ofac.source_date is None


def test_bad_rows_are_problems_with_line_numbers() -> None:
    lines = SDN.split(b"\r\n")
    broken = b"\r\n".join(
        [
            lines[0],
            b'99999999,"TOO FEW",-0- ',
            lines[1],
            b'abc,"NOT A NUMBER",individual' + b",-0- " * 9,
            lines[2],
            b"\x1a",
        ]
    )
    parsed = parse_ofac(
        broken,
        b'36,1,"aka","GHOST",-0- \r\n77777777,2,"aka","ORPHAN",-0- \r\n\x1a',
        countries=country_table(),
    )
    assert [e.entity_id for e in parsed.entries] == ["OFAC:36", "OFAC:173", "OFAC:306"]
    errors = [(p.source, p.position.line, p.field) for p in parsed.errors]
    assert errors == [("sdn.csv", 2, "row"), ("sdn.csv", 4, "ent_num"), ("alt.csv", 2, "ent_num")]
    assert "3 columns, 12 expected" in parsed.errors[0].reason
    assert parsed.errors[0].severity is Severity.ERROR


def test_unreadable_csv_raises() -> None:
    with pytest.raises(FormatError) as caught:
        parse_ofac(b'1,"unterminated\r\n2,"x",-0- \r\n', countries=country_table())
    assert caught.value.position is not None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_no_byte_string_crashes_the_parser(data: bytes) -> None:
    with contextlib.suppress(FormatError):
        parse_ofac(data, data, data, countries=country_table())
