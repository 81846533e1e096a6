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


def test_postings_by_birth_year_and_undated(tables: NameTables) -> None:
    index = NameIndex.build(
        [
            entry("UN:1", "Karim HADDADI", born=date(1970, 3, 4)),
            ListEntry(
                EntityId("UN:2"),
                ListSource.UN,
                EntityKind.PERSON,
                (ListedName("Karim HADDADI"),),
                (ListedBirthDate(date(1968, 1, 1), date(1971, 12, 31), DateExactness.RANGE),),
            ),
            entry("UN:3", "Karim HADDADI"),
        ],
        tables,
    )
    haddadi = index.type_of_uid[index.parse("HADDADI").name_tokens[0].uid]
    assert index.day_table.postings(haddadi, 1970).tolist() == [0]
    assert [index.span_table.postings(haddadi, y).tolist() for y in (1968, 1971)] == [[1], [1]]
    assert index.span_table.postings(haddadi, 1972).tolist() == []
    assert index.day_table.postings(haddadi, 1971).tolist() == []
    assert index.undated_table.postings(haddadi, 0).tolist() == [2]
    assert index.entry_day_years[0] == {1970}
    assert index.entry_span_years[1] == {1968, 1969, 1970, 1971}


def test_entries_added_after_finish_keep_the_postings_of_the_earlier_ones(tables: NameTables) -> None:
    # The posting tables are made by `finish` and the pairs they come from are dropped: an entry
    # added later must find them again, so that the tables hold what one build of all gives.
    people = [
        entry("UN:1", "Karim HADDADI", born=date(1970, 3, 4)),
        ListEntry(
            EntityId("UN:2"),
            ListSource.UN,
            EntityKind.PERSON,
            (ListedName("Karim HADDADI"), ListedName("Karim HADADI")),
            (ListedBirthDate(date(1968, 1, 1), date(1971, 12, 31), DateExactness.RANGE),),
        ),
        entry("UN:3", "Karim HADDADI"),
        entry("UN:4", "Ali HADDADI", born=date(1970, 5, 6)),
    ]
    whole = NameIndex.build(people, tables)
    grown = NameIndex.build(people[:3], tables)
    grown.add(people[3])
    grown.finish()
    for name in ("day_table", "span_table", "undated_table"):
        for column, expected in zip(
            getattr(grown, name).columns(), getattr(whole, name).columns(), strict=True
        ):
            assert column.tolist() == expected.tolist(), name
    haddadi = whole.type_of_uid[whole.parse("HADDADI").name_tokens[0].uid]
    assert grown.day_table.postings(haddadi, 1970).tolist() == [0, 4]


def test_the_names_born_on_a_day_are_sorted_and_each_once(tables: NameTables) -> None:
    # The bounded search reads a day's names as they are (no sort, no dedup): an entry listing the
    # same day twice (sources repeat dates) must not list its names twice.
    day = date(1970, 3, 4)
    twice = (ListedBirthDate(day, day, DateExactness.EXACT),) * 2
    index = NameIndex.build(
        [
            ListEntry(
                EntityId("UN:1"),
                ListSource.UN,
                EntityKind.PERSON,
                (ListedName("Karim HADDADI"), ListedName("Karim HADADI")),
                twice,
            ),
            entry("UN:2", "Ali HADDADI", born=day),
            entry("UN:3", "Omar HADDADI", born=date(1971, 3, 4)),
        ],
        tables,
    )
    assert index.by_birth_date[day] == [0, 1, 2]
    assert index.by_birth_date[date(1971, 3, 4)] == [3]


def test_expansion_reaches_spellings_one_letter_apart(tables: NameTables) -> None:
    # Safi ~ Shafi: the skeletons differ (SF, CF) but the edit-distance rule accepts the pair, so
    # the index must offer it as a candidate.
    index = NameIndex.build([entry("OFAC:1", "ARMAR, Mohammad Shafi")], tables)
    found = {index.types[t].raw for t, _ in index.expand(index.parse("SAFI").name_tokens[0])}
    assert "SHAFI" in found


def test_spellings_of_one_person_share_date_and_facts_groups(tables: NameTables) -> None:
    # A list of spelling variants repeats one person's facts: the index keeps one birth-date group
    # and one nationality/gender group for them (bounds are worked out per group), and the
    # entries share the group's year sets instead of holding a million copies.
    born = (
        ListedBirthDate(date(1970, 3, 4), date(1970, 3, 4), DateExactness.EXACT),
        ListedBirthDate(date(1968, 1, 1), date(1969, 12, 31), DateExactness.RANGE),
    )
    spellings = [
        ListEntry(EntityId(f"UN:1~{i}"), ListSource.UN, EntityKind.PERSON, (ListedName(n),), born, ("mar",))
        for i, n in enumerate(("Karim HADDADI", "Kareem HADDADY", "Karim EL HADDADI"))
    ]
    other = entry("UN:2", "Karim HADDADI")
    index = NameIndex.build([*spellings, other], tables)
    assert list(index.entry_date_group) == [0, 0, 0, 1]
    assert index.date_groups == [((1970,), ((1968, 1969),)), ((), ())]
    assert list(index.entry_fact_group) == [0, 0, 0, 1]
    assert index.fact_groups[0][0] == frozenset({"MAR"})  # nationalities compared upper-case
    assert index.entry_day_years[0] is index.entry_day_years[2]
    assert list(index.name_type_count) == [len(n.types) for n in index.names]
    assert list(index.name_types) == [t for n in index.names for t in n.types]
