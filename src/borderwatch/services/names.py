"""Name-engine reference tables from package data, and the watch-list name index built from entries."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from importlib import resources

from borderwatch.domain.hits import MatchConfig
from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.names.normalize import forget_forms
from borderwatch.domain.names.transliterate import fold_arabic, latin_phonetic
from borderwatch.domain.names.variants import ArabicLetter, NameTables, ParticleKind, VariantFamily
from borderwatch.domain.screening import as_written, clear_part_patterns, prepare_index
from borderwatch.domain.watchlists import ListEntry
from borderwatch.errors import ConfigError


def _rows(name: str) -> list[dict[str, str]]:
    try:
        text = resources.files("borderwatch").joinpath("data", "names", name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"name table data/names/{name} is missing from the package: {exc}") from exc
    return list(csv.DictReader(text.splitlines()))


@functools.cache
def load_name_tables() -> NameTables:
    """Return the name tables (particles, variant families, look-alikes, common names, Arabic letters)."""
    try:
        particles = [(r["particle"].strip(), ParticleKind(r["kind"].strip())) for r in _rows("particles.csv")]
        families = [
            VariantFamily(r["family"].strip(), tuple(r["spellings"].split()), r.get("note", "") or "")
            for r in _rows("variant_families.csv")
        ]
        distinct = [(r["family_a"].strip(), r["family_b"].strip()) for r in _rows("distinct_names.csv")]
        common = [r["name"].strip() for r in _rows("common_given_names.csv")]
        letters = [
            ArabicLetter(r["letter"], r["name"], r["latin"], r["skeleton"], r["mrz"], r.get("note", "") or "")
            for r in _rows("arabic_letters.csv")
        ]
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"a name table in data/names is malformed: {exc}") from exc
    return NameTables.build(
        particles=particles,
        families=families,
        distinct=distinct,
        common=common,
        letters=letters,
        phonetic=latin_phonetic,
        fold_native=fold_arabic,
    )


def forget_name_memos() -> None:
    """Return nothing; empty the name engine's process-wide memos (forms, listed spellings of parts).

    The indexes keep their own memos and are freed with them; these few outlive an index. Nothing
    screened changes: a benchmark calls this to measure each run as a fresh process would.
    """
    forget_forms()
    as_written.cache_clear()
    clear_part_patterns()


def build_name_index(
    entries: Iterable[ListEntry], tables: NameTables | None = None, config: MatchConfig | None = None
) -> NameIndex:
    """Return the name index over every name of the given list entries, ready to screen with `config`.

    The lookups screening needs for `config` (the default one when not given) are built here, at
    start-up, rather than on the first traveller.
    """
    index = NameIndex.build(entries, tables or load_name_tables())
    prepare_index(index, config or MatchConfig())
    return index
