"""UN Consolidated List importer, checked against the real list shipped with the package."""

from __future__ import annotations

import contextlib
import hashlib
import re
from datetime import UTC, date, datetime
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import DateExactness, EntityKind, ListEntry, ListSource, NameQuality
from borderwatch.errors import FormatError
from borderwatch.formats.lists.common import ParsedList
from borderwatch.formats.lists.un import parse_un_list
from borderwatch.formats.problems import Severity
from borderwatch.services.reference import country_table

UN_BYTES = resources.files("borderwatch").joinpath("data", "lists", "UN_consolidated.xml").read_bytes()


@pytest.fixture(scope="module")
def un_list() -> ParsedList:
    return parse_un_list(UN_BYTES, countries=country_table())


def _entry(parsed: ParsedList, entity_id: str) -> ListEntry:
    return next(e for e in parsed.entries if e.entity_id == entity_id)


def test_counts_match_the_file(un_list: ParsedList) -> None:
    individuals = len(re.findall(rb"<INDIVIDUAL>", UN_BYTES))
    entities = len(re.findall(rb"<ENTITY>", UN_BYTES))
    assert (individuals, entities) == (730, 273)
    kinds = [e.kind for e in un_list.entries]
    assert kinds.count(EntityKind.PERSON) == individuals
    assert kinds.count(EntityKind.ORGANIZATION) == entities
    references = re.findall(rb"<REFERENCE_NUMBER>([^<]+)</REFERENCE_NUMBER>", UN_BYTES)
    assert {e.entity_id for e in un_list.entries} == {"UN:" + r.decode().strip() for r in references}
    assert not un_list.errors


def test_every_alias_of_the_file_is_a_name(un_list: ParsedList) -> None:
    by_id: dict[str, ListEntry] = {e.entity_id: e for e in un_list.entries}
    quality_of = {
        "Good": NameQuality.STRONG_ALIAS,
        "a.k.a.": NameQuality.STRONG_ALIAS,
        "Low": NameQuality.WEAK_ALIAS,
        "f.k.a.": NameQuality.FORMER,
    }
    expected = 0
    for record in re.findall(rb"<(?:INDIVIDUAL|ENTITY)>.*?</(?:INDIVIDUAL|ENTITY)>", UN_BYTES, re.S):
        reference = re.search(rb"<REFERENCE_NUMBER>([^<]+)<", record)
        assert reference is not None
        entry = by_id["UN:" + reference.group(1).decode().strip()]
        pattern = rb"<QUALITY>([^<]*)</QUALITY>\s*<ALIAS_NAME>([^<]+)</ALIAS_NAME>"
        for quality, name in re.findall(pattern, record):
            text = " ".join(name.decode().split())
            expected += 1
            # an alias "Latin (Arabic)" becomes two names, each starting the written alias
            assert any(
                n.quality is quality_of[quality.decode()] and text.startswith(n.full_name)
                for n in entry.names
            ), text
    aliases = [
        n
        for e in un_list.entries
        for n in e.names
        if n.quality not in (NameQuality.PRIMARY, NameQuality.ORIGINAL_SCRIPT)
    ]
    assert expected == 2752  # alias elements with a name (291 more are empty: <ALIAS_NAME/>)
    assert len(aliases) >= expected
    original = len(re.findall(rb"<NAME_ORIGINAL_SCRIPT>[^<]+</NAME_ORIGINAL_SCRIPT>", UN_BYTES))
    assert sum(n.quality is NameQuality.ORIGINAL_SCRIPT for e in un_list.entries for n in e.names) == original


def test_qdi_001(un_list: ParsedList) -> None:
    entry = _entry(un_list, "UN:QDi.001")
    primary = entry.names[0]
    assert primary.full_name == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert (primary.given_names, primary.family_name) == ("MOHAMMED SALAHALDIN ABD EL HALIM", "ZIDANE")
    original = [n for n in entry.names if n.quality is NameQuality.ORIGINAL_SCRIPT]
    assert [(n.full_name, n.script) for n in original] == [("محمد صلاح الدين عبدالحليم زيدان", "Arab")]
    strong = [n.full_name for n in entry.names if n.quality is NameQuality.STRONG_ALIAS]
    weak = [n.full_name for n in entry.names if n.quality is NameQuality.WEAK_ALIAS]
    assert strong == ["Sayf-Al Adl", "Muhamad Ibrahim Makkawi"]
    assert weak == ["Ibrahim al-Madani", "Saif Al-'Adil", "Seif al Adel"]
    assert [(b.earliest, b.exactness) for b in entry.birth_dates] == [
        (date(1963, 4, 11), DateExactness.EXACT),
        (date(1960, 4, 11), DateExactness.EXACT),
    ]
    assert entry.nationalities == ("EGY",)
    assert entry.listed_on == date(2001, 1, 25)
    assert entry.programs == ("Al-Qaida", "UN List")
    assert entry.birth_places == ("Monufia Governate, Egypt",)
    assert entry.source is ListSource.UN


def test_korean_names_are_family_name_first(un_list: ParsedList) -> None:
    primary = _entry(un_list, "UN:KPi.001").names[0]
    assert (primary.family_name, primary.given_names) == ("YUN", "HO-JIN")


def test_every_birth_date_form(un_list: ParsedList) -> None:
    year_only = _entry(un_list, "UN:CDi.001").birth_dates
    assert [(b.earliest, b.latest, b.exactness) for b in year_only] == [
        (date(1971, 1, 1), date(1971, 12, 31), DateExactness.YEAR)
    ]
    between = _entry(un_list, "UN:TAi.079").birth_dates[0]
    assert (between.earliest, between.latest, between.exactness) == (
        date(1966, 1, 1),
        date(1967, 12, 31),
        DateExactness.RANGE,
    )
    approximately = next(b for e in un_list.entries for b in e.birth_dates if b.text == "approximately 1963")
    assert (approximately.earliest, approximately.latest) == (date(1962, 1, 1), date(1964, 12, 31))
    month = _entry(un_list, "UN:CDi.004").birth_dates[0]
    assert (month.earliest, month.latest, month.exactness) == (
        date(1973, 11, 1),
        date(1973, 11, 30),
        DateExactness.MONTH,
    )
    months = _entry(un_list, "UN:QDi.306").birth_dates[0]
    assert (months.earliest, months.latest) == (date(1977, 8, 1), date(1977, 9, 30))
    hijri = next(b for b in _entry(un_list, "UN:QDi.291").birth_dates if "Hijri" in b.text)
    assert hijri.contains(date(1982, 4, 18))  # 24 Jumada al-Thani 1402
    ages = _entry(un_list, "UN:LYi.022").birth_dates[0]
    assert ages.exactness is DateExactness.APPROXIMATE
    assert ages.contains(date(1985, 6, 1))


def test_documents_gender_places_addresses(un_list: ParsedList) -> None:
    saudi = _entry(un_list, "UN:QDi.291")
    assert [(d.number, d.kind, d.issuing_country) for d in saudi.documents] == [
        ("F654645", "passport", "SAU"),
        ("1028745097", "national id", "SAU"),
    ]
    assert _entry(un_list, "UN:CDi.002").gender is Gender.MALE
    assert (
        "Kinshasa, Democratic Republic of the Congo (as of June 2016)"
        in _entry(un_list, "UN:CDi.002").addresses
    )


def test_mixed_script_alias_becomes_two_names(un_list: ParsedList) -> None:
    names = {(n.full_name, n.script) for n in _entry(un_list, "UN:QDi.291").names}
    assert ("Ibrahim Hassan Tali Asiri", "Latn") in names
    assert ("إبراهيم حسن طالع عسيري", "Arab") in names


def test_entity(un_list: ParsedList) -> None:
    adf = _entry(un_list, "UN:CDe.001")
    assert adf.kind is EntityKind.ORGANIZATION
    assert adf.names[0].full_name == "ADF"
    assert ("NALU", NameQuality.FORMER) in {(n.full_name, n.quality) for n in adf.names}
    assert ("Allied Democratic Forces", NameQuality.STRONG_ALIAS) in {
        (n.full_name, n.quality) for n in adf.names
    }


def test_source_date_and_hash(un_list: ParsedList) -> None:
    assert un_list.source_date == datetime(2026, 2, 27, 0, 0, 9, 554000, tzinfo=UTC)
    assert un_list.content_hash == hashlib.sha256(UN_BYTES).hexdigest()
    assert un_list.content_hash == "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf"


def test_truncated_file_names_the_line() -> None:
    with pytest.raises(FormatError) as caught:
        parse_un_list(UN_BYTES[:5000], countries=country_table())
    assert caught.value.position is not None
    assert caught.value.position.line == 122
    assert "not well-formed" in caught.value.message


def test_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">'
            % (i, b"".join(b"&lol%d;" % (i - 1) if i > 1 else b"&lol;" for _ in range(10)))
            for i in range(1, 10)
        )
        + b"]>\n<CONSOLIDATED_LIST>&lol9;</CONSOLIDATED_LIST>"
    )
    with pytest.raises(FormatError, match="entity bomb"):
        parse_un_list(bomb, countries=country_table())


def test_not_a_un_list() -> None:
    with pytest.raises(FormatError, match="not a UN list"):
        parse_un_list(b"<html><body/></html>", countries=country_table())
    with pytest.raises(FormatError, match="empty"):
        parse_un_list(b"  ", countries=country_table())


def test_bad_records_become_problems_and_the_rest_is_kept() -> None:
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS>
<INDIVIDUAL><FIRST_NAME>NO</FIRST_NAME><SECOND_NAME>REFERENCE</SECOND_NAME></INDIVIDUAL>
<INDIVIDUAL><FIRST_NAME>ALI</FIRST_NAME><SECOND_NAME>TEST</SECOND_NAME><REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER>
<NATIONALITY><VALUE>Atlantis</VALUE><VALUE>na</VALUE><VALUE>Egypt</VALUE></NATIONALITY>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>sometime</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""
    parsed = parse_un_list(xml, countries=country_table())
    assert [e.entity_id for e in parsed.entries] == ["UN:QDi.999"]
    assert parsed.entries[0].nationalities == ("EGY",)
    errors = [p for p in parsed.problems if p.severity is Severity.ERROR]
    assert len(errors) == 1
    assert errors[0].field == "REFERENCE_NUMBER"
    assert errors[0].position.line == 3
    warnings = {p.field for p in parsed.problems if p.severity is Severity.WARNING}
    assert warnings == {"NATIONALITY", "INDIVIDUAL_DATE_OF_BIRTH"}
    atlantis = next(p for p in parsed.problems if p.field == "NATIONALITY")
    assert "Atlantis" in atlantis.reason
    assert atlantis.position.line == 4


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_no_byte_string_crashes_the_parser(data: bytes) -> None:
    with contextlib.suppress(FormatError):
        parse_un_list(b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>" + data, countries=country_table())
