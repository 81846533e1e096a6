"""FollowTheMoney (OpenSanctions) entity importer, on an invented sample in the real FtM shape."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import DateExactness, EntityKind, ListEntry, ListSource, NameQuality
from borderwatch.formats.lists.common import ParsedList
from borderwatch.formats.lists.ftm import parse_ftm, parse_ftm_date
from borderwatch.formats.problems import Severity
from borderwatch.services.reference import country_table

SAMPLE = (Path(__file__).parents[2] / "data" / "lists" / "ftm_sample.jsonl").read_bytes()


@pytest.fixture(scope="module")
def ftm() -> ParsedList:
    return parse_ftm(SAMPLE, countries=country_table(), source="ftm_sample.jsonl")


def _entry(parsed: ParsedList, entity_id: str) -> ListEntry:
    return next(e for e in parsed.entries if e.entity_id == entity_id)


def test_counts_match_the_file(ftm: ParsedList) -> None:
    lines = [json.loads(line) for line in SAMPLE.splitlines() if line.strip()]
    listed = [
        line for line in lines if line["schema"] in {"Person", "Organization", "Company", "LegalEntity"}
    ]
    assert {e.entity_id for e in ftm.entries} == {f"FTM:{line['id']}" for line in listed}
    assert sum(e.kind is EntityKind.PERSON for e in ftm.entries) == sum(
        line["schema"] == "Person" for line in lines
    )
    assert all(e.source is ListSource.FTM for e in ftm.entries)
    assert not ftm.errors
    # the Address line is not a list entry and is reported, not dropped silently
    assert [(p.severity, p.position.line, p.raw) for p in ftm.problems] == [(Severity.WARNING, 11, "Address")]
    assert ftm.source_date == datetime(2026, 2, 21, 4, 0)


def test_person_with_passports_sanction_and_scripts(ftm: ParsedList) -> None:
    karim = _entry(ftm, "FTM:NK-7Ykd9sQaLw3HrPbx2oFm4c")
    primary = karim.names[0]
    assert (primary.full_name, primary.given_names, primary.family_name) == (
        "Karim Yousef Haddadi",
        "Karim Yousef",
        "Haddadi",
    )
    qualities = {(n.full_name, n.quality, n.script) for n in karim.names}
    assert ("كريم يوسف الحدادي", NameQuality.ORIGINAL_SCRIPT, "Arab") in qualities
    assert ("Abu Yousef", NameQuality.STRONG_ALIAS, "Latn") in qualities
    assert ("The Blacksmith", NameQuality.WEAK_ALIAS, "Latn") in qualities
    assert [(d.number, d.kind, d.issuing_country) for d in karim.documents] == [
        ("N04417735", "passport", "SYR"),
        ("RL0092214", "passport", "LBN"),
    ]
    assert karim.nationalities == ("SYR", "LBN")
    assert karim.gender is Gender.MALE
    assert karim.programs == ("EX-SYRIA",)
    assert karim.listed_on == date(2021, 5, 28)
    assert [b.exactness for b in karim.birth_dates] == [DateExactness.EXACT, DateExactness.YEAR]
    assert karim.reference_url == "https://example.org/notices/karim-haddadi"


def test_identification_previous_name_and_month_date(ftm: ParsedList) -> None:
    olena = _entry(ftm, "FTM:NK-2bQv8mTzXe5GjuLr6pWn1a")
    assert ("Olena Petrivna Kovalchuk", NameQuality.FORMER) in {(n.full_name, n.quality) for n in olena.names}
    assert olena.birth_dates[0].earliest == date(1984, 9, 1)
    assert olena.birth_dates[0].latest == date(1984, 9, 30)
    tomas = _entry(ftm, "FTM:ex-person-3310")
    assert [(d.number, d.issuing_country, d.note) for d in tomas.documents] == [
        ("3920117744", "BRA", "type CPF")
    ]


def test_organisations(ftm: ParsedList) -> None:
    company = _entry(ftm, "FTM:NK-9xWq4rT2yUe8iOp0aSd7fG")
    assert company.kind is EntityKind.ORGANIZATION
    assert company.addresses == ("17 Example Quay, Limassol, Cyprus",)
    assert _entry(ftm, "FTM:ex-le-889").kind is EntityKind.ORGANIZATION


def test_bad_lines_are_problems_and_the_rest_is_kept() -> None:
    bad = b"\n".join(
        [
            b'{"id": "p1", "schema": "Person", "properties": {"name": ["Good One"], "birthDate": ["19x"]}}',
            b"{not json",
            b'{"schema": "Person", "properties": {"name": ["No Id"]}}',
            b'{"id": "p2", "schema": "Person", "properties": {"name": [{"nested": true}]}}',
            b'{"id": "p3", "schema": "Person", "properties": {"alias": ["Nameless"]}}',
            b'{"id": "pp", "schema": "Passport", "properties": {"holder": ["ghost"], "number": ["X1"]}}',
            b"",
        ]
    )
    parsed = parse_ftm(bad, countries=country_table())
    assert [e.entity_id for e in parsed.entries] == ["FTM:p1"]
    errors = [(p.position.line, p.field) for p in parsed.errors]
    assert errors == [(2, ""), (3, "id"), (4, "properties.name.0"), (6, "holder"), (5, "properties.name")]
    assert [p.field for p in parsed.problems if p.severity is Severity.WARNING] == ["properties.birthDate"]


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("1970", date(1970, 1, 1), date(1970, 12, 31)),
        ("1970-02", date(1970, 2, 1), date(1970, 2, 28)),
        ("1970-02-03", date(1970, 2, 3), date(1970, 2, 3)),
        ("1970-02-03T00:00:00", date(1970, 2, 3), date(1970, 2, 3)),
    ],
)
def test_ftm_dates(text: str, earliest: date, latest: date) -> None:
    span = parse_ftm_date(text)
    assert span is not None
    assert (span.earliest, span.latest) == (earliest, latest)
    assert parse_ftm_date("1970-13") is None
    assert parse_ftm_date("circa 1970") is None
