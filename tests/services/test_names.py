"""Name tables load from package data; every variant spelling resolves to its family."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from borderwatch.domain import screening
from borderwatch.domain.hits import MatchConfig, ScreeningSubject
from borderwatch.domain.names import normalize
from borderwatch.domain.names.transliterate import latin_phonetic
from borderwatch.domain.watchlists import (
    DateExactness,
    EntityId,
    EntityKind,
    ListedBirthDate,
    ListedName,
    ListEntry,
    ListSource,
)
from borderwatch.services.names import build_name_index, forget_name_memos, load_name_tables


def test_tables_load() -> None:
    tables = load_name_tables()
    assert tables.particles["ABDEL"].value == "abd"
    assert len(tables.letters) > 40
    for family in tables.families:
        for spelling in family.spellings:
            if spelling.isascii():
                assert family.key in tables.families_of(latin_phonetic(spelling)), spelling


def test_index_is_built_ready_for_its_config() -> None:
    # The per-config lookups are built with the index (start-up), not on the first traveller.
    entries = [
        ListEntry(EntityId("UN:QDi.1"), ListSource.UN, EntityKind.PERSON, (ListedName("Karim HADDADI"),))
    ]
    assert MatchConfig() in build_name_index(entries).memo
    strict = replace(MatchConfig(), alert_threshold=0.9)
    index = build_name_index(entries, config=strict)
    assert strict in index.memo
    assert MatchConfig() not in index.memo


def test_forgetting_the_process_memos_changes_no_hit() -> None:
    # The benchmark empties the process-wide memos before each run (as a fresh process starts); a
    # traveller screened before and after must get the very same hits, explanations included.
    born = date(1970, 3, 4)
    entries = [
        ListEntry(
            EntityId("UN:QDi.1"),
            ListSource.UN,
            EntityKind.PERSON,
            (ListedName("Abdelkader al-HADDADI"),),
            (ListedBirthDate(born, born, DateExactness.EXACT),),
            ("MAR",),
        )
    ]
    subject = ScreeningSubject(("Abd al-Qadir HADDADI",), birth_date=born, nationality="MAR")
    before = screening.screen_subject(subject, build_name_index(entries), MatchConfig())
    assert before
    assert normalize._FORMS
    assert screening.as_written.cache_info().currsize
    forget_name_memos()
    assert not normalize._FORMS
    assert not screening.as_written.cache_info().currsize
    assert screening.screen_subject(subject, build_name_index(entries), MatchConfig()) == before
