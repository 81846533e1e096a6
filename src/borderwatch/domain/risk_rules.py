"""Risk rules: declarative conditions over a traveller's facts, giving hits that explain themselves.

A `RuleSet` holds versioned `Rule`s. Each rule has a severity, an explanation template for the
officer and a condition tree (`AllOf` / `AnyOf` / `Not` over `Comparison`s). `build_facts` turns
a traveller, and whatever is known around them (booking, flight, document checks made elsewhere),
into `Facts`: named values under dotted paths such as `document.expiry_days`. `evaluate` returns a
`RuleHit` for every enabled rule whose condition holds.

Rules are checked when they are built, not when they run: an unknown fact, an operator that does
not fit the fact's kind, a value of the wrong type or an unsafe pattern raises `InputError` at
construction, so a loaded rule set cannot fail on a traveller.

A fact that is not known (no booking, no expiry date, document not checked) makes every comparison
on it false, except `missing` (true) and `exists` (false). `explain_rule` says which facts were
missing and why, so an officer can tell "not flagged" from "could not be checked".

Pure: no clock (`now` is passed in), no files, no environment.
"""

from __future__ import annotations

import difflib
import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from types import MappingProxyType
from typing import TypeAlias

from borderwatch.domain.alerts import Severity
from borderwatch.domain.travellers import Booking, Flight, Traveller
from borderwatch.errors import InputError

Scalar: TypeAlias = str | int | float | bool | date | datetime
FactValue: TypeAlias = Scalar | tuple[str, ...]
RuleValue: TypeAlias = Scalar | tuple[Scalar, ...] | None

MAX_PATTERN_LENGTH = 120
MAX_LIST_VALUES = 500
MAX_WITHIN_DAYS = 36_500
MAX_CONDITION_DEPTH = 12
MAX_COMPARISONS_PER_RULE = 64
# IATA Resolution 011a: a break of more than 24 hours between two international flights is a
# stopover, not a connection.
CONNECTION_HOURS = 24.0


class FactKind(Enum):
    """What kind of value a fact holds; it decides which operators fit."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "yes/no"
    DATE = "date"
    DATETIME = "date and time"
    TEXT_LIST = "list of texts"


@dataclass(frozen=True, slots=True)
class FactField:
    """A named fact a rule may test: its dotted path, its kind and what it means."""

    name: str
    kind: FactKind
    description: str


def _fields(*rows: tuple[str, FactKind, str]) -> Mapping[str, FactField]:
    return MappingProxyType({name: FactField(name, kind, text) for name, kind, text in rows})


FACT_FIELDS: Mapping[str, FactField] = _fields(
    ("traveller.family_name", FactKind.TEXT, "family name as reported"),
    ("traveller.given_names", FactKind.TEXT, "given names as reported"),
    ("traveller.nationality", FactKind.TEXT, "nationality, ICAO 9303 three-letter code"),
    ("traveller.residence_country", FactKind.TEXT, "country of residence, three-letter code"),
    ("traveller.gender", FactKind.TEXT, "sex as on the document: M, F, X or U"),
    ("traveller.role", FactKind.TEXT, "passenger, crew or in_transit"),
    ("traveller.birth_date", FactKind.DATE, "date of birth"),
    ("traveller.age", FactKind.NUMBER, "age in completed years on the day of `now`"),
    ("traveller.embarkation", FactKind.TEXT, "port where the traveller boards (API)"),
    ("traveller.debarkation", FactKind.TEXT, "port where the traveller leaves the flight (API)"),
    ("traveller.bags", FactKind.NUMBER, "checked bags reported for the traveller (API)"),
    ("traveller.document_count", FactKind.NUMBER, "number of travel documents reported"),
    ("document.type", FactKind.TEXT, "main document type: P passport, I identity card, V visa..."),
    ("document.number", FactKind.TEXT, "main document number"),
    ("document.issuing_state", FactKind.TEXT, "issuing state of the main document, three-letter code"),
    ("document.nationality", FactKind.TEXT, "nationality written on the main document"),
    ("document.expiry_date", FactKind.DATE, "expiry date of the main document"),
    ("document.expiry_days", FactKind.NUMBER, "days from `now` to expiry (negative once expired)"),
    ("document.issue_date", FactKind.DATE, "issue date of the main document"),
    ("document.issued_days_ago", FactKind.NUMBER, "days from issue to `now`"),
    ("document.lost_or_stolen", FactKind.BOOL, "main document is on a lost or stolen document list"),
    ("document.mrz_valid", FactKind.BOOL, "all ICAO 9303 check digits of the MRZ read were right"),
    ("booking.record_locator", FactKind.TEXT, "PNR record locator"),
    ("booking.payment_kinds", FactKind.TEXT_LIST, "forms of payment (PNRGOV FOP): CA cash, CC card..."),
    ("booking.is_one_way", FactKind.BOOL, "the itinerary does not return to where it starts"),
    ("booking.created_at", FactKind.DATETIME, "when the PNR was created (RCI)"),
    ("booking.ticketed_at", FactKind.DATETIME, "when the ticket was issued (DAT 710)"),
    ("booking.hours_booked_before_departure", FactKind.NUMBER, "hours from PNR creation to departure"),
    ("booking.hours_ticketed_before_departure", FactKind.NUMBER, "hours from ticketing to departure"),
    ("booking.route_ports", FactKind.TEXT_LIST, "every port of the itinerary, in order of travel"),
    ("booking.connection_ports", FactKind.TEXT_LIST, "ports where the traveller changes flight within 24 h"),
    ("booking.segment_count", FactKind.NUMBER, "number of flights in the itinerary"),
    ("booking.traveller_count", FactKind.NUMBER, "travellers named in the same PNR"),
    ("booking.agency", FactKind.TEXT, "booking agency: IATA number or office id (ORG)"),
    ("booking.country", FactKind.TEXT, "country where the booking was made"),
    ("booking.bag_count", FactKind.NUMBER, "checked bags in the PNR"),
    ("booking.bag_weight_kg", FactKind.NUMBER, "checked bag weight in the PNR, kg"),
    ("booking.contacts", FactKind.TEXT_LIST, "e-mail addresses and phone numbers in the PNR"),
    ("flight.designator", FactKind.TEXT, "carrier and number, e.g. AT800"),
    ("flight.carrier", FactKind.TEXT, "operating carrier code"),
    ("flight.departure_port", FactKind.TEXT, "port of departure of the reported flight"),
    ("flight.arrival_port", FactKind.TEXT, "port of arrival of the reported flight"),
    ("flight.departure_time", FactKind.DATETIME, "scheduled local departure time"),
)


class Operator(Enum):
    """How a comparison tests a fact."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    CONTAINS_ANY = "contains_any"
    BETWEEN = "between"
    EXISTS = "exists"
    MISSING = "missing"
    MATCHES = "matches"
    WITHIN_DAYS = "within_days"


_ORDERED = {FactKind.NUMBER, FactKind.DATE, FactKind.DATETIME}
_ALL_KINDS = set(FactKind)
_SCALAR_KINDS = _ALL_KINDS - {FactKind.TEXT_LIST}
OPERATOR_KINDS: Mapping[Operator, frozenset[FactKind]] = MappingProxyType(
    {
        Operator.EQ: frozenset(_SCALAR_KINDS),
        Operator.NE: frozenset(_SCALAR_KINDS),
        Operator.LT: frozenset(_ORDERED),
        Operator.LE: frozenset(_ORDERED),
        Operator.GT: frozenset(_ORDERED),
        Operator.GE: frozenset(_ORDERED),
        Operator.IN: frozenset({FactKind.TEXT, FactKind.NUMBER}),
        Operator.NOT_IN: frozenset({FactKind.TEXT, FactKind.NUMBER}),
        Operator.CONTAINS: frozenset({FactKind.TEXT, FactKind.TEXT_LIST}),
        Operator.CONTAINS_ANY: frozenset({FactKind.TEXT, FactKind.TEXT_LIST}),
        Operator.BETWEEN: frozenset(_ORDERED),
        Operator.EXISTS: frozenset(_ALL_KINDS),
        Operator.MISSING: frozenset(_ALL_KINDS),
        Operator.MATCHES: frozenset({FactKind.TEXT, FactKind.TEXT_LIST}),
        Operator.WITHIN_DAYS: frozenset({FactKind.DATE, FactKind.DATETIME}),
    }
)
_OPERATOR_WORDS: Mapping[Operator, str] = MappingProxyType(
    {
        Operator.EQ: "=",
        Operator.NE: "≠",
        Operator.LT: "<",
        Operator.LE: "≤",
        Operator.GT: ">",
        Operator.GE: "≥",
        Operator.IN: "in",
        Operator.NOT_IN: "not in",
        Operator.CONTAINS: "contains",
        Operator.CONTAINS_ANY: "contains any of",
        Operator.BETWEEN: "between",
        Operator.EXISTS: "is known",
        Operator.MISSING: "is not known",
        Operator.MATCHES: "matches",
        Operator.WITHIN_DAYS: "within days",
    }
)


def _rule_error(reason: str, *, fact: str = "") -> InputError:
    return InputError(reason, field=fact, reason=reason)


def _unknown_fact(name: str) -> InputError:
    close = difflib.get_close_matches(name, list(FACT_FIELDS), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `borderwatch rules fields` lists them"
    return _rule_error(f"unknown fact '{name}'{hint}", fact=name)


def parse_operator(text: str) -> Operator:
    """Return the operator for its rule-file name (`eq`, `within_days`...); unknown names raise InputError."""
    for op in Operator:
        if op.value == text:
            return op
    known = ", ".join(op.value for op in Operator)
    raise _rule_error(f"unknown operator '{text}'; expected one of {known}")


# --- safe patterns --------------------------------------------------------------------------------

_FORBIDDEN_ESCAPES = set("0123456789gkABZbG")


def check_pattern(pattern: str) -> re.Pattern[str]:
    """Return the compiled pattern once it is known to be safe; otherwise raise InputError.

    Python's `re` has no time limit, so rule authors (untrusted input) get a small language:
    literals, classes, `.`, groups, `|` and bounded quantifiers. Refused: patterns longer than
    MAX_PATTERN_LENGTH, backreferences, look-arounds and inline flags (any `(?` but `(?:`), and a
    repeated group that itself holds a quantifier or a `|` - the shapes of catastrophic
    backtracking (`(a+)+`, `(a|a)*`). The pattern must match the whole value (`re.fullmatch`),
    case-insensitively.
    """
    if not pattern:
        raise _rule_error("empty pattern")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise _rule_error(f"pattern is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH} allowed")
    groups: list[bool] = []  # per open group: does it hold a quantifier or an alternation?
    closed_group_risky = False  # the atom just before this position is such a group
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        quantifier_here = ch in "*+?" or (ch == "{" and re.match(r"\{\d*(,\d*)?\}", pattern[i:]) is not None)
        if quantifier_here:
            if closed_group_risky:
                raise _rule_error(
                    "nested quantifier (a repeated group holding a quantifier or `|`, like `(a+)+` or"
                    " `(a|b)*`) can take exponential time; rewrite it, e.g. with a character class"
                )
            if ch == "{":
                bound = re.match(r"\{(\d*)(?:,(\d*))?\}", pattern[i:])
                assert bound is not None
                numbers = [int(n) for n in bound.groups() if n]
                if any(n > 100 for n in numbers):
                    raise _rule_error("repetition counts above 100 are not allowed")
                i += bound.end()
            else:
                i += 1
            if groups:
                groups[-1] = True
            closed_group_risky = False
            continue
        closed_group_risky = False
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if not nxt:
                raise _rule_error("pattern ends with a lone backslash")
            if nxt in _FORBIDDEN_ESCAPES:
                raise _rule_error(
                    f"escape \\{nxt} (backreference or anchor) is not allowed; the pattern is anchored"
                )
            i += 2
        elif ch == "[":
            end = _class_end(pattern, i)
            i = end + 1
        elif ch == "(":
            if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
                raise _rule_error("look-arounds, named groups and inline flags `(?...)` are not allowed")
            groups.append(False)
            i += 3 if pattern.startswith("(?:", i) else 1
        elif ch == ")":
            if not groups:
                raise _rule_error("unbalanced parenthesis in pattern")
            closed_group_risky = groups.pop()
            if closed_group_risky and groups:
                groups[-1] = True
            i += 1
        elif ch == "|":
            if groups:
                groups[-1] = True
            i += 1
        else:
            i += 1
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise _rule_error(f"pattern is not a valid regular expression: {exc}") from exc


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    raise _rule_error("unterminated character class `[` in pattern")


# --- conditions -----------------------------------------------------------------------------------


def _kind_of(value: object) -> FactKind | None:
    if isinstance(value, bool):
        return FactKind.BOOL
    if isinstance(value, int | float):
        return FactKind.NUMBER
    if isinstance(value, datetime):
        return FactKind.DATETIME
    if isinstance(value, date):
        return FactKind.DATE
    if isinstance(value, str):
        return FactKind.TEXT
    return None


def _coerce(value: object, kind: FactKind, fact: str) -> Scalar:
    """Return `value` as a scalar of `kind`, accepting the forms YAML and people write."""
    want = FactKind.TEXT if kind is FactKind.TEXT_LIST else kind
    got = _kind_of(value)
    if got is want:
        assert isinstance(value, str | int | float | bool | date | datetime)
        return value
    if want is FactKind.TEXT and got is FactKind.NUMBER:
        return str(value)  # an unquoted IATA agency number in YAML is read as an int
    if want is FactKind.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if want is FactKind.DATETIME and isinstance(value, str | date):
        try:
            if isinstance(value, str):
                return datetime.fromisoformat(value)
            return datetime.combine(value, datetime.min.time())
        except ValueError:
            pass
    shown = "nothing" if value is None else f"{value!r} ({got.value if got else type(value).__name__})"
    raise _rule_error(
        f"{fact} is a {kind.value} fact; the value must be a {want.value}, got {shown}", fact=fact
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """One test of one fact: `document.expiry_days between [0, 30]`.

    Rule files write the fact under the key `field`; here it is `fact`, the word used throughout.
    """

    fact: str
    op: Operator
    value: RuleValue = None
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        spec = FACT_FIELDS.get(self.fact)
        if spec is None:
            raise _unknown_fact(self.fact)
        _check_fits(spec, self.op)
        self._check_value(spec.kind)
        if self.op is Operator.MATCHES:
            assert isinstance(self.value, str)
            object.__setattr__(self, "_pattern", check_pattern(self.value))

    @classmethod
    def build(cls, fact: str, op: str, value: object = None) -> Comparison:
        """Return a checked comparison from rule-file values; anything wrong raises InputError."""
        spec = FACT_FIELDS.get(fact)
        if spec is None:
            raise _unknown_fact(fact)
        operator = parse_operator(op)
        _check_fits(spec, operator)
        if operator in (Operator.EXISTS, Operator.MISSING):
            if value is not None:
                raise _rule_error(f"operator '{op}' takes no value", fact=fact)
            return cls(fact, operator)
        if operator is Operator.MATCHES or operator is Operator.WITHIN_DAYS:
            if not isinstance(value, str | int | float | bool | date):
                raise _rule_error(f"operator '{op}' needs a single value", fact=fact)
            scalar: Scalar = value
            return cls(fact, operator, scalar)
        if operator in (Operator.IN, Operator.NOT_IN, Operator.CONTAINS_ANY, Operator.BETWEEN):
            if not isinstance(value, list | tuple):
                raise _rule_error(f"operator '{op}' needs a list of values", fact=fact)
            return cls(fact, operator, tuple(_coerce(v, spec.kind, fact) for v in value))
        if isinstance(value, list | tuple):
            raise _rule_error(f"operator '{op}' needs a single value, not a list", fact=fact)
        return cls(fact, operator, _coerce(value, spec.kind, fact))

    def _check_value(self, kind: FactKind) -> None:
        op, value = self.op, self.value
        want = FactKind.TEXT if kind is FactKind.TEXT_LIST else kind
        if op in (Operator.EXISTS, Operator.MISSING):
            if value is not None:
                raise _rule_error(f"operator '{op.value}' takes no value", fact=self.fact)
        elif op is Operator.MATCHES:
            if not isinstance(value, str):
                raise _rule_error("operator 'matches' needs a pattern (text)", fact=self.fact)
        elif op is Operator.WITHIN_DAYS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise _rule_error(
                    "operator 'within_days' needs a whole number of days (negative: the past)", fact=self.fact
                )
            if abs(value) > MAX_WITHIN_DAYS:
                raise _rule_error(f"within_days is limited to ±{MAX_WITHIN_DAYS} days", fact=self.fact)
        elif op in (Operator.IN, Operator.NOT_IN, Operator.CONTAINS_ANY, Operator.BETWEEN):
            if not isinstance(value, tuple) or not value:
                raise _rule_error(f"operator '{op.value}' needs a non-empty list of values", fact=self.fact)
            if len(value) > MAX_LIST_VALUES:
                raise _rule_error(f"a list holds at most {MAX_LIST_VALUES} values", fact=self.fact)
            for item in value:
                _require_kind(item, want, self.fact)
            if op is Operator.BETWEEN:
                if len(value) != 2:
                    raise _rule_error(
                        "operator 'between' needs exactly two values: [low, high]", fact=self.fact
                    )
                low, high = value
                if _less(high, low):
                    raise _rule_error(f"between: low {low} is above high {high}", fact=self.fact)
        else:
            if isinstance(value, tuple) or value is None:
                raise _rule_error(f"operator '{op.value}' needs a single value", fact=self.fact)
            _require_kind(value, want, self.fact)

    def describe(self) -> str:
        """Return the comparison as an officer reads it: `document.expiry_days between 0 and 30`."""
        word = _OPERATOR_WORDS[self.op]
        if self.op in (Operator.EXISTS, Operator.MISSING):
            return f"{self.fact} {word}"
        if self.op is Operator.BETWEEN and isinstance(self.value, tuple):
            return f"{self.fact} between {format_value(self.value[0])} and {format_value(self.value[1])}"
        if self.op is Operator.WITHIN_DAYS and isinstance(self.value, int):
            if self.value >= 0:
                return f"{self.fact} within the next {self.value} days"
            return f"{self.fact} within the last {-self.value} days"
        if self.op is Operator.MATCHES:
            return f"{self.fact} matches /{self.value}/"
        if isinstance(self.value, tuple):
            return f"{self.fact} {word} [{', '.join(format_value(v) for v in self.value)}]"
        return f"{self.fact} {word} {format_value(self.value)}"


def _check_fits(spec: FactField, op: Operator) -> None:
    if spec.kind not in OPERATOR_KINDS[op]:
        fits = ", ".join(o.value for o in Operator if spec.kind in OPERATOR_KINDS[o])
        raise _rule_error(
            f"operator '{op.value}' does not fit {spec.name} ({spec.kind.value}); use one of {fits}",
            fact=spec.name,
        )


def _require_kind(value: object, kind: FactKind, fact: str) -> None:
    got = _kind_of(value)
    if got is not kind:
        shown = got.value if got else type(value).__name__
        raise _rule_error(f"{fact} is compared with {kind.value} values, got {value!r} ({shown})", fact=fact)


@dataclass(frozen=True, slots=True)
class AllOf:
    """True when every condition holds."""

    conditions: tuple[Condition, ...]

    def __post_init__(self) -> None:
        if not self.conditions:
            raise _rule_error("'all' needs at least one condition")


@dataclass(frozen=True, slots=True)
class AnyOf:
    """True when at least one condition holds."""

    conditions: tuple[Condition, ...]

    def __post_init__(self) -> None:
        if not self.conditions:
            raise _rule_error("'any' needs at least one condition")


@dataclass(frozen=True, slots=True)
class Not:
    """True when the condition does not hold (a missing fact makes a comparison false, so `not` true)."""

    condition: Condition


Condition: TypeAlias = AllOf | AnyOf | Not | Comparison


def iter_comparisons(condition: Condition) -> Iterator[Comparison]:
    """Return every comparison of a condition tree, depth first."""
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, Not):
        yield from iter_comparisons(condition.condition)
    else:
        for child in condition.conditions:
            yield from iter_comparisons(child)


def condition_depth(condition: Condition) -> int:
    """Return how deeply a condition tree nests (a lone comparison is 1)."""
    if isinstance(condition, Comparison):
        return 1
    if isinstance(condition, Not):
        return 1 + condition_depth(condition.condition)
    return 1 + max(condition_depth(c) for c in condition.conditions)


def describe_condition(condition: Condition) -> str:
    """Return a condition tree on one line: `(a AND (b OR NOT c))`."""
    if isinstance(condition, Comparison):
        return condition.describe()
    if isinstance(condition, Not):
        return f"NOT {describe_condition(condition.condition)}"
    joiner = " AND " if isinstance(condition, AllOf) else " OR "
    inner = joiner.join(describe_condition(c) for c in condition.conditions)
    return inner if len(condition.conditions) == 1 else f"({inner})"


# --- rules ----------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")
_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def template_facts(template: str) -> tuple[str, ...]:
    """Return the facts an explanation template names (`{document.expiry_days}`), in order."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(template)))


@dataclass(frozen=True, slots=True)
class Rule:
    """One versioned risk rule: when `condition` holds, raise `severity` with `explanation` filled in."""

    id: str
    title: str
    version: int
    severity: Severity
    explanation: str  # template: "document expires in {document.expiry_days} days ({document.expiry_date})"
    condition: Condition
    enabled: bool = True
    rationale: str = ""  # why this is a risk indicator, for the people who maintain the rules

    def __post_init__(self) -> None:
        if not _RULE_ID.fullmatch(self.id):
            raise _rule_error(
                f"rule id {self.id!r} must be 1-64 letters, digits, '-', '_' or '.',"
                " starting with a letter or digit"
            )
        if not self.title.strip():
            raise _rule_error("rule title is empty")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise _rule_error("rule version must be a whole number from 1")
        if not self.explanation.strip():
            raise _rule_error("explanation is empty")
        for name in template_facts(self.explanation):
            if name not in FACT_FIELDS:
                raise _unknown_fact(name)
        if condition_depth(self.condition) > MAX_CONDITION_DEPTH:
            raise _rule_error(f"condition nests deeper than {MAX_CONDITION_DEPTH} levels")
        if sum(1 for _ in iter_comparisons(self.condition)) > MAX_COMPARISONS_PER_RULE:
            raise _rule_error(f"a rule holds at most {MAX_COMPARISONS_PER_RULE} comparisons")

    @property
    def facts_used(self) -> tuple[str, ...]:
        """Return the facts the condition and the explanation read, condition first."""
        names = [c.fact for c in iter_comparisons(self.condition)]
        return tuple(dict.fromkeys([*names, *template_facts(self.explanation)]))


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A named, versioned set of rules, as an agency publishes it to its officers."""

    name: str
    version: str
    rules: tuple[Rule, ...]
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _rule_error("rule set name is empty")
        if not self.version.strip():
            raise _rule_error("rule set version is empty")
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise _rule_error(f"rule id {rule.id} appears twice; ids must be unique in a rule set")
            seen.add(rule.id)

    @property
    def label(self) -> str:
        """Return `name version`, e.g. `default 2026.1`."""
        return f"{self.name} {self.version}"

    def rule(self, rule_id: str) -> Rule | None:
        """Return the rule with this id, if any."""
        return next((r for r in self.rules if r.id == rule_id), None)


# --- facts ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentChecks:
    """Results of checks made outside the rules (lost/stolen lists, MRZ check digits); None = not checked."""

    lost_or_stolen: bool | None = None
    mrz_valid: bool | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about one traveller, by fact name, and why each unknown fact is unknown."""

    now: datetime
    values: Mapping[str, FactValue]
    absent: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> FactValue | None:
        """Return the fact's value, or None when it is not known."""
        return self.values.get(name)

    def why_missing(self, name: str) -> str:
        """Return why a fact is unknown ("no booking (PNR) for this traveller"); empty when known."""
        if name in self.values:
            return ""
        return self.absent.get(name, "not reported")


NO_BOOKING = "no booking (PNR) for this traveller"
NO_DOCUMENT = "no travel document reported"
NO_FLIGHT = "no flight given"


class _FactsBuilder:
    def __init__(self) -> None:
        self.values: dict[str, FactValue] = {}
        self.absent: dict[str, str] = {}

    # Every name put is a declared fact: `test_every_fact_the_builder_knows_is_declared` checks it
    # (an assert here cost a lookup per fact per traveller).
    def put(self, name: str, value: FactValue | None, reason: str = "not reported") -> None:
        if value is None or value == "" or value == ():
            self.absent[name] = reason
        else:
            self.values[name] = value

    def missing(self, prefix: str, reason: str) -> None:
        """Mark every fact under `prefix` unknown; called before any of them is put."""
        self.absent.update(_fields_missing(prefix, reason))


@functools.cache
def _fields_missing(prefix: str, reason: str) -> dict[str, str]:
    """Return the fact fields whose names start with `prefix`, each with `reason` (read only)."""
    return {name: reason for name in FACT_FIELDS if name.startswith(prefix)}


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _hours_between(earlier: datetime | None, later: datetime | None) -> float | None:
    """Return hours from `earlier` to `later`; PNR times are local and usually naive, so zones are
    compared only when both sides carry one."""
    if earlier is None or later is None:
        return None
    if (earlier.tzinfo is None) != (later.tzinfo is None):
        earlier, later = _naive(earlier), _naive(later)
    return round((later - earlier).total_seconds() / 3600.0, 2)


def _age(birth: date, today: date) -> int:
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


def _route(booking: Booking) -> tuple[str, ...]:
    ports: list[str] = []
    for seg in booking.itinerary:
        for port in (seg.departure_port, seg.arrival_port):
            if port and (not ports or ports[-1] != port):
                ports.append(port)
    return tuple(ports)


def _connections(booking: Booking) -> tuple[str, ...]:
    ports: list[str] = []
    for before, after in zip(booking.itinerary, booking.itinerary[1:], strict=False):
        if before.arrival_port != after.departure_port:
            continue  # open jaw: the traveller makes their own way between ports
        gap = _hours_between(before.arrival_time or before.departure_time, after.departure_time)
        if gap is None or gap <= CONNECTION_HOURS:
            ports.append(before.arrival_port)
    return tuple(dict.fromkeys(ports))


def build_facts(
    traveller: Traveller,
    *,
    now: datetime,
    booking: Booking | None = None,
    flight: Flight | None = None,
    checks: DocumentChecks | None = None,
) -> Facts:
    """Return the facts rules can test about a traveller, computed as of `now`.

    Day counts (age, document expiry) use `now`'s date: pass the flight's departure time as `now`
    to judge a stored flight as it was on its day. Lead times (hours booked or ticketed before
    departure) use the reported flight's departure time, or the first itinerary segment's when no
    flight is given.
    """
    today = now.date()
    # Enum members' `_value_` is their value: `.value` goes through a descriptor (~1 us in 3.11), and
    # every traveller of a flight asks for three.
    b = _FactsBuilder()
    b.put("traveller.family_name", traveller.family_name)
    b.put("traveller.given_names", traveller.given_names)
    b.put("traveller.nationality", traveller.nationality)
    b.put("traveller.residence_country", traveller.residence_country)
    b.put("traveller.gender", traveller.gender._value_)
    b.put("traveller.role", traveller.role._value_)
    b.put("traveller.birth_date", traveller.birth_date, "no birth date reported")
    age = _age(traveller.birth_date, today) if traveller.birth_date else None
    b.put("traveller.age", age, "no birth date reported")
    b.put("traveller.embarkation", traveller.embarkation)
    b.put("traveller.debarkation", traveller.debarkation)
    b.put("traveller.bags", traveller.bags, "no bag count reported in API")
    b.put("traveller.document_count", len(traveller.documents))

    doc = traveller.main_document
    checks = checks or DocumentChecks()
    if doc is None:
        b.missing("document.", NO_DOCUMENT)
    else:
        b.put("document.type", doc.doc_type._value_)
        b.put("document.number", doc.number)
        b.put("document.issuing_state", doc.issuing_state)
        b.put("document.nationality", doc.nationality)
        b.put("document.expiry_date", doc.expiry_date, "document has no expiry date")
        expiry_days = (doc.expiry_date - today).days if doc.expiry_date else None
        b.put("document.expiry_days", expiry_days, "document has no expiry date")
        b.put("document.issue_date", doc.issue_date, "document has no issue date")
        issued = (today - doc.issue_date).days if doc.issue_date else None
        b.put("document.issued_days_ago", issued, "document has no issue date")
        b.put("document.lost_or_stolen", checks.lost_or_stolen, "not checked against lost/stolen documents")
        b.put("document.mrz_valid", checks.mrz_valid, "no MRZ read for this document")

    departure = flight.departure_time if flight else None
    if booking is None:
        b.missing("booking.", NO_BOOKING)
    else:
        if departure is None:
            departure = next((s.departure_time for s in booking.itinerary if s.departure_time), None)
        b.put("booking.record_locator", booking.record_locator)
        kinds = tuple(dict.fromkeys(p.kind.strip().upper() for p in booking.payments if p.kind.strip()))
        b.put("booking.payment_kinds", kinds, "booking has no form of payment")
        no_route = "booking has no itinerary"
        b.put("booking.is_one_way", booking.is_one_way if booking.itinerary else None, no_route)
        b.put("booking.created_at", booking.created_at, "booking has no creation time")
        b.put("booking.ticketed_at", booking.ticketed_at, "booking has no ticketing time")
        no_departure = "departure time not known"
        b.put(
            "booking.hours_booked_before_departure",
            _hours_between(booking.created_at, departure),
            "booking has no creation time" if booking.created_at is None else no_departure,
        )
        b.put(
            "booking.hours_ticketed_before_departure",
            _hours_between(booking.ticketed_at, departure),
            "booking has no ticketing time" if booking.ticketed_at is None else no_departure,
        )
        b.put("booking.route_ports", _route(booking), no_route)
        b.put("booking.connection_ports", _connections(booking), "no connection in the itinerary")
        b.put("booking.segment_count", len(booking.itinerary))
        b.put("booking.traveller_count", len(booking.travellers), "PNR names no traveller")
        b.put("booking.agency", booking.booking_agency, "no booking agency in the PNR")
        b.put("booking.country", booking.booking_country, "no booking country in the PNR")
        b.put("booking.bag_count", booking.bag_count, "no bags in the PNR")
        b.put("booking.bag_weight_kg", booking.bag_weight_kg, "no bag weight in the PNR")
        b.put("booking.contacts", tuple(booking.contacts), "no contact in the PNR")

    if flight is None:
        b.missing("flight.", NO_FLIGHT)
    else:
        b.put("flight.designator", flight.designator)
        b.put("flight.carrier", flight.carrier)
        b.put("flight.departure_port", flight.departure_port)
        b.put("flight.arrival_port", flight.arrival_port)
        b.put("flight.departure_time", flight.departure_time, "flight has no departure time")
    # Plain dicts, not MappingProxyType: facts and hits must pickle to reach Dask workers.
    return Facts(now=now, values=b.values, absent=b.absent)


# --- evaluation -----------------------------------------------------------------------------------


def _fold(value: Scalar) -> Scalar:
    # Text is compared without regard to case: "cmn" in a rule file means the port CMN.
    return value.casefold() if isinstance(value, str) else value


def _comparable(a: Scalar, b: Scalar) -> tuple[Scalar, Scalar]:
    if isinstance(a, datetime) and isinstance(b, datetime) and (a.tzinfo is None) != (b.tzinfo is None):
        return _naive(a), _naive(b)
    return _fold(a), _fold(b)


def _less(a: Scalar, b: Scalar) -> bool:
    x, y = _comparable(a, b)
    return bool(x < y)  # type: ignore[operator]  # kinds are checked when the rule is built


def _equal(a: Scalar, b: Scalar) -> bool:
    x, y = _comparable(a, b)
    return x == y


def comparison_holds(comparison: Comparison, facts: Facts) -> bool:
    """Return whether the comparison holds for these facts (a missing fact: only `missing` holds)."""
    op = comparison.op
    actual = facts.get(comparison.fact)
    if op is Operator.MISSING:
        return actual is None
    if actual is None:
        return False
    if op is Operator.EXISTS:
        return True
    value = comparison.value
    if isinstance(actual, tuple):
        return _test_list(comparison, actual)
    if op is Operator.MATCHES:
        assert comparison._pattern is not None
        return isinstance(actual, str) and comparison._pattern.fullmatch(actual) is not None
    if op is Operator.WITHIN_DAYS:
        assert isinstance(value, int)
        assert isinstance(actual, date)
        return _within_days(actual, value, facts.now)
    if op is Operator.CONTAINS:
        assert isinstance(value, str)
        assert isinstance(actual, str)
        return value.casefold() in actual.casefold()
    if op is Operator.CONTAINS_ANY:
        assert isinstance(value, tuple)
        assert isinstance(actual, str)
        return any(str(v).casefold() in actual.casefold() for v in value)
    if op in (Operator.IN, Operator.NOT_IN):
        assert isinstance(value, tuple)
        found = any(_equal(actual, v) for v in value)
        return found if op is Operator.IN else not found
    if op is Operator.BETWEEN:
        assert isinstance(value, tuple)
        low, high = value
        return not _less(actual, low) and not _less(high, actual)
    assert value is not None
    assert not isinstance(value, tuple)
    if op is Operator.EQ:
        return _equal(actual, value)
    if op is Operator.NE:
        return not _equal(actual, value)
    if op is Operator.LT:
        return _less(actual, value)
    if op is Operator.LE:
        return _less(actual, value) or _equal(actual, value)
    if op is Operator.GT:
        return _less(value, actual)
    if op is Operator.GE:
        return _less(value, actual) or _equal(actual, value)
    raise AssertionError(f"operator {op} not handled")  # every Operator member is handled above


def _test_list(comparison: Comparison, actual: tuple[str, ...]) -> bool:
    folded = {a.casefold() for a in actual}
    value = comparison.value
    if comparison.op is Operator.CONTAINS:
        return isinstance(value, str) and value.casefold() in folded
    if comparison.op is Operator.CONTAINS_ANY:
        return isinstance(value, tuple) and any(str(v).casefold() in folded for v in value)
    if comparison.op is Operator.MATCHES:
        pattern = comparison._pattern
        return pattern is not None and any(pattern.fullmatch(a) for a in actual)
    raise AssertionError(f"operator {comparison.op} does not apply to a list")  # refused at build time


def _within_days(actual: date, days: int, now: datetime) -> bool:
    if isinstance(actual, datetime):
        moment, base = _comparable(actual, now)
        assert isinstance(moment, datetime)
        assert isinstance(base, datetime)
        delta = (moment - base) / timedelta(days=1)
    else:
        delta = (actual - now.date()).days
    return 0 <= delta <= days if days >= 0 else days <= delta <= 0


def condition_holds(condition: Condition, facts: Facts) -> bool:
    """Return whether a condition tree holds for these facts."""
    return compile_condition(condition)(facts.values, facts.now)


# --- compiled conditions --------------------------------------------------------------------------
#
# `comparison_holds` reads a comparison's operator and value for every traveller; a whole flight
# asks the same ten rules four hundred times. `compile_condition` turns a tree, once, into nested
# closures that hold the operator's test and the rule's values already case-folded (a set for
# `in`), so a traveller costs one call per node. The results are the same as the interpreter's:
# tests compare the two on every operator and on missing, aware and naive facts; `explain_rule`,
# which shows each step to an officer, still walks the tree with `comparison_holds`.

Test: TypeAlias = Callable[[Mapping[str, FactValue], datetime], bool]


def compile_condition(condition: Condition) -> Test:
    """Return a function (fact values, now) -> bool that holds exactly when `condition_holds` would."""
    if isinstance(condition, Comparison):
        return _compile_comparison(condition)
    if isinstance(condition, Not):
        inner = compile_condition(condition.condition)
        return lambda values, now: not inner(values, now)
    tests = tuple(compile_condition(c) for c in condition.conditions)
    if len(tests) == 1:
        return tests[0]
    if isinstance(condition, AllOf):
        return lambda values, now: all(t(values, now) for t in tests)
    return lambda values, now: any(t(values, now) for t in tests)


def _compile_comparison(comparison: Comparison) -> Test:
    fact, op, value = comparison.fact, comparison.op, comparison.value
    if op is Operator.MISSING:
        return lambda values, now: values.get(fact) is None
    if op is Operator.EXISTS:
        return lambda values, now: values.get(fact) is not None
    kind = FACT_FIELDS[fact].kind
    if kind is FactKind.TEXT_LIST or op in (Operator.CONTAINS, Operator.CONTAINS_ANY, Operator.MATCHES):
        return _compile_text_search(comparison)
    if op is Operator.WITHIN_DAYS:
        assert isinstance(value, int)
        days = value

        def within(values: Mapping[str, FactValue], now: datetime) -> bool:
            actual = values.get(fact)
            return actual is not None and _within_days(actual, days, now)  # type: ignore[arg-type]

        return within
    if kind is FactKind.DATETIME:
        # Aware and naive times meet only through `_comparable`; times are rare in rules, so they
        # keep the interpreter's test.
        def timed(values: Mapping[str, FactValue], now: datetime) -> bool:
            return comparison_holds(comparison, Facts(now, values))

        return timed
    text = kind is FactKind.TEXT
    if op in (Operator.IN, Operator.NOT_IN):
        assert isinstance(value, tuple)
        members = frozenset(_fold(v) for v in value)
        inside = op is Operator.IN
        if text:
            return lambda values, now: (
                (a := values.get(fact)) is not None
                and ((a.casefold() if isinstance(a, str) else a) in members) is inside
            )
        return lambda values, now: (a := values.get(fact)) is not None and (a in members) is inside
    if op is Operator.BETWEEN:  # numbers and dates only: texts are not ordered
        assert isinstance(value, tuple)
        low, high = value
        # Written as the interpreter writes it (not below, not above), which also holds for a NaN bound.
        return lambda values, now: (a := values.get(fact)) is not None and _inside(a, low, high)
    assert value is not None
    assert not isinstance(value, tuple)
    want = _fold(value)
    compare = _SCALAR_TESTS[op]
    if text:
        return lambda values, now: (
            (a := values.get(fact)) is not None and compare(a.casefold() if isinstance(a, str) else a, want)
        )
    return lambda values, now: (a := values.get(fact)) is not None and compare(a, want)


def _inside(actual: FactValue, low: Scalar, high: Scalar) -> bool:
    return not actual < low and not high < actual  # type: ignore[operator]  # kinds checked at build


# The interpreter's `le` is `a < b or a == b` and `ge` is `b < a or a == b`: over numbers (NaN
# included), dates and texts these are the plain operators.
_SCALAR_TESTS: Mapping[Operator, Callable[[FactValue, Scalar], bool]] = MappingProxyType(
    {
        Operator.EQ: operator.eq,
        Operator.NE: operator.ne,
        Operator.LT: operator.lt,
        Operator.LE: operator.le,
        Operator.GT: operator.gt,
        Operator.GE: operator.ge,
    }
)


def _compile_text_search(comparison: Comparison) -> Test:
    """Return the test of `contains`, `contains_any` or `matches`, on a text or a list of texts."""
    fact, op, value = comparison.fact, comparison.op, comparison.value
    if op is Operator.MATCHES:
        pattern = comparison._pattern
        assert pattern is not None
        fullmatch = pattern.fullmatch

        def matches(values: Mapping[str, FactValue], now: datetime) -> bool:
            actual = values.get(fact)
            if isinstance(actual, tuple):
                return any(fullmatch(a) for a in actual)
            return isinstance(actual, str) and fullmatch(actual) is not None

        return matches
    wanted = (value,) if op is Operator.CONTAINS else value
    assert isinstance(wanted, tuple)
    needles = tuple(str(v).casefold() for v in wanted)

    def contains(values: Mapping[str, FactValue], now: datetime) -> bool:
        actual = values.get(fact)
        if actual is None:
            return False
        if isinstance(actual, tuple):
            folded = {a.casefold() for a in actual}
            return any(n in folded for n in needles)
        text = actual.casefold()  # type: ignore[union-attr]  # a text fact: checked when the rule is built
        return any(n in text for n in needles)

    return contains


def format_value(value: FactValue | RuleValue) -> str:
    """Return a fact or rule value as an officer reads it (dates ISO, lists comma-separated)."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    if isinstance(value, tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def fill_explanation(template: str, facts: Facts) -> str:
    """Return the explanation with each `{fact}` replaced by its value, or `unknown (why)`."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = facts.get(name)
        return format_value(value) if value is not None else f"unknown ({facts.why_missing(name)})"

    return _PLACEHOLDER.sub(replace, template)


@dataclass(frozen=True, slots=True)
class FactUse:
    """A fact a rule read, with its value as shown to the officer, or why it was not known."""

    fact: str
    value: str
    missing_reason: str = ""

    @property
    def is_missing(self) -> bool:
        """True when the fact was not known for this traveller."""
        return bool(self.missing_reason)


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that holds for a traveller: which rule and version, how severe, and why, in words."""

    rule_id: str
    rule_version: int
    rule_set: str  # `name version` of the rule set
    severity: Severity
    title: str
    explanation: str
    facts_used: tuple[FactUse, ...]


def _fact_uses(names: Sequence[str], facts: Facts) -> tuple[FactUse, ...]:
    return tuple(FactUse(name, format_value(facts.get(name)), facts.why_missing(name)) for name in names)


# Compiled rule sets by identity: rule sets are immutable, and few are in use at once (the bundled
# set and an agency's file). The set is held with its tests so that its id cannot be reused.
_COMPILED: dict[int, tuple[RuleSet, tuple[tuple[Rule, Test], ...]]] = {}
_COMPILED_HELD = 64


def _compiled(rule_set: RuleSet) -> tuple[tuple[Rule, Test], ...]:
    found = _COMPILED.get(id(rule_set))
    if found is not None and found[0] is rule_set:
        return found[1]
    tests = tuple((rule, compile_condition(rule.condition)) for rule in rule_set.rules if rule.enabled)
    if len(_COMPILED) >= _COMPILED_HELD:
        _COMPILED.clear()
    _COMPILED[id(rule_set)] = (rule_set, tests)
    return tests


def evaluate(rule_set: RuleSet, facts: Facts) -> list[RuleHit]:
    """Return a hit for every enabled rule of the set that holds for these facts, in rule order."""
    hits: list[RuleHit] = []
    values, now = facts.values, facts.now
    for rule, holds in _compiled(rule_set):
        if holds(values, now):
            hits.append(
                RuleHit(
                    rule_id=rule.id,
                    rule_version=rule.version,
                    rule_set=rule_set.label,
                    severity=rule.severity,
                    title=rule.title,
                    explanation=fill_explanation(rule.explanation, facts),
                    facts_used=_fact_uses(rule.facts_used, facts),
                )
            )
    return hits


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One node of a condition tree as evaluated: its text, its result, and the fact it read."""

    depth: int
    text: str
    result: bool
    fact: FactUse | None = None

    def __str__(self) -> str:
        verdict = "yes" if self.result else "no"
        seen = ""
        if self.fact is not None:
            fact = self.fact
            seen = f" (missing: {fact.missing_reason})" if fact.is_missing else f" (is {fact.value})"
        return f"{'  ' * self.depth}{self.text}: {verdict}{seen}"


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """Why a rule did or did not hold for a traveller, node by node, and which facts were missing."""

    rule_id: str
    matched: bool
    steps: tuple[TraceStep, ...]
    missing: tuple[FactUse, ...]

    def lines(self) -> list[str]:
        """Return the trace as indented lines for a terminal or a case note."""
        head = f"{self.rule_id}: {'holds' if self.matched else 'does not hold'}"
        tail = [f"not known: {m.fact} ({m.missing_reason})" for m in self.missing]
        return [head, *(str(s) for s in self.steps), *tail]


def explain_rule(rule: Rule, facts: Facts) -> RuleTrace:
    """Return the step-by-step result of one rule for these facts, naming each missing fact and why."""
    steps: list[TraceStep] = []

    def walk(condition: Condition, depth: int) -> bool:
        if isinstance(condition, Comparison):
            result = comparison_holds(condition, facts)
            use = _fact_uses([condition.fact], facts)[0]
            steps.append(TraceStep(depth, condition.describe(), result, use))
            return result
        index = len(steps)
        steps.append(TraceStep(depth, "", False))
        if isinstance(condition, Not):
            result = not walk(condition.condition, depth + 1)
            label = "NOT"
        else:
            results = [walk(c, depth + 1) for c in condition.conditions]  # every branch, for the record
            result = all(results) if isinstance(condition, AllOf) else any(results)
            label = "ALL of" if isinstance(condition, AllOf) else "ANY of"
        steps[index] = TraceStep(depth, label, result)
        return result

    matched = walk(rule.condition, 0)
    missing = tuple(u for u in _fact_uses(rule.facts_used, facts) if u.is_missing)
    return RuleTrace(rule.id, matched, tuple(steps), missing)
