"""screen_subject: calibrated scores, evidence, thresholds (real names from the UN list)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.screening import (
    BirthDateAgreement,
    Evidence,
    MatchConfig,
    ScreeningSubject,
    as_written,
    assess_candidates,
    compare_birth_date,
    describe_hit,
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


# -- the bounded search finds every alert the full comparison finds ------------------------------

SPELLINGS = [
    ListEntry(
        EntityId(f"UN:T.{i}"),
        ListSource.UN,
        EntityKind.PERSON,
        (ListedName(name),),
        (ListedBirthDate(born, born, DateExactness.EXACT),) if born else (),
        nats,
        gender,
    )
    for i, (name, born, nats, gender) in enumerate(
        [
            ("Youssef BENJELLOUN", date(1979, 4, 2), ("MAR",), Gender.MALE),
            ("Yusuf bin Jallun", None, (), Gender.UNKNOWN),
            ("Mohamed ALI", date(1970, 1, 1), ("DZA",), Gender.MALE),
            ("Muhammad Ali HASSAN", date(1979, 6, 1), ("IRQ",), Gender.MALE),
            ("Abdelkader LAAGOUB", date(1981, 2, 3), ("MAR",), Gender.MALE),
            ("Abd al-Qadir LAAGOUB", date(1980, 2, 3), (), Gender.UNKNOWN),
            ("Fatima ZAHRA", date(1990, 5, 5), ("MAR",), Gender.FEMALE),
            ("Mokhtar BELMOKHTAR", date(1972, 6, 1), ("DZA",), Gender.MALE),
        ]
    )
] + [BATHALI]
TRAVELLERS = [
    ScreeningSubject(("YOUSSEF BENJELLOUN",), birth_date=date(1979, 4, 2), nationality="MAR"),
    ScreeningSubject(("YOUSSEF BENJELLOUN",), birth_date=date(1960, 1, 1)),
    ScreeningSubject(("YOUSSEF BENJELLOUN",)),
    ScreeningSubject(("MOHAMED ALI",), birth_date=date(1970, 1, 1), nationality="DZA", gender=Gender.MALE),
    ScreeningSubject(("ABDELKADER LAAGOUB",), birth_date=date(1980, 7, 7)),
    ScreeningSubject(("ABDELKADER LAAGOUB",), birth_date=date(1982, 7, 7)),
    ScreeningSubject(("FATIHA ZAHRA",), birth_date=date(1990, 5, 5), gender=Gender.FEMALE),
    ScreeningSubject(("MOKHTAR BELMOKHTAR",), birth_date=date(1972, 3, 3)),
    ScreeningSubject(("مبارك البذالي",), birth_date=date(1961, 10, 1)),
]


@pytest.mark.parametrize("threshold", [0.2, 0.6, 0.9])
@pytest.mark.parametrize("subject", TRAVELLERS, ids=[t.names[0] for t in TRAVELLERS])
def test_bounded_search_loses_no_alert(subject: ScreeningSubject, threshold: float) -> None:
    # Without pruning every candidate is aligned; with it, candidates whose bound cannot reach the
    # threshold are skipped: both must give the same alerts with the same scores.
    index = NameIndex.build(SPELLINGS, load_name_tables())
    config = replace(MatchConfig(), alert_threshold=threshold, max_candidates=1000)
    full = {
        index.entries[a.entry].entity_id: round(a.score(config), 9)
        for a in assess_candidates(subject, index, config)
        if a.score(config) >= threshold
    }
    pruned = {h.entity_id: round(h.score, 6) for h in screen_subject(subject, index, config)}
    assert pruned == {k: round(v, 6) for k, v in full.items()}


# -- the one-line reason ----------------------------------------------------------------------------


def test_reason_names_each_part_rule_and_fact(index: NameIndex) -> None:
    subject = ScreeningSubject(
        ("MOUBARAK AL BATHALI",), birth_date=date(1961, 10, 1), nationality="KWT", gender=Gender.MALE
    )
    hit = screen_subject(subject, index, MatchConfig())[0]
    reason = hit.reason
    assert reason.startswith("name ~ Mubarak Mushakhas Sanad AL-BATHALI: ")
    assert "MOUBARAK ~ Mubarak (" in reason  # as the list writes it, with the rule
    assert "ou/u" in reason  # the spelling difference an officer can see
    assert "AL BATHALI = AL-BATHALI" in reason  # the same part, written with a hyphen on the list
    assert "not on the document: Mushakhas Sanad" in reason
    assert reason.endswith("born 1961-10-01 as listed; nationality KWT as listed; gender M as listed")
    assert "\n" not in reason


def test_reason_reports_conflicting_facts() -> None:
    evidence = (
        Evidence("name", "exact", 1.0, "LAAGOUB", "LAAGOUB"),
        Evidence("birth date", "same year", 4.7, "1981-05-05", "1981"),
        Evidence("nationality", "conflict", -4.0, "FRA", "MAR"),
    )
    assert describe_hit("Abdelkader LAAGOUB", evidence) == (
        "name ~ Abdelkader LAAGOUB: LAAGOUB = LAAGOUB; born 1981-05-05, list gives 1981 (same year); "
        "nationality FRA, list gives MAR"
    )


def test_parts_shown_as_the_list_writes_them() -> None:
    assert as_written("AL ANIZI", "AL-'ANIZI, 'Abdallah") == "AL-'ANIZI"
    assert as_written("ABDALLAH", "AL-'ANIZI, 'Abdallah") == "Abdallah"
    assert as_written("XYZ", "Abdallah") == "XYZ"  # not found: as compared


def test_many_near_spellings_bounded_with_arrays_as_one_by_one() -> None:
    # Hundreds of listed names within reach of one traveller (a large index) are bounded with
    # numpy arrays; the alerts must be those the full comparison gives, best first.
    people = [
        ListEntry(
            EntityId(f"NAT:T:{i}"),
            ListSource.NATIONAL,
            EntityKind.PERSON,
            (ListedName(f"Mohamed ALI {surname}"),),
            (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),)
            if i % 3
            else (
                ListedBirthDate(
                    date(1970, 1 + i % 12, 1 + i % 28),
                    date(1970, 1 + i % 12, 1 + i % 28),
                    DateExactness.EXACT,
                ),
            ),
            ("DZA",) if i % 2 else (),
        )
        for i, surname in enumerate(
            f"{a}{b}{c}"
            for a in "BKLMNRST"
            for b in "AIOU"
            for c in ("DANI", "HARI", "LOUF", "MRANI", "SSAOUI", "TTABI", "ZIRI", "BALI", "CHAOUI", "DRISSI")
        )
    ]
    index = NameIndex.build(people, load_name_tables())
    config = replace(MatchConfig(), alert_threshold=0.5, max_candidates=1000, max_hits=10)
    for subject in (
        ScreeningSubject(("MOHAMED ALI",), birth_date=date(1970, 5, 5), nationality="DZA"),
        ScreeningSubject(("MOHAMED ALI KASSAOUI",), birth_date=date(1970, 2, 2)),
        ScreeningSubject(("MOHAMMED ALI",)),
    ):
        full = sorted(
            (
                (round(a.score(config), 6), index.entries[a.entry].entity_id)
                for a in assess_candidates(subject, index, config)
                if a.score(config) >= config.alert_threshold
            ),
            key=lambda s: (-s[0], s[1]),
        )[: config.max_hits]
        assert [(h.score, h.entity_id) for h in screen_subject(subject, index, config)] == full


def test_spellings_born_on_the_travellers_day_bounded_with_arrays_as_one_by_one() -> None:
    # A scale index lists many spellings of one person as separate entries with the same facts:
    # more than _VECTOR_DAY_FROM of them born on the traveller's day take the array path (groups of
    # dates and facts, names born that day marked apart); alerts must be the full comparison's.
    day = date(1975, 6, 14)
    spellings = [
        f"{given} {family}"
        for given in ("Karim", "Kareem", "Karime", "Kerim", "Karym", "Qarim", "Carim", "Kharim")
        for family in (
            "HADDADI",
            "HADADI",
            "HADDADY",
            "EL HADDADI",
            "HADDADE",
            "HADDAD",
            "HADDADIE",
            "HADDADII",
            "HEDDADI",
        )
    ]
    people = [
        ListEntry(
            EntityId(f"NAT:T:{i}"),
            ListSource.NATIONAL,
            EntityKind.PERSON,
            (ListedName(name, NameQuality.WEAK_ALIAS if i % 7 == 0 else NameQuality.PRIMARY),),
            (ListedBirthDate(day, day, DateExactness.EXACT),)
            if i % 4
            else (ListedBirthDate(date(1974, 1, 1), date(1976, 12, 31), DateExactness.RANGE),),
            ("DZA",) if i % 3 else ("MAR",),
            Gender.MALE if i % 5 else Gender.UNKNOWN,
        )
        for i, name in enumerate(spellings * 3)  # the generated index repeats spellings too
    ]
    index = NameIndex.build(people, load_name_tables())
    config = replace(MatchConfig(), alert_threshold=0.5, max_candidates=1000, max_hits=10)
    for subject in (
        ScreeningSubject(("KARIM HADDADI",), birth_date=day, nationality="DZA", gender=Gender.MALE),
        ScreeningSubject(("KARIM HADDADI",), birth_date=date(1975, 1, 1), nationality="MAR"),
        ScreeningSubject(("KARIM HADDADI",), birth_date=date(1990, 1, 1)),
        ScreeningSubject(("KAREEM EL HADDADI",)),
    ):
        full = sorted(
            (
                (round(a.score(config), 6), index.entries[a.entry].entity_id)
                for a in assess_candidates(subject, index, config)
                if a.score(config) >= config.alert_threshold
            ),
            key=lambda s: (-s[0], s[1]),
        )[: config.max_hits]
        assert [(h.score, h.entity_id) for h in screen_subject(subject, index, config)] == full
