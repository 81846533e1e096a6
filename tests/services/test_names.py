"""Name tables load from package data; every variant spelling resolves to its family."""

from __future__ import annotations

from borderwatch.domain.names.transliterate import latin_phonetic
from borderwatch.services.names import load_name_tables


def test_tables_load() -> None:
    tables = load_name_tables()
    assert tables.particles["ABDEL"].value == "abd"
    assert len(tables.letters) > 40
    for family in tables.families:
        for spelling in family.spellings:
            if spelling.isascii():
                assert family.key in tables.families_of(latin_phonetic(spelling)), spelling
