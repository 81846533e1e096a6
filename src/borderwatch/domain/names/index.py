"""The watch-list name index: every name of every entry, tokenised once, found again by its keys.

Candidate generation works on *token types* (distinct name parts): a traveller's part is looked up by
its consonant skeleton and by every skeleton one edit away (a deletion neighbourhood, so the lookup
stays a few dictionary reads), each type found is scored with the comparison rules, and the names
holding the types that agree are collected. Token rarity is counted at build time (in how many
entries a skeleton occurs) and becomes the part's weight, IDF-style: Mohamed weighs little,
Benjelloun much (names.md §1.3, §5.1).

For speed the index also keeps, per token type, the names holding it *by birth year* (apart for
entries listed with a day, `day_table`, and with a year, month or span, `span_table`) and
*among undated entries* (`undated_table`): a traveller with a birth date mostly reaches the
alert threshold through a listed person born that year, or one the list gives no date for; other
names need much stronger name evidence (see `screening.assess_candidates`). These postings are flat
columns (`PostingTable`), read in one C pass per part and year (`_gains.year_gains`).

The neighbourhoods find a few hundred token types for a common-looking part in a large index, and
only one in eight agrees well enough to count. The first time a part is seen, all of them are scored
by the comparison rules in one C pass (`_FormTable.scored`, `domain/_gains.c`); where that is not
built, the types no rule can accept are set aside in bulk (`_FormTable.possible`, a few numpy and
rapidfuzz calls) before compare.py scores the rest one by one. The result is the same either way.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import numpy as np
from rapidfuzz.distance import Levenshtein, Prefix
from rapidfuzz.process import cdist

from borderwatch.domain.names.compare import MatchRule, NameComparer, TokenMatch
from borderwatch.domain.names.normalize import NameParser, NameToken, ParsedName, TokenRole
from borderwatch.domain.names.variants import NameTables
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import (
    EntityKind,
    ListedName,
    ListEntry,
    NameQuality,
    normalise_document_number,
)

try:  # the union of the neighbourhood lists in C (see _gains.c); without it, a Python set
    from borderwatch.domain import _gains
except ImportError:  # pragma: no cover - a pure install (no C compiler, BORDERWATCH_COMPILE=0)
    _gains = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One listed name in the index: its entry, the name as listed, and its parsed form."""

    entry: int  # position of the ListEntry in NameIndex.entries
    listed: ListedName
    parsed: ParsedName
    types: tuple[int, ...]  # token type ids of its name parts (titles left out)


YEAR_KEY = 10_000  # day/span postings key: type_id * YEAR_KEY + year (years 1..9999)
# A part's expansion: the token types that agree with it (sorted) and, in step, how well.
Expansion: TypeAlias = "tuple[array[int], tuple[TokenMatch, ...]]"


@dataclass(frozen=True, slots=True)
class PostingTable:
    """Names by (token type, year) as flat columns, sorted by type, then year, then name.

    The postings of type `t` are keys `type_start[t]` to `type_start[t + 1]` (exclusive); key `k` is
    year `years[k]` with the names `names[post_start[k]:post_start[k + 1]]`. Undated postings use
    year 0. Four arrays instead of a dict of millions of small arrays: a tenth of the memory in a
    million spellings, and a part's postings of a year are read in C without a Python object.
    """

    type_start: np.ndarray  # int64, one per type and one past
    years: np.ndarray  # int32, sorted within each type
    post_start: np.ndarray  # int64, one per key and one past
    names: np.ndarray  # int32

    @classmethod
    def of(cls, keys: array[int], names: array[int], types: int) -> PostingTable:
        """Return the table of (type_id * YEAR_KEY + year, name id) pairs given in name order."""
        key_col = np.frombuffer(keys, dtype=np.int64) if len(keys) else np.zeros(0, dtype=np.int64)
        name_col = np.frombuffer(names, dtype=np.int32) if len(names) else np.zeros(0, dtype=np.int32)
        order = np.argsort(key_col, kind="stable")  # a key's names stay in the order added (name order)
        key_col = key_col[order]
        distinct, first = np.unique(key_col, return_index=True)
        type_of = distinct // YEAR_KEY
        return cls(
            type_start=np.searchsorted(type_of, np.arange(types + 1)).astype(np.int64),
            years=(distinct % YEAR_KEY).astype(np.int32),
            post_start=np.append(first, len(key_col)).astype(np.int64),
            names=np.ascontiguousarray(name_col[order]),
        )

    def pairs(self) -> tuple[array[int], array[int]]:
        """Return the (type_id * YEAR_KEY + year, name id) pairs the table was made of, in its order."""
        type_of = np.repeat(np.arange(len(self.type_start) - 1, dtype=np.int64), np.diff(self.type_start))
        keys = np.repeat(type_of * YEAR_KEY + self.years, np.diff(self.post_start))
        return array("q", keys.astype(np.int64).tobytes()), array("i", self.names.tobytes())

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return the four columns in the order `_gains.year_gains` reads them."""
        return self.type_start, self.years, self.post_start, self.names

    def postings(self, type_id: int, year: int) -> np.ndarray:
        """Return the names holding `type_id` in `year` (0: undated), in name order (empty if none)."""
        lo, hi = int(self.type_start[type_id]), int(self.type_start[type_id + 1])
        at = lo + int(np.searchsorted(self.years[lo:hi], year))
        if at == hi or self.years[at] != year:
            return self.names[:0]
        return self.names[self.post_start[at] : self.post_start[at + 1]]


def _no_postings() -> PostingTable:
    return PostingTable.of(array("q"), array("i"), 0)


def _years_of(entry: ListEntry) -> tuple[frozenset[int], frozenset[int]]:
    """Return the years of the entry's listed days, and the years its listed years, months, spans cover.

    A traveller's date agrees with a listed day (same day, day and month swapped, same year) only
    in that day's year, and with a listed year, month or span only inside it; elsewhere it is at
    best "within a year", which the model counts against the hit.
    """
    days: set[int] = set()
    spans: set[int] = set()
    for born in entry.birth_dates:
        if born.earliest == born.latest:
            days.add(born.earliest.year)
        else:
            spans.update(range(born.earliest.year, born.latest.year + 1))
    return frozenset(days), frozenset(spans)


_MIN_EDIT_KEY = 4  # shortest phonetic key the edit-distance rule can accept one letter off (3/4 = 0.75)


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


_RATIO_FLOOR = 0.75 - 1e-9  # the edit rule's least similarity (compare.form_match), with float slack
# The rules in the order `_gains.token_scores` numbers them.
_RULES = (
    MatchRule.EXACT,
    MatchRule.VARIANT,
    MatchRule.PHONETIC,
    MatchRule.SKELETON,
    MatchRule.TRANSLITERATION,
    MatchRule.EDIT,
    MatchRule.TRUNCATED,
    MatchRule.INITIAL,
    MatchRule.JOINED,
    MatchRule.DIFFERENT,
    MatchRule.NONE,
)
_MATCHES_HELD = 100_000  # distinct (score, rule, note) kept as shared TokenMatch objects at most


class _FormTable:
    """Every form of every token type as flat columns, to score a new name part against its
    neighbours in bulk.

    `scored` applies the comparison rules (`compare.NameComparer.token_match`) to every neighbour in
    one C pass (`_gains.token_scores`): the first time a part is seen, a few hundred types are scored
    at a cost per pair of a fraction of a microsecond, where the rules in Python cost several
    microseconds and a few objects per pair. The tests hold every score, rule and note to compare.py.

    Where the C module is not built, `possible` sets aside in bulk the types no rule can accept before
    compare.py scores the rest: a pair of forms scores above zero only through one of its rules:
    same skeleton (exact, phonetic, skeleton, transliteration), a shared variant family, phonetic keys
    at least 0.75 similar (edit), one text the start of the other (truncated, initial), or, across
    scripts, skeletons one edit apart. It keeps the types where some pair of forms meets one of these
    conditions (a superset of the types the rules accept), with rapidfuzz's matrices and numpy.
    """

    __slots__ = (
        "arabic",
        "columns",
        "family_id",
        "family_types",
        "lengths",
        "matches",
        "rules_table",
        "single",
        "skeleton_id",
        "skeleton_ids",
        "start",
    )

    def __init__(self, types: list[NameToken], comparer: NameComparer) -> None:
        start = [0]
        phonetic: list[str] = []
        skeleton: list[str] = []
        text: list[str] = []
        notes: list[str] = []
        penalties = array("d")
        first = bytearray()
        row_families: list[frozenset[str]] = []
        self.family_types: dict[str, set[int]] = {}
        for type_id, token in enumerate(types):
            for form in token.forms:
                phonetic.append(form.phonetic)
                skeleton.append(form.skeleton)
                text.append(form.text)
                notes.append(form.note)
                penalties.append(form.penalty)
                # The rules give a token's original-script text to its first form (by identity).
                is_first = form is token.forms[0]
                first.append(1 if is_first else 0)
                found = comparer.families(form.phonetic, token.native if is_first else "")
                row_families.append(found)
                for family in found:
                    self.family_types.setdefault(family, set()).add(type_id)
            start.append(len(phonetic))
        # Variant families as ids in name order (the notes name the least one), the look-alike
        # pairs the tables call different names as a matrix of those ids: the C rules read them.
        tables = comparer.tables
        names = sorted({f.key for f in tables.families}.union(*row_families))
        self.family_id = {name: i for i, name in enumerate(names)}
        distinct = bytearray(len(names) * len(names))
        for pair in tables.distinct:
            ids = [self.family_id[k] for k in pair if k in self.family_id]
            if len(ids) == len(pair):
                a, b = (ids[0], ids[-1])
                distinct[a * len(names) + b] = distinct[b * len(names) + a] = 1
        family_start, family_ids = self._families_as_ids(row_families)
        self.matches: dict[tuple[float, int, str], TokenMatch] = {}
        self.start = np.asarray(start, dtype=np.int64)
        self.single = np.diff(self.start) == 1  # types written one way only (nine in ten): one row each
        # Skeletons as numbers, so "same skeleton" is an integer comparison, not a string one.
        self.skeleton_ids: dict[str, int] = {}
        for key in skeleton:
            self.skeleton_ids.setdefault(key, len(self.skeleton_ids))
        self.skeleton_id = np.fromiter(
            (self.skeleton_ids[key] for key in skeleton), dtype=np.int64, count=len(skeleton)
        )
        # Object arrays gather a candidate's strings in C (`column[rows]`), lengths alongside (for
        # `possible`; the C rules read the code points packed below).
        self.columns = tuple(np.asarray(c, dtype=object) for c in (phonetic, skeleton, text))
        self.lengths = tuple(
            np.fromiter(map(len, c), dtype=np.int64, count=len(c)) for c in (phonetic, skeleton, text)
        )
        self.arabic = np.fromiter((t.script == "Arab" for t in types), dtype=bool, count=len(types))
        # Each row's phonetic key, skeleton and text as code points, one after the other in one column,
        # (offset, three lengths) per row: the C rules read a row from one place.
        chars, shape = array("i"), array("i")
        for row in zip(phonetic, skeleton, text, strict=True):
            shape.append(len(chars))
            for value in row:
                shape.append(len(value))
                chars.extend(map(ord, value))
        flags = bytes(f | (2 if note else 0) for f, note in zip(first, notes, strict=True))
        self.rules_table = (
            self.start,
            self.arabic,
            chars,
            shape,
            self.skeleton_id,
            skeleton,
            notes,
            penalties,
            flags,
            family_start,
            family_ids,
            bytes(distinct),
            names,
        )

    def _families_as_ids(self, families: list[frozenset[str]]) -> tuple[array[int], array[int]]:
        """Return each row's variant families as sorted ids: (start per row and one past, ids)."""
        family_start, family_ids = array("q", [0]), array("i")
        family_id = self.family_id
        for found in families:
            if found:
                family_ids.extend(sorted(family_id[name] for name in found))
            family_start.append(len(family_ids))
        return family_start, family_ids

    def scored(
        self, token: NameToken, type_ids: list[int] | bytes, comparer: NameComparer
    ) -> tuple[tuple[int, TokenMatch], ...] | None:
        """Return what `comparer.token_match` gives `token` against each of `type_ids` at the comparer's
        minimum score or more, the rules worked out in C (`_gains.token_scores`) in one pass; None
        when the C module is not built or a family of the part is unknown to the table."""
        if _gains is None:
            return None
        forms = token.forms
        families = [comparer.families(f.phonetic, token.native if f is forms[0] else "") for f in forms]
        if any(name not in self.family_id for found in families for name in found):
            return None
        family_start, family_ids = self._families_as_ids(families)
        query = (
            [f.phonetic for f in forms],
            [f.skeleton for f in forms],
            [f.text for f in forms],
            [f.note for f in forms],
            array("d", [f.penalty for f in forms]),
            bytes(1 if f is forms[0] else 0 for f in forms),
            family_start,
            family_ids,
            array("q", [self.skeleton_ids.get(f.skeleton, -1) for f in forms]),
        )
        found = _gains.token_scores(
            type_ids, self.rules_table, query, token.script == "Arab", comparer.min_score, _RATIO_FLOOR
        )
        matches = self.matches
        result = []
        for type_id, score, rule, note in found:
            key = (score, rule, note)
            match = matches.get(key)
            if match is None:
                match = TokenMatch(score, _RULES[rule], note)
                if len(matches) < _MATCHES_HELD:
                    matches[key] = match
            result.append((type_id, match))
        return tuple(result)

    def possible(self, token: NameToken, type_ids: list[int], comparer: NameComparer) -> list[int]:
        """Return the types of `type_ids` (sorted) that some rule could match with `token`, in order."""
        if len(type_ids) < 8:
            return type_ids
        forms = token.forms
        wanted = [self.skeleton_ids.get(f.skeleton, -1) for f in forms]
        ids = np.asarray(type_ids, dtype=np.int64)
        keep = self._possible_numpy(token, ids, wanted)
        # A shared variant family (Youssef ~ Yusuf) whatever the letters.
        families: set[str] = set()
        for form in forms:  # the original-script text goes with the first form, as in the rules
            families |= comparer.families(form.phonetic, token.native if form is forms[0] else "")
        if families:
            related = set().union(*(self.family_types.get(f, ()) for f in families))
            if related:
                keep |= np.fromiter((t in related for t in type_ids), dtype=bool, count=len(type_ids))
        kept: list[int] = ids[keep].tolist()
        return kept

    def _possible_numpy(self, token: NameToken, ids: np.ndarray, wanted: list[int]) -> np.ndarray:
        """Return, per type of `ids`, whether a pair of forms meets a condition other than a shared
        family, with rapidfuzz's matrices and numpy."""
        one_each = bool(self.single[ids].all())
        if one_each:  # the rows are the types' own, no grouping needed
            rows = self.start[ids]
            counts = seg = rows  # not read on this path (typed alike for the compiler)
        else:
            first, counts = self.start[ids], self.start[ids + 1] - self.start[ids]
            seg = np.cumsum(counts) - counts  # where each type's rows begin among the gathered rows
            rows = np.repeat(first - seg, counts) + np.arange(int(counts.sum()))
        forms = token.forms
        (phonetic, skeleton, text), (phon_len, skel_len, text_len) = self.columns, self.lengths
        # Same skeleton, or phonetic keys within the edit rule's reach (min length 3).
        ratios = cdist(
            [f.phonetic for f in forms],
            phonetic[rows].tolist(),
            scorer=Levenshtein.normalized_similarity,
            dtype=np.float64,
            score_cutoff=_RATIO_FLOOR,
        )
        len_q = np.asarray([len(f.phonetic) for f in forms])[:, None]
        ok = ((ratios >= _RATIO_FLOOR) & (np.minimum(len_q, phon_len[rows][None, :]) >= 3)).any(axis=0)
        skel_ids = self.skeleton_id[rows]
        ok |= skel_ids == wanted[0] if len(wanted) == 1 else np.isin(skel_ids, wanted)
        # One text the start of the other: truncated (both 5 letters or more) or an initial.
        common = cdist([f.text for f in forms], text[rows].tolist(), scorer=Prefix.similarity, dtype=np.int64)
        shorter = np.minimum(np.asarray([len(f.text) for f in forms])[:, None], text_len[rows][None, :])
        ok |= ((common == shorter) & ((shorter >= 5) | (shorter == 1))).any(axis=0)
        # Across scripts: skeletons one edit apart (both 3 letters or more).
        cross = self.arabic[ids] != (token.script == "Arab")
        if not one_each:
            cross = np.repeat(cross, counts)
        if cross.any():
            where = np.flatnonzero(cross)
            dist = cdist(
                [f.skeleton for f in forms],
                skeleton[rows[where]].tolist(),
                scorer=Levenshtein.distance,
                dtype=np.int64,
            )
            slen_q = np.asarray([len(f.skeleton) for f in forms])[:, None]
            near = ((dist <= 1) & (np.minimum(slen_q, skel_len[rows][where][None, :]) >= 3)).any(axis=0)
            ok[where[near]] = True
        keep: np.ndarray = ok if one_each else np.logical_or.reduceat(ok, seg)
        return keep


class NameIndex:
    """Names of list entries with their token types, postings, rarity and birth-date lookups."""

    __slots__ = (
        "_date_group_of",
        "_date_sets",
        "_day_keys",
        "_day_names",
        "_expansions",
        "_fact_group_of",
        "_forms",
        "_span_keys",
        "_span_names",
        "_token_facts",
        "_undated_keys",
        "_undated_names",
        "by_birth_date",
        "comparer",
        "date_groups",
        "day_table",
        "deletions",
        "document_entries",
        "entity_count",
        "entries",
        "entry_date_group",
        "entry_dated",
        "entry_day_years",
        "entry_fact_group",
        "entry_span_years",
        "fact_groups",
        "memo",
        "name_entry",
        "name_type_count",
        "name_types",
        "name_weak",
        "names",
        "parser",
        "phonetic_deletions",
        "phonetic_types",
        "skeleton_df",
        "skeleton_types",
        "span_table",
        "tables",
        "type_common",
        "type_idf",
        "type_names",
        "type_of_uid",
        "types",
        "undated_table",
    )

    def __init__(self, tables: NameTables) -> None:
        self.tables = tables
        self.parser = NameParser(tables)
        self.comparer = NameComparer(tables)
        self.entries: list[ListEntry] = []
        self.names: list[IndexedName] = []
        self.types: list[NameToken] = []
        self.type_of_uid: dict[str, int] = {}
        self.type_names: list[array[int]] = []  # names holding each type (arrays: 4 bytes a posting)
        # Types by key as int arrays (4 bytes a type, and read in one pass by the C union).
        self.skeleton_types: dict[str, array[int]] = {}
        # One letter deleted from a key -> the types of every key it comes from (their arrays, shared
        # with the dict above: a neighbourhood is gathered without looking each key up again).
        self.deletions: dict[str, list[array[int]]] = {}
        self.phonetic_types: dict[str, array[int]] = {}
        self.phonetic_deletions: dict[str, list[array[int]]] = {}
        self.skeleton_df: dict[str, int] = {}
        self.by_birth_date: dict[date, list[int]] = {}  # names of entries listed with that day, sorted
        # Entries by their listed document numbers (normalised): a traveller's document can add
        # its evidence only to these, so the bounded search need not assume it for every entry.
        self.document_entries: dict[str, list[int]] = {}
        self.entity_count = 0
        self._expansions: dict[str, Expansion] = {}
        # The alignment reads a part's matches from its expansion (the comparer holds these dicts, not
        # the index: no reference cycle), not from copies made into the comparer's memo up front.
        self.comparer.read_known(self._expansions, self.type_of_uid)
        self._forms: _FormTable | None = None
        self.type_idf: list[float] = []
        self.type_common: list[bool] = []
        self.name_entry = array("i")  # entry position of each name
        self.name_types = array("i")  # the token types of every name, one name after the other
        self.name_type_count = array("i")  # how many of `name_types` each name holds
        self.name_weak = bytearray()  # 1 when the name is a weak alias
        self.entry_day_years: list[frozenset[int]] = []  # years of the entry's listed days
        self.entry_span_years: list[frozenset[int]] = []  # years its listed years, months, spans cover
        self.entry_dated = bytearray()  # 1 when the entry gives any birth date
        # Entries grouped by their birth dates (years of days; year ranges of the other dates) and by
        # nationalities and gender: a list of spelling variants of one person repeats the same facts,
        # so what the facts add to a bound is worked out once per group, not once per entry.
        self.date_groups: list[tuple[tuple[int, ...], tuple[tuple[int, int], ...]]] = []
        self.entry_date_group = array("i")
        self.fact_groups: list[tuple[frozenset[str], Gender]] = []
        self.entry_fact_group = array("i")
        self._date_sets: list[tuple[frozenset[int], frozenset[int]]] = []
        self._date_group_of: dict[tuple[tuple[int, ...], tuple[tuple[int, int], ...]], int] = {}
        self._fact_group_of: dict[tuple[frozenset[str], Gender], int] = {}
        # (type_id * YEAR_KEY + year, name) of the listed days, of the listed years, months and spans,
        # and (type_id, name) of undated entries, as added; `finish` makes them tables.
        self._day_keys, self._day_names = array("q"), array("i")
        self._span_keys, self._span_names = array("q"), array("i")
        self._undated_keys, self._undated_names = array("q"), array("i")
        self.day_table = self.span_table = self.undated_table = _no_postings()
        self._token_facts: dict[str, tuple[float, bool]] = {}  # uid -> (idf, common)
        self.memo: dict[object, object] = {}  # per-config lookups built by the screening code

    @classmethod
    def build(cls, entries: Iterable[ListEntry], tables: NameTables) -> NameIndex:
        """Return the index of every name (primary, aliases, original script) of the given entries."""
        index = cls(tables)
        for entry in entries:
            index.add(entry)
        index.finish()
        return index

    def add(self, entry: ListEntry) -> None:
        """Add one entry's names (call `finish` after the last one)."""
        pos = len(self.entries)
        self.entries.append(entry)
        seen_skeletons: set[str] = set()
        seen_texts: set[str] = set()
        first_name = len(self.names)
        for listed in entry.names:
            if not listed.full_name.strip() or listed.full_name in seen_texts:
                continue
            seen_texts.add(listed.full_name)
            parsed = self.parser.parse(listed.full_name)
            type_ids = []
            for token in parsed.tokens:
                if token.role is not TokenRole.NAME:
                    continue
                type_id = self._type_id(token)
                type_ids.append(type_id)
                postings = self.type_names[type_id]
                if not postings or postings[-1] != len(self.names):
                    postings.append(len(self.names))
                seen_skeletons.add(token.key.skeleton)
            self.names.append(IndexedName(pos, listed, parsed, tuple(type_ids)))
            self.name_entry.append(pos)
            self.name_types.extend(type_ids)
            self.name_type_count.append(len(type_ids))
            self.name_weak.append(1 if listed.quality is NameQuality.WEAK_ALIAS else 0)
        for skeleton in seen_skeletons:
            self.skeleton_df[skeleton] = self.skeleton_df.get(skeleton, 0) + 1
        # Each day once per entry: a day's names stay sorted and distinct (entries come in order).
        for day in sorted({b.earliest for b in entry.birth_dates if b.earliest == b.latest}):
            self.by_birth_date.setdefault(day, []).extend(range(first_name, len(self.names)))
        ranges = tuple(
            sorted({(b.earliest.year, b.latest.year) for b in entry.birth_dates if b.earliest != b.latest})
        )
        day_years = tuple(sorted({b.earliest.year for b in entry.birth_dates if b.earliest == b.latest}))
        group = self._date_group_of.get((day_years, ranges))
        if group is None:
            group = self._date_group_of[(day_years, ranges)] = len(self.date_groups)
            self.date_groups.append((day_years, ranges))
            self._date_sets.append(_years_of(entry))
        # The group's sets are shared: a million entries would otherwise hold a million sets.
        days, spans = self._date_sets[group]
        self.entry_date_group.append(group)
        self.entry_day_years.append(days)
        self.entry_span_years.append(spans)
        self.entry_dated.append(1 if entry.birth_dates else 0)
        for number in {normalise_document_number(d.number) for d in entry.documents if d.number}:
            self.document_entries.setdefault(number, []).append(pos)
        nationalities = frozenset(v.upper() for v in entry.nationalities)
        fact_key = (nationalities, entry.gender)
        group = self._fact_group_of.get(fact_key)
        if group is None:
            group = self._fact_group_of[fact_key] = len(self.fact_groups)
            self.fact_groups.append((nationalities, entry.gender))
        self.entry_fact_group.append(group)
        if not self._day_keys and len(self.day_table.names):  # added to after `finish`: unpack the tables
            self._day_keys, self._day_names = self.day_table.pairs()
        if not self._span_keys and len(self.span_table.names):
            self._span_keys, self._span_names = self.span_table.pairs()
        if not self._undated_keys and len(self.undated_table.names):
            self._undated_keys, self._undated_names = self.undated_table.pairs()
        for name_id in range(first_name, len(self.names)):
            for type_id in set(self.names[name_id].types):
                key = type_id * YEAR_KEY
                for year in days:
                    self._day_keys.append(key + year)
                    self._day_names.append(name_id)
                for year in spans:
                    self._span_keys.append(key + year)
                    self._span_names.append(name_id)
                if not entry.birth_dates:
                    self._undated_keys.append(key)  # year 0
                    self._undated_names.append(name_id)

    def _type_id(self, token: NameToken) -> int:
        found = self.type_of_uid.get(token.uid)
        if found is not None:
            return found
        type_id = len(self.types)
        self.types.append(token)
        self.type_of_uid[token.uid] = type_id
        self.type_names.append(array("i"))
        for form in token.forms:
            if len(form.phonetic) >= _MIN_EDIT_KEY:
                holders = self.phonetic_types.setdefault(form.phonetic, array("i"))
                if not holders or holders[-1] != type_id:
                    holders.append(type_id)
            if not form.skeleton:
                continue
            holders = self.skeleton_types.setdefault(form.skeleton, array("i"))
            if not holders or holders[-1] != type_id:
                holders.append(type_id)
        return type_id

    def finish(self) -> None:
        """Build the deletion neighbourhood of the skeletons and count the persons indexed."""
        self.deletions = {}
        for skeleton, holders in self.skeleton_types.items():
            if len(skeleton) >= 3:
                for deleted in _deletions(skeleton):
                    self.deletions.setdefault(deleted, []).append(holders)
        self.phonetic_deletions = {}
        for key, holders in self.phonetic_types.items():
            for deleted in _deletions(key):
                self.phonetic_deletions.setdefault(deleted, []).append(holders)
        self.entity_count = sum(1 for e in self.entries if e.kind is EntityKind.PERSON) or len(self.entries)
        types = len(self.types)
        self.day_table = PostingTable.of(self._day_keys, self._day_names, types)
        self.span_table = PostingTable.of(self._span_keys, self._span_names, types)
        self.undated_table = PostingTable.of(self._undated_keys, self._undated_names, types)
        # The pairs live on in the tables only (12 bytes a posting less); `add` unpacks them again.
        self._day_keys, self._day_names = array("q"), array("i")
        self._span_keys, self._span_names = array("q"), array("i")
        self._undated_keys, self._undated_names = array("q"), array("i")
        self._token_facts.clear()
        self.type_idf = [self.idf(t) for t in self.types]
        self.type_common = [self.is_common(t) for t in self.types]
        self._expansions.clear()
        self._forms = _FormTable(self.types, self.comparer)
        self.memo.clear()

    def parse(self, text: str) -> ParsedName:
        """Return a name parsed with the index's tables (cached)."""
        return self.parser.parse(text)

    def idf(self, token: NameToken) -> float:
        """Return the rarity weight of a name part: ln((N + 1) / (entries holding its skeleton + 1))."""
        return self.token_facts(token)[0]

    def is_common(self, token: NameToken) -> bool:
        """True when the part is a very frequent given name by the common-names table."""
        return self.token_facts(token)[1]

    def token_facts(self, token: NameToken) -> tuple[float, bool]:
        """Return (rarity weight, is a very common given name) of a name part, memoised by its identity."""
        found = self._token_facts.get(token.uid) if token.uid else None
        if found is None:
            df = self.skeleton_df.get(token.key.skeleton, 0)
            form = token.key
            families = self.tables.families_of(form.phonetic, token.native)
            found = (
                math.log((self.entity_count + 1) / (df + 1)),
                self.tables.is_common(form.phonetic, form.text, families),
            )
            if token.uid and len(self._token_facts) < 1_000_000:
                self._token_facts[token.uid] = found
        return found

    def expand(self, token: NameToken) -> tuple[tuple[int, TokenMatch], ...]:
        """Return the indexed token types that agree with a traveller's name part, with how well."""
        ids, matches = self.expansion(token)
        return tuple(zip(ids, matches, strict=True))

    def expansion(self, token: NameToken) -> Expansion:
        """Return `expand` as two columns, the type ids (sorted) and their matches, memoised by the
        part's identity: a stream of new spellings keeps one per part, at 12 bytes a type (pairs of
        Python objects took 90)."""
        found = self._expansions.get(token.uid)
        if found is not None:
            return found
        forms = self._forms
        result = None
        if forms is not None and _gains is not None:
            # The neighbours as packed int32 ids, read as they are by the C rules: no int object
            # per neighbour (a few hundred; one in eight agrees).
            near = _gains.union(self._near_lists(token), len(self.types), True)
            result = forms.scored(token, near, self.comparer)
        if result is None:  # no C rules: the types no rule can accept set aside in bulk, the rest scored
            type_ids = self.neighbours(token)
            if forms is not None:
                type_ids = forms.possible(token, type_ids, self.comparer)
            result = self._scored(token, type_ids)
        found = (array("i", [t for t, _ in result]), tuple(m for _, m in result))
        if len(self._expansions) < 1_000_000:
            self._expansions[token.uid] = found
        return found

    def expand_exhaustive(self, token: NameToken) -> tuple[tuple[int, TokenMatch], ...]:
        """Return what `expand` does, scoring every neighbour by the rules (no bulk filter, no memo).

        The reference the tests hold `expand` to: every pair is scored by compare.py anew, not read
        from the comparer's memo nor from the expansions (which `token_match` reads).
        """
        return self._scored(token, self.neighbours(token), self.comparer.score_pair)

    def _scored(
        self,
        token: NameToken,
        type_ids: list[int],
        score: Callable[[NameToken, NameToken], TokenMatch] | None = None,
    ) -> tuple[tuple[int, TokenMatch], ...]:
        matches = []
        threshold = self.comparer.min_score
        score = score or self.comparer.token_match
        for type_id in type_ids:
            match = score(token, self.types[type_id])
            if match.score >= threshold:
                matches.append((type_id, match))
        return tuple(matches)

    def neighbours(self, token: NameToken) -> list[int]:
        """Return the token types near a name part by skeleton or phonetic key (one edit on each
        side), sorted, each once."""
        near = self._near_lists(token)
        if _gains is not None:  # the union in one C pass (see _gains.c), not a set updated list by list
            return _gains.union(near, len(self.types))
        type_ids: set[int] = set()
        for found in near:
            type_ids.update(found)
        return sorted(type_ids)

    def _near_lists(self, token: NameToken) -> list[array[int]]:
        """Return the lists of token types of every key near a name part (`neighbours` unites them)."""
        # The types of each key found, repeats and all (in a million spellings they overlap).
        near: list[array[int]] = []
        skeleton_types, deletions = self.skeleton_types, self.deletions
        for form in token.forms:
            key = form.skeleton
            if not key:
                continue
            found = skeleton_types.get(key)
            if found is not None:
                near.append(found)
            if len(key) >= 3:
                near.extend(deletions.get(key, ()))  # keys one letter longer
                for deleted in _deletions(key):
                    found = skeleton_types.get(deleted)  # one letter shorter
                    if found is not None:
                        near.append(found)
                    near.extend(deletions.get(deleted, ()))  # one letter replaced
        # Spellings one letter apart in the phonetic key (Safi ~ Shafi, Shalai ~ Shahlai): the
        # edit-distance rule accepts them though their skeletons may differ.
        phonetic_types, phonetic_deletions = self.phonetic_types, self.phonetic_deletions
        for form in token.forms:
            key = form.phonetic
            if len(key) < _MIN_EDIT_KEY:
                continue
            found = phonetic_types.get(key)
            if found is not None:
                near.append(found)
            near.extend(phonetic_deletions.get(key, ()))
            for deleted in _deletions(key):
                found = phonetic_types.get(deleted)
                if found is not None:
                    near.append(found)
                near.extend(phonetic_deletions.get(deleted, ()))
        return near

    def candidates(
        self,
        parsed: ParsedName,
        gain: Callable[[int, TokenMatch], float],
        *,
        birth_date: date | None = None,
        kinds: frozenset[EntityKind] = frozenset({EntityKind.PERSON}),
        limit: int = 25,
    ) -> list[tuple[int, float]]:
        """Return (name id, summed gain) of the indexed names most likely to match, best first.

        `gain(type_id, match)` says what an agreeing listed part is worth; per traveller part the best
        gain for each name is kept and summed, so the sum bounds the matched weight of a full alignment
        from above. Names of entries born on the traveller's birth date are always included.
        """
        scores: dict[int, float] = {}
        for token in parsed.name_tokens:
            best: dict[int, float] = {}
            for type_id, match in self.expand(token):
                value = gain(type_id, match)
                if value <= 0.0:
                    continue
                for name_id in self.type_names[type_id]:
                    if best.get(name_id, 0.0) < value:
                        best[name_id] = value
            for name_id, value in best.items():
                scores[name_id] = scores.get(name_id, 0.0) + value
        entries, names = self.entries, self.names
        chosen = heapq.nsmallest(
            limit,
            ((n, v) for n, v in scores.items() if entries[names[n].entry].kind in kinds),
            key=lambda kv: (-kv[1], kv[0]),
        )
        if birth_date is not None:
            have = {n for n, _ in chosen}
            for name_id in self.by_birth_date.get(birth_date, ()):
                if name_id not in have and entries[names[name_id].entry].kind in kinds:
                    chosen.append((name_id, scores.get(name_id, 0.0)))
        return chosen
