"""Screening: a traveller against the indexed watch lists, giving hits that explain themselves.

A `ScreeningSubject` goes in, `Hit`s with `Evidence` come out: those types, the contract between
the name engine (`domain/names/`), the services and the console, live in `domain/hits.py`. This
module is compiled by mypyc when the install can (see setup.py).
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
import operator
import re
from array import array
from collections.abc import Callable, Sequence
from datetime import date
from typing import Final, TypeAlias, final

import numpy as np

from borderwatch.domain.hits import (
    BirthDateAgreement,
    Evidence,
    FactAgreement,
    Hit,
    MatchConfig,
    ScreeningSubject,
)
from borderwatch.domain.names.compare import NameComparison, TokenMatch
from borderwatch.domain.names.index import NameIndex, PostingTable
from borderwatch.domain.names.normalize import NameToken, ParsedName
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import (
    DateExactness,
    ListedBirthDate,
    ListEntry,
    NameQuality,
    normalise_document_number,
)

try:  # the merges of gains per name in C (see _gains.c); without it, the numpy code below
    from borderwatch.domain import _gains
except ImportError:  # pragma: no cover - a pure install (no C compiler, BORDERWATCH_COMPILE=0)
    _gains = None  # type: ignore[assignment]


@functools.lru_cache(maxsize=65536)
def as_written(part: str, name: str) -> str:
    """Return a name part as the full name writes it (its casing, hyphens, apostrophes), else as given.

    Parts are compared in folded upper case (`AL ANIZI`); the officer checks them against the list's
    own spelling (`al-'Anizi`). Both come from the index, so the answers are kept: each hit asks
    again for the parts of its listed name.
    """
    if not part.isascii() or not any(ch.isalnum() for ch in part):
        return part
    if name.isascii():
        span = _ascii_span(part.lower(), name)
        return name[span[0] : span[1]] if span else part
    found = _part_pattern(part).search(name)
    return found.group(0) if found else part


def _ascii_span(part: str, name: str) -> tuple[int, int] | None:
    """Return where `_part_pattern(part)` first matches an ASCII `name` (part in lower case), or None.

    The same leftmost match as the pattern's, without compiling one per part. Among ASCII characters
    the pattern's separators (non-word characters and `_`) are exactly the non-alphanumerics, and a
    separator run is skipped whole (it cannot hold the next letter), so each start position is tried
    once, without backtracking. A million listed spellings hold tens of thousands of parts, and
    compiling a pattern costs ~0.3 ms: most of a new hit's explanation.
    """
    letters = [ch for ch in part if ch.isalnum()]
    low = name.lower()
    end = len(low)
    start = low.find(letters[0])
    while start != -1:
        at, k = start + 1, 1
        while k < len(letters):
            while at < end and not low[at].isalnum():
                at += 1
            if at < end and low[at] == letters[k]:
                at += 1
                k += 1
            else:
                break
        if k == len(letters):
            return start, at
        start = low.find(letters[0], start + 1)
    return None


@functools.lru_cache(maxsize=8192)
def _part_pattern(part: str) -> re.Pattern[str]:
    """Return a pattern finding a part's letters in a name, whatever separates them (- ' space).

    Used for names outside ASCII (case folding there is the regex engine's); see `_ascii_span`.
    """
    return re.compile(r"[\W_]*".join(re.escape(ch) for ch in part if ch.isalnum()), re.IGNORECASE)


def clear_part_patterns() -> None:
    """Return nothing; empty the memo of `_part_pattern` (see services.names.forget_name_memos)."""
    _part_pattern.cache_clear()


def compare_birth_date(
    day: date | None, listed: tuple[ListedBirthDate, ...]
) -> tuple[BirthDateAgreement, str]:
    """Return the strongest agreement between a birth date and the listed ones, and the listed text."""
    if day is None or not listed:
        return BirthDateAgreement.UNKNOWN, ""
    best, text = BirthDateAgreement.CONFLICT, ""
    for born in listed:
        found = _one_birth_date(day, born)
        if _DOB_RANK[found] < _DOB_RANK[best]:
            best, text = found, born.text or _span_text(born)
    if best is BirthDateAgreement.CONFLICT:
        text = "; ".join(b.text or _span_text(b) for b in listed)
    return best, text


def _span_text(born: ListedBirthDate) -> str:
    if born.earliest == born.latest:
        return born.earliest.isoformat()
    if born.earliest.year == born.latest.year:
        return str(born.earliest.year)
    return f"{born.earliest.year}-{born.latest.year}"


def _one_birth_date(day: date, born: ListedBirthDate) -> BirthDateAgreement:
    if born.earliest == born.latest:
        listed_day = born.earliest
        if listed_day == day:
            return BirthDateAgreement.EXACT
        if (listed_day.year, listed_day.month, listed_day.day) == (day.year, day.day, day.month):
            return BirthDateAgreement.SWAPPED
        if listed_day.year == day.year:
            return BirthDateAgreement.SAME_YEAR
    elif born.exactness is DateExactness.MONTH and born.earliest.year == day.year:
        return BirthDateAgreement.IN_YEAR  # a month-only date is a partial date of that year
    elif born.contains(day):
        if born.exactness in (DateExactness.YEAR, DateExactness.MONTH) or (
            (born.latest - born.earliest).days <= 366
        ):
            return BirthDateAgreement.IN_YEAR
        return BirthDateAgreement.IN_RANGE
    gap = min(abs((day - born.earliest).days), abs((day - born.latest).days))
    if gap <= 366 or (born.exactness is DateExactness.APPROXIMATE and gap <= 2 * 366):
        return BirthDateAgreement.NEAR
    return BirthDateAgreement.CONFLICT


def compare_fact(value: str, listed: tuple[str, ...]) -> FactAgreement:
    """Return whether a traveller's value is among the listed ones (codes compared as given)."""
    if not value or not listed:
        return FactAgreement.UNKNOWN
    return FactAgreement.MATCH if value.upper() in {v.upper() for v in listed} else FactAgreement.CONFLICT


# NameFeatures, Assessment and _Bounds are made per candidate (or per traveller): plain classes
# with read-only (Final) attributes, which mypyc compiles to native classes made in a tenth of the
# time of a frozen dataclass (see compare.AlignedPair). They are never compared or hashed by value.


@final
class NameFeatures:
    """The name evidence of one traveller name against one listed name, as model inputs."""

    __slots__ = (
        "listed_weight",
        "matched",
        "matched_beyond_best",
        "rests_on_common",
        "traveller_weight",
        "unmatched_listed",
        "unmatched_traveller",
    )

    def __init__(
        self,
        *,
        matched: float,  # sum over aligned parts of weight x agreement
        matched_beyond_best: float,  # the same sum without its largest term: support beyond one part
        traveller_weight: float,  # total weight of the traveller's name parts
        listed_weight: float,  # total weight of the listed name's parts
        unmatched_traveller: float,  # weight of traveller parts left over
        unmatched_listed: float,  # weight of listed parts left over
        rests_on_common: bool,  # every aligned part is a very common name
    ) -> None:
        self.matched: Final = matched
        self.matched_beyond_best: Final = matched_beyond_best
        self.traveller_weight: Final = traveller_weight
        self.listed_weight: Final = listed_weight
        self.unmatched_traveller: Final = unmatched_traveller
        self.unmatched_listed: Final = unmatched_listed
        self.rests_on_common: Final = rests_on_common

    def __repr__(self) -> str:
        return "NameFeatures(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"

    @property
    def coverage_traveller(self) -> float:
        """Return the share of the traveller's name weight that was matched."""
        return self.matched / self.traveller_weight if self.traveller_weight else 0.0

    @property
    def coverage_listed(self) -> float:
        """Return the share of the listed name weight that was matched."""
        return self.matched / self.listed_weight if self.listed_weight else 0.0

    def log_odds(self, config: MatchConfig) -> float:
        """Return the name terms of the model."""
        return (
            config.w_matched * self.matched
            + config.w_matched_beyond_best * self.matched_beyond_best
            + config.w_coverage_traveller * self.coverage_traveller
            + config.w_coverage_listed * self.coverage_listed
            + config.w_unmatched_traveller * self.unmatched_traveller
            + config.w_unmatched_listed * self.unmatched_listed
        )


def token_weight(index: NameIndex, token: NameToken, config: MatchConfig) -> float:
    """Return a name part's weight: its rarity in the lists, capped for very common given names."""
    weight = min(config.max_token_weight, max(config.min_token_weight, index.idf(token)))
    if index.is_common(token):
        weight = min(weight, config.common_token_weight)
    return weight


def agreement(score: float, config: MatchConfig) -> float:
    """Return how much of a part's weight a token match earns: 0 at `agreement_floor`, 1 when exact.

    A fuzzy match of a rare part is far more likely by chance than an exact one, so it earns less.
    """
    span = 1.0 - config.agreement_floor
    return min(1.0, max(0.0, (score - config.agreement_floor) / span)) if span > 0 else 1.0


def name_features(
    index: NameIndex,
    comparison: NameComparison,
    config: MatchConfig,
    weigh: Callable[[NameToken], tuple[float, bool]] | None = None,
) -> NameFeatures:
    """Return the model inputs for an alignment of a traveller's name with a listed name.

    `weigh(token)` gives (weight, very common) of a part; by default from `token_weight`.
    """
    if weigh is None:
        weigh = functools.partial(_default_weigh, index, config)

    matched = 0.0
    largest = 0.0
    seen_listed: set[int] = set()
    seen_traveller: set[int] = set()
    common_only = True
    matched_q = matched_l = 0.0
    for pair in comparison.pairs:
        w_l, common_l = weigh(pair.listed)
        w_q, common_q = weigh(pair.traveller)
        matched_q += w_q
        matched_l += w_l
        if pair.listed_pos in seen_listed or pair.traveller_pos in seen_traveller:
            continue  # a joined/split pair counts once
        seen_listed.add(pair.listed_pos)
        seen_traveller.add(pair.traveller_pos)
        term = min(w_l, w_q) * agreement(pair.match.score, config)
        matched += term
        largest = max(largest, term)
        if not (common_l or common_q):
            common_only = False
    un_q = sum(weigh(t)[0] for t in comparison.unmatched_traveller)
    un_l = sum(weigh(t)[0] for t in comparison.unmatched_listed)
    return NameFeatures(
        matched=matched,
        matched_beyond_best=matched - largest,
        traveller_weight=matched_q + un_q,
        listed_weight=matched_l + un_l,
        unmatched_traveller=un_q,
        unmatched_listed=un_l,
        rests_on_common=common_only,
    )


def _default_weigh(index: NameIndex, config: MatchConfig, token: NameToken) -> tuple[float, bool]:
    """Return (weight, very common) of a name part, worked out afresh."""
    return token_weight(index, token, config), index.is_common(token)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@final
class Assessment:
    """One candidate entry for a traveller, with the model inputs behind its score."""

    __slots__ = (
        "birth_date",
        "birth_date_text",
        "comparison",
        "document",
        "entry",
        "features",
        "gender",
        "name_id",
        "nationality",
        "parsed",
        "weak_alias",
    )

    def __init__(
        self,
        *,
        entry: int,  # position in NameIndex.entries
        name_id: int,  # the listed name that matched best
        parsed: ParsedName,  # the traveller's name as compared
        comparison: NameComparison,
        features: NameFeatures,
        birth_date: BirthDateAgreement,
        birth_date_text: str,
        nationality: FactAgreement,
        gender: FactAgreement,
        document: str,  # the shared document number, "" when none
        weak_alias: bool,
    ) -> None:
        self.entry: Final = entry
        self.name_id: Final = name_id
        self.parsed: Final = parsed
        self.comparison: Final = comparison
        self.features: Final = features
        self.birth_date: Final = birth_date
        self.birth_date_text: Final = birth_date_text
        self.nationality: Final = nationality
        self.gender: Final = gender
        self.document: Final = document
        self.weak_alias: Final = weak_alias

    def __repr__(self) -> str:
        return (
            f"Assessment(entry={self.entry}, name_id={self.name_id}, birth_date={self.birth_date}, "
            f"nationality={self.nationality}, gender={self.gender}, document={self.document!r}, "
            f"weak_alias={self.weak_alias}, features={self.features!r})"
        )

    def log_odds(self, config: MatchConfig) -> float:
        """Return z, the model's log-odds that traveller and entry are one person."""
        return _log_odds(
            config,
            self.features,
            self.weak_alias,
            self.birth_date,
            self.nationality,
            self.gender,
            self.document,
        )

    def score(self, config: MatchConfig) -> float:
        """Return the probability-like score in [0, 1]; a weak alias alone stays below the threshold."""
        score = _sigmoid(self.log_odds(config))
        if self.weak_alias and self.birth_date is not BirthDateAgreement.EXACT and not self.document:
            score = min(score, math.nextafter(config.alert_threshold, 0.0))  # names.md §5.10
        return score


def _log_odds(
    config: MatchConfig,
    features: NameFeatures,
    weak_alias: bool,
    dob: BirthDateAgreement,
    nationality: FactAgreement,
    gender: FactAgreement,
    document: str,
) -> float:
    """Return the model's log-odds from the name features and the other facts (see `MatchConfig`)."""
    z_name = features.log_odds(config)
    if weak_alias:
        z_name *= config.weak_alias_factor
    z = config.intercept + z_name + config.dob_weight(dob)
    if dob is BirthDateAgreement.UNKNOWN:
        z += config.w_matched_without_date * features.matched  # names are all there is
    if nationality is FactAgreement.MATCH:
        z += config.w_nationality_match
    elif nationality is FactAgreement.CONFLICT:
        z += config.w_nationality_conflict
    if gender is FactAgreement.MATCH:
        z += config.w_gender_match
    elif gender is FactAgreement.CONFLICT:
        z += config.w_gender_conflict
    if document:
        z += config.w_document_match
    return z


def _listed_weight(index: NameIndex, type_id: int, config: MatchConfig) -> float:
    weight = min(config.max_token_weight, max(config.min_token_weight, index.type_idf[type_id]))
    return min(weight, config.common_token_weight) if index.type_common[type_id] else weight


_DOB_RANK = {agreement: rank for rank, agreement in enumerate(BirthDateAgreement)}


def _entry_facts(
    subject: ScreeningSubject, entry: ListEntry, travel_docs: set[str]
) -> tuple[BirthDateAgreement, str, FactAgreement, FactAgreement, str]:
    dob, dob_text = compare_birth_date(subject.birth_date, entry.birth_dates)
    gender = FactAgreement.UNKNOWN
    if subject.gender in (Gender.MALE, Gender.FEMALE) and entry.gender in (Gender.MALE, Gender.FEMALE):
        gender = FactAgreement.MATCH if subject.gender is entry.gender else FactAgreement.CONFLICT
    shared = ""
    if travel_docs and entry.documents:
        found = sorted(
            travel_docs & {normalise_document_number(d.number) for d in entry.documents if d.number}
        )
        shared = found[0] if found else ""
    return dob, dob_text, compare_fact(subject.nationality, entry.nationalities), gender, shared


# The best gain per listed name: a dict, or (names, gains) arrays when it holds many names, or as
# `_gains.year_gains` makes them: (int32 names, ranks, the part's gains), a name's gain gains[rank].
_GainMap: TypeAlias = "dict[int, float] | tuple[np.ndarray, np.ndarray] | tuple[bytes, bytes, array[float]]"
# Postings from which a map of gains is made as arrays. With the C merges, arrays are cheap to make
# and to merge, and beat a dict from 64 postings (1 M names: dev queries +17% after the cold pass,
# UN + OFAC unchanged); with numpy, whose calls cost microseconds each, only from 512.
_ARRAY_MAP_FROM = 512 if _gains is None else 64


def _first_gains(
    found: list[tuple[array[int], float]], name_ok: bytes, array_from: int = _ARRAY_MAP_FROM
) -> _GainMap:
    """Return each name's first gain (screened kinds only) over postings given best gain first.

    Few postings make a dict. Many make arrays (names in the order met), in one pass of the C merge
    (`_gains.first_gains`; numpy where it is not built) instead of a dict insert per posting, and at
    a tenth of the memory. The part maps are made so where the C module is not built (`_year_gains`);
    with it, `_gains.year_gains` makes them from the posting tables directly.
    """
    total = 0
    for postings, _ in found:
        total += len(postings)
    if total < array_from or not total:
        best: dict[int, float] = {}
        for postings, gain in found:
            for name_id in postings:
                if name_id not in best and name_ok[name_id]:
                    best[name_id] = gain
        return best
    if _gains is not None:
        ids_bytes, gains_bytes = _gains.first_gains([p for p, _ in found], [g for _, g in found], name_ok)
        return np.frombuffer(ids_bytes, dtype=np.int64), np.frombuffer(gains_bytes, dtype=np.float64)
    return _first_gains_numpy(found, name_ok)


def _first_gains_numpy(
    found: list[tuple[array[int], float]], name_ok: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """Return `_first_gains`'s arrays with numpy (names sorted): the reference of the C merge."""
    ids = np.concatenate([np.frombuffer(p, dtype=np.int32) for p, _ in found])
    gains = np.repeat(np.asarray([g for _, g in found], dtype=np.float64), [len(p) for p, _ in found])
    names, first = np.unique(ids, return_index=True)  # a name's first posting holds its best gain
    ok = np.frombuffer(name_ok, dtype=np.bool_)[names]
    return names[ok].astype(np.int64), gains[first][ok]


class _PartGains:
    """What one traveller name part can earn against the index (for one config), memoised per part.

    Besides the gain per token type (best first), a part keeps, per listed name of the screened
    kinds, the best gain it can give among undated entries and, per birth year asked, among the
    entries listed with a day or a span in that year: a query merges a few ready maps. Each map is
    made in one pass over the index's posting tables (`_year_gains`).
    """

    __slots__ = ("_undated", "best", "by_year", "name_ok", "reach", "types", "values", "walks", "weight")

    def __init__(
        self, index: NameIndex, gains: list[tuple[int, float]], weight: float, name_ok: bytes
    ) -> None:
        gains.sort(key=_by_gain)
        # The types and their gains, best first, as two flat arrays (12 bytes a type, where pairs of
        # Python objects took 80): a stream of new travellers keeps a part for each new spelling.
        self.types = array("i", [t for t, _ in gains])
        self.values = array("d", [g for _, g in gains])
        self.best = gains[0][1] if gains else 0.0
        self.weight = weight
        self.name_ok = name_ok
        self.by_year: dict[int, _GainMap] = {}
        self._undated: _GainMap | None = None  # made when a traveller first needs it (see `undated`)
        # reach[k]: names held by the k best types (postings counted with repeats), to choose how
        # a walk over them is done (made on the first walk); walks[k]: that walk, made once per
        # part (see `walk`).
        self.reach: list[int] = []
        self.walks: dict[int, dict[int, float] | tuple[np.ndarray, np.ndarray]] = {}

    def walk(
        self, index: NameIndex, plan: _Plan, floor: float
    ) -> tuple[dict[int, float] | tuple[np.ndarray, np.ndarray], bool]:
        """Return the best gain per name (screened kinds only) over the types worth `floor` or more,
        and whether it is kept.

        Gains come best first, so the walk is fixed by how many types reach `floor`: it is made
        once per count and kept (within `_WALKS_HELD`). A long walk comes as (names, gains) arrays,
        a short one as a dict.
        """
        values = self.values
        count = len(values)
        if count and values[-1] < floor:
            count = bisect.bisect_right(values, -floor, key=operator.neg)  # the types with g >= floor
        found = self.walks.get(count)
        if found is not None:
            return found, True
        types = list(zip(self.types[:count], values[:count], strict=True))
        if not self.reach:
            reach = [0]
            for type_id in self.types:
                reach.append(reach[-1] + len(index.type_names[type_id]))
            self.reach = reach
        if self.reach[count] > _VECTOR_WALK_FROM:
            found = plan.vectors(index).walk(types)
        else:
            best: dict[int, float] = {}
            type_names, name_ok = index.type_names, self.name_ok
            for type_id, gain in types:
                for name_id in type_names[type_id]:
                    if name_id not in best and name_ok[name_id]:
                        best[name_id] = gain
            found = best
        size = len(found) if isinstance(found, dict) else len(found[0])
        if len(self.walks) < 16 and plan.walk_size + size <= _WALKS_HELD:
            self.walks[count] = found
            plan.walk_size += size  # a million spellings must not hold a walk per part forever
            return found, True
        return found, False

    def undated(self, index: NameIndex) -> _GainMap:
        """Return the best gain per name of the undated entries (types best first: the first gain
        met for a name is its best).

        Made on first use: in a million spellings a common part's undated names run to tens of
        thousands, and most travellers never search that class with it (their birth date makes the
        dated classes cheaper to reach, or the part is walked over all names instead).
        """
        found = self._undated
        if found is None:
            found = self._undated = _year_gains(self, (index.undated_table,), (0,))
        return found

    def near_year(self, index: NameIndex, year: int) -> _GainMap:
        """Return the best gain per name of the entries listed with a day or span up to two years
        from `year` (but not in it)."""
        key = -year
        found = self.by_year.get(key)
        if found is None:
            # One merge over the postings of all those years (types best first: the first gain met
            # for a name is its best in any of them), not a map per year merged again: a new part
            # costs a third of the time (the years' own maps are made when a traveller asks).
            years = tuple(year + offset for offset in _NEAR_YEARS)
            found = _year_gains(self, (index.day_table, index.span_table), years)
            if len(self.by_year) < 256:
                self.by_year[key] = found
        return found

    def in_year(self, index: NameIndex, year: int, spans: bool) -> _GainMap:
        """Return the best gain per name of the entries listed with a day (or, with `spans`, a year,
        month or span) in `year`."""
        key = year * 2 + spans
        found = self.by_year.get(key)
        if found is None:
            table = index.span_table if spans else index.day_table
            found = _year_gains(self, (table,), (year,))
            if len(self.by_year) < 256:
                self.by_year[key] = found
        return found


def _by_gain(gain: tuple[int, float]) -> float:
    """Sort key of a part's (type, gain) pairs: best gain first."""
    return -gain[1]


def _year_gains(part: _PartGains, tables: Sequence[PostingTable], years: Sequence[int]) -> _GainMap:
    """Return each name's first gain (screened kinds only) over the postings of a part's types (best
    first) in `years` in `tables`: type after type, year after year, table after table.

    In one C pass over the index's flat posting tables (`_gains.year_gains`): int32 names in the
    order met with the rank of each one's first type (uint16), and the part's gains the ranks index
    (6 bytes a name, as the maps are kept across travellers), which the C merges read as they are. Where the C
    module is not built, the postings are looked up one by one and merged by `_first_gains`.
    """
    name_ok = part.name_ok
    if _gains is not None:
        return _gains.year_gains(part.types, part.values, [t.columns() for t in tables], years, name_ok)
    held: list[tuple[array[int], float]] = []
    for type_id, gain in zip(part.types, part.values, strict=True):
        for year in years:
            for table in tables:
                names = table.postings(type_id, year)
                if len(names):
                    held.append((array("i", names.tobytes()), gain))
    return _first_gains(held, name_ok)


class _Plan:
    """Per-config lookups for the bounded search: weights per listed name, gains per name part.

    The search bounds each candidate's log-odds from above before aligning it (MaxScore-style):
    the name terms by `m`, the summed best gain per traveller part, with the coverage shares at most
    `m / traveller weight` and `m / listed weight`; the facts by what the candidate's birth-date class
    allows and its nationality and gender as they are. A candidate whose bound stays below the alert
    threshold's log-odds cannot alert and is never aligned.

    The index keeps its plans (`NameIndex.memo`); a plan and its arrays hold no reference back to
    the index (it is passed in), so a dropped index is freed by reference counting alone, even
    when the server has moved it out of the garbage collector's reach (`gc.freeze`).
    """

    __slots__ = (
        "_vectors",
        "_weights",
        "config",
        "dob_best",
        "entry_facts",
        "group_gender",
        "group_nats",
        "listed_weight",
        "name_ok",
        "name_weak",
        "parts",
        "slope",
        "slope_undated",
        "type_weight",
        "w_cl",
        "w_ct",
        "walk_size",
    )

    def __init__(self, index: NameIndex, config: MatchConfig) -> None:
        self.config = config
        # Config-free facts come ready from the index (arrays, groups); only the weights are per config.
        type_weight = np.fromiter(
            (_listed_weight(index, t, config) for t in range(len(index.types))),
            dtype=np.float64,
            count=len(index.types),
        )
        counts = np.asarray(index.name_type_count, dtype=np.int64)
        owner = np.repeat(np.arange(len(counts)), counts)
        flat = np.asarray(index.name_types, dtype=np.int64)
        # bincount adds each name's weights in order, as `sum` would: the same floats.
        self.listed_weight: list[float] = np.bincount(
            owner, weights=type_weight[flat], minlength=len(counts)
        ).tolist()
        self.type_weight: list[float] = type_weight.tolist()  # `_listed_weight` of each token type
        kinds = config.entity_kinds
        ok = np.fromiter((e.kind in kinds for e in index.entries), dtype=np.uint8, count=len(index.entries))
        self.name_ok = ok[np.asarray(index.name_entry, dtype=np.int64)].tobytes() if len(ok) else b""
        self.name_weak = bytes(index.name_weak)
        # Entries with the same nationalities and gender share one facts group (see _search).
        self.entry_facts = index.entry_fact_group
        self.group_nats = [nats for nats, _ in index.fact_groups]
        self.group_gender = [g for _, g in index.fact_groups]
        self.parts: dict[str, _PartGains] = {}
        self._weights: dict[str, tuple[float, bool]] = {}
        self._vectors: _Vectors | None = None
        self.walk_size = 0  # names held in the parts' kept walks (see `_PartGains.walk`)
        self.slope = max(0.0, config.w_matched) + max(0.0, config.w_matched_beyond_best)
        self.slope_undated = self.slope + max(0.0, config.w_matched_without_date)
        self.w_ct = max(0.0, config.w_coverage_traveller)
        self.w_cl = max(0.0, config.w_coverage_listed)
        # The best each birth-date class can add, for a traveller with a birth date (see `_search`).
        self.dob_best = (
            config.w_dob_exact,
            max(config.w_dob_same_year, config.w_dob_swapped),
            max(config.w_dob_in_year, config.w_dob_in_range),
            max(config.w_dob_near, config.w_dob_conflict),
            config.w_dob_conflict,
            0.0,
        )

    @classmethod
    def of(cls, index: NameIndex, config: MatchConfig) -> _Plan:
        """Return the plan for a config, built once per index."""
        # The caller's own config object and its plan: an equal config made per request (from the
        # settings) is hashed once, not once per traveller (hashing ~40 fields costs microseconds).
        last = index.memo.get("last")
        if isinstance(last, tuple) and last[0] is config and isinstance(last[1], _Plan):
            return last[1]
        found = index.memo.get(config)
        if not isinstance(found, _Plan):
            found = cls(index, config)
            if len(index.memo) > 8:
                index.memo.clear()
            index.memo[config] = found
        index.memo["last"] = (config, found)
        return found

    def part(self, index: NameIndex, token: NameToken) -> _PartGains:
        """Return what a traveller name part can earn against the plan's index, memoised by its identity."""
        found = self.parts.get(token.uid) if token.uid else None
        if found is None:
            config = self.config
            weight = token_weight(index, token, config)
            gains = []
            type_weight = self.type_weight
            floor = config.agreement_floor
            span = 1.0 - floor
            ids, matches = index.expansion(token)
            for type_id, match in zip(ids, matches, strict=True):
                # An aligned pair earns min(listed weight, traveller weight) x agreement (see
                # `name_features`): a very common part (Mohamed, capped at `common_token_weight`)
                # earns no more against a rare listed spelling one letter away than its own weight.
                # (`agreement` written out: the same floats, without a call and four config reads
                # a type.)
                listed = type_weight[type_id]
                agreed = min(1.0, max(0.0, (match.score - floor) / span)) if span > 0 else 1.0
                gain = (listed if listed < weight else weight) * agreed
                if gain > 0.0:
                    gains.append((type_id, gain))
            found = _PartGains(index, gains, weight, self.name_ok)
            if token.uid and len(self.parts) < 1_000_000:
                self.parts[token.uid] = found
        return found

    def vectors(self, index: NameIndex) -> _Vectors:
        """Return the plan's index's facts as arrays (built on first use: small indexes never need them)."""
        if self._vectors is None:
            self._vectors = _Vectors(index, self)
        return self._vectors

    def weigh(self, index: NameIndex, token: NameToken) -> tuple[float, bool]:
        """Return (weight, very common) of a name part of the plan's index, memoised by its identity."""
        found = self._weights.get(token.uid) if token.uid else None
        if found is None:
            found = (token_weight(index, token, self.config), index.is_common(token))
            if token.uid and len(self._weights) < 1_000_000:
                self._weights[token.uid] = found
        return found

    def name_bound(
        self, matched: float, traveller_weight: float, listed_weight: float, undated: bool
    ) -> float:
        """Return a bound from above of the name terms of a name whose summed best gain is `matched`."""
        cov_t = min(1.0, matched / traveller_weight) if traveller_weight > 0 else 1.0
        cov_l = min(1.0, matched / listed_weight) if listed_weight > 0 else 1.0
        return (
            self.w_ct * cov_t + self.w_cl * cov_l + (self.slope_undated if undated else self.slope) * matched
        )

    def requirements(
        self, base: float, dob_best: tuple[float, ...], traveller_weight: float, min_z: float
    ) -> list[float]:
        """Return `required` for each birth-date class, from log-odds `base` plus the class's best."""
        required = self.required
        return [required(base + dob_best[c], traveller_weight, c == _UNDATED, min_z) for c in range(6)]

    def required(self, base: float, traveller_weight: float, undated: bool, min_z: float) -> float:
        """Return the least summed gain with which a name could reach `min_z` from log-odds `base`.

        The name terms are bounded with the listed coverage at 1: `w_ct * min(1, m / tw) + w_cl + s * m`,
        piecewise linear and increasing in m, so the root is found directly (inf: never reached).
        """
        need = min_z - base - self.w_cl
        if need <= 0.0:
            return 0.0
        slope = self.slope_undated if undated else self.slope
        if traveller_weight > 0.0:
            knee = self.w_ct + slope * traveller_weight  # the bound's value at m = traveller weight
            if need <= knee:
                return need / (self.w_ct / traveller_weight + slope)
            need -= self.w_ct
        return need / slope if slope > 0.0 else math.inf


_ARRAYS_HELD = 10_000_000  # names (12 bytes each) kept as arrays across travellers at most
_WALKS_HELD = 5_000_000  # names kept in the parts' walks over all names, across travellers at most
_VECTOR_WALK_FROM = 2_000  # postings from which a walk over all names is done on arrays
_VECTOR_DAY_FROM = 64  # names born on the traveller's day from which their gains are summed on arrays
_SLACK = 1e-9  # rounding allowance when a bound is compared with a required gain (also in _gains.c)
_NO_NAMES = np.zeros(0, dtype=np.int64)
_NO_GAINS = np.zeros(0, dtype=np.float64)


def _as_numpy(
    found: tuple[np.ndarray, np.ndarray] | tuple[bytes, bytes, array[float]],
) -> tuple[np.ndarray, np.ndarray]:
    """Return a map of gains held as arrays or ranked (see `_year_gains`) as numpy arrays."""
    if len(found) == 3:
        ids, ranks, gains = found
        names = np.frombuffer(ids, dtype=np.int32).astype(np.int64)
        width = len(ranks) // len(names) if len(names) else 2
        at = np.frombuffer(ranks, dtype=np.uint16 if width == 2 else np.uint32)
        return names, np.asarray(gains, dtype=np.float64)[at]
    return found


def _day_arrays(on_day: _GainMap) -> tuple[np.ndarray, np.ndarray]:
    """Return the names born on the traveller's day and their summed gains as arrays."""
    if isinstance(on_day, tuple):
        return _as_numpy(on_day)
    if not on_day:
        return _NO_NAMES, _NO_GAINS
    return (
        np.fromiter(on_day.keys(), dtype=np.int64, count=len(on_day)),
        np.fromiter(on_day.values(), dtype=np.float64, count=len(on_day)),
    )


# Merged postings from which the candidates are bounded on arrays rather than in the dict loop of
# `_search`: always with the C merges (as fast as the loop on UN + OFAC's small maps), from 200 with numpy.
_VECTOR_FROM = 200 if _gains is None else 0


@final
class _Bounds:
    """What bounds a traveller's candidates: log-odds parts and per-class gains (see `_search`)."""

    __slots__ = (
        "base",
        "born",
        "config",
        "dob_best",
        "document_z",
        "min_z",
        "need",
        "other",
        "plan",
        "rest",
        "subject",
        "traveller_weight",
    )

    def __init__(
        self,
        base: float,
        other: float,
        document_z: float,
        dob_best: tuple[float, ...],
        rest: list[float],
        need: list[float],
        traveller_weight: float,
        min_z: float,
        born: date | None,
        subject: ScreeningSubject,
        config: MatchConfig,
        plan: _Plan,
    ) -> None:
        self.base: Final = base
        self.other: Final = other
        self.document_z: Final = document_z
        self.dob_best: Final = dob_best
        self.rest: Final = rest
        self.need: Final = need
        self.traveller_weight: Final = traveller_weight
        self.min_z: Final = min_z
        self.born: Final = born
        self.subject: Final = subject
        self.config: Final = config
        self.plan: Final = plan


class _Vectors:
    """The per-name and per-entry facts of an index as numpy arrays, to bound many candidates at once.

    A large index (a million spellings) can put thousands of names within reach of one traveller;
    bounding them one by one in Python costs milliseconds, as arrays some tens of microseconds.
    """

    __slots__ = (
        "_born",
        "_classes",
        "_facts",
        "array_size",
        "arrays",
        "day_years",
        "group_dated",
        "group_gender",
        "group_nats",
        "listed_weight",
        "name_dates",
        "name_entry",
        "name_facts",
        "name_ok",
        "name_weak",
        "records",
        "span_hi",
        "span_lo",
        "type_names",
        "type_postings",
    )

    def __init__(self, index: NameIndex, plan: _Plan) -> None:
        # The index's own lists, not the index or the plan: no reference cycle (see `_Plan`).
        self.type_names = index.type_names
        self.group_nats, self.group_gender = plan.group_nats, plan.group_gender
        self.name_entry = np.asarray(index.name_entry, dtype=np.int64)
        self.listed_weight = np.asarray(plan.listed_weight, dtype=np.float64)
        self.name_weak = np.asarray(bytearray(plan.name_weak), dtype=np.uint8).astype(bool)
        self.name_ok = np.asarray(bytearray(plan.name_ok), dtype=np.uint8).astype(bool)
        self.type_postings: dict[int, np.ndarray] = {}
        # Each name's facts and birth-date groups, straight (one lookup per candidate, not two).
        self.name_facts = np.asarray(index.entry_fact_group, dtype=np.int32)[self.name_entry]
        self.name_dates = np.asarray(index.entry_date_group, dtype=np.int32)[self.name_entry]
        # The same facts packed one record per name for the C merges (16 bytes, see _gains.c): a
        # name met is then one random read of memory, not four.
        self.records = np.zeros(0, dtype=np.uint8)
        if _gains is not None:
            packed = np.zeros(  # native byte order, as the C struct reads it
                len(self.name_entry), dtype=[("dates", np.int32), ("facts", np.int32), ("weight", np.float64)]
            )
            packed["dates"] = self.name_dates
            packed["facts"] = np.where(self.name_weak, -1 - self.name_facts, self.name_facts)
            packed["weight"] = self.listed_weight
            self.records = packed.view(np.uint8)
        self._born: dict[date, np.ndarray] = {}  # names born on a day, screened kinds only
        # Per birth-date group (not per entry: spellings of one person share their dates), the listed
        # days by year, and the listed years, months and spans as ranges of years; 0 pads.
        groups = index.date_groups
        self.group_dated = np.asarray([bool(d or r) for d, r in groups], dtype=bool)
        width_d = max((len(d) for d, _ in groups), default=0) or 1
        width_s = max((len(r) for _, r in groups), default=0) or 1
        self.day_years = np.zeros((len(groups), width_d), dtype=np.int64)
        self.span_lo = np.full((len(groups), width_s), 10**6, dtype=np.int64)
        self.span_hi = np.full((len(groups), width_s), -(10**6), dtype=np.int64)
        for i, (years, ranges) in enumerate(groups):
            self.day_years[i, : len(years)] = years
            for j, (lo, hi) in enumerate(ranges):
                self.span_lo[i, j] = lo
                self.span_hi[i, j] = hi
        self._classes: dict[int, np.ndarray] = {}
        self._facts: dict[tuple[str, Gender | None], np.ndarray] = {}
        # Gains per name as arrays, by the identity of the (memoised, never changed) dict they copy.
        self.arrays: dict[int, tuple[dict[int, float], np.ndarray, np.ndarray]] = {}
        self.array_size = 0  # names held in `arrays`, kept under _ARRAYS_HELD

    def on_day(
        self, day: date, names: Sequence[int], day_maps: list[_GainMap]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (names, summed gain) of the names born on `day` (screened kinds only, sorted), summed
        over the parts' maps of the day's year: arrays, as the bound reads them."""
        ids = self._born.get(day)
        if ids is None:
            ids = np.asarray(names, dtype=np.int64)  # sorted and distinct (see NameIndex.by_birth_date)
            ids = ids[self.name_ok[ids]]
            if len(self._born) >= 4096:
                self._born.clear()
            self._born[day] = ids
        if _gains is not None:
            return ids, np.frombuffer(_gains.day_sums(ids, day_maps, len(self.name_ok)), dtype=np.float64)
        sums = np.zeros(len(ids))
        if len(ids):
            for day_map in day_maps:
                found, gains = self.as_arrays(day_map, True)
                at = np.minimum(np.searchsorted(ids, found), len(ids) - 1)
                hit = ids[at] == found
                sums[at[hit]] += gains[hit]  # a name appears once per map
        return ids, sums

    def walk(self, types: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Return (names, best gain) over the postings of `types` (best gain first), screened kinds only."""
        if _gains is not None:
            type_names = self.type_names
            ids_bytes, gains_bytes = _gains.first_gains(
                [type_names[t] for t, _ in types], [g for _, g in types], self.name_ok
            )
            return np.frombuffer(ids_bytes, dtype=np.int64), np.frombuffer(gains_bytes, dtype=np.float64)
        postings = [self.postings(t) for t, _ in types]
        ids = np.concatenate(postings)
        gains = np.concatenate([np.full(len(p), g) for p, (_, g) in zip(postings, types, strict=True)])
        names, first = np.unique(ids, return_index=True)  # the first time a name is met is its best gain
        ok = self.name_ok[names]
        return names[ok], gains[first][ok]

    def postings(self, type_id: int) -> np.ndarray:
        """Return the names holding a token type, as an array (kept for the types walked)."""
        found = self.type_postings.get(type_id)
        if found is None:
            found = np.asarray(self.type_names[type_id], dtype=np.int64)
            if len(self.type_postings) >= 200_000:
                self.type_postings.clear()
            self.type_postings[type_id] = found
        return found

    def entry_classes(self, year: int) -> np.ndarray:
        """Return each birth-date group's class for a traveller born in `year` (the day itself aside)."""
        found = self._classes.get(year)
        if found is None:
            days, lo, hi = self.day_years, self.span_lo, self.span_hi
            near = ((days > 0) & (np.abs(days - year) <= 2)).any(axis=1) | (
                (lo - 2 <= year) & (year <= hi + 2)
            ).any(axis=1)
            found = np.select(
                [
                    ((lo <= year) & (year <= hi)).any(axis=1),
                    (days == year).any(axis=1),
                    self.group_dated & near,
                    self.group_dated,
                ],
                [_SPAN, _SAME_YEAR, _NEAR, _ELSEWHERE],
                _UNDATED,
            ).astype(np.int8)
            if len(self._classes) >= 128:
                self._classes.clear()
            self._classes[year] = found
        return found

    def group_facts(self, subject: ScreeningSubject, config: MatchConfig) -> np.ndarray:
        """Return, per facts group, the log-odds its nationalities and gender add for this traveller."""
        nationality = subject.nationality.upper()
        gender = subject.gender if subject.gender in (Gender.MALE, Gender.FEMALE) else None
        found = self._facts.get((nationality, gender))
        if found is None:
            values = []
            for nats, listed_gender in zip(self.group_nats, self.group_gender, strict=True):
                z = 0.0
                if nationality and nats:
                    z += config.w_nationality_match if nationality in nats else config.w_nationality_conflict
                if gender is not None and listed_gender in (Gender.MALE, Gender.FEMALE):
                    z += config.w_gender_match if listed_gender is gender else config.w_gender_conflict
                values.append(z)
            found = np.asarray(values, dtype=np.float64)
            if len(self._facts) >= 1024:
                self._facts.clear()
            self._facts[(nationality, gender)] = found
        return found

    def as_arrays(self, gains: _GainMap, cached: bool) -> tuple[np.ndarray, np.ndarray]:
        """Return a name -> gain map as (ids, gains) arrays, kept for the memoised maps."""
        if isinstance(gains, tuple):
            return _as_numpy(gains)
        found = self.arrays.get(id(gains)) if cached else None
        if found is None or found[0] is not gains:
            ids = np.fromiter(gains.keys(), dtype=np.int64, count=len(gains))
            values = np.fromiter(gains.values(), dtype=np.float64, count=len(gains))
            if not cached:
                return ids, values
            if self.array_size + len(ids) > _ARRAYS_HELD:
                self.arrays.clear()
                self.array_size = 0
            found = self.arrays[id(gains)] = (gains, ids, values)
            self.array_size += len(ids)
        return found[1], found[2]

    def survivors(
        self,
        maps: list[tuple[_GainMap, bool]],
        walks: list[tuple[np.ndarray, np.ndarray]],
        on_day: _GainMap,
        b: _Bounds,
    ) -> list[tuple[int, float, float]]:
        """Return (name id, bound of the summed gain, bound of z) of the names whose bound reaches `min_z`.

        `maps`: the gains per name of each part, with whether the map is memoised (its arrays are kept).
        The same bound as `_search`'s loop, computed in one pass of the C merge (`_gains.survivors`),
        or on numpy arrays where it is not built (`survivors_numpy`): merge the gains per name, find
        each name's birth-date class, add the gains of the parts not searched for it, bound the
        log-odds.
        """
        others = (_SAME_YEAR, _SPAN, _NEAR, _ELSEWHERE, _UNDATED) if b.born is not None else (_UNDATED,)
        floor = min(b.need[c] - b.rest[c] for c in others)
        plan, config = b.plan, b.config
        if _gains is not None:
            merged: list[_GainMap] = [m for m, _ in maps]
            merged.extend(walks)
            day_ids, day_sums = _day_arrays(on_day)
            return _gains.survivors(
                merged,
                day_ids,
                day_sums,
                floor,
                None if b.born is None else self.entry_classes(b.born.year),
                self.records,
                self.group_facts(b.subject, config),
                b.rest,
                b.dob_best,
                (
                    b.base + b.document_z,
                    b.document_z,
                    b.traveller_weight,
                    plan.w_ct,
                    plan.w_cl,
                    plan.slope,
                    plan.slope_undated,
                    config.weak_alias_factor,
                    b.min_z,
                ),
                config.max_candidates,
            )
        return self.survivors_numpy(maps, walks, on_day, b, floor)

    def survivors_numpy(
        self,
        maps: list[tuple[_GainMap, bool]],
        walks: list[tuple[np.ndarray, np.ndarray]],
        on_day: _GainMap,
        b: _Bounds,
        floor: float,
    ) -> list[tuple[int, float, float]]:
        """Return what `survivors` does, with numpy: the reference of the C merge (names in order)."""
        plan, config = b.plan, b.config
        pairs = [self.as_arrays(m, cached) for m, cached in maps] + walks
        if not pairs:
            pairs = [(np.zeros(0, dtype=np.int64), np.zeros(0))]
        ids = np.concatenate([p[0] for p in pairs])
        gains = np.concatenate([p[1] for p in pairs])
        names, inverse = np.unique(ids, return_inverse=True)
        matched = np.bincount(inverse, weights=gains)
        # A name whose summed gain, with the best gains of the parts not searched for its class,
        # stays below that class's required gain cannot alert whatever its class (`need` already
        # counts the best nationality, gender and document terms): it is dropped before its class
        # and facts are looked up. In a million spellings most names reached hold one cheap part.
        if floor > 0.0:
            close = matched >= floor - _SLACK
            names, matched = names[close], matched[close]
        day_ids, day_sums = _day_arrays(on_day)
        if len(day_ids):
            names = np.concatenate([names, day_ids])
            matched = np.concatenate([matched, day_sums])
            names, first = np.unique(names[::-1], return_index=True)  # the on-day sums win
            matched = matched[::-1][first]
            born_on_day = first < len(day_ids)  # reversed, the day's names come first
        if b.born is None:
            klass = np.full(len(names), _UNDATED, dtype=np.int64)
        else:
            klass = self.entry_classes(b.born.year)[self.name_dates[names]].astype(np.int64)
            if len(day_ids):
                klass[born_on_day] = _DAY
        matched = matched + np.where(klass == _DAY, 0.0, np.asarray(b.rest)[klass])
        weak = self.name_weak[names]
        keep = ~weak | (klass == _DAY) | (b.document_z > 0)  # a weak alias alone never alerts
        # The nationality and gender share of the log-odds: per facts group, once per traveller's facts.
        facts = self.group_facts(b.subject, config)[self.name_facts[names]]
        z = b.base + b.document_z + facts + np.asarray(b.dob_best)[klass]
        tw = b.traveller_weight
        cov_t = np.minimum(1.0, matched / tw) if tw > 0 else np.ones(len(names))
        lw = self.listed_weight[names]
        cov_l = np.where(lw > 0, np.minimum(1.0, matched / np.where(lw > 0, lw, 1.0)), 1.0)
        slope = np.where(klass == _UNDATED, plan.slope_undated, plan.slope)
        z_name = plan.w_ct * cov_t + plan.w_cl * cov_l + slope * matched
        z_name = np.where(weak, np.maximum(z_name, z_name * config.weak_alias_factor), z_name)
        bound = z + z_name
        chosen = np.flatnonzero(keep & (bound >= b.min_z))
        if len(chosen) > config.max_candidates:
            # Only the best max_candidates are ever aligned (as in `_search`): best bound, then name id.
            chosen = chosen[np.lexsort((names[chosen], -bound[chosen]))[: config.max_candidates]]
        return list(
            zip(names[chosen].tolist(), matched[chosen].tolist(), bound[chosen].tolist(), strict=True)
        )


# Birth-date classes of a listed name against a traveller's date, for the bounded search.
_DAY, _SAME_YEAR, _SPAN, _NEAR, _ELSEWHERE, _UNDATED = range(6)
_DATED_CLASSES = (_SAME_YEAR, _SPAN, _NEAR, _ELSEWHERE, _UNDATED)  # searched for a traveller with a date
_NO_DOB = (0.0,) * 6  # what the classes add for a traveller without a birth date
_NEAR_YEARS = (-2, -1, 1, 2)  # "within a year" (two for circa dates) reaches at most two years away


def _search(
    subject: ScreeningSubject,
    index: NameIndex,
    config: MatchConfig,
    parsed: ParsedName,
    plan: _Plan,
    min_z: float,
) -> list[tuple[int, float, float]]:
    """Return (name id, bound of the summed gain, bound of the log-odds) of the names that may reach `min_z`.

    Names fall in classes by what their birth dates can add: born on the traveller's day, listed
    with another day of that year, listed with a year or span holding it, dated elsewhere (only
    against the hit), undated. Per class, the parts too cheap to reach the class's required gain
    together are not searched (MaxScore): a name holding none of the others cannot alert. A
    name's bound adds, to what was found, the best gains of the parts not searched for its class.
    """
    parts = [plan.part(index, t) for t in parsed.name_tokens]
    traveller_weight = sum(p.weight for p in parts)
    born = subject.birth_date
    w_nat_match = config.w_nationality_match
    w_nat_conflict = config.w_nationality_conflict
    other = max(0.0, w_nat_match) if subject.nationality else 0.0
    gender = subject.gender if subject.gender in (Gender.MALE, Gender.FEMALE) else None
    if gender is not None:
        other += max(0.0, config.w_gender_match)
    # A document number adds its evidence only to the entries listing it: when no entry lists
    # any of the traveller's numbers (nearly always), no bound counts it.
    document_z = 0.0
    if subject.document_numbers and any(
        normalise_document_number(n) in index.document_entries for n in subject.document_numbers if n
    ):
        document_z = max(0.0, config.w_document_match)
    other += document_z
    base = config.intercept
    if born is None:
        dob_best = _NO_DOB
        classes: tuple[int, ...] = (_UNDATED,)
    else:
        dob_best = plan.dob_best
        classes = _DATED_CLASSES
    need = plan.requirements(base + other, dob_best, traveller_weight, min_z)
    # Per part, which classes it is searched for; per class, the best gains of the parts it is not.
    order = sorted(range(len(parts)), key=lambda i: parts[i].best)
    searched = [[False] * 6 for _ in parts]
    rest = [0.0] * 6
    for c in classes:
        cheap = 0.0
        for i in order:
            if cheap + parts[i].best < need[c]:
                cheap += parts[i].best
            else:
                searched[i][c] = True
    year = born.year if born is not None else 0
    name_ok = plan.name_ok
    total_best = sum(p.best for p in parts)
    maps: list[_GainMap] = []
    walks: list[tuple[np.ndarray, np.ndarray]] = []  # long walks over all names, done on arrays
    transient: set[int] = set()  # ids of the maps made for this traveller only (not kept)
    for part, wanted in zip(parts, searched, strict=True):
        for c in classes:
            if not wanted[c]:
                rest[c] += part.best
        full = wanted[_UNDATED] if born is None else wanted[_ELSEWHERE]
        if full:
            # All names, for the class searched through every name; the walk then stands for the
            # part in every class (a name's best gain is the same whatever map finds it), so the
            # per-year maps are not added on top of it: a name is counted once per part. A name
            # reached through a type worth less than `floor` would need more than all the other
            # parts can give to reach the least required gain of the classes searched: such types
            # are not walked.
            floor = min(need[c] for c in classes if wanted[c]) - (total_best - part.best)
            walked_names, kept = part.walk(index, plan, floor)
            if isinstance(walked_names, dict):
                maps.append(walked_names)
                if not kept:
                    transient.add(id(walked_names))
            else:
                walks.append(walked_names)
            continue
        if born is not None:
            # A name met twice (listed with a day and a span that year, or also by the walk over
            # all names) is counted twice: its bound only grows, which is safe. (The year maps
            # kept by the part are looked up here first: most travellers find them made.)
            if wanted[_SAME_YEAR]:
                maps.append(part.by_year.get(year * 2) or part.in_year(index, year, spans=False))
            if wanted[_SPAN]:
                maps.append(part.by_year.get(year * 2 + 1) or part.in_year(index, year, spans=True))
            if wanted[_NEAR]:
                maps.append(part.near_year(index, year))
            if wanted[_UNDATED]:
                maps.append(part.undated(index))
    on_day: _GainMap = {}  # the names born on the traveller's day: a dict, or arrays when many
    if born is not None and born in index.by_birth_date:
        # Born on the traveller's day: every part counts (its best gain among that year's days).
        listed_on_day = index.by_birth_date[born]
        day_maps = [part.in_year(index, year, spans=False) for part in parts]
        day_dicts = [m for m in day_maps if isinstance(m, dict)]
        if len(listed_on_day) > _VECTOR_DAY_FROM or len(day_dicts) < len(day_maps):
            on_day = plan.vectors(index).on_day(born, listed_on_day, day_maps)
        else:
            summed = dict.fromkeys((n for n in listed_on_day if name_ok[n]), 0.0)
            for day_map in day_dicts:
                for name_id in summed:
                    summed[name_id] += day_map.get(name_id, 0.0)
            on_day = summed
    merged = 0  # names in the maps, counted until an array map or too many send them to the arrays
    for gained in maps:
        if not isinstance(gained, dict) or merged > _VECTOR_FROM:
            merged = _VECTOR_FROM + 1
            break
        merged += len(gained)
    if walks or merged > _VECTOR_FROM:
        bounds = _Bounds(
            base,
            other,
            document_z,
            dob_best,
            rest,
            need,
            traveller_weight,
            min_z,
            born,
            subject,
            config,
            plan,
        )
        return plan.vectors(index).survivors(
            [(m, id(m) not in transient) for m in maps], walks, on_day, bounds
        )
    if not isinstance(on_day, dict):
        day_ids, day_sums = _as_numpy(on_day)
        on_day = dict(zip(day_ids.tolist(), day_sums.tolist(), strict=True))
    scores: dict[int, float] = {}
    get = scores.get
    for gained in maps:
        if isinstance(gained, dict):  # every map is a small dict here
            for name_id, gain in gained.items():
                scores[name_id] = get(name_id, 0.0) + gain
    scores.update(on_day)
    name_entry, entry_dated = index.name_entry, index.entry_dated
    day_years, span_years = index.entry_day_years, index.entry_span_years
    listed_weight, name_ok, name_weak = plan.listed_weight, plan.name_ok, plan.name_weak
    group_nats, group_gender = plan.group_nats, plan.group_gender
    nationality = subject.nationality.upper()
    w_ct, w_cl, slope, slope_undated = plan.w_ct, plan.w_cl, plan.slope, plan.slope_undated
    w_gender_match, w_gender_conflict = config.w_gender_match, config.w_gender_conflict
    weak_factor = config.weak_alias_factor
    day_set = on_day
    entry_facts = plan.entry_facts
    facts_z: dict[int, float] = {}
    found = []
    # As in `_Vectors.survivors`: a name whose summed gain, with the best gains of the parts not
    # searched for its class, stays below every class's required gain cannot alert; it is dropped
    # before its class and facts are looked up (most names met hold one cheap, common part).
    floor = min(need[c] - rest[c] for c in classes) - _SLACK
    for name_id, matched in scores.items():
        if (matched < floor and name_id not in day_set) or not name_ok[name_id]:
            continue
        entry = name_entry[name_id]
        if born is None:
            klass = _UNDATED
        elif name_id in day_set:
            klass = _DAY
        elif year in span_years[entry]:
            klass = _SPAN
        elif year in day_years[entry]:
            klass = _SAME_YEAR
        elif entry_dated[entry]:
            days, spans = day_years[entry], span_years[entry]
            klass = _ELSEWHERE
            for offset in _NEAR_YEARS:
                if year + offset in days or year + offset in spans:
                    klass = _NEAR
                    break
        else:
            klass = _UNDATED
        if klass != _DAY:
            matched += rest[klass]
        if name_weak[name_id] and klass != _DAY and not document_z:
            continue  # a weak alias alone never alerts (names.md §5.10)
        signature = entry_facts[entry]
        z = facts_z.get(signature)
        if z is None:
            z = base + document_z
            nats = group_nats[signature]
            if nationality and nats:
                z += w_nat_match if nationality in nats else w_nat_conflict
            listed_gender = group_gender[signature]
            if gender is not None and listed_gender in (Gender.MALE, Gender.FEMALE):
                z += w_gender_match if listed_gender is gender else w_gender_conflict
            facts_z[signature] = z
        z += dob_best[klass]
        share = matched / traveller_weight if traveller_weight > 0 else 1.0
        z_name = (
            w_ct * (share if share < 1.0 else 1.0) + (slope_undated if klass == _UNDATED else slope) * matched
        )
        weight = listed_weight[name_id]
        share = matched / weight if weight > 0 else 1.0
        z_name += w_cl * (share if share < 1.0 else 1.0)
        if name_weak[name_id]:
            z_name = max(z_name, z_name * weak_factor)
        if z + z_name >= min_z:
            found.append((name_id, matched, z + z_name))
    if len(found) > config.max_candidates:  # only the best max_candidates are ever aligned
        found = heapq.nsmallest(config.max_candidates, found, key=lambda f: (-f[2], f[0]))
    return found


def assess_candidates(
    subject: ScreeningSubject,
    index: NameIndex,
    config: MatchConfig,
    *,
    prune: bool = False,
    best_of: int | None = None,
) -> list[Assessment]:
    """Return the candidate entries for a traveller with their evidence (no threshold applied).

    Without `prune`, the best `config.max_candidates` names by overlap (and those born on the
    traveller's birth date) are all assessed, as the fitting of the coefficients and the console's
    wide search need. With `prune`, a candidate is aligned only if its score, bounded from above
    before the alignment (see `_Plan`), can reach `config.alert_threshold`; candidates are aligned
    best bound first, and with `best_of` the search stops once `best_of` entries score above what
    any remaining candidate could (so the best `best_of` alerts are exact), or after
    `config.max_candidates` alignments.
    """
    names, travel_docs = _names_and_documents(subject)
    facts: dict[int, _Facts] = {}
    min_z = _min_log_odds(config)
    if prune and min_z > -math.inf:
        best, _ = _assess_pruned(subject, index, config, names, travel_docs, facts, min_z, best_of)
    else:
        best = _assess_all(subject, index, config, names, travel_docs, facts)
    return [
        _assessment(subject, index, entry_pos, found, facts, travel_docs)
        for entry_pos, found in sorted(best.items())
    ]


def _names_and_documents(subject: ScreeningSubject) -> tuple[list[str], set[str]]:
    """Return the traveller's names to screen (the whole name when none is given apart) and
    document numbers, normalised."""
    names = [n for n in subject.names if n.strip()]
    if not names:
        whole = " ".join(p for p in (subject.given_names, subject.family_name) if p.strip())
        names = [whole] if whole else []
    return names, {normalise_document_number(n) for n in subject.document_numbers if n}


def _min_log_odds(config: MatchConfig) -> float:
    """Return the log-odds of the alert threshold (-inf when every score alerts)."""
    if 0 < config.alert_threshold < 1:
        return math.log(config.alert_threshold / (1 - config.alert_threshold))
    return -math.inf


def _assessment(
    subject: ScreeningSubject,
    index: NameIndex,
    entry_pos: int,
    found: tuple[float, int, ParsedName, NameComparison, NameFeatures],
    facts: dict[int, _Facts],
    travel_docs: set[str],
) -> Assessment:
    _, name_id, parsed, comparison, features = found
    entry = index.entries[entry_pos]
    dob, dob_text, nat, gender, shared = facts.get(entry_pos) or _entry_facts(subject, entry, travel_docs)
    return Assessment(
        entry=entry_pos,
        name_id=name_id,
        parsed=parsed,
        comparison=comparison,
        features=features,
        birth_date=dob,
        birth_date_text=dob_text,
        nationality=nat,
        gender=gender,
        document=shared,
        weak_alias=index.names[name_id].listed.quality is NameQuality.WEAK_ALIAS,
    )


_Best = dict[int, tuple[float, int, ParsedName, NameComparison, NameFeatures]]
_Facts = tuple[BirthDateAgreement, str, FactAgreement, FactAgreement, str]


def _assess_all(
    subject: ScreeningSubject,
    index: NameIndex,
    config: MatchConfig,
    names: list[str],
    travel_docs: set[str],
    facts: dict[int, _Facts],
) -> _Best:
    """Return, per entry, the best-aligned of the top names by overlap (no bound, no threshold)."""
    best: _Best = {}

    def gain(type_id: int, match: TokenMatch) -> float:
        return _listed_weight(index, type_id, config) * agreement(match.score, config)

    for text in names:
        parsed = index.parse(text)
        if not parsed.name_tokens:
            continue
        found = index.candidates(
            parsed,
            gain,
            birth_date=subject.birth_date,
            kinds=config.entity_kinds,
            limit=config.max_candidates,
        )
        for name_id, _ in found:
            indexed = index.names[name_id]
            comparison = index.comparer.align(parsed.tokens, indexed.parsed.tokens)
            if not comparison.pairs:
                continue
            features = name_features(index, comparison, config)
            z_name = features.log_odds(config)
            if indexed.listed.quality is NameQuality.WEAK_ALIAS:
                z_name *= config.weak_alias_factor
            previous = best.get(indexed.entry)
            if previous is None or z_name > previous[0]:
                best[indexed.entry] = (z_name, name_id, parsed, comparison, features)
    return best


def _assess_pruned(
    subject: ScreeningSubject,
    index: NameIndex,
    config: MatchConfig,
    names: list[str],
    travel_docs: set[str],
    facts: dict[int, _Facts],
    min_z: float,
    best_of: int | None,
) -> tuple[_Best, dict[int, float]]:
    """Return, per entry, the best alignment of the names whose bound reaches `min_z` (best first),
    and the entry's log-odds with it (what `Assessment.log_odds` gives)."""
    plan = _Plan.of(index, config)
    weigh = functools.partial(plan.weigh, index)
    queue: list[tuple[float, int, int]] = []  # (-bound of z, name id, which traveller name)
    parsed_names: list[ParsedName] = []
    for text in names:
        parsed = index.parse(text)
        if not parsed.name_tokens:
            continue
        parsed_names.append(parsed)
        for name_id, _, bound in _search(subject, index, config, parsed, plan, min_z):
            queue.append((-bound, name_id, len(parsed_names) - 1))
    queue.sort()
    best: _Best = {}
    scores: dict[int, float] = {}  # entry -> its best log-odds so far
    aligned: dict[tuple[int, tuple[str, ...]], tuple[NameComparison, NameFeatures, float]] = {}
    # Spellings of one person listed as separate entries carry the very same fact tuples: their
    # agreement with the traveller is worked out once (keyed by the tuples' identity, all alive in
    # the index while this runs; equal values in other tuples are merely worked out again).
    shared: dict[tuple[int, int, int, Gender], _Facts] = {}
    kth: float | None = None  # the best_of-th best score so far, None when it must be found again
    for count, (negative_bound, name_id, which) in enumerate(queue):
        if count >= config.max_candidates:
            break
        if best_of is not None and 0 < best_of <= len(scores):
            if kth is None:  # (a sort in C: heapq.nlargest runs as Python, once per new best)
                kth = sorted(scores.values())[-best_of]
            if kth > -negative_bound:
                break  # no candidate left can enter the best `best_of`
        indexed = index.names[name_id]
        parsed = parsed_names[which]
        # Listed names written alike (same parts) align alike: align each once per traveller name.
        shape = tuple(t.uid for t in indexed.parsed.tokens)
        done = aligned.get((which, shape)) if all(shape) else None
        if done is None:
            comparison = index.comparer.align(parsed.tokens, indexed.parsed.tokens)
            features = name_features(index, comparison, config, weigh)
            aligned[(which, shape)] = done = (comparison, features, features.log_odds(config))
        comparison, features, z_plain = done
        if not comparison.pairs:
            continue
        weak = bool(plan.name_weak[name_id])
        fact = facts.get(indexed.entry)
        if fact is None:
            entry = index.entries[indexed.entry]
            key = (id(entry.birth_dates), id(entry.nationalities), id(entry.documents), entry.gender)
            fact = shared.get(key)
            if fact is None:
                fact = shared[key] = _entry_facts(subject, entry, travel_docs)
            facts[indexed.entry] = fact
        dob, _, nationality, gender, document = fact
        if weak and dob is not BirthDateAgreement.EXACT and not document:
            continue  # a weak alias alone never alerts (names.md §5.10)
        z = _log_odds(config, features, weak, dob, nationality, gender, document)
        z_name = z_plain * (config.weak_alias_factor if weak else 1.0)
        previous = best.get(indexed.entry)
        if previous is None or z_name > previous[0]:
            best[indexed.entry] = (z_name, name_id, parsed, comparison, features)
            scores[indexed.entry] = z
            kth = None
    return best, scores


def prepare_index(index: NameIndex, config: MatchConfig) -> None:
    """Return nothing; build the index's lookups for `config` now, so the first traveller does not pay.

    A deployment screens with one config: building its weights per listed name and the arrays of
    the bounded search at start-up keeps that cost out of the first traveller's answer time.
    """
    _Plan.of(index, config).vectors(index)


def screen_subject(subject: ScreeningSubject, index: NameIndex, config: MatchConfig) -> list[Hit]:
    """Return the hits at or above `config.alert_threshold`, best first, each with its evidence."""
    min_z = _min_log_odds(config)
    if min_z == -math.inf:  # every candidate alerts: nothing to prune
        assessments = assess_candidates(subject, index, config)
        alerts = [(a.score(config), a) for a in assessments]
    else:
        # The pruned search gives each entry's log-odds: only the entries returned are assessed
        # (a listed person spelled a hundred ways may reach thirty candidates for ten hits).
        names, travel_docs = _names_and_documents(subject)
        facts: dict[int, _Facts] = {}
        best, scores = _assess_pruned(
            subject, index, config, names, travel_docs, facts, min_z, config.max_hits
        )
        entries = index.entries
        ranked = []
        for entry_pos, z in scores.items():
            score = _sigmoid(z)
            if score >= config.alert_threshold:
                ranked.append((round(score, 6), entries[entry_pos].entity_id, entry_pos))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        assessments = [
            _assessment(subject, index, entry_pos, best[entry_pos], facts, travel_docs)
            for _, _, entry_pos in ranked[: config.max_hits]
        ]
        alerts = [(a.score(config), a) for a in assessments]
    ordered = []
    for score, assessment in alerts:
        if score >= config.alert_threshold:
            ordered.append((round(score, 6), index.entries[assessment.entry].entity_id, score, assessment))
    ordered.sort(key=lambda a: (-a[0], a[1]))  # the order of the hits: rounded score, then entity id
    # Evidence is built for the hits returned only.
    return [_hit(subject, index, a, score, config) for _, _, score, a in ordered[: config.max_hits]]


def _hit(
    subject: ScreeningSubject, index: NameIndex, assessment: Assessment, score: float, config: MatchConfig
) -> Hit:
    entry = index.entries[assessment.entry]
    comparison = assessment.comparison
    # Enum values are read as `_value_`, the member's own attribute: `.value` is a descriptor that
    # runs Python code, ten times per hit.
    evidence: list[Evidence] = []
    listed_name = index.names[assessment.name_id].listed.full_name
    for pair in comparison.pairs:
        note = pair.match.note
        if index.is_common(pair.listed):
            note = f"{note}; common name: weak evidence" if note else "common name: weak evidence"
        evidence.append(
            Evidence(
                "name",
                pair.match.rule._value_,
                pair.match.score,
                pair.traveller.display,
                as_written(pair.listed.display, listed_name),
                note,
            )
        )
    for token in comparison.unmatched_traveller:
        evidence.append(Evidence("name", "missing", 0.0, token.display, "", "not in the listed name"))
    for token in comparison.unmatched_listed:
        evidence.append(
            Evidence(
                "name",
                "missing",
                0.0,
                "",
                as_written(token.display, listed_name),
                "not in the traveller's name",
            )
        )
    if comparison.swapped:
        evidence.append(Evidence("name", "swapped order", 0.0, note="the parts come in another order"))
    if assessment.parsed.decoded_from:
        evidence.append(
            Evidence(
                "name",
                "transliteration",
                0.0,
                assessment.parsed.raw,
                note=f"decoded from {assessment.parsed.decoded_from}",
            )
        )
    if assessment.birth_date is not BirthDateAgreement.UNKNOWN:
        evidence.append(
            Evidence(
                "birth date",
                assessment.birth_date._value_,
                config.dob_weight(assessment.birth_date),
                str(subject.birth_date or ""),
                assessment.birth_date_text,
            )
        )
    if assessment.nationality is not FactAgreement.UNKNOWN:
        weight = (
            config.w_nationality_match
            if assessment.nationality is FactAgreement.MATCH
            else config.w_nationality_conflict
        )
        evidence.append(
            Evidence(
                "nationality",
                assessment.nationality._value_,
                weight,
                subject.nationality,
                ", ".join(entry.nationalities),
            )
        )
    if assessment.gender is not FactAgreement.UNKNOWN:
        weight = (
            config.w_gender_match if assessment.gender is FactAgreement.MATCH else config.w_gender_conflict
        )
        evidence.append(
            Evidence(
                "gender", assessment.gender._value_, weight, subject.gender._value_, entry.gender._value_
            )
        )
    if assessment.document:
        evidence.append(
            Evidence("document", "exact", config.w_document_match, assessment.document, assessment.document)
        )
    features = assessment.features
    name_score = 2 * features.matched / ((features.traveller_weight + features.listed_weight) or 1.0)
    return Hit(
        entity_id=entry.entity_id,
        score=round(score, 6),
        matched_name=index.names[assessment.name_id].listed.full_name,
        evidence=tuple(evidence),
        name_score=round(min(1.0, name_score), 4),
    )
