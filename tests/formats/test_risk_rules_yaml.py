"""Risk rule files: YAML round trip, and a clear message (line, rule id, reason) for every mistake."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from importlib import resources

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from borderwatch.domain.alerts import Severity
from borderwatch.domain.risk_rules import AllOf, AnyOf, Comparison, Not, Operator, Rule, RuleSet
from borderwatch.errors import InputError
from borderwatch.formats.risk_rules import MAX_RULE_FILE_BYTES, dump_rule_set, parse_rule_set, rule_set_data

VALID = textwrap.dedent(
    """\
    name: agency
    version: "2026.1"
    rules:
      - id: DOC-EXPIRES-30D
        title: Travel document expires within 30 days
        version: 2
        severity: low
        explanation: "document expires in {document.expiry_days} days ({document.expiry_date})"
        when:
          all:
            - field: document.expiry_days
              op: between
              value: [0, 30]
            - not:
                field: traveller.role
                op: eq
                value: crew
    """
)


def default_yaml() -> str:
    return (
        resources.files("borderwatch").joinpath("data", "rules", "default.yaml").read_text(encoding="utf-8")
    )


def error_for(text: str | bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_rule_set(text, source="agency.yaml")
    return caught.value


# --- reading and round trip ------------------------------------------------------------------------


def test_valid_file_is_read() -> None:
    rule_set = parse_rule_set(VALID, source="agency.yaml")
    assert rule_set.label == "agency 2026.1"
    rule = rule_set.rules[0]
    assert (rule.id, rule.version, rule.severity, rule.enabled) == ("DOC-EXPIRES-30D", 2, Severity.LOW, True)
    assert rule.condition == AllOf(
        (
            Comparison("document.expiry_days", Operator.BETWEEN, (0, 30)),
            Not(Comparison("traveller.role", Operator.EQ, "crew")),
        )
    )


def test_default_rule_set_is_valid_and_explained() -> None:
    rule_set = parse_rule_set(default_yaml(), source="default.yaml")
    assert rule_set.name == "default"
    ids = {r.id for r in rule_set.rules}
    # the five examples of the issue, and more
    assert {"DOC-EXPIRES-30D", "PNR-CASH-ONE-WAY-24H", "PNR-ROUTE-VIA-PORT", "DOC-LOST-STOLEN"} <= ids
    assert "DOC-MRZ-CHECK-DIGIT" in ids
    assert len(rule_set.rules) >= 8
    assert all(r.rationale for r in rule_set.rules)


def test_default_rule_set_round_trips() -> None:
    rule_set = parse_rule_set(default_yaml())
    text = dump_rule_set(rule_set)
    again = parse_rule_set(text)
    assert again == rule_set
    assert dump_rule_set(again) == text


def test_every_value_kind_round_trips() -> None:
    rules = (
        Rule(
            id="ALL-KINDS",
            title="Every kind of value",
            version=7,
            severity=Severity.HIGH,
            explanation="age {traveller.age}, route {booking.route_ports}",
            condition=AnyOf(
                (
                    Comparison.build("document.expiry_date", "lt", date(2026, 12, 11)),
                    Comparison.build("booking.created_at", "ge", datetime(2026, 11, 28, 22, 15)),
                    Comparison.build("booking.is_one_way", "eq", True),
                    Comparison.build("booking.bag_weight_kg", "gt", 31.5),
                    Comparison.build("traveller.nationality", "in", ["MAR", "DZA", "TUN"]),
                    Comparison.build("booking.contacts", "matches", r"[A-Z0-9._]+@MAILINATOR\.COM"),
                    Comparison.build("document.issue_date", "within_days", -30),
                    Not(Comparison.build("booking.agency", "exists")),
                    Comparison.build("booking.bag_count", "missing"),
                )
            ),
            enabled=False,
            rationale='A test: "quotes", colons: and unicode — é, ث.',
        ),
    )
    rule_set = RuleSet("tous les types", "3", rules, description="multi\nline")
    assert parse_rule_set(dump_rule_set(rule_set)) == rule_set
    assert rule_set_data(rule_set)["version"] == "3"


def test_unquoted_numbers_are_accepted_where_harmless() -> None:
    text = VALID.replace('version: "2026.1"', "version: 7").replace(
        "op: eq\n            value: crew", "op: eq\n            value: crew"
    )
    assert parse_rule_set(text).version == "7"
    agency = VALID.replace(
        "field: traveller.role\n            op: eq\n            value: crew",
        "field: booking.agency\n            op: eq\n            value: 70379193",
    )
    parsed = parse_rule_set(agency).rules[0].condition
    assert isinstance(parsed, AllOf)
    assert parsed.conditions[1] == Not(Comparison("booking.agency", Operator.EQ, "70379193"))


def test_bytes_are_read_as_utf8() -> None:
    assert parse_rule_set(VALID.encode("utf-8")).name == "agency"


# --- every validation error has a clear message ----------------------------------------------------

# (change to VALID: old, new), expected "line N (...)" fragment, expected reason fragment
MISTAKES: list[tuple[tuple[str, str], str, str]] = [
    (
        ("op: between", "op: betwen"),
        "line 12 (rule DOC-EXPIRES-30D, rules[0].when.all[0].op)",
        "unknown operator 'betwen'",
    ),
    (
        ("field: document.expiry_days", "field: document.expiry_day"),
        "line 11 (rule DOC-EXPIRES-30D, rules[0].when.all[0].field)",
        "unknown fact 'document.expiry_day'; did you mean document.expiry_days",
    ),
    (
        ("value: [0, 30]", "value: [30, 0]"),
        "line 13 (rule DOC-EXPIRES-30D, rules[0].when.all[0].value)",
        "between: low 30 is above high 0",
    ),
    (("value: [0, 30]", "value: [0, 30, 60]"), "line 13", "needs exactly two values"),
    (
        ("value: [0, 30]", "value: {low: 0}"),
        "line 13 (rule DOC-EXPIRES-30D, rules[0].when.all[0].value)",
        "value must be a text, a number",
    ),
    (
        ("value: [0, 30]", "value: [zero, 30]"),
        "line 13",
        "document.expiry_days is a number fact; the value must be a number, got 'zero'",
    ),
    (
        ("op: between", "op: contains"),
        "line 12",
        "operator 'contains' does not fit document.expiry_days (number)",
    ),
    (
        ("severity: low", "severity: urgent"),
        "line 7 (rule DOC-EXPIRES-30D, rules[0].severity)",
        "severity must be one of low, medium, high",
    ),
    (
        ("version: 2", "version: 0"),
        "line 6 (rule DOC-EXPIRES-30D, rules[0].version)",
        "greater than or equal to 1",
    ),
    (("version: 2", 'version: "2"'), "line 6", "Input should be a valid integer"),
    (('version: "2026.1"', "version: 2026.10"), "line 2 (version)", 'write the version in quotes ("2026.1")'),
    (
        ("    title: Travel document expires within 30 days\n", ""),
        "line 4 (rule DOC-EXPIRES-30D, rules[0].title)",
        "'title' is required",
    ),
    (
        ("    severity: low\n", "    severity: low\n    colour: red\n"),
        "line 8 (rule DOC-EXPIRES-30D, rules[0].colour)",
        "unknown key 'colour'",
    ),
    (("- field: document.expiry_days", "- feild: document.expiry_days"), "line 11", "unknown key 'feild'"),
    (
        ("- not:", "- nicht:"),
        "line 14 (rule DOC-EXPIRES-30D, rules[0].when.all[1])",
        "a condition is a mapping with one key",
    ),
    (
        ("id: DOC-EXPIRES-30D", "id: DOC EXPIRES"),
        "line 4 (rule DOC EXPIRES, rules[0].id)",
        "rule id 'DOC EXPIRES' must be 1-64 letters",
    ),
    (
        ("{document.expiry_date}", "{document.expires}"),
        "line 8 (rule DOC-EXPIRES-30D, rules[0].explanation)",
        "unknown fact 'document.expires'",
    ),
    (("value: crew", "value: [crew]"), "line 17", "operator 'eq' needs a single value, not a list"),
    (("name: agency\n", ""), "line 1 (name)", "'name' is required"),
    (("name: agency", "name: agency\nowner: me"), "line 2 (owner)", "unknown key 'owner'"),
    (
        ("op: eq\n            value: crew", "op: matches\n            value: '(a+)+'"),
        "line 17 (rule DOC-EXPIRES-30D, rules[0].when.all[1].not.value)",
        "nested quantifier",
    ),
]


@pytest.mark.parametrize(
    ("change", "where", "reason"), MISTAKES, ids=[m[0][1].strip()[:30] for m in MISTAKES]
)
def test_mistake_is_reported_with_line_rule_and_reason(
    change: tuple[str, str], where: str, reason: str
) -> None:
    old, new = change
    assert old in VALID
    error = error_for(VALID.replace(old, new, 1))
    assert f"agency.yaml {where}" in error.message, error.message
    assert reason in error.message
    assert error.source == "agency.yaml"
    assert error.position is not None
    assert error.position.line == int(where.split()[1])


def test_duplicate_rule_ids_point_at_the_second() -> None:
    rule = VALID[VALID.index("  - id:") :]
    error = error_for(VALID + rule)
    assert error.message == (
        "agency.yaml line 18 (rule DOC-EXPIRES-30D, rules[1].id): rule id DOC-EXPIRES-30D appears twice;"
        " ids must be unique in a rule set"
    )


def test_all_problems_are_reported_together() -> None:
    second = (
        VALID[VALID.index("  - id:") :]
        .replace("DOC-EXPIRES-30D", "SECOND")
        .replace("op: between", "op: around")
    )
    text = VALID.replace("severity: low", "severity: severe") + second
    error = error_for(text)
    assert error.message.splitlines() == [
        "agency.yaml: 2 problems in the rule file",
        "agency.yaml line 7 (rule DOC-EXPIRES-30D, rules[0].severity):"
        " severity must be one of low, medium, high",
        "agency.yaml line 26 (rule SECOND, rules[1].when.all[0].op): unknown operator 'around'; expected one"
        " of eq, ne, lt, le, gt, ge, in, not_in, contains, contains_any, between, exists, missing, matches,"
        " within_days",
    ]
    assert error.position is not None
    assert error.position.line == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed\n", "agency.yaml line 2: not readable YAML"),
        ("rules:\n  - id: A\n\tbad: tab\n", "agency.yaml line 3: not readable YAML"),
        ("", "agency.yaml: a rule file is a mapping with name, version and rules"),
        ("- just\n- a list\n", "agency.yaml: a rule file is a mapping with name, version and rules"),
        ("name: x\nversion: '1'\nrules: []\n", "agency.yaml line 3 (rules): the rule set holds no rule"),
        ("name: x\nversion: '1'\nrules: {}\n", "agency.yaml line 3 (rules): Input should be a valid list"),
        ("a: &x [1, 2]\nb: *x\n", "agency.yaml line 2: YAML aliases (*name) are not allowed"),
        ("[" * 5000 + "]" * 5000, "agency.yaml: the file nests too deeply to be a rule file"),
    ],
    ids=["syntax", "tab", "empty", "list", "no-rules", "rules-mapping", "alias", "deep"],
)
def test_whole_file_problems(text: str, message: str) -> None:
    assert error_for(text).message.startswith(message)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert "aliases" in error_for("\n".join(lines)).reason


def test_empty_all_is_refused() -> None:
    error = error_for(VALID.replace("      all:\n", "      all: []\n      any:\n", 1))
    expected = (
        "agency.yaml line 10 (rule DOC-EXPIRES-30D, rules[0].when.all): List should have at least 1 item"
    )
    assert expected in error.message


def test_not_utf8_and_too_large() -> None:
    assert error_for(b"name: caf\xe9\n").message == "agency.yaml: not UTF-8 text (byte 9)"
    huge = b"# " + b"x" * MAX_RULE_FILE_BYTES
    assert "at most 1000000 allowed" in error_for(huge).message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_no_text_crashes_the_reader(text: str) -> None:
    assert reading_outcome(text) in ("rule set", "input error")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["field", "op", "value", "all", "any", "not", "x"]),
        st.one_of(
            st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=3)
        ),
        max_size=4,
    )
)
def test_no_condition_shape_crashes_the_reader(condition: dict[str, object]) -> None:
    data = {
        "name": "x",
        "version": "1",
        "rules": [
            {"id": "R", "title": "t", "version": 1, "severity": "low", "explanation": "e", "when": condition}
        ],
    }
    assert reading_outcome(yaml.safe_dump(data)) in ("rule set", "input error")


def reading_outcome(text: str) -> str:
    """Return what reading gave: a rule set, or an InputError with a reason (anything else fails)."""
    try:
        parse_rule_set(text)
    except InputError as exc:
        return "input error" if exc.reason else "input error without a reason"
    return "rule set"
