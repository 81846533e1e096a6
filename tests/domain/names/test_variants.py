"""Variant families and look-alikes loaded as objects."""

from __future__ import annotations

from borderwatch.domain.names.transliterate import fold_arabic, latin_phonetic
from borderwatch.domain.names.variants import NameTables


def test_families_found_by_phonetic_key_and_arabic(tables: NameTables) -> None:
    assert "yusuf" in tables.families_of(latin_phonetic("YOUSSEF"))
    assert "yusuf" in tables.families_of(latin_phonetic("MOUSSA")) or "musa" in tables.families_of(
        latin_phonetic("MOUSSA")
    )
    assert "muhammad" in tables.families_of("", fold_arabic("مُحَمَّد"))


def test_distinct_look_alikes(tables: NameTables) -> None:
    mahmud = tables.families_of(latin_phonetic("MAHMOUD"))
    muhammad = tables.families_of(latin_phonetic("MOHAMED"))
    assert tables.are_distinct(mahmud, muhammad)
    assert not tables.are_distinct(muhammad, muhammad)


def test_common_names(tables: NameTables) -> None:
    key = latin_phonetic("MOHAMMED")
    assert tables.is_common(key, "MOHAMMED", tables.families_of(key))
    assert not tables.is_common(latin_phonetic("BENJELLOUN"), "BENJELLOUN", frozenset())
