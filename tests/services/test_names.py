"""Name tables load from package data; every variant spelling resolves to its family."""

from __future__ import annotations

from dataclasses import replace

from borderwatch.domain.hits import MatchConfig
from borderwatch.domain.names.transliterate import latin_phonetic
from borderwatch.domain.watchlists import EntityId, EntityKind, ListedName, ListEntry, ListSource
from borderwatch.services.names import build_name_index, load_name_tables


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
