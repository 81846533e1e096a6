"""The name index: candidates by skeleton keys, rarity weights, birth-date lookups."""

from __future__ import annotations

from datetime import date

from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.names.variants import NameTables
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


def entry(eid: str, *names: str, born: date | None = None) -> ListEntry:
    dob = (ListedBirthDate(born, born, DateExactness.EXACT),) if born else ()
    listed = tuple(
        ListedName(n, NameQuality.PRIMARY if i == 0 else NameQuality.STRONG_ALIAS)
        for i, n in enumerate(names)
    )
    return ListEntry(EntityId(eid), ListSource.UN, EntityKind.PERSON, listed, dob)


def build(tables: NameTables) -> NameIndex:
    return NameIndex.build(
        [
            entry("UN:1", "Mubarak Mushakhas Sanad AL-BATHALI", born=date(1961, 10, 1)),
            entry("UN:2", "Muhammad Ali HASSAN", "محمد علي حسن"),
            entry("UN:3", "Muhammad YUSUF"),
            entry("UN:4", "Abd al-Qadir BENJELLOUN"),
        ],
        tables,
    )


def gain(type_id: int, match: object) -> float:
    return 1.0


def test_candidates_found_across_spellings(tables: NameTables) -> None:
    index = build(tables)
    found = [index.names[n].entry for n, _ in index.candidates(index.parse("ABDELKADER BEN JELLOUN"), gain)]
    assert found[0] == 3


def test_candidates_across_scripts(tables: NameTables) -> None:
    index = build(tables)
    found = {
        index.entries[index.names[n].entry].entity_id for n, _ in index.candidates(index.parse("يوسف"), gain)
    }
    assert "UN:3" in found


def test_rarity_weights(tables: NameTables) -> None:
    index = build(tables)
    muhammad = index.parse("MOHAMED").name_tokens[0]
    bathali = index.parse("BATHALI").name_tokens[0]
    assert index.idf(muhammad) < index.idf(bathali)
    assert index.is_common(muhammad)
    assert not index.is_common(bathali)


def test_birth_date_lookup_brings_candidates(tables: NameTables) -> None:
    index = build(tables)
    found = index.candidates(index.parse("ZZZZ QQQQ"), gain, birth_date=date(1961, 10, 1))
    assert [index.names[n].entry for n, _ in found] == [0]
