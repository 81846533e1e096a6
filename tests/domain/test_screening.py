"""screen_subject: calibrated scores, evidence, thresholds (real names from the UN list)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.screening import (
    BirthDateAgreement,
    MatchConfig,
    ScreeningSubject,
    compare_birth_date,
    screen_subject,
)
from borderwatch.domain.travellers import Gender
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
from borderwatch.services.names import load_name_tables

BATHALI = ListEntry(
    EntityId("UN:QDi.238"),
    ListSource.UN,
    EntityKind.PERSON,
    (ListedName("Mubarak Mushakhas Sanad AL-BATHALI"), ListedName("Abu Hamza", NameQuality.WEAK_ALIAS)),
    (ListedBirthDate(date(1961, 10, 1), date(1961, 10, 1), DateExactness.EXACT),),
    ("KWT",),
    Gender.MALE,
)
MOHAMMED = ListEntry(
    EntityId("UN:X.1"),
    ListSource.UN,
    EntityKind.PERSON,
    (ListedName("Mohammed ALI"),),
    (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),),
)


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build([BATHALI, MOHAMMED], load_name_tables())


def test_alias_with_birth_date_alerts_with_evidence(index: NameIndex) -> None:
    subject = ScreeningSubject(("MUBARAK AL-BATHALI",), birth_date=date(1961, 10, 1), nationality="KWT")
    hits = screen_subject(subject, index, MatchConfig())
    assert [h.entity_id for h in hits] == ["UN:QDi.238"]
    features = {e.feature for e in hits[0].evidence}
    assert {"name", "birth date", "nationality"} <= features
    assert 0.0 <= hits[0].score <= 1.0


def test_birth_date_conflict_lowers_the_score(index: NameIndex) -> None:
    config = replace(MatchConfig(), alert_threshold=0.0)
    same = screen_subject(
        ScreeningSubject(("MUBARAK AL-BATHALI",), birth_date=date(1961, 10, 1)), index, config
    )
    other = screen_subject(
        ScreeningSubject(("MUBARAK AL-BATHALI",), birth_date=date(1990, 5, 5)), index, config
    )
    assert other[0].score < same[0].score


def test_common_names_alone_do_not_alert(index: NameIndex) -> None:
    assert screen_subject(ScreeningSubject(("MOHAMED ALI",)), index, MatchConfig()) == []


def test_weak_alias_never_alerts_alone(index: NameIndex) -> None:
    assert screen_subject(ScreeningSubject(("ABU HAMZA",), nationality="KWT"), index, MatchConfig()) == []


def test_arabic_script_traveller(index: NameIndex) -> None:
    subject = ScreeningSubject(("مبارك مشخص سند البذالي",), birth_date=date(1961, 10, 1))
    hits = screen_subject(subject, index, MatchConfig())
    assert hits
    assert hits[0].entity_id == "UN:QDi.238"


def test_birth_date_agreements() -> None:
    year = (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),)
    assert compare_birth_date(date(1970, 6, 1), year)[0] is BirthDateAgreement.IN_YEAR
    assert compare_birth_date(date(1971, 3, 1), year)[0] is BirthDateAgreement.NEAR
    assert compare_birth_date(date(1980, 3, 1), year)[0] is BirthDateAgreement.CONFLICT
    assert compare_birth_date(None, year)[0] is BirthDateAgreement.UNKNOWN
    exact = BATHALI.birth_dates
    assert compare_birth_date(date(1961, 10, 1), exact)[0] is BirthDateAgreement.EXACT
    assert compare_birth_date(date(1961, 1, 10), exact)[0] is BirthDateAgreement.SWAPPED


def test_deterministic(index: NameIndex) -> None:
    subject = ScreeningSubject(("AL-BATHALI MUBARAK",), birth_date=date(1961, 10, 1))
    assert screen_subject(subject, index, MatchConfig()) == screen_subject(subject, index, MatchConfig())
