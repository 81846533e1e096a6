"""screen_subject: calibrated scores, evidence, thresholds (real names from the UN list)."""

from __future__ import annotations

import csv
import gc
import weakref
from array import array
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from borderwatch.domain import screening
from borderwatch.domain.hits import BirthDateAgreement, Evidence, MatchConfig, ScreeningSubject, describe_hit
from borderwatch.domain.names import index as names_index
from borderwatch.domain.names.compare import MatchRule, NameComparer
from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.names.normalize import NameToken
from borderwatch.domain.screening import (
    _first_gains,
    _first_gains_numpy,
    _part_pattern,
    _Plan,
    _search,
    as_written,
    assess_candidates,
    compare_birth_date,
    screen_subject,
)
from borderwatch.domain.simulation import CASABLANCA_LONDON_MIX, simulate_travellers
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import (
    DateExactness,
    EntityId,
    EntityKind,
    ListedBirthDate,
    ListedDocument,
    ListedName,
    ListEntry,
    ListSource,
    NameQuality,
)
from borderwatch.formats.lists.ofac import parse_ofac
from borderwatch.formats.lists.un import parse_un_list
from borderwatch.services.names import build_name_index, load_name_tables
from borderwatch.services.reference import country_table
from borderwatch.services.simulation import load_name_pools

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


def listed_person(
    entity_id: str, name: str, born: date | None, nationalities: tuple[str, ...], gender: Gender
) -> ListEntry:
    """Return a UN entry of one person listed under one name, born on `born` (or undated)."""
    return ListEntry(
        EntityId(entity_id),
        ListSource.UN,
        EntityKind.PERSON,
        (ListedName(name),),
        (ListedBirthDate(born, born, DateExactness.EXACT),) if born else (),
        nationalities,
        gender,
    )


SPELLINGS = [
    listed_person(f"UN:T.{i}", name, born, nats, gender)
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


@pytest.mark.parametrize("bounded_in", ["as built", "the dict loop"])
@pytest.mark.parametrize("threshold", [0.2, 0.6, 0.9])
@pytest.mark.parametrize("subject", TRAVELLERS, ids=[t.names[0] for t in TRAVELLERS])
def test_bounded_search_loses_no_alert(
    subject: ScreeningSubject, threshold: float, bounded_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without pruning every candidate is aligned; with it, candidates whose bound cannot reach the
    # threshold are skipped: both must give the same alerts with the same scores. A small list's
    # candidates are bounded on arrays where the C merges are built, in `_search`'s dict loop
    # otherwise: both ways are held to the full comparison here.
    if bounded_in == "the dict loop":
        monkeypatch.setattr(screening, "_VECTOR_FROM", 10**9)
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
    assert as_written("ABD AL QADIR", "Abd_al-Qadir O'Neil") == "Abd_al-Qadir"  # _ separates, as \W does
    assert as_written("MUSTAFA", "Mustafa Çelik") == "Mustafa"  # outside ASCII: the pattern decides


def _by_pattern(part: str, name: str) -> str:
    found = _part_pattern(part).search(name)
    return found.group(0) if found else part


@settings(max_examples=500, deadline=None)
@given(
    part=st.text(alphabet="ABLI1 -'", min_size=1, max_size=6),
    name=st.text(alphabet="aAbBlLiI1_-' ,.", max_size=14),
)
def test_the_ascii_scan_finds_what_the_pattern_finds(part: str, name: str) -> None:
    # as_written reads ASCII names without compiling a pattern per part: the same answer, always.
    assume(any(ch.isalnum() for ch in part))  # a part without letters is shown as it is, unsearched
    assert as_written.__wrapped__(part, name) == _by_pattern(part, name)


def test_the_ascii_scan_agrees_on_every_listed_name(full_index: NameIndex) -> None:
    checked = 0
    for indexed in full_index.names:
        name = indexed.listed.full_name
        if not name.isascii():
            continue
        for token in indexed.parsed.tokens:
            part = token.display
            if part.isascii() and any(ch.isalnum() for ch in part):
                assert as_written.__wrapped__(part, name) == _by_pattern(part, name), (part, name)
                checked += 1
    assert checked > 50_000


def _listed(
    i: int, name: str, born: tuple[ListedBirthDate, ...], nationalities: tuple[str, ...] = ()
) -> ListEntry:
    """Return national-list entry `i`, a person with one name."""
    return ListEntry(
        EntityId(f"NAT:T:{i}"),
        ListSource.NATIONAL,
        EntityKind.PERSON,
        (ListedName(name),),
        born,
        nationalities,
    )


def _assert_bounded_as_full(subject: ScreeningSubject, index: NameIndex, config: MatchConfig) -> None:
    """Assert that the bounded search alerts on what the full comparison does, best first."""
    full = sorted(
        (
            (round(a.score(config), 6), index.entries[a.entry].entity_id)
            for a in assess_candidates(subject, index, config)
            if a.score(config) >= config.alert_threshold
        ),
        key=lambda s: (-s[0], s[1]),
    )[: config.max_hits]
    assert [(h.score, h.entity_id) for h in screen_subject(subject, index, config)] == full


_SUFFIXES = ("DANI", "HARI", "LOUF", "MRANI", "SSAOUI", "TTABI", "ZIRI", "BALI", "CHAOUI", "DRISSI")


def test_many_near_spellings_bounded_with_arrays_as_one_by_one() -> None:
    # Hundreds of listed names within reach of one traveller (a large index) are bounded with
    # numpy arrays; the alerts must be those the full comparison gives, best first.
    people = [
        _listed(
            i,
            f"Mohamed ALI {surname}",
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
        for i, surname in enumerate(f"{a}{b}{c}" for a in "BKLMNRST" for b in "AIOU" for c in _SUFFIXES)
    ]
    index = NameIndex.build(people, load_name_tables())
    config = replace(MatchConfig(), alert_threshold=0.5, max_candidates=1000, max_hits=10)
    for subject in (
        ScreeningSubject(("MOHAMED ALI",), birth_date=date(1970, 5, 5), nationality="DZA"),
        ScreeningSubject(("MOHAMED ALI KASSAOUI",), birth_date=date(1970, 2, 2)),
        ScreeningSubject(("MOHAMMED ALI",)),
    ):
        _assert_bounded_as_full(subject, index, config)


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
        _assert_bounded_as_full(subject, index, config)


# -- the bounded search against the exhaustive one, on the full lists and realistic traffic ---------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def full_index() -> NameIndex:
    countries = country_table()
    un = parse_un_list(
        (ROOT / "src/borderwatch/data/lists/UN_consolidated.xml").read_bytes(), countries=countries
    )
    ofac_dir = ROOT / "tests/data/lists/ofac"
    ofac = parse_ofac(
        (ofac_dir / "sdn.csv").read_bytes(),
        (ofac_dir / "alt.csv").read_bytes(),
        (ofac_dir / "add.csv").read_bytes(),
        countries=countries,
    )
    return build_name_index([*un.entries, *ofac.entries])


def planted_subjects() -> list[ScreeningSubject]:
    """Return the planted demo persons (data/demo/planted.csv) as screening subjects."""
    text = (ROOT / "src/borderwatch/data/demo/planted.csv").read_text(encoding="utf-8")
    return [
        ScreeningSubject(
            (f"{row['given_names']} {row['family_name']}",),
            family_name=row["family_name"],
            given_names=row["given_names"],
            birth_date=date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
            nationality=row["nationality"],
            document_numbers=(row["passport"],) if row["passport"] else (),
        )
        for row in csv.DictReader(text.splitlines())
    ]


def route_subjects(count: int, seed: int) -> list[ScreeningSubject]:
    """Return simulated innocent travellers of a Casablanca -> London flight (bench/bench_route.py)."""
    mix = CASABLANCA_LONDON_MIX
    travellers = simulate_travellers(load_name_pools(), mix, count, seed=seed, today=date(2026, 11, 29))
    return [ScreeningSubject.from_traveller(t) for t in travellers]


def exhaustive_hits(
    subject: ScreeningSubject, index: NameIndex, config: MatchConfig
) -> list[tuple[str, float, str]]:
    """Return (entity id, score, matched name) of the alerts when every candidate is aligned."""
    wide = replace(config, max_candidates=1_000_000)
    alerts = []
    for a in assess_candidates(subject, index, wide):
        score = a.score(config)
        if score >= config.alert_threshold:
            alerts.append(
                (round(score, 6), index.entries[a.entry].entity_id, index.names[a.name_id].listed.full_name)
            )
    alerts.sort(key=lambda a: (-a[0], a[1]))
    return [(str(e), s, n) for s, e, n in alerts[: config.max_hits]]


@pytest.mark.parametrize("threshold", [0.6, 0.3])
def test_pruned_search_equals_exhaustive_on_route_traffic(full_index: NameIndex, threshold: float) -> None:
    # Innocent Casablanca -> London travellers (common Maghrebi name parts with many listed
    # candidates) and the planted demo persons: the bounded search must raise exactly the alerts,
    # with the same scores and matched names, that aligning every candidate raises.
    config = replace(MatchConfig(), alert_threshold=threshold)
    subjects = route_subjects(300, seed=7) + planted_subjects()
    differences = []
    raised = 0
    for subject in subjects:
        expected = exhaustive_hits(subject, full_index, config)
        got = [
            (str(h.entity_id), h.score, h.matched_name) for h in screen_subject(subject, full_index, config)
        ]
        raised += len(got)
        if got != expected:
            differences.append((subject.names[0], got, expected))
    assert not differences
    assert raised >= 5  # the planted persons alert at least


SPELLINGS_OF_ONE_PERSON = [
    "Abdelkader BENSALEM",
    "Abd al-Qadir BIN SALIM",
    "Abdelkader BEN SALEM",
    "Abdulkadir BENSALIM",
    "Abdel Kader BENSALEM",
    "Abdelkadir BEN SALIM",
    "Abdoulkader BENSALEM",
    "Abd El Kader BEN SALEM",
    "Abdulqadir BIN SALEM",
    "Abdelqader BENSALEM",
    "Abdel Qader BEN SALIM",
    "Abdelkader BENSELEM",
    "Abdelkader BENSSALEM",
    "Abdelkhader BENSALEM",
    "Abdalkader BENSALAM",
    "Abdulkader BEN SALEM",
]


@pytest.mark.parametrize("threshold", [0.6, 0.3])
def test_a_person_listed_in_many_spellings_raises_the_best_hits_of_the_exhaustive_search(
    threshold: float,
) -> None:
    # One person listed sixteen times, each spelling its own entry (as the 1 M names benchmark
    # lists them): more entries alert than the hits returned, so which ten come back, in which
    # order and with which scores must be what aligning every candidate gives. Some entries list
    # the birth date, some another one, some none.
    born = date(1971, 3, 14)
    days = [born, born, born, born, None, date(1972, 1, 1)]
    entries = [
        listed_person(f"UN:S.{n:02d}", name, days[n % 6], ("DZA",) if n % 3 else (), Gender.MALE)
        for n, name in enumerate(SPELLINGS_OF_ONE_PERSON)
    ]
    index = build_name_index(entries)
    config = replace(MatchConfig(), alert_threshold=threshold)
    for text in ("Abdelkader BENSALEM", "Abd al-Qadir BIN SALIM", "Abdelkader BEN SALEM"):
        subject = ScreeningSubject((text,), birth_date=born, nationality="DZA")
        expected = exhaustive_hits(subject, index, config)
        got = [(str(h.entity_id), h.score, h.matched_name) for h in screen_subject(subject, index, config)]
        every_alert = exhaustive_hits(subject, index, replace(config, max_hits=100))
        assert len(every_alert) > config.max_hits  # more entries alert than come back
        assert got == expected


def test_planted_persons_alert_on_their_entries(full_index: NameIndex) -> None:
    text = (ROOT / "src/borderwatch/data/demo/planted.csv").read_text(encoding="utf-8")
    expected = [row["entity_id"] for row in csv.DictReader(text.splitlines())]
    # (A person on both lists may alert on the OFAC entry first: the UN one must be among the hits.)
    found = [
        {str(h.entity_id) for h in screen_subject(s, full_index, MatchConfig())} for s in planted_subjects()
    ]
    assert [entity_id in hits for entity_id, hits in zip(expected, found, strict=True)] == [True] * len(
        expected
    )


PASSPORT_HOLDER = ListEntry(
    EntityId("UN:T.99"),
    ListSource.UN,
    EntityKind.PERSON,
    (ListedName("Mohamed ALAOUI"),),
    (ListedBirthDate(date(1950, 1, 1), date(1950, 1, 1), DateExactness.EXACT),),
    ("DZA",),
    Gender.MALE,
    (ListedDocument("AB 123456", "passport"),),
)


@pytest.mark.parametrize("number", ["AB123456", "ab-123456", "ZZ999999"])
def test_listed_document_still_lifts_the_bound(number: str) -> None:
    # The bounded search counts a document's evidence only when some entry lists the traveller's
    # number: a common name with a conflicting birth date alerts through the shared passport, and
    # the pruned search must find it as the exhaustive one does.
    index = NameIndex.build([*SPELLINGS, PASSPORT_HOLDER], load_name_tables())
    config = MatchConfig()
    subject = ScreeningSubject(
        ("MOHAMED ALAOUI",), birth_date=date(1990, 6, 6), nationality="DZA", document_numbers=(number,)
    )
    expected = exhaustive_hits(subject, index, config)
    got = [(str(h.entity_id), h.score, h.matched_name) for h in screen_subject(subject, index, config)]
    assert got == expected
    assert bool(got) == (number != "ZZ999999")


def _expansion_texts(full_index: NameIndex) -> list[str]:
    """Return names whose parts exercise every expansion rule: parts of route travellers, listed
    names in both scripts, cut names, initials, one letter off, variant spellings."""
    texts: list[str] = [name for subject in route_subjects(200, seed=11) for name in subject.names]
    types = full_index.types
    texts += [types[t].raw for t in range(0, len(types), 17)]
    texts += [t.raw for t in types if t.script == "Arab"][:300]
    texts += ["ABDELRAHM", "MOHAMMA", "M A", "Y BENJELL", "MUNIR", "MOUNIR", "YOUSSEF YUSUF YOUSEF"]
    texts += [t.raw[:-1] + "Q" for t in types[::53] if len(t.raw) > 4 and t.script == "Latn"]
    return texts


@pytest.mark.skipif(screening._gains is None, reason="the C merges (_gains.c) are not built here")
def test_the_neighbourhood_gathered_in_c_is_the_python_sets(
    full_index: NameIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = [token for text in _expansion_texts(full_index) for token in full_index.parse(text).name_tokens]
    in_c = [full_index.neighbours(token) for token in tokens]
    monkeypatch.setattr(names_index, "_gains", None)
    assert [full_index.neighbours(token) for token in tokens] == in_c
    assert sum(map(len, in_c)) > 10 * len(tokens)


def _one_letter_off(a: str, b: str) -> bool:
    """True when a deletion of one letter turns `a` into `b`."""
    return len(a) == len(b) + 1 and any(a[:i] + a[i + 1 :] == b for i in range(len(a)))


def _deleted(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def _near_by_definition(
    index: NameIndex, token: NameToken, keys: list[list[tuple[str, str, set[str], set[str]]]]
) -> list[int]:
    """Return the neighbourhood of a part by its definition, over every form of every type: a form
    whose skeleton is the part's, or (skeletons of 3 letters or more) one letter longer, one shorter,
    or one letter replaced (a deletion in common); or whose phonetic key (4 letters or more) is so.
    `keys[type id]`: (skeleton, phonetic key, their deletions) of each form of the type."""
    near = []
    edit_key = names_index._MIN_EDIT_KEY
    for type_id, forms in enumerate(keys):
        for q in token.forms:
            sq, pq = q.skeleton, q.phonetic
            dsq, dpq = _deleted(sq), _deleted(pq)
            if any(
                (
                    bool(sq and sl)
                    and (
                        sl == sq
                        or (
                            len(sq) >= 3
                            and (
                                (len(sl) >= 3 and _one_letter_off(sl, sq))
                                or _one_letter_off(sq, sl)
                                or (len(sl) >= 3 and bool(dsl & dsq))
                            )
                        )
                    )
                )
                or (
                    len(pq) >= edit_key
                    and len(pl) >= edit_key
                    and (pl == pq or _one_letter_off(pl, pq) or _one_letter_off(pq, pl) or bool(dpl & dpq))
                )
                for sl, pl, dsl, dpl in forms
                # every condition needs keys of lengths at most one apart
                if abs(len(sl) - len(sq)) <= 1 or abs(len(pl) - len(pq)) <= 1
            ):
                near.append(type_id)
                break
    return near


def test_the_neighbourhood_is_every_type_one_edit_away_on_either_side(full_index: NameIndex) -> None:
    # The deletion lists gather exactly the types the definition names (checked against every type
    # of the UN + OFAC index, for parts of every kind the expansion tests use, a sample).
    tokens = [token for text in _expansion_texts(full_index) for token in full_index.parse(text).name_tokens]
    sample = tokens[:: max(1, len(tokens) // 60)]  # 60 parts of every kind, each against every type
    keys = [
        [(f.skeleton, f.phonetic, _deleted(f.skeleton), _deleted(f.phonetic)) for f in t.forms]
        for t in full_index.types
    ]
    sizes = []
    for token in sample:
        near = full_index.neighbours(token)
        assert near == _near_by_definition(full_index, token, keys), token.raw
        sizes.append(len(near))
    assert len(sample) >= 60
    assert sum(sizes) > 10 * len(sample)


def _crafted_tokens(full_index: NameIndex) -> list[NameToken]:
    """Return name parts of shapes the parser seldom makes but the rules provide for: forms with a
    note and no penalty, and a Latin part carrying the original-script text of another family (two
    families, of which the notes name the least)."""
    crafted = []
    for text in ("HASAN", "HUSSEIN", "SAID", "MAHMOUD", "JAMAL", "SALAH", "MOHAMED ALI"):
        for token in full_index.parse(text).name_tokens:
            for native in ("محمد", "يوسف", "حسين", "صالح"):
                crafted.append(replace(token, native=native, uid=f"{token.uid}~{native}"))
            noted = tuple(replace(f, note="crafted") for f in token.forms)
            crafted.append(replace(token, forms=noted, uid=f"{token.uid}~noted"))
    return crafted


@pytest.mark.skipif(screening._gains is None, reason="the C rules (_gains.c) are not built here")
@pytest.mark.parametrize("min_score", [0.0, 0.55])
def test_the_rules_in_c_score_every_pair_as_compare_py(full_index: NameIndex, min_score: float) -> None:
    # The C pass (`_gains.token_scores`) must give each pair of a new part and a neighbouring type the
    # very score, rule and note of compare.py, which stays the rules' text and scores the pairs the
    # explanation needs later. At a minimum score of 0 every pair comes back, "different names" and
    # "no match" among them; at the default, the pairs `expand` keeps.
    forms = full_index._forms
    assert forms is not None
    reference = NameComparer(full_index.tables, min_score=min_score)  # its own memo: compare.py's rules
    comparer = NameComparer(full_index.tables, min_score=min_score)
    types = full_index.types
    rules: set[MatchRule] = set()
    pairs = joined_notes = 0
    parsed = [token for text in _expansion_texts(full_index) for token in full_index.parse(text).name_tokens]
    for token in parsed + _crafted_tokens(full_index):
        near = full_index.neighbours(token)
        found = forms.scored(token, near, comparer)
        assert found is not None
        assert forms.scored(token, array("i", near).tobytes(), comparer) == found  # ids packed as int32
        expected = [
            (t, m.score, m.rule, m.note)
            for t in near
            for m in [reference.score_pair(token, types[t])]
            if m.score >= min_score
        ]
        assert [(t, m.score, m.rule, m.note) for t, m in found] == expected, token.raw
        if min_score == full_index.comparer.min_score:
            # What the pass found is what token_match answers once the index keeps the expansion
            # (read from there, or from the memo when the pair was aligned before).
            assert full_index.expand(token) == found
            assert all(full_index.comparer.token_match(token, types[t]) == m for t, m in found)
        rules.update(m.rule for _, m in found)
        pairs += len(near)
        joined_notes += sum(1 for _, m in found if "; " in m.note)
    assert pairs > 100_000
    assert joined_notes > 0
    assert rules >= (set(MatchRule) - {MatchRule.JOINED, MatchRule.DIFFERENT, MatchRule.NONE})
    if min_score == 0.0:
        assert {MatchRule.DIFFERENT, MatchRule.NONE} <= rules


@pytest.mark.skipif(screening._gains is None, reason="the C rules (_gains.c) are not built here")
def test_the_c_rules_refuse_a_table_that_does_not_fit(full_index: NameIndex) -> None:
    forms = full_index._forms
    assert forms is not None
    token = full_index.parse("MOUNIR").name_tokens[0]
    good = forms.rules_table
    query = (
        ["MUNIR"], ["MNR"], ["MOUNIR"], [""], array("d", [0.0]), b"\x01", array("q", [0, 0]), array("i"),
        array("q", [-1]),
    )  # fmt: skip
    scores = names_index._gains.token_scores
    with pytest.raises(IndexError, match="outside the form table"):
        scores([len(full_index.types)], good, query, False, 0.55, 0.75)
    with pytest.raises(IndexError, match="outside the form table"):
        scores(array("i", [0, len(full_index.types)]).tobytes(), good, query, False, 0.55, 0.75)
    with pytest.raises(ValueError, match="int32 items"):
        scores(b"\x00\x00\x00", good, query, False, 0.55, 0.75)
    with pytest.raises(TypeError, match="list of ints or bytes"):
        scores((0,), good, query, False, 0.55, 0.75)
    with pytest.raises(ValueError, match="do not fit"):
        scores([0], (*good[:7], array("d"), *good[8:]), query, False, 0.55, 0.75)
    far = array("i", [10**6, 1, 1, 1]) * (len(good[3]) // 4)
    with pytest.raises(IndexError, match="outside the chars column"):
        scores([0], (*good[:3], far, *good[4:]), query, False, 0.55, 0.75)
    with pytest.raises(ValueError, match="sorted"):
        scores([0], good, (*query[:6], array("q", [0, 2]), array("i", [3, 1]), query[8]), False, 0.55, 0.75)
    with pytest.raises(TypeError):
        scores([0], good, (*query[:4], [0.0], *query[5:]), False, 0.55, 0.75)
    assert forms.scored(token, full_index.neighbours(token), full_index.comparer)


_KEY_LETTERS = "ABDHKLMNRSTUY" + "بتجحخدرس" + "éŞ"  # Latin keys, Arabic-script skeletons, accents
# Short texts of few letters (near one another: distances within the limit), of many, and long ones.
_KEY_TEXTS = (
    st.text("ABé", max_size=12)
    | st.text(_KEY_LETTERS, max_size=12)
    | st.text("ABDب", min_size=58, max_size=70)
)


@pytest.mark.skipif(screening._gains is None, reason="the C rules (_gains.c) are not built here")
@settings(max_examples=3000, deadline=None)
@given(
    _KEY_TEXTS,
    _KEY_TEXTS,
    st.integers(0, 14),
)
def test_the_c_edit_distance_is_levenshtein_up_to_its_limit(a: str, b: str, limit: int) -> None:
    # The rules' distance, by bit-parallel columns (a query text of 64 letters or less) and row by
    # row (longer): the distance itself when within the limit, some number above it otherwise.
    expected = Levenshtein.distance(a, b)
    for bits in (True, False):
        found = names_index._gains.distance(a, b, limit, bits)
        assert found == expected if expected <= limit else found > limit, (a, b, limit, bits)


@pytest.mark.skipif(screening._gains is None, reason="the C rules (_gains.c) are not built here")
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 5_000), max_size=60), max_size=8), st.sampled_from([5_001, 2_000_000])
)
def test_the_union_of_neighbour_lists_is_each_id_once_in_order(lists: list[list[int]], size: int) -> None:
    # A few ids among few types are read off a bit set; among many, sorted: both give sorted(set()),
    # and leave the bit set clean for the next call (a stray bit would add an id never met).
    gains = names_index._gains
    held = [array("i", ids) for ids in lists]
    assert gains.union(held, size) == sorted({i for ids in lists for i in ids})
    # Packed as int32 (what the C rules read) the same ids come in the same order.
    assert gains.union(held, size, True) == array("i", sorted({i for ids in lists for i in ids})).tobytes()
    with pytest.raises(IndexError, match="outside"):
        gains.union([*held, array("i", [size])], size, True)
    assert gains.union([array("i", [7])], size) == [7]
    assert gains.union([array("i", [7])], size, True) == array("i", [7]).tobytes()


@pytest.mark.parametrize("rules", ["in C", "filtered by numpy, scored by compare.py"])
def test_bulk_filter_keeps_every_token_type_the_rules_accept(
    full_index: NameIndex, rules: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `expand` scores the neighbours in one C pass, or (without the C module) sets aside in bulk the
    # neighbours no rule can accept before scoring the rest; it must return exactly what scoring
    # every neighbour returns. Parts of route travellers, listed names in both scripts, and the
    # shapes each rule needs: cut names (truncated), initials, one letter off (edit), a letter
    # dropped from the skeleton (across scripts), variant spellings.
    if rules != "in C":
        monkeypatch.setattr(names_index, "_gains", None)
    elif names_index._gains is None:
        pytest.skip("the C rules (_gains.c) are not built here")
    full_index._expansions.clear()  # the other way's memo
    checked = 0
    for text in _expansion_texts(full_index):
        for token in full_index.parse(text).name_tokens:
            expected = [(t, m.score, m.rule) for t, m in full_index.expand_exhaustive(token)]
            assert [(t, m.score, m.rule) for t, m in full_index.expand(token)] == expected, token.raw
            checked += 1
    assert checked > 1000


def test_a_dropped_index_is_freed_without_the_garbage_collector() -> None:
    # The server moves its indexes out of the collector's reach (gc.freeze): an index whose plans
    # and arrays point back at it would form a cycle that is then never freed, and every list
    # import would leak the index it replaces. Reference counting alone must free it.
    year = (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),)
    people = [
        _listed(i, f"Mohamed ALI {a}{b}DRISSI", year)
        for i, (a, b) in enumerate((a, b) for a in "BKLMNRSTZ" for b in "AEIOU")
    ]
    config = replace(MatchConfig(), alert_threshold=0.5)
    gc.collect()
    gc.disable()
    try:
        index = build_name_index(people, load_name_tables(), config)
        assert screen_subject(
            ScreeningSubject(("MOHAMED ALI BADRISSI",), birth_date=date(1970, 5, 5)), index, config
        )
        assert not screen_subject(ScreeningSubject(("MOHAMMED ALI",)), index, config)  # common parts alone
        plan = index.memo[config]
        arrays = weakref.ref(plan._vectors.name_entry)  # type: ignore[attr-defined]  # numpy arrays take weak references
        del plan, index
        assert arrays() is None
    finally:
        gc.enable()


def _as_dict(gains: dict[int, float] | tuple[np.ndarray, np.ndarray]) -> dict[int, float]:
    if isinstance(gains, dict):
        return gains
    names, values = screening._as_numpy(gains)
    assert len(set(names.tolist())) == len(names)  # each name once (in any order)
    return dict(zip(names.tolist(), values.tolist(), strict=True))


postings_lists = st.lists(
    st.tuples(st.lists(st.integers(0, 59), max_size=30), st.floats(0.01, 5.0)), max_size=8
).map(lambda found: sorted(found, key=lambda f: -f[1]))  # best gain first, as a part's types come


@settings(max_examples=300, deadline=None)
@given(found=postings_lists, ok=st.lists(st.booleans(), min_size=60, max_size=60))
def test_a_part_map_made_as_arrays_holds_what_the_dict_holds(
    found: list[tuple[list[int], float]], ok: list[bool]
) -> None:
    # A large map of gains per name (a common part's birth year in a million spellings) is made
    # with numpy: the first (best) gain of each name of the screened kinds, like the dict loop.
    held = [(array("i", names), gain) for names, gain in found]
    name_ok = bytes(ok)
    as_dict = _first_gains(held, name_ok, array_from=10**9)
    as_arrays = _first_gains(held, name_ok, array_from=0)  # by the C merge where it is built
    assert isinstance(as_dict, dict)
    assert isinstance(as_arrays, tuple) or not any(names for names, _ in found)
    assert _as_dict(as_arrays) == as_dict
    if any(names for names, _ in found):
        names, _ = reference = _first_gains_numpy(held, name_ok)
        assert list(names) == sorted(names)
        assert _as_dict(reference) == as_dict


@pytest.mark.parametrize("merge", ["c", "numpy"])
def test_the_years_around_a_birth_year_give_each_name_its_best_gain_in_any_of_them(
    monkeypatch: pytest.MonkeyPatch, merge: str
) -> None:
    # A part's map of the years around a traveller's birth year is made in one merge over all their
    # postings; it must hold, per name, the best of what that part's maps of each of those years hold
    # (listed days and listed spans). Years with spellings listed in them, around them and far away;
    # common parts (maps as arrays) and rare ones (dicts).
    if merge == "numpy":
        monkeypatch.setattr(screening, "_gains", None)
    elif screening._gains is None:
        pytest.skip("the C merges (_gains.c) are not built here")
    # Spellings listed with days in six years and with a year span, one in four of them holding two
    # spellings of one given name (its two types earn a part different gains: the best must win).
    people = [
        _listed(
            i,
            f"Mohamed ALI {a}{b}{c}" if i % 4 else f"Mohammed Mohamed {a}{b}{c}",
            (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),)
            if i % 5 == 0
            else (ListedBirthDate(date(1968 + i % 6, 3, 1), date(1968 + i % 6, 3, 1), DateExactness.EXACT),)
            if i % 5 < 3
            else (),
        )
        for i, (a, b, c) in enumerate((a, b, c) for a in "BKLMNRST" for b in "AIOU" for c in _SUFFIXES * 4)
    ]
    index = NameIndex.build(people, load_name_tables())
    plan = _Plan.of(index, MatchConfig())
    kinds = set()
    for text in ("MOHAMED ALI BADANI", "MUHAMMAD ALIY KIZIRI", "MOHAMMED SADRISSI"):
        for token in index.parse(text).name_tokens:
            part = plan.part(index, token)
            for year in range(1964, 1978):
                near = part.near_year(index, year)
                kinds.add(type(near))
                expected: dict[int, float] = {}
                for offset in screening._NEAR_YEARS:
                    for spans in (False, True):
                        for name_id, gain in _as_dict(part.in_year(index, year + offset, spans)).items():
                            expected[name_id] = max(expected.get(name_id, 0.0), gain)
                assert _as_dict(near) == expected, (text, token.display, year)
                assert part.near_year(index, year) is near  # kept for the next traveller of that year
    # Both kinds of map were met (in C, every map is a pair of columns).
    assert kinds == ({tuple} if merge == "c" else {dict, tuple})


@pytest.mark.skipif(screening._gains is None, reason="the C merges (_gains.c) are not built here")
def test_the_c_merges_refuse_what_is_not_a_map_of_the_index() -> None:
    gains = screening._gains
    assert gains is not None
    with pytest.raises(IndexError, match="name id 60 outside the index's 60 names"):
        gains.first_gains([array("i", [1, 60])], [1.0], bytes([1] * 60))
    with pytest.raises(IndexError, match="name id -1"):
        gains.day_sums(np.arange(3), [{-1: 1.0}], 60)
    with pytest.raises(TypeError, match="expected items of 4 bytes"):
        gains.first_gains([array("q", [1])], [1.0], bytes([1] * 60))
    with pytest.raises(ValueError, match="differ in length"):
        gains.day_sums(np.arange(3), [(np.arange(3), np.zeros(2))], 60)
    # A posting table (type 0 in 1970: names 5 and 7) is checked before it is read.
    table = (
        np.array([0, 1], dtype=np.int64),
        np.array([1970], dtype=np.int32),
        np.array([0, 2], dtype=np.int64),
        np.array([5, 7], dtype=np.int32),
    )
    one, two = array("i", [0]), array("d", [2.0])
    ids, ranks, held = gains.year_gains(one, two, [table], [1970], bytes([1] * 60))
    assert np.frombuffer(ids, dtype=np.int32).tolist() == [5, 7]
    assert np.frombuffer(ranks, dtype=np.uint16).tolist() == [0, 0]
    assert held is two
    assert gains.year_gains(one, two, [table], [1971], bytes([1] * 60))[0] == b""
    with pytest.raises(IndexError, match="token type 1 outside the table's 1 types"):
        gains.year_gains(array("i", [1]), two, [table], [1970], bytes([1] * 60))
    with pytest.raises(ValueError, match="do not span"):
        gains.year_gains(
            one, two, [(*table[:2], np.array([0, 3], dtype=np.int64), table[3])], [1970], b"\x01" * 60
        )
    with pytest.raises(TypeError, match="a posting table is"):
        gains.year_gains(one, two, [table[:3]], [1970], bytes([1] * 60))
    with pytest.raises(IndexError, match="name id 7 outside the index's 6 names"):
        gains.year_gains(one, two, [table], [1970], bytes([1] * 6))
    with pytest.raises(ValueError, match="differ in length"):
        gains.year_gains(one, array("d", [2.0, 1.0]), [table], [1970], bytes([1] * 60))
    # A ranked map (as year_gains makes them): int32 names, ranks of 2 or 4 bytes into its gains.
    names = array("i", [2, 0]).tobytes()
    table = array("d", [3.0, 0.5])
    for width in ("H", "I"):
        ranked = (names, array(width, [1, 0]).tobytes(), table)
        assert np.frombuffer(gains.day_sums(np.arange(3), [ranked], 60)).tolist() == [3.0, 0.0, 0.5]
    with pytest.raises(IndexError, match="rank 2 outside the map's 2 gains"):
        gains.day_sums(np.arange(3), [(names, array("H", [2, 0]).tobytes(), table)], 60)
    with pytest.raises(ValueError, match="2 or 4 bytes per id"):
        gains.day_sums(np.arange(3), [(names, b"\x00\x00\x00", table)], 60)
    with pytest.raises(TypeError, match="ranked map"):
        gains.day_sums(np.arange(3), [(np.arange(2), b"\x00" * 4, table)], 60)
    # After the errors the scratch table is clean: a later merge counts every name afresh.
    ids, values = gains.first_gains([array("i", [1, 2, 1]), array("i", [3, 2])], [2.0, 1.0], bytes([1] * 60))
    assert np.frombuffer(ids, dtype=np.int64).tolist() == [1, 2, 3]
    assert np.frombuffer(values).tolist() == [2.0, 2.0, 1.0]


def _spellings_index() -> NameIndex:
    """Return an index of 1,280 spellings of Mohamed Ali X with mixed birth dates, nationalities and
    weak aliases: enough names within reach of a traveller for the bounded search's arrays."""
    people = []
    for i, (a, b, c) in enumerate((a, b, c) for a in "BKLMNRST" for b in "AIOU" for c in _SUFFIXES * 4):
        kind = i % 5
        born = (
            (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),)
            if kind == 0
            else (ListedBirthDate(date(1968 + i % 6, 3, 1), date(1968 + i % 6, 3, 1), DateExactness.EXACT),)
            if kind in (1, 2)
            else ()
        )
        entry = _listed(i, f"Mohamed ALI {a}{b}{c}", born, ("MAR",) if i % 3 else ("DZA", "FRA"))
        if i % 7 == 0:
            entry = replace(entry, names=(*entry.names, ListedName(f"Abu {a}{c}", NameQuality.WEAK_ALIAS)))
        people.append(entry)
    return NameIndex.build(people, load_name_tables())


@pytest.mark.skipif(screening._gains is None, reason="the C merges (_gains.c) are not built here")
@pytest.mark.parametrize(("max_candidates", "threshold"), [(5, 0.3), (1000, 0.3), (1000, 0.7)])
def test_the_c_merges_bound_the_candidates_as_the_numpy_code(
    monkeypatch: pytest.MonkeyPatch, max_candidates: int, threshold: float
) -> None:
    # The same names, with bit-identical bounds, from the C merges and from the numpy reference,
    # each on its own index (the parts' maps are memoised): dated and undated travellers, born on
    # a listed day or not, with a listed nationality or another, a weak alias, few candidates kept.
    # (At 0.7 the cheap parts are not searched for some birth-date classes: their best gains are added.)
    config = replace(MatchConfig(), alert_threshold=threshold, max_candidates=max_candidates)
    subjects = [
        ScreeningSubject(("MOHAMED ALI",), birth_date=date(1970, 5, 5), nationality="MAR"),
        ScreeningSubject(("MOHAMMED ALI BADANI",), birth_date=date(1969, 3, 1), nationality="DZA"),
        ScreeningSubject(("MUHAMMAD ALI KIZIRI",), birth_date=date(1972, 3, 1), gender=Gender.MALE),
        ScreeningSubject(("ABU SADRISSI",), birth_date=date(1971, 3, 1)),
        ScreeningSubject(("MOHAMED ALI TOTTABI",)),
        ScreeningSubject(("ALI NOULOUF",), nationality="FRA", document_numbers=("X1",)),
    ]
    monkeypatch.setattr(screening, "_VECTOR_FROM", -1)  # every traveller's candidates bounded on arrays
    monkeypatch.setattr(screening, "_VECTOR_DAY_FROM", -1)  # and the names born on their day summed so
    results = {}
    for mode in ("c", "numpy"):
        if mode == "numpy":
            monkeypatch.setattr(screening, "_gains", None)
        index = _spellings_index()
        plan = _Plan.of(index, config)
        min_z = float(np.log(config.alert_threshold / (1 - config.alert_threshold)))
        results[mode] = [
            sorted(_search(subject, index, config, index.parse(subject.names[0]), plan, min_z))
            for subject in subjects
        ]
    assert results["c"] == results["numpy"]
    assert sum(map(len, results["c"])) > 5  # candidates were bounded, not none
    assert any(len(found) == 5 for found in results["c"]) or max_candidates == 1000


def test_a_birth_year_of_many_spellings_bounded_with_array_maps_as_one_by_one() -> None:
    # Over 512 spellings listed in one birth year make that year's map of a common part as arrays
    # (and the years around it, merged); the alerts must be those the full comparison gives.
    people = [
        _listed(
            i,
            f"Mohamed ALI {a}{b}{c}",
            (ListedBirthDate(date(1970, 1, 1), date(1970, 12, 31), DateExactness.YEAR),)
            if i % 8
            else (ListedBirthDate(date(1971 + i % 3, 3, 1), date(1971 + i % 3, 3, 1), DateExactness.EXACT),),
        )
        for i, (a, b, c) in enumerate(
            (a, b, c)
            for a in "BKLMNRST"
            for b in "AIOU"
            for c in (
                *_SUFFIXES,
                "FASSI",
                "GHALI",
                "JAMAI",
                "KADIRI",
                "NACIRI",
                "OUAZZANI",
                "QADIRI",
                "RAMI",
                "SAIDI",
                "TAZI",
            )
        )
    ]
    index = NameIndex.build(people, load_name_tables())
    config = replace(MatchConfig(), alert_threshold=0.5, max_candidates=1000, max_hits=10)
    for subject in (
        ScreeningSubject(("MOHAMED ALI",), birth_date=date(1970, 5, 5)),
        ScreeningSubject(("MOHAMED ALI BADANI",), birth_date=date(1972, 3, 1)),
        ScreeningSubject(("MOHAMMED ALI KATAZI",), birth_date=date(1969, 2, 2)),
    ):
        _assert_bounded_as_full(subject, index, config)
