"""Training exercises: scenarios with planted cases, their answer key, and the scoring of trainees.

Pure, like the rest of `domain/`: name pools, list entries and dates are passed in, randomness comes
from the scenario's seed, so the same specification always gives the same flight, bookings and
answer key. The service (`services/train.py`) writes the files; `services/exercises.py` stores
exercises and decisions and calls the scoring here.

A *planted case* is a traveller put on the flight with a known answer:

- a listed person (UN Security Council list) written under explicit spelling or script variants
  (`VariantRule`): the engine should alert and the trainee should confirm;
- a near miss: the same name as a listed person with another birth date and nationality: must
  *not* be flagged (a trainee who confirms it raises a false alarm);
- an MRZ with a wrong check digit (ICAO 9303 part 3, 7-3-1 weights), an expired document, a
  document on the lost/stolen list, a risky booking (one-way, cash, ticketed within 24 hours).

Scoring: a trainee *flags* an alert by confirming or escalating it and *clears* it by calling it a
false positive; the last decision on an alert counts. A planted case is found when the trainee
flagged one of its alerts; a flagged alert that belongs to no planted positive case is a false alarm.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import Enum
from statistics import median
from typing import NewType

from borderwatch.domain.alerts import Decision
from borderwatch.domain.simulation import (
    NamePool,
    assign_seats,
    simulate_bookings,
    simulate_traveller,
    simulate_travellers,
)
from borderwatch.domain.travellers import (
    Flight,
    Gender,
    Manifest,
    MessageKind,
    PnrMessage,
    TravelDocument,
    Traveller,
    TravellerRole,
)
from borderwatch.domain.watchlists import (
    DateExactness,
    EntityKind,
    ListEntry,
    LostStolenDocument,
    NameQuality,
)

ExerciseId = NewType("ExerciseId", int)

ANSWER_KEY_FORMAT = "borderwatch-answer-key/1"


class PlantedKind(Enum):
    """What a planted case is: what the trainee should find (or, for near misses, leave alone)."""

    LISTED_PERSON = "listed person"
    NEAR_MISS = "near miss"
    INVALID_MRZ = "invalid MRZ"
    EXPIRED_DOCUMENT = "expired document"
    LOST_STOLEN_DOCUMENT = "lost or stolen document"
    RISKY_TRAVEL = "risky travel pattern"

    @property
    def should_flag(self) -> bool:
        """True when the right answer is to flag the traveller (every kind but the near miss)."""
        return self is not PlantedKind.NEAR_MISS


class VariantRule(Enum):
    """An explicit rule that turns a listed name into the way a passport or booking may write it."""

    ROMANISATION = "romanisation"  # ou/u, ch/sh, dj/j, e/a: French- against English-style spellings
    PARTICLE = "particle"  # AL-TIKRITI -> ALTIKRITI, ELMOTASSADEQ -> EL MOTASSADEQ
    ORDER_SWAP = "order swap"  # family and given names exchanged
    DROPPED_MIDDLE = "dropped middle names"  # only the first given name kept
    ARABIC_SCRIPT = "Arabic script"  # the list's original-script name, as an Arabic-script booking has it


class Difficulty(Enum):
    """How many cases are planted and how many variant rules are stacked on each listed name."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True, slots=True)
class DifficultyPlan:
    """How many cases of each kind a difficulty plants, and how many variant rules per listed name."""

    listed: int
    near_misses: int
    invalid_mrz: int
    expired: int
    lost_stolen: int
    risky: int
    min_rules: int
    max_rules: int


PLANS: Mapping[Difficulty, DifficultyPlan] = {
    Difficulty.EASY: DifficultyPlan(2, 1, 1, 1, 1, 1, 1, 1),
    Difficulty.MEDIUM: DifficultyPlan(4, 2, 1, 1, 1, 2, 1, 2),
    Difficulty.HARD: DifficultyPlan(6, 3, 2, 2, 2, 2, 2, 3),
}

# Where the innocent passengers of a route come from (origin pool, weight); "others" are the small
# pools of travellers from elsewhere. Ports not listed get the default mix.
DEFAULT_MIX: tuple[tuple[str, float], ...] = (
    ("maghreb", 0.45),
    ("british", 0.18),
    ("british-pakistani", 0.05),
    ("french", 0.12),
    ("spanish", 0.08),
    ("german", 0.04),
    ("algerian", 0.04),
    ("american", 0.04),
)

# Carrier operating a route, by departure airport (national carriers of the usual CMN routes).
CARRIERS: Mapping[str, str] = {
    "CMN": "AT",
    "RAK": "AT",
    "TNG": "AT",
    "LHR": "BA",
    "LGW": "BA",
    "CDG": "AF",
    "ORY": "AF",
    "MAD": "IB",
    "BCN": "IB",
}

DEFAULT_FLIGHT_DATE = date(2026, 12, 1)
_PORT = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """What the instructor asks for: route, passengers, difficulty and seed (and the flight's date)."""

    departure_port: str
    arrival_port: str
    passengers: int
    difficulty: Difficulty
    seed: int
    flight_date: date = DEFAULT_FLIGHT_DATE
    crew: int = 6

    @property
    def route(self) -> str:
        """Return `CMN-LHR`."""
        return f"{self.departure_port}-{self.arrival_port}"

    @property
    def scenario_id(self) -> str:
        """Return a stable name for the scenario: route, date, difficulty and seed."""
        return f"{self.route}-{self.flight_date.isoformat()}-{self.difficulty.value}-s{self.seed}"


def parse_route(text: str) -> tuple[str, str]:
    """Return (departure, arrival) IATA airport codes of `CMN-LHR`; raise ValueError otherwise."""
    parts = text.strip().upper().split("-")
    if len(parts) != 2 or not all(_PORT.match(p) for p in parts) or parts[0] == parts[1]:
        raise ValueError(f"route {text!r} must be two different three-letter airport codes, like CMN-LHR")
    return parts[0], parts[1]


@dataclass(frozen=True, slots=True)
class PlantedCase:
    """One traveller planted with a known answer, and how to recognise them on the flight."""

    case_id: str  # C01, C02... in flight order
    kind: PlantedKind
    passenger_ref: str  # the airline's passenger reference (PAXLST RFF+ABO, PNRGOV REF)
    family_name: str
    given_names: str
    birth_date: date | None
    nationality: str
    document_number: str
    explanation: str  # what was planted and why it is (or is not) a case, in the instructor's words
    entity_id: str = ""  # the list entry behind a listed person or a near miss
    listed_name: str = ""
    variants: tuple[VariantRule, ...] = ()
    hard: bool = False  # deliberately hard: the engine is not expected to alert at the default threshold
    rule_id: str = ""  # the risk rule expected to fire (expired document, risky travel)

    @property
    def should_flag(self) -> bool:
        """True when a trainee should flag this traveller."""
        return self.kind.should_flag


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """Every planted case of a scenario, with the scenario it belongs to."""

    scenario_id: str
    seed: int
    difficulty: Difficulty
    flight_key: str
    as_of: datetime  # the moment the flight is screened as if live (two hours before departure)
    cases: tuple[PlantedCase, ...]

    def case(self, case_id: str) -> PlantedCase:
        """Return the case with this id; raise KeyError when there is none."""
        for item in self.cases:
            if item.case_id == case_id:
                return item
        raise KeyError(case_id)

    def as_dict(self) -> dict[str, object]:
        """Return the key as JSON-ready data (the answer-key file)."""
        return {
            "format": ANSWER_KEY_FORMAT,
            "scenario": self.scenario_id,
            "seed": self.seed,
            "difficulty": self.difficulty.value,
            "flight": self.flight_key,
            "as_of": self.as_of.isoformat(),
            "cases": [
                {
                    "case": c.case_id,
                    "kind": c.kind.value,
                    "should_flag": c.should_flag,
                    "passenger_ref": c.passenger_ref,
                    "family_name": c.family_name,
                    "given_names": c.given_names,
                    "birth_date": c.birth_date.isoformat() if c.birth_date else None,
                    "nationality": c.nationality,
                    "document_number": c.document_number,
                    "entity_id": c.entity_id,
                    "listed_name": c.listed_name,
                    "variants": [v.value for v in c.variants],
                    "hard": c.hard,
                    "rule_id": c.rule_id,
                    "explanation": c.explanation,
                }
                for c in self.cases
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AnswerKey:
        """Return the key from `as_dict` data; raise ValueError (naming the field) when it does not fit."""
        try:
            if data.get("format") != ANSWER_KEY_FORMAT:
                raise ValueError(f"not a {ANSWER_KEY_FORMAT} answer key (format {data.get('format')!r})")
            raw_cases = data["cases"]
            if not isinstance(raw_cases, list):
                raise ValueError("cases must be a list")
            cases = []
            for raw in raw_cases:
                if not isinstance(raw, dict):
                    raise ValueError("each case must be an object")
                born = raw.get("birth_date")
                cases.append(
                    PlantedCase(
                        case_id=str(raw["case"]),
                        kind=PlantedKind(raw["kind"]),
                        passenger_ref=str(raw["passenger_ref"]),
                        family_name=str(raw["family_name"]),
                        given_names=str(raw["given_names"]),
                        birth_date=date.fromisoformat(str(born)) if born else None,
                        nationality=str(raw["nationality"]),
                        document_number=str(raw["document_number"]),
                        explanation=str(raw["explanation"]),
                        entity_id=str(raw.get("entity_id", "")),
                        listed_name=str(raw.get("listed_name", "")),
                        variants=tuple(VariantRule(v) for v in raw.get("variants", [])),
                        hard=bool(raw.get("hard", False)),
                        rule_id=str(raw.get("rule_id", "")),
                    )
                )
            return cls(
                scenario_id=str(data["scenario"]),
                seed=int(str(data["seed"])),
                difficulty=Difficulty(data["difficulty"]),
                flight_key=str(data["flight"]),
                as_of=datetime.fromisoformat(str(data["as_of"])),
                cases=tuple(cases),
            )
        except KeyError as exc:
            raise ValueError(f"answer key field {exc.args[0]!r} is missing") from exc


@dataclass(frozen=True, slots=True)
class MrzPlan:
    """Which document of which passenger gets a machine-readable zone, and whether it is tampered."""

    passenger_ref: str
    traveller: Traveller
    document: TravelDocument
    tampered: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    """A generated flight: the manifest (PAXLST), the bookings (PNRGOV), MRZs, lost/stolen list, key."""

    spec: ScenarioSpec
    manifest: Manifest
    pnr: PnrMessage
    mrz: tuple[MrzPlan, ...]
    lost_stolen: tuple[LostStolenDocument, ...]
    answer_key: AnswerKey


# ------------------------------------------------------------------------------------- name variants

_PARTICLES = ("ABDEL", "ABDUL", "ABD", "ABU", "OULD", "BEN", "BIN", "BOU", "AIT", "AL", "EL")
_SWAPS = (("OU", "U"), ("CH", "SH"), ("DJ", "J"), ("E", "A"))


def _romanise(name: str, rng: random.Random) -> str | None:
    """Return the name with one French/English romanisation swapped (ou/u, ch/sh, dj/j, e/a), or None."""
    options: list[tuple[str, str]] = []
    for french, english in _SWAPS:
        if french in name:
            options.append((french, english))
        elif english in name and len(english) > 1:
            options.append((english, french))
    if not options:
        return None
    old, new = rng.choice(options)
    return name.replace(old, new, 1)


def _particle(name: str) -> str | None:
    """Return the family name with its particle joined (AL-X, EL X -> ALX, ELX) or split (ELX -> EL X)."""
    words = name.replace("-", " ").split()
    if len(words) >= 2 and words[0] in _PARTICLES:
        return (
            words[0] + "".join(words[1:])
            if len(words) == 2
            else words[0] + words[1] + " " + " ".join(words[2:])
        )
    for particle in _PARTICLES:
        if name.startswith(particle) and len(name) > len(particle) + 3 and " " not in name:
            return f"{particle} {name[len(particle) :]}"
    return None


def apply_variant(
    rule: VariantRule, family: str, given: str, *, original_script: str, rng: random.Random
) -> tuple[str, str] | None:
    """Return (family, given) after one variant rule, or None when the rule does not apply to the name."""
    if rule is VariantRule.ROMANISATION:
        changed = _romanise(family, rng)
        if changed is not None:
            return changed, given
        changed = _romanise(given, rng)
        return (family, changed) if changed is not None else None
    if rule is VariantRule.PARTICLE:
        changed = _particle(family)
        return (changed, given) if changed is not None else None
    if rule is VariantRule.ORDER_SWAP:
        return (given, family) if given and family else None
    if rule is VariantRule.DROPPED_MIDDLE:
        parts = given.split()
        return (family, parts[0]) if len(parts) >= 2 else None
    words = original_script.split()
    if len(words) < 2:
        return None
    return words[-1], " ".join(words[:-1])


def is_deliberately_hard(variants: Sequence[VariantRule], given_names: str = "") -> bool:
    """True for variant stacks the engine is not expected to see through at the default threshold.

    Three rules stacked on one name, or the Arabic-script name with anything more (a script change
    on top of a dropped or swapped part leaves too little to match), or middle names dropped down
    to a lone particle (ABDUL of ABDUL HABIB: the half of a compound name that names nobody). The
    trainee must find those from the other facts, and the debrief says so.
    """
    if len(variants) >= 3 or (VariantRule.ARABIC_SCRIPT in variants and len(variants) >= 2):
        return True
    remaining = given_names.split()
    return VariantRule.DROPPED_MIDDLE in variants and len(remaining) == 1 and remaining[0] in _PARTICLES


def _original_script(entry: ListEntry) -> str:
    for name in entry.names:
        if name.quality is NameQuality.ORIGINAL_SCRIPT and name.script == "Arab":
            return name.full_name
    return ""


def _primary(entry: ListEntry) -> tuple[str, str]:
    for name in entry.names:
        if name.quality is NameQuality.PRIMARY:
            return name.family_name or name.full_name, name.given_names
    return entry.primary_name, ""


def _exact_birth(entry: ListEntry) -> date | None:
    for born in entry.birth_dates:
        if born.exactness is DateExactness.EXACT:
            return born.earliest
    return None


def plantable_entries(entries: Sequence[ListEntry]) -> list[ListEntry]:
    """Return the listed persons a scenario can plant: split Latin name, exact birth date, nationality."""
    found = []
    for entry in entries:
        family, given = _primary(entry)
        if (
            entry.kind is EntityKind.PERSON
            and family
            and given
            and family.replace("-", " ").replace(" ", "").isalpha()
            and family.isascii()
            and given.isascii()
            and _exact_birth(entry) is not None
            and entry.nationalities
        ):
            found.append(entry)
    return sorted(found, key=lambda e: str(e.entity_id))


def _plant_listed(
    entry: ListEntry, rng: random.Random, plan: DifficultyPlan
) -> tuple[str, str, tuple[VariantRule, ...]]:
    family, given = _primary(entry)
    family = family.upper()
    given = given.upper()
    script = _original_script(entry)
    wanted = rng.randint(plan.min_rules, plan.max_rules)
    rules = list(VariantRule)
    rng.shuffle(rules)
    if VariantRule.ARABIC_SCRIPT in rules:
        # The script change replaces the whole name: it goes first, and only when the list has one.
        rules.remove(VariantRule.ARABIC_SCRIPT)
        if script and rng.random() < 0.3:
            rules.insert(0, VariantRule.ARABIC_SCRIPT)
    applied: list[VariantRule] = []
    for rule in rules:
        if len(applied) >= wanted:
            break
        if rule is VariantRule.ARABIC_SCRIPT and applied:
            continue
        if VariantRule.ARABIC_SCRIPT in applied and rule in (VariantRule.ROMANISATION, VariantRule.PARTICLE):
            continue  # Latin-spelling rules mean nothing on an Arabic-script name
        changed = apply_variant(rule, family, given, original_script=script, rng=rng)
        if changed is None or changed == (family, given):
            continue
        family, given = changed
        applied.append(rule)
    return family, given, tuple(applied)


# ------------------------------------------------------------------------------------- generation


def _passport(rng: random.Random, state: str, *, today: date, expiry: date | None = None) -> TravelDocument:
    pool = NamePool("planted", state, ("X",), ("X",), ("X",))
    base = simulate_traveller(rng, pool, today=today).documents[0]
    if expiry is None:
        return base
    return replace(base, expiry_date=expiry, issue_date=expiry - timedelta(days=3652))


def _with_passport(traveller: Traveller, document: TravelDocument) -> Traveller:
    return replace(traveller, documents=(document, *traveller.documents[1:]))


@dataclass(slots=True)
class _Draft:
    """A case being planted: the traveller and what the key will say of them."""

    traveller: Traveller
    kind: PlantedKind
    explanation: str
    entity_id: str = ""
    listed_name: str = ""
    variants: tuple[VariantRule, ...] = ()
    hard: bool = False
    rule_id: str = ""
    risky: bool = False
    tampered_mrz: bool = False
    lost_stolen: LostStolenDocument | None = None


def generate_scenario(
    spec: ScenarioSpec,
    pools: Mapping[str, NamePool],
    entries: Sequence[ListEntry],
    *,
    mix: Sequence[tuple[str, float]] = DEFAULT_MIX,
) -> Scenario:
    """Return the flight, bookings, MRZ plan, lost/stolen list and answer key for a specification.

    `entries` are the list entries to plant from (the packaged UN list); `pools` the name pools of
    innocent travellers (origins of `mix` missing from `pools` are left out). Raises ValueError
    when the flight cannot hold the planted cases or the list has too few plantable persons.
    """
    plan = PLANS[spec.difficulty]
    rng = random.Random(spec.seed)
    carrier = CARRIERS.get(spec.departure_port, "XT")
    departure = datetime.combine(spec.flight_date, time(8, 5)) + timedelta(minutes=5 * rng.randint(0, 150))
    arrival = departure + timedelta(minutes=rng.randint(150, 260))
    flight = Flight(
        carrier, str(rng.randint(200, 999)), spec.departure_port, spec.arrival_port, departure, arrival
    )
    today = spec.flight_date - timedelta(days=2)  # data "as generated": documents valid well past the flight
    candidates = plantable_entries(entries)
    needed = plan.listed + plan.near_misses
    if len(candidates) < needed:
        raise ValueError(f"the list has {len(candidates)} plantable persons; {needed} are needed")
    added_people = plan.listed + plan.near_misses
    if spec.passengers < added_people + plan.invalid_mrz + plan.expired + plan.lost_stolen + plan.risky + 5:
        raise ValueError(f"{spec.passengers} passengers are too few for a {spec.difficulty.value} scenario")
    if spec.passengers > 180 * 2:
        raise ValueError("at most 360 passengers fit in the simulated aircraft")
    listed_entries = rng.sample(candidates, plan.listed)
    # Near misses share a short, common-looking name (three words at most) with a listed person.
    short = [e for e in candidates if e not in listed_entries and len(e.primary_name.split()) <= 3]
    if len(short) < plan.near_misses:
        raise ValueError(f"the list has {len(short)} short names for near misses; {plan.near_misses} needed")
    chosen = listed_entries + rng.sample(short, plan.near_misses)
    drafts: list[_Draft] = []
    for entry in chosen[: plan.listed]:
        family, given, variants = _plant_listed(entry, rng, plan)
        born = _exact_birth(entry)
        nationality = entry.nationalities[0]
        gender = entry.gender if entry.gender is not Gender.UNKNOWN else Gender.MALE
        person = Traveller(
            family,
            given,
            born,
            gender,
            nationality,
            documents=(_passport(rng, nationality, today=today),),
            residence_country=nationality,
        )
        hard = is_deliberately_hard(variants, given)
        listed = entry.primary_name
        rules = ", ".join(v.value for v in variants) or "written as listed"
        drafts.append(
            _Draft(
                person,
                PlantedKind.LISTED_PERSON,
                f"{entry.entity_id} {listed} written {family}/{given} ({rules}); same birth date "
                f"{born.isoformat() if born else '?'} and nationality {nationality} as the list"
                + ("; deliberately hard: the engine is not expected to alert" if hard else ""),
                str(entry.entity_id),
                listed,
                variants,
                hard,
            )
        )
    for entry in chosen[plan.listed :]:
        family, given = _primary(entry)
        listed_born = _exact_birth(entry)
        assert listed_born is not None  # plantable entries have one
        years = rng.randint(9, 24) * rng.choice((-1, 1))
        born = listed_born.replace(year=listed_born.year + years, day=min(listed_born.day, 28))
        if born >= today - timedelta(days=18 * 365):
            born = listed_born.replace(year=listed_born.year - abs(years), day=min(listed_born.day, 28))
        nationality = rng.choice([n for n in ("GBR", "FRA", "ESP", "NLD") if n not in entry.nationalities])
        person = Traveller(
            family.upper(),
            given.upper(),
            born,
            entry.gender if entry.gender is not Gender.UNKNOWN else Gender.MALE,
            nationality,
            documents=(_passport(rng, nationality, today=today),),
            residence_country=nationality,
        )
        drafts.append(
            _Draft(
                person,
                PlantedKind.NEAR_MISS,
                f"same name as {entry.entity_id} {entry.primary_name}, but born {born.isoformat()} "
                f"(list: {listed_born.isoformat()}) and {nationality} "
                f"(list: {', '.join(entry.nationalities)}): "
                "another person; flagging them is a false alarm",
                str(entry.entity_id),
                entry.primary_name,
            )
        )
    usable_mix = [(origin, weight) for origin, weight in mix if origin in pools]
    innocents = simulate_travellers(
        pools, usable_mix, spec.passengers - len(drafts), seed=rng.randint(0, 2**31), today=today
    )
    # Document and booking cases are planted on innocent adults (the person is not listed).
    adults = [
        i
        for i, t in enumerate(innocents)
        if t.birth_date is not None and (today - t.birth_date).days > 20 * 365
    ]
    picks = rng.sample(adults, plan.invalid_mrz + plan.expired + plan.lost_stolen + plan.risky)
    cursor = 0
    for _ in range(plan.invalid_mrz):
        person = innocents[picks[cursor]]
        cursor += 1
        drafts.append(
            _Draft(
                person,
                PlantedKind.INVALID_MRZ,
                "the document number check digit of the passport's MRZ is wrong (ICAO 9303 part 3): "
                "a forged or altered document number",
                tampered_mrz=True,
            )
        )
    for _ in range(plan.expired):
        person = innocents[picks[cursor]]
        cursor += 1
        expired_on = spec.flight_date - timedelta(days=rng.randint(8, 400))
        document = _passport(rng, person.nationality, today=today, expiry=expired_on)
        drafts.append(
            _Draft(
                _with_passport(person, document),
                PlantedKind.EXPIRED_DOCUMENT,
                f"passport {document.number} expired on {expired_on.isoformat()}, before the flight",
                rule_id="DOC-EXPIRED",
            )
        )
    for _ in range(plan.lost_stolen):
        person = innocents[picks[cursor]]
        cursor += 1
        document = person.documents[0]
        reported = today - timedelta(days=rng.randint(20, 700))
        drafts.append(
            _Draft(
                person,
                PlantedKind.LOST_STOLEN_DOCUMENT,
                f"passport {document.issuing_state} {document.number} was reported lost or stolen on "
                f"{reported.isoformat()}",
                lost_stolen=LostStolenDocument(
                    document.issuing_state,
                    document.number,
                    "P",
                    reported,
                    f"TRAIN-{rng.randint(10000, 99999)}",
                ),
            )
        )
    for _ in range(plan.risky):
        person = innocents[picks[cursor]]
        cursor += 1
        drafts.append(
            _Draft(
                person,
                PlantedKind.RISKY_TRAVEL,
                "one-way ticket paid in cash, booked and ticketed less than 24 hours before departure, "
                "travelling alone",
                rule_id="PNR-CASH-ONE-WAY-24H",
                risky=True,
            )
        )
    planted_ids = set(picks)
    # Listed persons and near misses are added; the other cases replace the innocents they were made from.
    passengers = [t for i, t in enumerate(innocents) if i not in planted_ids]
    for draft in drafts:
        passengers.insert(rng.randint(0, len(passengers)), draft.traveller)
    rows = max(30, (len(passengers) + 5) // 6)
    seated = assign_seats(passengers, seed=rng.randint(0, 2**31), rows=rows)
    ordered = [
        replace(
            t,
            passenger_ref=f"P{index + 1:03d}",
            embarkation=flight.departure_port,
            debarkation=flight.arrival_port,
        )
        for index, t in enumerate(seated)
    ]
    return _assemble(spec, rng, flight, ordered, drafts, pools, today)


def _identity(traveller: Traveller) -> tuple[str, str, date | None, str]:
    doc = traveller.documents[0].number if traveller.documents else ""
    return traveller.family_name, traveller.given_names, traveller.birth_date, doc


def _assemble(
    spec: ScenarioSpec,
    rng: random.Random,
    flight: Flight,
    passengers: list[Traveller],
    drafts: list[_Draft],
    pools: Mapping[str, NamePool],
    today: date,
) -> Scenario:
    draft_by_identity = {_identity(d.traveller): d for d in drafts}
    # Expired-document drafts carry their new passport; match them on name and birth date too.
    risky_indexes = {
        i
        for i, t in enumerate(passengers)
        if (d := draft_by_identity.get(_identity(t))) is not None and d.risky
    }
    passengers, fixed_bookings = simulate_bookings(
        passengers, flight, rng=rng, today=today, risky_travellers=risky_indexes
    )
    assert flight.departure_time is not None
    assert flight.arrival_time is not None
    crew = [
        replace(
            t,
            role=TravellerRole.CREW,
            passenger_ref=f"C{i + 1:02d}",
            embarkation=flight.departure_port,
            debarkation=flight.arrival_port,
        )
        for i, t in enumerate(
            simulate_travellers(
                pools,
                [("maghreb", 1.0)] if "maghreb" in pools else [(next(iter(pools)), 1.0)],
                spec.crew,
                seed=rng.randint(0, 2**31),
                today=today,
            )
        )
    ]
    day = flight.departure_time.strftime("%y%m%d")
    manifest = Manifest(
        MessageKind.PASSENGER_LIST,
        flight,
        tuple(passengers + crew),
        sender=f"{flight.carrier}APIS",
        recipient="BORDERWATCHTRAINING",
        message_ref=f"{flight.designator}A",
        interchange_ref=f"{day}{rng.randint(1000, 9999)}",
        reference=f"{flight.designator}/{day}/{flight.departure_time.strftime('%H%M')}",
        declared_passengers=len(passengers),
        declared_crew=len(crew),
        version="D05B",
        reporting_party=f"{flight.carrier} APIS DESK",
    )
    pnr = PnrMessage(
        flight, tuple(fixed_bookings), sender=f"{flight.carrier}PNR", message_ref=f"{flight.designator}P"
    )
    cases: list[PlantedCase] = []
    mrz: list[MrzPlan] = []
    lost: list[LostStolenDocument] = []
    for traveller in passengers:
        draft = draft_by_identity.get(_identity(traveller))
        document = traveller.main_document
        if document is not None:
            mrz.append(
                MrzPlan(
                    traveller.passenger_ref,
                    traveller,
                    document,
                    tampered=draft is not None and draft.tampered_mrz,
                )
            )
        if draft is None:
            continue
        if draft.lost_stolen is not None:
            lost.append(draft.lost_stolen)
        cases.append(
            PlantedCase(
                case_id=f"C{len(cases) + 1:02d}",
                kind=draft.kind,
                passenger_ref=traveller.passenger_ref,
                family_name=traveller.family_name,
                given_names=traveller.given_names,
                birth_date=traveller.birth_date,
                nationality=traveller.nationality,
                document_number=document.number if document else "",
                explanation=draft.explanation,
                entity_id=draft.entity_id,
                listed_name=draft.listed_name,
                variants=draft.variants,
                hard=draft.hard,
                rule_id=draft.rule_id,
            )
        )
    # A lost/stolen list holds other people's documents too: the planted ones hide among them.
    for _ in range(max(8, len(lost) * 6)):
        state = rng.choice(("MAR", "GBR", "FRA", "ESP", "DZA"))
        filler = _passport(rng, state, today=today)
        lost.append(
            LostStolenDocument(
                state,
                filler.number,
                "P",
                today - timedelta(days=rng.randint(5, 900)),
                f"TRAIN-{rng.randint(10000, 99999)}",
            )
        )
    lost.sort(key=lambda d: (d.issuing_state, d.number))
    key = AnswerKey(
        scenario_id=spec.scenario_id,
        seed=spec.seed,
        difficulty=spec.difficulty,
        flight_key=flight.key,
        as_of=flight.departure_time - timedelta(hours=2),
        cases=tuple(cases),
    )
    return Scenario(spec, manifest, pnr, tuple(mrz), tuple(lost), key)


# ------------------------------------------------------------------------------------- scoring

FLAGGING = frozenset({Decision.CONFIRM_MATCH, Decision.ESCALATE})


@dataclass(frozen=True, slots=True)
class AlertLink:
    """An alert of the exercise, and the planted case it belongs to (None: not a planted case)."""

    alert_id: int
    case_id: str | None
    kind: str  # alert kind value: watch list, risk rule, lost or stolen document, document check
    subject: str
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class TraineeDecision:
    """One decision a trainee recorded on an alert of the exercise."""

    trainee: str
    alert_id: int
    decision: Decision
    decided_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class KindScore:
    """Found and missed planted cases of one kind."""

    found: int = 0
    missed: int = 0


@dataclass(frozen=True, slots=True)
class TraineeScore:
    """How one trainee did: planted cases found and missed, false alarms, time to decision."""

    trainee: str
    found: tuple[str, ...]  # case ids
    missed: tuple[str, ...]
    false_alarms: tuple[int, ...]  # alert ids flagged that belong to no positive planted case
    cleared_correctly: int  # alerts of no positive case called false positive
    undecided: int  # alerts of the exercise with no decision from this trainee
    decisions: int
    seconds_to_decision: tuple[float, ...]  # per decided alert, from the exercise's start
    by_kind: Mapping[PlantedKind, KindScore] = field(default_factory=dict)
    missed_variants: Mapping[VariantRule, int] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        """Return the share of positive planted cases found (1.0 when there were none)."""
        total = len(self.found) + len(self.missed)
        return len(self.found) / total if total else 1.0

    @property
    def precision(self) -> float:
        """Return the share of flags that were right (1.0 when nothing was flagged)."""
        flagged = len(self.found) + len(self.false_alarms)
        return len(self.found) / flagged if flagged else 1.0

    @property
    def median_seconds(self) -> float | None:
        """Return the median time to decision in seconds, None without decisions."""
        return median(self.seconds_to_decision) if self.seconds_to_decision else None

    def as_dict(self) -> dict[str, object]:
        """Return the score as JSON-ready data."""
        return {
            "trainee": self.trainee,
            "found": list(self.found),
            "missed": list(self.missed),
            "false_alarms": list(self.false_alarms),
            "cleared_correctly": self.cleared_correctly,
            "undecided": self.undecided,
            "decisions": self.decisions,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "median_seconds_to_decision": self.median_seconds,
            "seconds_to_decision": list(self.seconds_to_decision),
            "by_kind": {k.value: {"found": v.found, "missed": v.missed} for k, v in self.by_kind.items()},
            "missed_variants": {k.value: v for k, v in self.missed_variants.items()},
        }


def final_decisions(decisions: Sequence[TraineeDecision]) -> dict[int, TraineeDecision]:
    """Return each alert's last decision (by time, then by order given): a trainee may change their mind."""
    last: dict[int, TraineeDecision] = {}
    for decision in sorted(decisions, key=lambda d: d.decided_at):
        last[decision.alert_id] = decision
    return last


def score_trainee(
    key: AnswerKey,
    alerts: Sequence[AlertLink],
    decisions: Sequence[TraineeDecision],
    *,
    trainee: str,
    started_at: datetime,
) -> TraineeScore:
    """Return one trainee's score from the answer key, the exercise's alerts and their decisions."""
    own = final_decisions([d for d in decisions if d.trainee == trainee])
    case_of = {a.alert_id: a.case_id for a in alerts}
    positives = {c.case_id for c in key.cases if c.should_flag}
    flagged_cases = {
        case_of[alert_id]
        for alert_id, d in own.items()
        if d.decision in FLAGGING and case_of.get(alert_id) in positives
    }
    found = tuple(c.case_id for c in key.cases if c.case_id in flagged_cases)
    missed = tuple(c.case_id for c in key.cases if c.should_flag and c.case_id not in flagged_cases)
    false_alarms = tuple(
        sorted(
            alert_id
            for alert_id, d in own.items()
            if d.decision in FLAGGING and alert_id in case_of and case_of[alert_id] not in positives
        )
    )
    cleared = sum(
        1
        for alert_id, d in own.items()
        if d.decision is Decision.FALSE_POSITIVE
        and alert_id in case_of
        and case_of[alert_id] not in positives
    )
    seconds = tuple(
        max(0.0, (own[a.alert_id].decided_at - started_at).total_seconds())
        for a in alerts
        if a.alert_id in own
    )
    by_kind: dict[PlantedKind, KindScore] = {}
    missed_variants: dict[VariantRule, int] = {}
    for case in key.cases:
        if not case.should_flag:
            continue
        score = by_kind.get(case.kind, KindScore())
        if case.case_id in flagged_cases:
            by_kind[case.kind] = KindScore(score.found + 1, score.missed)
        else:
            by_kind[case.kind] = KindScore(score.found, score.missed + 1)
            for rule in case.variants:
                missed_variants[rule] = missed_variants.get(rule, 0) + 1
    return TraineeScore(
        trainee=trainee,
        found=found,
        missed=missed,
        false_alarms=false_alarms,
        cleared_correctly=cleared,
        undecided=sum(1 for a in alerts if a.alert_id not in own),
        decisions=sum(1 for a in alerts if a.alert_id in own),
        seconds_to_decision=seconds,
        by_kind=by_kind,
        missed_variants=missed_variants,
    )


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One planted case across the exercise: did the engine alert, which trainees found or flagged it."""

    case: PlantedCase
    alert_ids: tuple[int, ...]
    flagged_by: tuple[str, ...]

    @property
    def engine_alerted(self) -> bool:
        """True when screening raised at least one alert for the case."""
        return bool(self.alert_ids)


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """The instructor's view: every trainee's score and every planted case's outcome."""

    trainees: tuple[TraineeScore, ...]
    cases: tuple[CaseOutcome, ...]
    alerts: int
    unplanted_alerts: int  # alerts that belong to no planted case (noise the trainees must clear)

    def as_dict(self) -> dict[str, object]:
        """Return the summary as JSON-ready data."""
        return {
            "alerts": self.alerts,
            "unplanted_alerts": self.unplanted_alerts,
            "trainees": [t.as_dict() for t in self.trainees],
            "cases": [
                {
                    "case": o.case.case_id,
                    "kind": o.case.kind.value,
                    "should_flag": o.case.should_flag,
                    "hard": o.case.hard,
                    "traveller": f"{o.case.family_name}/{o.case.given_names}",
                    "variants": [v.value for v in o.case.variants],
                    "engine_alerted": o.engine_alerted,
                    "alerts": list(o.alert_ids),
                    "flagged_by": list(o.flagged_by),
                }
                for o in self.cases
            ],
        }


def summarise_exercise(
    key: AnswerKey,
    alerts: Sequence[AlertLink],
    decisions: Sequence[TraineeDecision],
    *,
    trainees: Sequence[str],
    started_at: datetime,
) -> ExerciseSummary:
    """Return the instructor summary: a score per trainee and, per planted case, who flagged it."""
    scores = tuple(
        score_trainee(key, alerts, decisions, trainee=name, started_at=started_at) for name in trainees
    )
    finals = {name: final_decisions([d for d in decisions if d.trainee == name]) for name in trainees}
    outcomes = []
    for case in key.cases:
        ids = tuple(a.alert_id for a in alerts if a.case_id == case.case_id)
        flagged_by = tuple(
            name
            for name in trainees
            if any(i in finals[name] and finals[name][i].decision in FLAGGING for i in ids)
        )
        outcomes.append(CaseOutcome(case, ids, flagged_by))
    return ExerciseSummary(scores, tuple(outcomes), len(alerts), sum(1 for a in alerts if a.case_id is None))


def link_alert(key: AnswerKey, *, passenger_ref: str, alert_kind: str, subject: str) -> str | None:
    """Return the planted case an alert belongs to (by the traveller's passenger reference), or None.

    A listed person's or near miss's case takes only watch-list alerts naming its list entry; the
    document and booking cases take any alert on their traveller that is not a watch-list alert.
    """
    for case in key.cases:
        if case.passenger_ref != passenger_ref:
            continue
        if case.kind in (PlantedKind.LISTED_PERSON, PlantedKind.NEAR_MISS):
            if alert_kind == "watch list" and subject == case.entity_id:
                return case.case_id
            continue
        if alert_kind != "watch list":
            return case.case_id
    return None
