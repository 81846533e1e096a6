"""What screening takes in and gives out, as plain data: the subject, the config, hits and their evidence.

These types cross the engine's boundary: services build subjects and configs, hits are stored
(read back by their type hints), sent to Dask workers and partner agencies, and shown to officers.
They stay ordinary Python classes, outside the modules compiled by mypyc (`borderwatch._compiled`),
which would drop the element types from their hints and could not be unpickled while frozen.
`domain/screening.py` re-exports them: import them from either.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from borderwatch.domain.names.compare import MatchRule
from borderwatch.domain.travellers import Gender, Traveller
from borderwatch.domain.watchlists import EntityId, EntityKind


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
        """Return a one-line reason an officer can check: the matched name, then each aligned part
        with the rule that matched it (as the list writes it), parts left over, and the other facts.

        `name ~ Mounir EL MOTASSADEQ: MUNIR ~ Mounir (variant u/ou), ELMOTASSADEQ ~ EL MOTASSADEQ
        (particle joined); born 1974-04-03 as listed; nationality MAR as listed`
        """
        return describe_hit(self.matched_name, self.evidence)


def describe_hit(matched_name: str, evidence: Sequence[Evidence]) -> str:
    """Return the one-line reason of a hit from its evidence (see `Hit.reason`)."""
    parts: list[str] = []
    leftover_traveller: list[str] = []
    leftover_listed: list[str] = []
    facts: list[str] = []
    for item in evidence:
        if item.feature == "name":
            if item.rule == "missing":
                if item.traveller_value:
                    leftover_traveller.append(item.traveller_value)
                elif item.list_value:
                    leftover_listed.append(item.list_value)
            elif item.rule == "swapped order":
                continue  # lists write the family name first: order is in the evidence, not the line
            elif item.rule == "transliteration" and item.note:
                parts.append(item.note)
            elif item.traveller_value or item.list_value:
                pair = f"{item.traveller_value} ~ {item.list_value}"
                if parts and parts[-1].startswith(pair):
                    continue  # a joined pair is one line, not two
                label = _rule_label(item)
                if label == "exact":
                    parts.append(f"{item.traveller_value} = {item.list_value}")
                else:
                    parts.append(f"{pair} ({label})")
        else:
            facts.append(_fact_label(item))
    if leftover_traveller:
        parts.append(f"not on the list: {' '.join(leftover_traveller)}")
    if leftover_listed:
        parts.append(f"not on the document: {' '.join(leftover_listed)}")
    line = f"name ~ {matched_name}"
    if parts:
        line += ": " + ", ".join(parts)
    if facts:
        line += "; " + "; ".join(facts)
    return line


def _spelling_difference(a: str, b: str) -> str:
    """Return where two spellings differ, as `x/y` pieces (`u/ou`, `-/h`), or "" when they are equal."""
    a, b = a.upper(), b.upper()
    if a == b:
        return ""
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if i1 == i2 or j1 == j2:
            # A letter added or dropped reads better with its neighbour: ou/u, mm/m, ah/a.
            if i2 < len(a) and j2 < len(b):
                i2, j2 = i2 + 1, j2 + 1
            elif i1 > 0 and j1 > 0:
                i1, j1 = i1 - 1, j1 - 1
        pieces.append(f"{a[i1:i2].lower() or '-'}/{b[j1:j2].lower() or '-'}")
    return ", ".join(pieces[:3]) + (" ..." if len(pieces) > 3 else "")


_RULE_LABELS = {
    MatchRule.EXACT.value: "same spelling",
    MatchRule.VARIANT.value: "variant",
    MatchRule.PHONETIC.value: "same sound",
    MatchRule.SKELETON.value: "same consonants",
    MatchRule.TRANSLITERATION.value: "Arabic script, same consonants",
    MatchRule.EDIT.value: "spelling",
    MatchRule.TRUNCATED.value: "cut short",
    MatchRule.INITIAL.value: "initial only",
    MatchRule.JOINED.value: "joined/split",
}


def _rule_label(item: Evidence) -> str:
    """Return the short rule of one aligned pair, with the spelling difference when it helps."""
    label = _RULE_LABELS.get(item.rule, item.rule)
    notes = [n.strip() for n in item.note.split(";") if n.strip()]
    particle = [n for n in notes if n.endswith(("dropped", "joined")) or n.startswith("without")]
    common = any(n.startswith("common name") for n in notes)
    difference = ""
    if item.rule != MatchRule.TRANSLITERATION.value and item.traveller_value.isascii():
        difference = _spelling_difference(
            "".join(ch for ch in item.traveller_value if ch.isalnum()),
            "".join(ch for ch in item.list_value if ch.isalnum()),
        )
    if item.rule == MatchRule.EXACT.value:
        if particle:
            note = particle[0]
            label = f"particle {note.split()[-1]}" if note.endswith(("dropped", "joined")) else note
        elif difference:
            label = "same after folding"  # abd-, -din, -allah compounds written another way
        else:
            label = "exact"
        difference = ""
    elif particle:
        label = f"{label}, {particle[0]}"
    if difference and item.rule not in (MatchRule.INITIAL.value, MatchRule.TRUNCATED.value):
        label = f"{label} {difference}"
    if common:
        label += ", common name"
    return label


def _fact_label(item: Evidence) -> str:
    """Return one non-name fact as the officer checks it against the list."""
    if item.feature == "birth date":
        if item.rule == BirthDateAgreement.EXACT.value:
            return f"born {item.traveller_value} as listed"
        return f"born {item.traveller_value}, list gives {item.list_value} ({item.rule})"
    if item.feature in ("nationality", "gender"):
        if item.rule == FactAgreement.MATCH.value:
            return f"{item.feature} {item.traveller_value} as listed"
        return f"{item.feature} {item.traveller_value}, list gives {item.list_value}"
    if item.feature == "document":
        return f"document {item.traveller_value} as listed"
    return f"{item.feature}: {item.rule}"


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
    # Listed names fully compared (aligned) per traveller at most: when screening, the best by the
    # bound of their score, after every name that cannot alert was ruled out; without pruning
    # (fitting, the console's wide search), the best by rarity-weighted overlap.
    max_candidates: int = 30
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
        # Keyed by the member's value: an Enum member's own hash runs as Python (once per candidate).
        if agreement is BirthDateAgreement.UNKNOWN:
            return 0.0
        weight: float = getattr(self, _DOB_FIELDS[agreement._value_])
        return weight


_DOB_FIELDS = {agreement._value_: f"w_dob_{agreement.name.lower()}" for agreement in BirthDateAgreement}
