"""Screening: a traveller against the indexed watch lists, giving hits that explain themselves.

The types here are the contract between the name engine (`domain/names/`), the services and the
console: a `ScreeningSubject` goes in, `Hit`s with `Evidence` come out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import Enum

from borderwatch.domain.names.compare import NameComparison, TokenMatch
from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.names.normalize import NameToken, ParsedName
from borderwatch.domain.travellers import Gender, Traveller
from borderwatch.domain.watchlists import (
    DateExactness,
    EntityId,
    EntityKind,
    ListedBirthDate,
    ListEntry,
    NameQuality,
    normalise_document_number,
)


@dataclass(frozen=True, slots=True)
class ScreeningSubject:
    """What screening knows of a traveller: names as presented, and the facts that confirm or refute."""

    names: tuple[str, ...]  # whole names as presented, any script ("YOUSSEF BENJELLOUN", "يوسف بن جلون")
    family_name: str = ""
    given_names: str = ""
    birth_date: date | None = None
    nationality: str = ""  # ICAO/ISO alpha-3
    gender: Gender = Gender.UNKNOWN
    document_numbers: tuple[str, ...] = ()

    @classmethod
    def from_traveller(cls, traveller: Traveller) -> ScreeningSubject:
        """Return the subject for a traveller of a manifest."""
        return cls(
            names=(traveller.full_name,),
            family_name=traveller.family_name,
            given_names=traveller.given_names,
            birth_date=traveller.birth_date,
            nationality=traveller.nationality,
            gender=traveller.gender,
            document_numbers=tuple(d.number for d in traveller.documents if d.number),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for (or against) a hit, in a form an officer can check."""

    feature: str  # name, given name, family name, birth date, nationality, gender, document
    rule: str  # exact, transliteration variant, phonetic key, edit distance, initial, missing, swapped...
    score: float  # this feature's own agreement in [0, 1] (or its weight of evidence for non-name facts)
    traveller_value: str = ""
    list_value: str = ""
    note: str = ""  # "Abdelkader ~ Abd al-Qadir (variant table)", "common name: weak evidence"


@dataclass(frozen=True, slots=True)
class Hit:
    """A list entry that may be the traveller: the score, which listed name matched, and why."""

    entity_id: EntityId
    score: float  # in [0, 1]; behaves like a probability that traveller and entry are one person
    matched_name: str
    evidence: tuple[Evidence, ...] = ()
    name_score: float = 0.0

    @property
    def reason(self) -> str:
        """Return a one-line reason for tables and logs."""
        notes = [e.note or f"{e.feature}: {e.rule}" for e in self.evidence if e.score > 0][:3]
        return f"name ~ {self.matched_name}" + (f"; {'; '.join(notes)}" if notes else "")


class BirthDateAgreement(Enum):
    """How a traveller's birth date sits against the dates a list gives (strongest first)."""

    EXACT = "exact"  # the list gives this very day
    IN_YEAR = "same year"  # the list gives only the year (or month) and the day falls inside it
    IN_RANGE = "within range"  # the list gives a span of years (or circa) and the day falls inside it
    SAME_YEAR = "same year, other day"  # the list gives another day of the same year
    SWAPPED = "day and month swapped"  # 03/04 against 04/03: a classic keying error
    NEAR = "within a year"  # outside the listed span by less than a year
    CONFLICT = "conflict"  # clearly another date
    UNKNOWN = "unknown"  # no date on one side


class FactAgreement(Enum):
    """How a traveller's nationality, gender or document agrees with the list entry."""

    MATCH = "match"
    CONFLICT = "conflict"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Every threshold and weight of the name engine, in one table (nomenklatura-style, style.md §8).

    The score of a candidate is a logistic model: `score = 1 / (1 + exp(-z))` with
    `z = intercept + name terms + birth-date term + nationality term + gender term + document term`,
    so each term reads as a weight of evidence in log-odds. The coefficients were fitted on the dev
    half of the benchmark (bench/fit_match_config.py) and checked on the other half; see the report.
    """

    alert_threshold: float = 0.6  # score at or above which a hit is an alert (one per agency setting)
    min_token_score: float = 0.55  # a pair of name parts agreeing less than this is not aligned
    max_candidates: int = (
        30  # listed names fully compared per traveller name (best by rarity-weighted overlap)
    )
    max_hits: int = 10  # hits returned per traveller at most
    entity_kinds: frozenset[EntityKind] = frozenset(
        {EntityKind.PERSON}
    )  # travellers are screened against persons
    # -- name-part weights (IDF: ln((N+1)/(df+1)) over entries, df counted by consonant skeleton) --
    min_token_weight: float = 0.5  # floor of a part's weight
    max_token_weight: float = 6.0  # ceiling of a part's weight (a part unknown to the lists gets it)
    common_token_weight: float = 1.0  # ceiling for very frequent given names (Mohamed, Ali: names.md §1.3)
    agreement_floor: float = 0.6  # token score earning nothing; 1.0 earns the part's full weight
    # -- logistic coefficients: name evidence --
    intercept: float = -6.297  # log-odds before any evidence (most travellers are nobody on a list)
    w_matched: float = 0.164  # per unit of matched weight: sum over aligned parts of weight x agreement
    w_matched_beyond_best: float = -0.095  # per unit of matched weight beyond the best single part
    w_matched_without_date: float = (
        0.234  # extra per unit of matched weight when no birth date can be compared
    )
    w_coverage_traveller: float = 1.073  # x share of the traveller's name weight that found a listed part
    w_coverage_listed: float = 3.288  # x share of the listed name weight that found a traveller part
    w_unmatched_traveller: float = -0.194  # per unit of weight of traveller parts with no listed counterpart
    w_unmatched_listed: float = -0.038  # per unit of weight of listed parts missing (middle names often are)
    # -- logistic coefficients: other facts (log-odds added) --
    w_dob_exact: float = 7.752
    w_dob_in_year: float = 4.713
    w_dob_in_range: float = 3.35
    w_dob_same_year: float = 1.378
    w_dob_swapped: float = 0.442
    w_dob_near: float = -0.82
    w_dob_conflict: float = -2.374
    w_nationality_match: float = 1.097
    w_nationality_conflict: float = -3.991
    w_gender_match: float = 0.361
    w_gender_conflict: float = -2.115
    w_document_match: float = 6.0  # same document number as listed
    weak_alias_factor: float = (
        0.5  # multiplies name terms for a weak alias (never alerts on its own: names.md §5.10)
    )

    def dob_weight(self, agreement: BirthDateAgreement) -> float:
        """Return the log-odds the birth-date agreement adds."""
        return {
            BirthDateAgreement.EXACT: self.w_dob_exact,
            BirthDateAgreement.IN_YEAR: self.w_dob_in_year,
            BirthDateAgreement.IN_RANGE: self.w_dob_in_range,
            BirthDateAgreement.SAME_YEAR: self.w_dob_same_year,
            BirthDateAgreement.SWAPPED: self.w_dob_swapped,
            BirthDateAgreement.NEAR: self.w_dob_near,
            BirthDateAgreement.CONFLICT: self.w_dob_conflict,
            BirthDateAgreement.UNKNOWN: 0.0,
        }[agreement]


def compare_birth_date(
    day: date | None, listed: tuple[ListedBirthDate, ...]
) -> tuple[BirthDateAgreement, str]:
    """Return the strongest agreement between a birth date and the listed ones, and the listed text."""
    if day is None or not listed:
        return BirthDateAgreement.UNKNOWN, ""
    order = list(BirthDateAgreement)
    best, text = BirthDateAgreement.CONFLICT, ""
    for born in listed:
        found = _one_birth_date(day, born)
        if order.index(found) < order.index(best):
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


@dataclass(frozen=True, slots=True)
class NameFeatures:
    """The name evidence of one traveller name against one listed name, as model inputs."""

    matched: float  # sum over aligned parts of weight x agreement
    matched_beyond_best: float  # the same sum without its largest term: support beyond one part
    traveller_weight: float  # total weight of the traveller's name parts
    listed_weight: float  # total weight of the listed name's parts
    unmatched_traveller: float  # weight of traveller parts left over
    unmatched_listed: float  # weight of listed parts left over
    rests_on_common: bool  # every aligned part is a very common name

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


def name_features(index: NameIndex, comparison: NameComparison, config: MatchConfig) -> NameFeatures:
    """Return the model inputs for an alignment of a traveller's name with a listed name."""
    matched = 0.0
    largest = 0.0
    seen_listed: set[int] = set()
    seen_traveller: set[int] = set()
    common_only = True
    for pair in comparison.pairs:
        if pair.listed_pos in seen_listed or pair.traveller_pos in seen_traveller:
            continue  # a joined/split pair counts once
        seen_listed.add(pair.listed_pos)
        seen_traveller.add(pair.traveller_pos)
        weight = min(token_weight(index, pair.listed, config), token_weight(index, pair.traveller, config))
        term = weight * agreement(pair.match.score, config)
        matched += term
        largest = max(largest, term)
        if not (index.is_common(pair.listed) or index.is_common(pair.traveller)):
            common_only = False
    un_q = sum(token_weight(index, t, config) for t in comparison.unmatched_traveller)
    un_l = sum(token_weight(index, t, config) for t in comparison.unmatched_listed)
    matched_q = sum(token_weight(index, p.traveller, config) for p in comparison.pairs)
    matched_l = sum(token_weight(index, p.listed, config) for p in comparison.pairs)
    return NameFeatures(
        matched=matched,
        matched_beyond_best=matched - largest,
        traveller_weight=matched_q + un_q,
        listed_weight=matched_l + un_l,
        unmatched_traveller=un_q,
        unmatched_listed=un_l,
        rests_on_common=common_only,
    )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class Assessment:
    """One candidate entry for a traveller, with the model inputs behind its score."""

    entry: int  # position in NameIndex.entries
    name_id: int  # the listed name that matched best
    parsed: ParsedName  # the traveller's name as compared
    comparison: NameComparison
    features: NameFeatures
    birth_date: BirthDateAgreement
    birth_date_text: str
    nationality: FactAgreement
    gender: FactAgreement
    document: str  # the shared document number, "" when none
    weak_alias: bool

    def log_odds(self, config: MatchConfig) -> float:
        """Return z, the model's log-odds that traveller and entry are one person."""
        z_name = self.features.log_odds(config)
        if self.weak_alias:
            z_name *= config.weak_alias_factor
        z = config.intercept + z_name + config.dob_weight(self.birth_date)
        if self.birth_date is BirthDateAgreement.UNKNOWN:
            z += config.w_matched_without_date * self.features.matched  # names are all there is
        z += {
            FactAgreement.MATCH: config.w_nationality_match,
            FactAgreement.CONFLICT: config.w_nationality_conflict,
        }.get(self.nationality, 0.0)
        z += {
            FactAgreement.MATCH: config.w_gender_match,
            FactAgreement.CONFLICT: config.w_gender_conflict,
        }.get(self.gender, 0.0)
        if self.document:
            z += config.w_document_match
        return z

    def score(self, config: MatchConfig) -> float:
        """Return the probability-like score in [0, 1]; a weak alias alone stays below the threshold."""
        score = _sigmoid(self.log_odds(config))
        if self.weak_alias and self.birth_date is not BirthDateAgreement.EXACT and not self.document:
            score = min(score, math.nextafter(config.alert_threshold, 0.0))  # names.md §5.10
        return score


def _listed_weight(index: NameIndex, type_id: int, config: MatchConfig) -> float:
    weight = min(config.max_token_weight, max(config.min_token_weight, index.type_idf[type_id]))
    return min(weight, config.common_token_weight) if index.type_common[type_id] else weight


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


def _fact_log_odds(
    config: MatchConfig, dob: BirthDateAgreement, nat: FactAgreement, gender: FactAgreement, document: str
) -> float:
    z = config.dob_weight(dob)
    z += {
        FactAgreement.MATCH: config.w_nationality_match,
        FactAgreement.CONFLICT: config.w_nationality_conflict,
    }.get(nat, 0.0)
    z += {FactAgreement.MATCH: config.w_gender_match, FactAgreement.CONFLICT: config.w_gender_conflict}.get(
        gender, 0.0
    )
    return z + (config.w_document_match if document else 0.0)


def _upper_bound(config: MatchConfig, matched: float, facts_z: float, dob_unknown: bool) -> float:
    """Return a bound on z from above: coverage terms at most 1, matched weight at most its bound."""
    z = (
        config.intercept
        + facts_z
        + max(0.0, config.w_coverage_traveller)
        + max(0.0, config.w_coverage_listed)
    )
    slope = max(0.0, config.w_matched) + max(0.0, config.w_matched_beyond_best)
    if dob_unknown:
        slope += max(0.0, config.w_matched_without_date)
    return z + slope * matched


def assess_candidates(
    subject: ScreeningSubject, index: NameIndex, config: MatchConfig, *, prune: bool = False
) -> list[Assessment]:
    """Return the candidate entries for a traveller with their evidence (no threshold applied).

    With `prune`, candidates whose score cannot reach `config.alert_threshold` (bounded from above
    before the full alignment) are left out: the result then holds every possible alert.
    """
    names = [n for n in subject.names if n.strip()]
    if not names:
        whole = " ".join(p for p in (subject.given_names, subject.family_name) if p.strip())
        names = [whole] if whole else []
    best: dict[int, tuple[float, int, ParsedName, NameComparison, NameFeatures]] = {}
    travel_docs = {normalise_document_number(n) for n in subject.document_numbers if n}
    facts: dict[int, tuple[BirthDateAgreement, str, FactAgreement, FactAgreement, str]] = {}
    min_z = (
        math.log(config.alert_threshold / (1 - config.alert_threshold))
        if 0 < config.alert_threshold < 1
        else -math.inf
    )

    def gain(type_id: int, match: TokenMatch) -> float:
        return _listed_weight(index, type_id, config) * agreement(match.score, config)

    for text in names:
        parsed = index.parse(text)
        if not parsed.name_tokens:
            continue
        for name_id, bound in index.candidates(
            parsed,
            gain,
            birth_date=subject.birth_date,
            kinds=config.entity_kinds,
            limit=config.max_candidates,
        ):
            indexed = index.names[name_id]
            if prune:
                fact = facts.get(indexed.entry)
                if fact is None:
                    fact = facts[indexed.entry] = _entry_facts(
                        subject, index.entries[indexed.entry], travel_docs
                    )
                facts_z = _fact_log_odds(config, fact[0], fact[2], fact[3], fact[4])
                if _upper_bound(config, bound, facts_z, fact[0] is BirthDateAgreement.UNKNOWN) < min_z:
                    continue
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
    out = []
    for entry_pos, (_, name_id, parsed, comparison, features) in sorted(best.items()):
        entry = index.entries[entry_pos]
        dob, dob_text, nat, gender, shared = facts.get(entry_pos) or _entry_facts(subject, entry, travel_docs)
        out.append(
            Assessment(
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
        )
    return out


def screen_subject(subject: ScreeningSubject, index: NameIndex, config: MatchConfig) -> list[Hit]:
    """Return the hits at or above `config.alert_threshold`, best first, each with its evidence."""
    hits = []
    for assessment in assess_candidates(subject, index, config, prune=True):
        score = assessment.score(config)
        if score >= config.alert_threshold:
            hits.append(_hit(subject, index, assessment, score, config))
    hits.sort(key=lambda h: (-h.score, h.entity_id))
    return hits[: config.max_hits]


def _hit(
    subject: ScreeningSubject, index: NameIndex, assessment: Assessment, score: float, config: MatchConfig
) -> Hit:
    entry = index.entries[assessment.entry]
    comparison = assessment.comparison
    evidence: list[Evidence] = []
    for pair in comparison.pairs:
        note = pair.match.note
        if index.is_common(pair.listed):
            note = f"{note}; common name: weak evidence" if note else "common name: weak evidence"
        evidence.append(
            Evidence(
                "name",
                pair.match.rule.value,
                pair.match.score,
                pair.traveller.display,
                pair.listed.display,
                note,
            )
        )
    for token in comparison.unmatched_traveller:
        evidence.append(Evidence("name", "missing", 0.0, token.display, "", "not in the listed name"))
    for token in comparison.unmatched_listed:
        evidence.append(Evidence("name", "missing", 0.0, "", token.display, "not in the traveller's name"))
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
                assessment.birth_date.value,
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
                assessment.nationality.value,
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
            Evidence("gender", assessment.gender.value, weight, subject.gender.value, entry.gender.value)
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
