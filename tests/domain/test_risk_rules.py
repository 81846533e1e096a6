"""Risk rules: facts from real-shaped travellers and bookings, every operator, missing facts, explanations.

The traveller and booking are PNR 7C789A of the GTAS PNRGOV sample (see tests/factories.py), judged
at PUSH_TIME, an hour before UA988 leaves Frankfurt for Washington Dulles.
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from borderwatch.domain.alerts import Severity
from borderwatch.domain.risk_rules import (
    FACT_FIELDS,
    NO_BOOKING,
    NO_DOCUMENT,
    OPERATOR_KINDS,
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    DocumentChecks,
    FactKind,
    Facts,
    Not,
    Operator,
    Rule,
    RuleSet,
    build_facts,
    check_pattern,
    comparison_holds,
    compile_condition,
    condition_holds,
    describe_condition,
    evaluate,
    explain_rule,
    fill_explanation,
)
from borderwatch.domain.travellers import DocumentType, TravellerRole
from borderwatch.errors import InputError
from factories import (
    PUSH_TIME,
    booked,
    booking,
    flight,
    gtas_booking_7c789a,
    gtas_travellers,
    payment,
    segment,
    travel_document,
    traveller,
)

NOW = PUSH_TIME


def lobb_facts(**checks: bool) -> Facts:
    """Molly Lobb in PNR 7C789A on UA988, her passport checked as given."""
    return build_facts(
        traveller(documents=(travel_document(issue_date=date(2015, 4, 27)),), bags=1),
        now=NOW,
        booking=gtas_booking_7c789a(),
        flight=flight(),
        checks=DocumentChecks(**checks),
    )


def alone_facts() -> Facts:
    """Molly Lobb with no booking and no flight: only API facts."""
    return build_facts(traveller(), now=NOW)


def cmp(fact: str, op: str, value: object = None) -> Comparison:
    return Comparison.build(fact, op, value)


def rule(
    condition: Condition, *, explanation: str = "flagged", rule_id: str = "R-1", enabled: bool = True
) -> Rule:
    return Rule(
        id=rule_id,
        title="test rule",
        version=1,
        severity=Severity.MEDIUM,
        explanation=explanation,
        condition=condition,
        enabled=enabled,
    )


# --- facts -----------------------------------------------------------------------------------------


def test_facts_from_the_gtas_booking() -> None:
    facts = lobb_facts(lost_or_stolen=False, mrz_valid=True)
    assert facts.get("traveller.age") == 64
    assert facts.get("traveller.nationality") == "GBR"
    assert facts.get("document.expiry_days") == (date(2025, 4, 26) - date(2018, 9, 28)).days
    assert facts.get("document.issued_days_ago") == (date(2018, 9, 28) - date(2015, 4, 27)).days
    assert facts.get("document.lost_or_stolen") is False
    assert facts.get("document.mrz_valid") is True
    assert facts.get("booking.payment_kinds") == ("CC", "CA")
    assert facts.get("booking.is_one_way") is True
    assert facts.get("booking.route_ports") == ("WDH", "ADD", "FRA", "IAD")
    assert facts.get("booking.connection_ports") == ("ADD", "FRA")
    assert facts.get("booking.segment_count") == 3
    assert facts.get("booking.traveller_count") == 5
    assert facts.get("booking.agency") == "70379193"
    assert facts.get("booking.bag_count") == 9
    # RCI creation 2018-08-23 12:20, UA988 departs 2018-09-28 12:20: 36 days exactly.
    assert facts.get("booking.hours_booked_before_departure") == 36 * 24
    assert facts.get("booking.hours_ticketed_before_departure") == 36.33
    assert facts.get("flight.designator") == "UA988"
    assert facts.get("flight.departure_port") == "FRA"


def test_every_fact_the_builder_knows_is_declared() -> None:
    facts = lobb_facts(lost_or_stolen=False, mrz_valid=True)
    assert set(facts.values) | set(facts.absent) == set(FACT_FIELDS)


def test_no_booking_makes_booking_facts_missing_with_a_reason() -> None:
    facts = alone_facts()
    for name in FACT_FIELDS:
        if name.startswith("booking."):
            assert facts.get(name) is None
            assert facts.why_missing(name) == NO_BOOKING
    assert facts.why_missing("flight.departure_port") == "no flight given"
    assert facts.why_missing("document.lost_or_stolen") == "not checked against lost/stolen documents"
    assert facts.why_missing("traveller.nationality") == ""


def test_no_document_makes_document_facts_missing() -> None:
    facts = build_facts(traveller(documents=()), now=NOW)
    assert facts.get("document.number") is None
    assert facts.why_missing("document.expiry_days") == NO_DOCUMENT
    assert facts.get("traveller.document_count") == 0


def test_main_document_is_the_passport_not_the_visa() -> None:
    visa = travel_document(
        number="V1234567", doc_type=DocumentType.VISA, code="VB", expiry_date=date(2018, 10, 1)
    )
    facts = build_facts(traveller(documents=(visa, travel_document())), now=NOW)
    assert facts.get("document.number") == "796428965"
    assert facts.get("traveller.document_count") == 2


def test_booking_without_itinerary_or_times() -> None:
    bare = booking(itinerary=(), created_at=None, ticketed_at=None, payments=())
    facts = build_facts(traveller(), now=NOW, booking=bare)
    assert facts.get("booking.is_one_way") is None
    assert facts.why_missing("booking.is_one_way") == "booking has no itinerary"
    assert facts.why_missing("booking.hours_booked_before_departure") == "booking has no creation time"
    assert facts.why_missing("booking.payment_kinds") == "booking has no form of payment"


def test_lead_time_falls_back_to_first_segment_without_flight() -> None:
    facts = build_facts(traveller(), now=NOW, booking=booking())
    # first segment WDH-ADD departs 2018-09-27 14:20; created 2018-08-23 12:20 -> 35 days 2 hours
    assert facts.get("booking.hours_booked_before_departure") == 35 * 24 + 2
    assert facts.why_missing("flight.designator") == "no flight given"


def test_lead_time_with_created_but_no_departure_time() -> None:
    untimed = (segment("CMN", "CDG"),)
    facts = build_facts(
        traveller(), now=NOW, booking=booking(itinerary=untimed), flight=flight(departure_time=None)
    )
    assert facts.why_missing("booking.hours_booked_before_departure") == "departure time not known"


def test_round_trip_is_not_one_way_and_open_jaw_is_no_connection() -> None:
    round_trip = (
        segment("CMN", "CDG", datetime(2026, 3, 1, 8, 0), datetime(2026, 3, 1, 12, 0)),
        segment("CDG", "CMN", datetime(2026, 3, 10, 8, 0), datetime(2026, 3, 10, 11, 0)),
    )
    facts = build_facts(traveller(), now=NOW, booking=booking(itinerary=round_trip))
    assert facts.get("booking.is_one_way") is False
    # ten days in Paris is a stay (IATA: more than 24 h), not a connection
    assert facts.get("booking.connection_ports") is None
    open_jaw = (segment("CMN", "ORY"), segment("CDG", "JFK"))
    facts = build_facts(traveller(), now=NOW, booking=booking(itinerary=open_jaw))
    assert facts.get("booking.connection_ports") is None
    assert facts.get("booking.route_ports") == ("CMN", "ORY", "CDG", "JFK")


def test_age_counts_completed_years() -> None:
    day_before = build_facts(traveller(birth_date=date(2010, 9, 29)), now=NOW)
    birthday = build_facts(traveller(birth_date=date(2010, 9, 28)), now=NOW)
    assert day_before.get("traveller.age") == 7
    assert birthday.get("traveller.age") == 8


def test_aware_now_and_naive_pnr_times_do_not_crash() -> None:
    aware_now = datetime(2018, 9, 28, 10, 20, tzinfo=UTC)
    aware_flight = flight(departure_time=datetime(2018, 9, 28, 12, 20, tzinfo=UTC))
    facts = build_facts(traveller(), now=aware_now, booking=booking(), flight=aware_flight)
    assert facts.get("booking.hours_ticketed_before_departure") == 36.33
    near = cmp("flight.departure_time", "within_days", 1)
    assert condition_holds(near, facts)
    naive_comparison = cmp("flight.departure_time", "gt", "2018-09-28T10:00")
    assert condition_holds(naive_comparison, facts)


# --- every operator --------------------------------------------------------------------------------

# (fact, operator, value, expected on Molly Lobb in 7C789A at PUSH_TIME)
OPERATOR_CASES: list[tuple[str, str, object, bool]] = [
    ("traveller.nationality", "eq", "GBR", True),
    ("traveller.nationality", "eq", "gbr", True),  # text compares without case
    ("traveller.nationality", "eq", "USA", False),
    ("booking.traveller_count", "eq", 5, True),
    ("booking.is_one_way", "eq", True, True),
    ("document.expiry_date", "eq", date(2025, 4, 26), True),
    ("document.expiry_date", "eq", "2025-04-26", True),  # ISO text is read as a date
    ("booking.agency", "eq", 70379193, True),  # unquoted YAML number is read as text for a text fact
    ("traveller.nationality", "ne", "USA", True),
    ("traveller.nationality", "ne", "GBR", False),
    ("booking.is_one_way", "ne", False, True),
    ("traveller.age", "lt", 65, True),
    ("traveller.age", "lt", 64, False),
    ("traveller.birth_date", "lt", date(1960, 1, 1), True),
    ("traveller.age", "le", 64, True),
    ("traveller.age", "le", 63, False),
    ("booking.hours_ticketed_before_departure", "le", 36.33, True),
    ("traveller.age", "gt", 63, True),
    ("traveller.age", "gt", 64, False),
    ("booking.created_at", "gt", datetime(2018, 8, 23, 12, 19), True),
    ("booking.created_at", "gt", "2018-08-23T12:20", False),
    ("traveller.age", "ge", 64, True),
    ("traveller.age", "ge", 65, False),
    ("document.expiry_date", "ge", date(2025, 4, 26), True),
    ("traveller.nationality", "in", ["FRA", "GBR"], True),
    ("traveller.nationality", "in", ["FRA", "DEU"], False),
    ("booking.traveller_count", "in", [4, 5], True),
    ("traveller.nationality", "not_in", ["FRA", "DEU"], True),
    ("traveller.nationality", "not_in", ["gbr"], False),
    ("booking.payment_kinds", "contains", "CA", True),
    ("booking.payment_kinds", "contains", "ca", True),
    ("booking.payment_kinds", "contains", "MS", False),
    ("booking.route_ports", "contains", "ADD", True),
    ("traveller.family_name", "contains", "OB", True),
    ("traveller.family_name", "contains", "X", False),
    ("booking.route_ports", "contains_any", ["IST", "ADD"], True),
    ("booking.route_ports", "contains_any", ["IST", "DXB"], False),
    ("booking.connection_ports", "contains_any", ["FRA"], True),
    ("traveller.given_names", "contains_any", ["MOLL", "XX"], True),
    ("traveller.given_names", "contains_any", ["XX"], False),
    ("traveller.age", "between", [60, 64], True),  # inclusive
    ("traveller.age", "between", [64, 70], True),
    ("traveller.age", "between", [65, 70], False),
    ("document.expiry_date", "between", ["2025-01-01", "2025-12-31"], True),
    ("booking.created_at", "between", [datetime(2018, 8, 1), datetime(2018, 8, 31)], True),
    ("booking.hours_ticketed_before_departure", "between", [0, 24], False),
    ("document.number", "exists", None, True),
    ("booking.bag_weight_kg", "exists", None, False),
    ("booking.bag_weight_kg", "missing", None, True),
    ("document.number", "missing", None, False),
    ("document.number", "matches", r"\d{9}", True),
    ("document.number", "matches", r"\d{8}", False),  # anchored: a part does not match
    ("traveller.family_name", "matches", "lo[b]+", True),  # case does not matter
    ("booking.contacts", "matches", r"[A-Z._]+@YAHOO\.COM", True),
    ("booking.contacts", "matches", r"[A-Z._]+@MAILINATOR\.COM", False),
    ("document.expiry_date", "within_days", 30, False),
    ("document.expiry_date", "within_days", 3000, True),
    ("document.issue_date", "within_days", -30, False),
    ("document.issue_date", "within_days", -1300, True),
    ("booking.ticketed_at", "within_days", -2, True),
    ("booking.ticketed_at", "within_days", -1, False),  # 35 h 20 min ago
    ("flight.departure_time", "within_days", 1, True),
    ("flight.departure_time", "within_days", -1, False),
]


@pytest.mark.parametrize(("fact", "op", "value", "expected"), OPERATOR_CASES)
def test_operator(fact: str, op: str, value: object, expected: bool) -> None:
    facts = lobb_facts(lost_or_stolen=False, mrz_valid=True)
    assert condition_holds(cmp(fact, op, value), facts) is expected


def test_every_operator_has_cases_both_ways() -> None:
    seen = {(op, expected) for _, op, _, expected in OPERATOR_CASES}
    for op in Operator:
        assert (op.value, True) in seen, op
        assert (op.value, False) in seen, op


# One comparison per operator on a booking fact: with no booking, all are false but `missing`.
MISSING_CASES: list[tuple[str, str, object]] = [
    ("booking.agency", "eq", "70379193"),
    ("booking.agency", "ne", "00000000"),
    ("booking.traveller_count", "lt", 100),
    ("booking.traveller_count", "le", 100),
    ("booking.traveller_count", "gt", -1),
    ("booking.traveller_count", "ge", 0),
    ("booking.agency", "in", ["70379193"]),
    ("booking.agency", "not_in", ["00000000"]),
    ("booking.payment_kinds", "contains", "CA"),
    ("booking.payment_kinds", "contains_any", ["CA", "CC"]),
    ("booking.traveller_count", "between", [0, 100]),
    ("booking.agency", "exists", None),
    ("booking.agency", "matches", ".*"),
    ("booking.created_at", "within_days", -36500),
]


@pytest.mark.parametrize(("fact", "op", "value"), MISSING_CASES)
def test_missing_fact_makes_comparison_false(fact: str, op: str, value: object) -> None:
    assert condition_holds(cmp(fact, op, value), alone_facts()) is False


def test_missing_operator_holds_for_missing_fact() -> None:
    assert condition_holds(cmp("booking.agency", "missing"), alone_facts()) is True
    covered = {op for _, op, _ in MISSING_CASES} | {"missing"}
    assert covered == {op.value for op in Operator}


def test_not_over_a_missing_fact_holds() -> None:
    # Documented pitfall: write `mrz_valid eq false`, not `not (mrz_valid eq true)`.
    unchecked = alone_facts()
    assert condition_holds(Not(cmp("document.mrz_valid", "eq", True)), unchecked) is True
    assert condition_holds(cmp("document.mrz_valid", "eq", False), unchecked) is False


# Bounds and edges for the compiled tests: equal to a bound, either side of it, case, empty lists.
EDGE_CASES: list[tuple[str, str, object]] = [
    ("traveller.age", "between", [64, 64]),
    ("traveller.age", "between", [65, 64 + 100]),
    ("traveller.age", "le", 64.0),
    ("traveller.age", "ge", 64.5),
    ("traveller.age", "ne", 64),
    ("traveller.age", "not_in", [64]),
    ("traveller.gender", "in", ["f", "x"]),
    ("traveller.family_name", "contains", "lob"),
    ("traveller.family_name", "matches", "LOB+"),
    ("booking.payment_kinds", "matches", "C[AC]"),
    ("booking.route_ports", "contains", "fra"),
    ("booking.connection_ports", "contains", "ADD"),
    ("booking.is_one_way", "eq", False),
    ("document.lost_or_stolen", "eq", True),
    ("document.mrz_valid", "ne", True),
    ("document.expiry_date", "lt", "2025-04-27"),
    ("document.expiry_date", "le", "2025-04-25"),
    ("document.expiry_date", "gt", "2025-04-25"),
    ("document.expiry_days", "between", [-10_000, 10_000]),
    ("booking.hours_ticketed_before_departure", "gt", 36.33),
    ("booking.created_at", "lt", "2018-08-23T12:20+00:00"),
    ("booking.created_at", "between", ["2018-08-23T12:00", "2018-08-23T13:00"]),
    ("flight.departure_time", "eq", "2018-09-28T12:20"),
    ("flight.departure_time", "within_days", 0),
    ("traveller.birth_date", "within_days", -36_500),
]


def compiled_case_facts() -> list[Facts]:
    """The five travellers of 7C789A with and without their booking and flight, documents checked
    three ways, and one judged with an aware clock against naive PNR times."""
    everyone = gtas_travellers()
    found = [alone_facts()]
    for person, checks in zip(
        everyone,
        (DocumentChecks(), DocumentChecks(True, False), DocumentChecks(False, True), DocumentChecks(), None),
        strict=True,
    ):
        found.append(build_facts(person, now=NOW, checks=checks))
        found.append(
            build_facts(person, now=NOW, booking=gtas_booking_7c789a(), flight=flight(), checks=checks)
        )
    aware = datetime(2018, 9, 28, 10, 20, tzinfo=UTC)
    aware_flight = flight(departure_time=datetime(2018, 9, 28, 12, 20, tzinfo=UTC))
    found.append(build_facts(everyone[0], now=aware, booking=gtas_booking_7c789a(), flight=aware_flight))
    return found


def test_compiled_conditions_agree_with_the_interpreter() -> None:
    # `evaluate` and `condition_holds` run compiled closures; `explain_rule` shows the interpreter's
    # steps to the officer. They must never disagree, for any operator, fact kind or missing fact.
    facts_sets = compiled_case_facts()
    comparisons = [cmp(f, o, v) for f, o, v, _ in OPERATOR_CASES]
    comparisons += [cmp(f, o, v) for f, o, v in (*MISSING_CASES, *EDGE_CASES)]
    outcomes = set()
    for comparison in comparisons:
        test = compile_condition(comparison)
        results = []
        for facts in facts_sets:
            expected = comparison_holds(comparison, facts)
            assert test(facts.values, facts.now) is expected, (
                comparison.describe(),
                facts.get(comparison.fact),
            )
            results.append(expected)
        outcomes.add((comparison.op, any(results), not all(results)))
    # each operator both holds and fails somewhere in the grid, so a wrong test cannot hide
    for op in Operator:
        assert (op, True, True) in outcomes or {(op, True, False), (op, False, True)} <= outcomes, op


def test_compiled_trees_agree_with_the_interpreter() -> None:
    yes = cmp("traveller.nationality", "eq", "GBR")
    no = cmp("booking.agency", "exists")
    trees: list[Condition] = [
        AllOf((yes,)),
        AnyOf((no,)),
        Not(AnyOf((no, Not(yes)))),
        AllOf((AnyOf((no, yes)), Not(AllOf((yes, no))))),
    ]
    for tree in trees:
        test = compile_condition(tree)
        for facts in compiled_case_facts():
            walked = explain_rule(rule(tree), facts).matched
            assert test(facts.values, facts.now) is walked


def test_evaluate_follows_a_changed_rule_set() -> None:
    # Compiled rule sets are kept by identity: a new set with the same rule id but a new
    # condition is compiled afresh.
    facts = lobb_facts()
    first = RuleSet("agency", "1", (rule(cmp("traveller.nationality", "eq", "GBR")),))
    second = RuleSet("agency", "2", (rule(cmp("traveller.nationality", "eq", "FRA")),))
    assert [h.rule_id for h in evaluate(first, facts)] == ["R-1"]
    assert evaluate(second, facts) == []
    assert [h.rule_id for h in evaluate(first, facts)] == ["R-1"]


# --- conditions ------------------------------------------------------------------------------------


def test_all_any_not() -> None:
    facts = lobb_facts()
    yes = cmp("traveller.nationality", "eq", "GBR")
    no = cmp("traveller.nationality", "eq", "USA")
    assert condition_holds(AllOf((yes, yes)), facts)
    assert not condition_holds(AllOf((yes, no)), facts)
    assert condition_holds(AnyOf((no, yes)), facts)
    assert not condition_holds(AnyOf((no, no)), facts)
    assert condition_holds(Not(no), facts)
    assert condition_holds(AllOf((AnyOf((no, yes)), Not(AllOf((yes, no))))), facts)


def test_empty_all_and_any_are_refused() -> None:
    with pytest.raises(InputError, match="'all' needs at least one condition"):
        AllOf(())
    with pytest.raises(InputError, match="'any' needs at least one condition"):
        AnyOf(())


def test_describe_condition() -> None:
    condition = AllOf(
        (
            cmp("booking.payment_kinds", "contains", "CA"),
            AnyOf((cmp("traveller.age", "lt", 16), Not(cmp("document.number", "exists")))),
            cmp("document.issue_date", "within_days", -30),
            cmp("traveller.age", "between", [0, 15]),
            cmp("traveller.nationality", "in", ["FRA", "BEL"]),
        )
    )
    assert describe_condition(condition) == (
        "(booking.payment_kinds contains CA AND (traveller.age < 16 OR NOT document.number is known)"
        " AND document.issue_date within the last 30 days AND traveller.age between 0 and 15"
        " AND traveller.nationality in [FRA, BEL])"
    )


# --- refused at build time ------------------------------------------------------------------------

BUILD_ERRORS: list[tuple[str, str, object, str]] = [
    (
        "document.expiry_dayz",
        "lt",
        30,
        "unknown fact 'document.expiry_dayz'; did you mean document.expiry_days",
    ),
    ("passport.number", "exists", None, "unknown fact 'passport.number'"),
    ("document.expiry_days", "less_than", 30, "unknown operator 'less_than'; expected one of eq, ne"),
    ("booking.payment_kinds", "eq", "CA", "operator 'eq' does not fit booking.payment_kinds (list of texts)"),
    ("traveller.nationality", "lt", "GBR", "operator 'lt' does not fit traveller.nationality (text)"),
    ("booking.is_one_way", "in", [True], "operator 'in' does not fit booking.is_one_way"),
    ("traveller.age", "within_days", 3, "operator 'within_days' does not fit traveller.age"),
    (
        "traveller.age",
        "eq",
        "sixteen",
        "traveller.age is a number fact; the value must be a number, got 'sixteen'",
    ),
    ("traveller.age", "eq", True, "traveller.age is a number fact"),
    ("booking.is_one_way", "eq", "yes", "booking.is_one_way is a yes/no fact"),
    ("document.expiry_date", "lt", "26/04/2025", "document.expiry_date is a date fact"),
    ("document.expiry_date", "lt", datetime(2025, 4, 26, 10, 0), "document.expiry_date is a date fact"),
    ("traveller.age", "eq", None, "the value must be a number, got nothing"),
    ("traveller.age", "eq", [16], "operator 'eq' needs a single value, not a list"),
    ("traveller.age", "in", 16, "operator 'in' needs a list of values"),
    ("traveller.age", "in", [], "operator 'in' needs a non-empty list of values"),
    ("traveller.age", "between", [1, 2, 3], "needs exactly two values: [low, high]"),
    ("traveller.age", "between", [18, 16], "between: low 18 is above high 16"),
    ("document.number", "exists", "X", "operator 'exists' takes no value"),
    ("document.number", "missing", False, "operator 'missing' takes no value"),
    ("document.issue_date", "within_days", "30", "needs a whole number of days"),
    ("document.issue_date", "within_days", 1.5, "needs a whole number of days"),
    ("document.issue_date", "within_days", True, "needs a whole number of days"),
    ("document.issue_date", "within_days", 100_000, "within_days is limited to ±36500 days"),
    ("document.issue_date", "within_days", [30], "operator 'within_days' needs a single value"),
    ("document.number", "matches", 123, "operator 'matches' needs a pattern"),
    ("traveller.nationality", "in", ["GBR"] * 501, "a list holds at most 500 values"),
]


@pytest.mark.parametrize(("fact", "op", "value", "message"), BUILD_ERRORS)
def test_bad_comparison_is_refused_when_built(fact: str, op: str, value: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        cmp(fact, op, value)
    assert message in caught.value.reason


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(InputError, match="needs a single value"):
        Comparison("traveller.age", Operator.EQ, (16,))
    with pytest.raises(InputError, match="compared with number values"):
        Comparison("traveller.age", Operator.IN, ("16",))
    with pytest.raises(InputError, match="unknown fact"):
        Comparison("traveller.shoe_size", Operator.EXISTS)


def test_operator_table_covers_every_operator_and_kind() -> None:
    assert set(OPERATOR_KINDS) == set(Operator)
    for kind in FactKind:
        assert Operator.EXISTS in {op for op, kinds in OPERATOR_KINDS.items() if kind in kinds}


# --- safe patterns ---------------------------------------------------------------------------------

GOOD_PATTERNS = [
    r"[A-Z0-9._%+-]+@(?:MAILINATOR|GUERRILLAMAIL)\.COM",
    r"\d{9}",
    r"(AB|CD)[0-9]{2,7}",
    r"[^\]]+",
    r"X{0,100}",
    "(?:AB)*C",
    "(?:GMAIL|YAHOO)[.]COM",
    "a+?b",
]
BAD_PATTERNS = [
    ("(a+)+", "nested quantifier"),
    ("(?:[a-z]*)*", "nested quantifier"),
    ("(a|aa)*b", "nested quantifier"),
    ("((a|b)c){2,5}", "nested quantifier"),
    ("((ab)+c)*", "nested quantifier"),
    (r"(a)\1", "backreference"),
    ("(?=A)B", "look-arounds"),
    ("(?i)abc", "inline flags"),
    ("(?P<x>a)", "named groups"),
    ("A{1000}", "above 100"),
    ("A" * 121, "at most 120"),
    ("", "empty pattern"),
    ("abc)", "unbalanced"),
    ("[abc", "unterminated character class"),
    ("abc\\", "lone backslash"),
    ("a**", "not a valid regular expression"),
    (r"\bword\b", "anchor"),
]


@pytest.mark.parametrize("pattern", GOOD_PATTERNS)
def test_safe_patterns_are_accepted(pattern: str) -> None:
    assert check_pattern(pattern).pattern == pattern


@pytest.mark.parametrize(("pattern", "message"), BAD_PATTERNS)
def test_unsafe_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_pattern(pattern)


# --- rules and rule sets ---------------------------------------------------------------------------


def test_rule_checks_its_own_fields() -> None:
    yes = cmp("traveller.nationality", "eq", "GBR")
    with pytest.raises(InputError, match="rule id 'bad id'"):
        rule(yes, rule_id="bad id")
    with pytest.raises(InputError, match=r"unknown fact 'document\.expiry_dayz'"):
        rule(yes, explanation="expires in {document.expiry_dayz} days")
    with pytest.raises(InputError, match="explanation is empty"):
        rule(yes, explanation="  ")
    with pytest.raises(InputError, match="version must be a whole number from 1"):
        replace(rule(yes), version=0)
    with pytest.raises(InputError, match="rule title is empty"):
        replace(rule(yes), title=" ")
    deep: Condition = yes
    for _ in range(12):
        deep = Not(deep)
    with pytest.raises(InputError, match="nests deeper than 12"):
        rule(deep)
    with pytest.raises(InputError, match="at most 64 comparisons"):
        rule(AllOf((yes,) * 65))


def test_rule_set_refuses_duplicate_ids() -> None:
    one = rule(cmp("traveller.age", "gt", 0))
    with pytest.raises(InputError, match="rule id R-1 appears twice"):
        RuleSet("agency", "1", (one, one))
    assert RuleSet("agency", "1", (one,)).rule("R-1") is one


def test_rule_facts_used_lists_condition_then_template_facts() -> None:
    r = rule(
        AllOf((cmp("traveller.age", "lt", 16), cmp("booking.traveller_count", "eq", 1))),
        explanation="aged {traveller.age} alone in {booking.record_locator}",
    )
    assert r.facts_used == ("traveller.age", "booking.traveller_count", "booking.record_locator")


# --- evaluation and explanations -------------------------------------------------------------------


def expiry_rule_set() -> RuleSet:
    expiring = Rule(
        id="DOC-EXPIRES-30D",
        title="Travel document expires within 30 days",
        version=3,
        severity=Severity.LOW,
        explanation="document expires in {document.expiry_days} days ({document.expiry_date})",
        condition=cmp("document.expiry_days", "between", [0, 30]),
    )
    stolen = Rule(
        id="DOC-LOST-STOLEN",
        title="Document reported lost or stolen",
        version=1,
        severity=Severity.HIGH,
        explanation="document {document.number} ({document.issuing_state}) is reported lost or stolen",
        condition=cmp("document.lost_or_stolen", "eq", True),
    )
    cash = Rule(
        id="PNR-CASH",
        title="Paid in cash",
        version=1,
        severity=Severity.MEDIUM,
        explanation="paid in cash in PNR {booking.record_locator}",
        condition=cmp("booking.payment_kinds", "contains", "CA"),
        enabled=False,
    )
    return RuleSet("agency", "2026.1", (expiring, stolen, cash))


def test_evaluate_fills_the_explanation_for_the_officer() -> None:
    expiring = traveller(documents=(travel_document(expiry_date=date(2018, 10, 10)),))
    facts = build_facts(expiring, now=NOW, checks=DocumentChecks(lost_or_stolen=True))
    hits = evaluate(expiry_rule_set(), facts)
    assert [h.rule_id for h in hits] == ["DOC-EXPIRES-30D", "DOC-LOST-STOLEN"]
    first = hits[0]
    assert first.explanation == "document expires in 12 days (2018-10-10)"
    assert (first.rule_version, first.severity, first.rule_set) == (3, Severity.LOW, "agency 2026.1")
    assert [(u.fact, u.value) for u in first.facts_used] == [
        ("document.expiry_days", "12"),
        ("document.expiry_date", "2018-10-10"),
    ]
    assert hits[1].explanation == "document 796428965 (GBR) is reported lost or stolen"
    assert hits[1].severity is Severity.HIGH


def test_disabled_rule_does_not_hit() -> None:
    facts = lobb_facts()
    assert facts.get("booking.payment_kinds") == ("CC", "CA")
    assert [h.rule_id for h in evaluate(expiry_rule_set(), facts)] == []


def test_explanation_says_why_a_fact_is_unknown() -> None:
    r = rule(
        cmp("document.number", "exists"),
        explanation="document {document.number}, booked {booking.hours_booked_before_departure} h ahead",
    )
    hits = evaluate(RuleSet("agency", "1", (r,)), alone_facts())
    assert hits[0].explanation == (
        "document 796428965, booked unknown (no booking (PNR) for this traveller) h ahead"
    )
    missing = [u for u in hits[0].facts_used if u.is_missing]
    assert [(u.fact, u.missing_reason) for u in missing] == [
        ("booking.hours_booked_before_departure", NO_BOOKING)
    ]


def test_explain_rule_traces_each_step_and_missing_facts() -> None:
    cash_one_way = rule(
        AllOf(
            (
                cmp("booking.payment_kinds", "contains", "CA"),
                cmp("booking.is_one_way", "eq", True),
                cmp("booking.hours_ticketed_before_departure", "between", [0, 24]),
            )
        ),
        rule_id="PNR-CASH-ONE-WAY-24H",
    )
    no_booking = explain_rule(cash_one_way, alone_facts())
    assert not no_booking.matched
    assert no_booking.lines() == [
        "PNR-CASH-ONE-WAY-24H: does not hold",
        "ALL of: no",
        "  booking.payment_kinds contains CA: no (missing: no booking (PNR) for this traveller)",
        "  booking.is_one_way = yes: no (missing: no booking (PNR) for this traveller)",
        "  booking.hours_ticketed_before_departure between 0 and 24: no"
        " (missing: no booking (PNR) for this traveller)",
        "not known: booking.payment_kinds (no booking (PNR) for this traveller)",
        "not known: booking.is_one_way (no booking (PNR) for this traveller)",
        "not known: booking.hours_ticketed_before_departure (no booking (PNR) for this traveller)",
    ]
    with_booking = explain_rule(cash_one_way, lobb_facts())
    assert not with_booking.matched
    assert with_booking.missing == ()
    assert with_booking.lines()[2:] == [
        "  booking.payment_kinds contains CA: yes (is CC, CA)",
        "  booking.is_one_way = yes: yes (is yes)",
        "  booking.hours_ticketed_before_departure between 0 and 24: no (is 36.3)",
    ]


def test_cash_one_way_ticketed_on_the_day_is_flagged() -> None:
    """Luca Eulenberger paid cash in 7C789A; ticketed at 06:00 for the 12:20 departure, he is flagged."""
    eulenberger = gtas_travellers()[3]
    late = replace(gtas_booking_7c789a(), ticketed_at=datetime(2018, 9, 28, 6, 0))
    r = rule(
        AllOf(
            (
                cmp("booking.payment_kinds", "contains", "CA"),
                cmp("booking.is_one_way", "eq", True),
                cmp("booking.hours_ticketed_before_departure", "le", 24),
            )
        ),
        explanation="one-way ticket paid in cash, ticketed {booking.hours_ticketed_before_departure} hours"
        " before departure; route {booking.route_ports}",
    )
    facts = build_facts(eulenberger, now=NOW, booking=late, flight=flight())
    hits = evaluate(RuleSet("agency", "1", (r,)), facts)
    assert hits[0].explanation == (
        "one-way ticket paid in cash, ticketed 6.3 hours before departure; route WDH, ADD, FRA, IAD"
    )


def test_minor_travelling_alone() -> None:
    child = traveller(family_name="LOBB", given_names="ZARA", birth_date=date(2006, 5, 1))
    alone = booking(travellers=(booked(child),), payments=(payment("CA", amount="450.00"),))
    r = rule(
        AllOf(
            (
                cmp("traveller.age", "lt", 16),
                cmp("booking.traveller_count", "eq", 1),
                cmp("traveller.role", "eq", TravellerRole.PASSENGER.value),
            )
        ),
        explanation="traveller aged {traveller.age} is alone in booking {booking.record_locator}",
    )
    hits = evaluate(RuleSet("agency", "1", (r,)), build_facts(child, now=NOW, booking=alone))
    assert hits[0].explanation == "traveller aged 12 is alone in booking 7C789A"
    with_family = build_facts(child, now=NOW, booking=gtas_booking_7c789a())
    assert evaluate(RuleSet("agency", "1", (r,)), with_family) == []


def test_fill_explanation_formats_values() -> None:
    facts = lobb_facts(lost_or_stolen=False)
    text = fill_explanation(
        "{booking.created_at} / {document.lost_or_stolen} / {booking.route_ports} / {traveller.age} / {nope}",
        facts,
    )
    assert text == "2018-08-23 12:20 / no / WDH, ADD, FRA, IAD / 64 / {nope}"


def test_evaluate_many_travellers_is_deterministic() -> None:
    rules = expiry_rule_set()
    people = gtas_travellers()
    results = [evaluate(rules, build_facts(p, now=NOW + timedelta(days=100))) for p in people]
    # at 2019-01-06 Bologna's USA passport (expires 2019-01-07) has 1 day left
    flagged = [p.family_name for p, hits in zip(people, results, strict=True) if hits]
    assert flagged == ["BOLOGNA"]
    assert results[2][0].explanation == "document expires in 1 days (2019-01-07)"


def test_rule_sets_facts_and_hits_pickle_for_dask_workers() -> None:
    rules = RuleSet(
        "agency",
        "1",
        (rule(cmp("booking.contacts", "matches", r"[A-Z._]+@YAHOO\.COM"), explanation="{booking.contacts}"),),
    )
    facts = lobb_facts()
    hits = evaluate(rules, facts)
    copy_rules, copy_facts, copy_hits = pickle.loads(pickle.dumps((rules, facts, hits)))
    assert copy_rules == rules
    assert copy_hits == hits
    assert evaluate(copy_rules, copy_facts) == hits
